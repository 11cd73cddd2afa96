"""Imaging and electrodiagnostic request facts, on small synthetic letters (never corpus text)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.facts import Facts
from engine.facts.model import ElectrodiagnosticStudy, ImagingModality
from tests.facts.synthetic import checked_facts, synthetic_letter


def facts(
    summary: str,
    titles: list[str],
    rationale: str,
    *,
    injured: date | None = date(2016, 10, 3),
    ur: date | None = date(2016, 11, 14),
    which: int = 1,
) -> Facts:
    """Facts of item `which` of a letter whose items share one rationale text."""
    doc = synthetic_letter(
        summary, titles, rationale, injured=injured, ur=ur, decided=date(2017, 1, 9)
    )
    return checked_facts(doc, which)


@pytest.mark.parametrize(
    ("title", "modality"),
    [
        ("Magnetic resonance imaging of the lumbar spine", ImagingModality.MRI),
        ("MR arthrogram, left shoulder", ImagingModality.ARTHROGRAM),
        ("Plain radiographs of the cervical spine, 3 views", ImagingModality.XRAY),
        ("CT scan of the head without contrast", ImagingModality.CT),
        ("Bone scan of the right foot", ImagingModality.BONE_SCAN),
        ("MRI/CT of the pelvis", ImagingModality.MRI),
    ],
)
def test_imaging_modality_from_the_title(title: str, modality: ImagingModality) -> None:
    f = facts("The worker has pain.", [title], "The study was requested.")
    assert f.service == "imaging"
    assert f.imaging_modality is modality


@pytest.mark.parametrize(
    ("title", "study"),
    [
        ("EMG/NCV of the bilateral lower extremities", ElectrodiagnosticStudy.EMG_NCV),
        ("Nerve conduction studies, left arm", ElectrodiagnosticStudy.NCV),
        ("Electromyography of the right leg", ElectrodiagnosticStudy.EMG),
        ("Electrodiagnostic studies of both arms", ElectrodiagnosticStudy.EMG_NCV),
    ],
)
def test_electrodiagnostic_study_from_the_title(title: str, study: ElectrodiagnosticStudy) -> None:
    f = facts("The worker has pain.", [title], "The studies were requested.")
    assert f.service == "electrodiagnostic"
    assert f.electrodiagnostic_study is study


def test_symptom_weeks_run_to_the_request_for_authorization() -> None:
    f = facts(
        "Neck pain after a fall. A Request for Authorization dated 10/31/2016 asked for imaging.",
        ["MRI of the cervical spine"],
        "The request is for an MRI.",
    )
    assert f.symptom_weeks == 4.0  # 10/03 to 10/31


def test_symptom_weeks_without_a_request_date_run_to_the_review() -> None:
    f = facts("Neck pain after a fall.", ["MRI of the cervical spine"], "An MRI is requested.")
    assert f.symptom_weeks == 6.0  # 10/03 to 11/14


def test_a_longer_stated_symptom_history_counts() -> None:
    f = facts(
        "She has had hand numbness for 3 years before this claim.",
        ["EMG/NCV of the upper extremities"],
        "The studies are requested.",
    )
    assert f.symptom_weeks == 156.0
    assert f.neurologic_symptoms is True


def test_guideline_durations_are_not_symptom_history() -> None:
    f = facts(
        "Arm pain after a strain.",
        ["EMG of the right upper extremity"],
        "The MTUS states that EMG may help identify dysfunction in patients with arm symptoms "
        "lasting more than three or four weeks.",
        injured=None,
    )
    assert f.symptom_weeks is None


def test_prior_study_of_the_same_region_and_side() -> None:
    right = facts(
        "An MRI of the left knee dated 11/02/2016 showed a meniscal tear.",
        ["MRI of the right knee"],
        "The request is for an MRI.",
    )
    assert right.prior_imaging is None
    left = facts(
        "An MRI of the left knee dated 11/02/2016 showed a meniscal tear.",
        ["MRI of the left knee"],
        "The request is for an MRI.",
    )
    assert left.prior_imaging is True


def test_prior_xray_is_no_prior_mri() -> None:
    f = facts(
        "X-rays of the lumbar spine showed mild degeneration.",
        ["MRI of the lumbar spine"],
        "An MRI is requested.",
    )
    assert f.prior_imaging is None
    xray = facts(
        "X-rays of the lumbar spine showed mild degeneration.",
        ["X-ray of the lumbar spine"],
        "Repeat radiographs were requested.",
    )
    assert xray.prior_imaging is True


def test_injection_of_the_same_region_in_the_same_letter_is_a_planned_procedure() -> None:
    f = facts(
        "Low back pain radiating to the left leg.",
        ["MRI of the lumbar spine", "Lumbar epidural steroid injection at L4-5"],
        "The requests are reviewed.",
    )
    assert f.invasive_procedure_planned is True
    other = facts(
        "Neck pain.",
        ["MRI of the cervical spine", "Right knee arthroscopy"],
        "The requests are reviewed.",
    )
    assert other.invasive_procedure_planned is None


def test_guideline_imaging_criteria_are_not_case_findings() -> None:
    f = facts(
        "Neck pain without radiation. Sensation was intact in both arms.",
        ["MRI of the cervical spine"],
        "Criteria for ordering imaging studies are: Emergence of a red flag; Physiologic "
        "evidence of tissue insult or neurologic dysfunction. Unequivocal findings that identify "
        "specific nerve compromise on the neurologic examination are sufficient evidence to "
        "warrant imaging studies if symptoms persist. Most patients improve quickly, provided any "
        "red-flag conditions are ruled out.",
    )
    assert f.neurologic_deficit is False
    assert f.red_flags is None


def test_care_that_helps_has_not_failed() -> None:
    f = facts(
        "Shoulder pain. He reports that physical therapy is helping.",
        ["MRI of the right shoulder"],
        "Imaging is requested.",
    )
    assert f.conservative_care_failed is False
    failed = facts(
        "Shoulder pain. He reports that physical therapy was not helpful.",
        ["MRI of the right shoulder"],
        "Imaging is requested.",
    )
    assert failed.conservative_care_failed is not False


def test_spinal_fracture_is_a_red_flag() -> None:
    f = facts(
        "Radiographs after the fall showed a C6 spinous process fracture.",
        ["CT scan of the cervical spine"],
        "A CT scan is requested.",
    )
    assert f.red_flags is True


def test_suspected_lesion_and_negative_tests() -> None:
    f = facts(
        "Knee pain with locking and a positive McMurray test.",
        ["MRI of the left knee"],
        "An MRI is requested.",
    )
    assert f.lesion_suspected is True
    g = facts(
        "Shoulder pain. Impingement testing was negative.",
        ["MRI of the right shoulder"],
        "An MRI is requested.",
    )
    assert g.lesion_suspected is False
