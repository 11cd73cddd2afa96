"""Medication facts (engine/facts/medications.py) on small synthetic letters (never corpus text)."""

from __future__ import annotations

from tests.facts.test_findings import facts


def test_oral_request_is_not_topical() -> None:
    f = facts("The worker is a 52-year-old man with low back pain.", "Ibuprofen 800mg #90", "")
    assert (f.topical, f.ingredients, f.age) == (False, ["ibuprofen"], 52)
    tablets = facts("He has knee pain.", "Etodolac 400 mg tablets, #60", "")
    assert (tablets.topical, tablets.formulation) == (False, "oral")


def test_topical_forms() -> None:
    patch = facts("She has neuropathic pain.", "Lidoderm 5% patches #30", "")
    assert (patch.topical, patch.formulation, patch.ingredients) == (True, "patch", ["lidocaine"])
    ointment = facts("She has wrist pain.", "Lidocaine 5% ointment 50gm", "")
    assert (ointment.topical, ointment.formulation) == (True, "ointment")
    compound = facts("He has neck pain.", "Ketoprofen 10%/Gabapentin 6%, 180 grams", "")
    assert compound.topical is True
    assert compound.formulation == "semisolid"
    assert compound.ingredients == ["ketoprofen", "gabapentin"]


def test_another_nsaid_taken_now_and_no_gastroprotection() -> None:
    f = facts(
        "Current medications include Relafen and Tylenol.",
        "Naproxen 500mg #60",
        "The request is for naproxen.",
    )
    assert (f.concurrent_nsaid, f.gastroprotection) == (True, False)


def test_a_past_nsaid_is_not_concurrent() -> None:
    f = facts(
        "He previously tried Motrin. Current medications include tramadol.",
        "Naproxen 500mg #60",
        "",
    )
    assert f.concurrent_nsaid is False


def test_no_medication_list_says_nothing() -> None:
    f = facts("He has shoulder pain.", "Naproxen 500mg #60", "")
    assert (f.concurrent_nsaid, f.gastroprotection) == (None, None)


def test_ppi_with_nsaid_therapy_and_dyspepsia() -> None:
    f = facts(
        "She is taking Naprosyn and reports dyspepsia.",
        "Omeprazole 20mg #30",
        "",
    )
    assert (f.concurrent_nsaid, f.gi_symptoms) == (True, True)


def test_gi_risk_factors() -> None:
    risk = facts("He has a history of peptic ulcer disease.", "Omeprazole 20mg #30", "")
    assert risk.gi_risk_factors is True
    none = facts(
        "He takes ibuprofen.",
        "Omeprazole 20mg #30",
        "There is no indication that the patient is at risk for gastrointestinal events.",
    )
    assert none.gi_risk_factors is False


def test_first_line_trial() -> None:
    tried = facts(
        "Current medications include Cymbalta and Norco.",
        "Lidoderm 5% patches #30",
        "",
    )
    assert tried.first_line_failed is True
    not_tried = facts(
        "She has neuropathic pain.",
        "Lidoderm 5% patches #30",
        "There is no documentation that the patient tried and failed first-line therapy.",
    )
    assert not_tried.first_line_failed is False


def test_first_time_prescription() -> None:
    f = facts("He has neck pain.", "Naproxen 500mg #60", "It is a first-time request for naproxen.")
    assert f.prior_treatment is False


def test_no_medications_taken_makes_a_first_prescription() -> None:
    f = facts("He is not taking any medications.", "Meloxicam 7.5mg #30", "")
    assert (f.prior_treatment, f.concurrent_nsaid) == (False, False)
    refill = facts(
        "He has been taking meloxicam for two months. He is not taking any other medications.",
        "Meloxicam 7.5mg #30",
        "",
    )
    assert refill.prior_treatment is True
    others = facts("He is not taking any other medications.", "Meloxicam 7.5mg #30", "")
    assert others.prior_treatment is None
    unstated = facts("He has knee pain.", "Meloxicam 7.5mg #30", "")
    assert unstated.prior_treatment is None


def test_a_planned_trial_is_not_prior_use() -> None:
    for plan in ("recommended", "noted", "prescribed"):
        planned = facts(
            f"The physician {plan} a trial of amitriptyline for sleep.",
            "Amitriptyline 10mg #30",
            "",
        )
        assert planned.prior_treatment is None, plan
    past = facts("She had a trial of amitriptyline without benefit.", "Amitriptyline 10mg #30", "")
    assert past.prior_treatment is True
    authorized = facts(
        "The worker was authorized for a 6 session trial of acupuncture last month.",
        "Acupuncture 2 sessions",
        "",
    )
    assert authorized.prior_treatment is None
    completed = facts("He completed a trial of acupuncture.", "Acupuncture 2 sessions", "")
    assert completed.prior_treatment is True


def test_spasticity_diagnosis_but_not_from_a_guideline_sentence() -> None:
    ms = facts("The worker has multiple sclerosis with spasticity.", "Baclofen 10mg #90", "")
    assert "spasticity" in ms.diagnoses
    strain = facts(
        "The worker has a lumbar strain.",
        "Baclofen 10mg #90",
        "Baclofen is recommended to treat spasticity related to multiple sclerosis.",
    )
    assert "spasticity" not in strain.diagnoses


def test_urine_drug_test_and_opioid_use() -> None:
    off = facts(
        "He takes ibuprofen and cyclobenzaprine. He is not taking opioids.",
        "Urine drug screen",
        "",
    )
    assert (off.urine_drug_test, off.opioid_use) == (True, False)
    on = facts("Current medications include Norco and Neurontin.", "Urine drug screen", "")
    assert on.opioid_use is True
    other = facts("He has diabetes.", "Blood tests", "")
    assert other.urine_drug_test is False


def test_morphine_equivalent_dose_from_the_narrative() -> None:
    f = facts(
        "He takes Norco. His MED is 90 mg per day. Guidelines advise a MED below 120.",
        "Norco 10/325 mg #90",
        "The current morphine equivalent dose of 90 mg was noted.",
    )
    assert f.morphine_equivalent_mg_day == 90.0
    assert f.evidence["morphine_equivalent_mg_day"][0].quote == "MED is 90 mg"
    guideline_only = facts("He takes Norco.", "Norco 10/325 mg #90", "MTUS: MED above 120 mg.")
    assert guideline_only.morphine_equivalent_mg_day is None
