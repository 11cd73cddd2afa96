"""Facts read from the narrative, on small synthetic letters (never corpus text)."""

from __future__ import annotations

from datetime import date

from engine.facts import Facts
from engine.letters.model import PartialCertification
from tests.facts.synthetic import checked_facts, synthetic_letter


def facts(
    summary: str,
    title: str,
    rationale: str,
    *,
    partial: PartialCertification | None = None,
    decided: date | None = None,
) -> Facts:
    return checked_facts(
        synthetic_letter(summary, [title], rationale, partial=partial, decided=decided)
    )


def test_reviewer_finding_outranks_the_summary() -> None:
    f = facts(
        "He reported improved ADLs after physical therapy.",
        "Physical therapy 2x3 for the knee",
        "The patient has completed prior PT sessions. "
        "There is no documentation of objective functional improvement.",
    )
    assert f.prior_treatment is True
    assert f.functional_improvement is False


def test_nothing_said_is_null() -> None:
    f = facts(
        "The patient is a 40 year old man with knee pain.",
        "Acupuncture for the knee, 6 sessions",
        "The request is for 6 sessions of acupuncture.",
    )
    assert f.prior_treatment is None
    assert f.functional_improvement is None
    assert f.prior_sessions is None


def test_documented_improvement_is_true() -> None:
    f = facts(
        "Treatment to date has included 6 sessions of chiropractic care with objective functional "
        "improvement and a reduction in work restrictions.",
        "Additional chiropractic, 6 visits",
        "The patient has had 6 chiropractic visits.",
    )
    assert (f.prior_treatment, f.prior_sessions, f.functional_improvement) == (True, 6, True)


def test_hypothetical_and_guideline_are_not_facts() -> None:
    f = facts(
        "The patient has neck pain.",
        "Chiropractic, 8 visits",
        "MTUS recommends a trial of 6 visits with evidence of objective functional improvement. "
        "If the patient has not tried chiropractic, a trial may be appropriate.",
    )
    assert f.prior_treatment is None
    assert f.functional_improvement is None


def test_improvement_with_another_service_does_not_count() -> None:
    f = facts(
        "Acupuncture resulted in objective functional improvement.",
        "Chiropractic, 6 visits",
        "The request is for chiropractic.",
    )
    assert f.functional_improvement is None


def test_documented_absence_of_treatment() -> None:
    f = facts(
        "Treatment to date has included no prior chiropractic therapy and medications.",
        "Chiropractic, 6 visits",
        "",
    )
    assert f.prior_treatment is False


def test_medication_history_and_use() -> None:
    f = facts(
        "Current medications include Flexeril and Motrin.",
        "Flexeril 7.5 mg #60",
        "The patient has been taking cyclobenzaprine since 10/14/2016.",
        decided=date(2017, 1, 13),
    )
    assert f.service is not None and f.service.value == "medication"
    assert (f.medication, f.brand, f.prior_treatment) == ("cyclobenzaprine", "Flexeril", True)
    assert f.medication_use_weeks == 13.0


def test_partial_certification_amounts() -> None:
    partial = PartialCertification(
        original_request="Acupuncture for 8 sessions",
        authorized="Acupuncture for 6 sessions",
        remaining="Acupuncture for 2 sessions",
    )
    summary = (
        "Acupuncture for 8 sessions was the original request. "
        "Acupuncture for 6 sessions was authorized."
    )
    f = facts(summary, "Acupuncture for 2 sessions", "", partial=partial)
    assert (f.quantity, f.authorized_quantity) == (2, 6)


def test_conclusion_sentences_are_never_read() -> None:
    base = "Physical therapy 2x3"
    a = facts(
        "He has had physical therapy.",
        base,
        "Given the functional improvement, the request is medically necessary.",
    )
    b = facts(
        "He has had physical therapy.",
        base,
        "Given the lack of functional improvement, the request is not medically necessary.",
    )
    assert a.functional_improvement is None and b.functional_improvement is None


def test_undocumented_plan_is_negated_not_hypothetical() -> None:
    # "lack of documentation the unit will be used ...": what the record does not show
    f = facts(
        "The patient has chronic low back pain.",
        "TENS unit for the low back",
        "There was lack of documentation the unit will be used in adjunct to a home exercise "
        "program.",
    )
    assert f.adjunct_to_active_therapy is False
    f = facts(
        "The patient takes ibuprofen daily.",
        "Omeprazole 20mg #30",
        "There was no indication that the patient would be at a high risk of gastrointestinal "
        "events.",
    )
    assert f.gi_risk_factors is False
    # a plain conditional stays a hypothetical
    f = facts(
        "The patient has chronic low back pain.",
        "TENS unit for the low back",
        "A trial would be considered if the unit is used with a home exercise program.",
    )
    assert f.adjunct_to_active_therapy is None


def test_treatment_and_diagnostic_testing_list() -> None:
    f = facts(
        "The treatment and diagnostic testing to date has included psychotherapy sessions, "
        "medications and evaluations.",
        "Partial hospitalization program",
        "",
    )
    assert f.prior_treatment is True


def test_homebound_is_said_of_the_worker_not_defined() -> None:
    title = "Home health aide 4 hours per day, 5 days per week"
    chair = facts("The worker is wheelchair-bound after the fracture.", title, "")
    assert chair.homebound is True
    defined = facts(
        "He had a hip fracture.",
        title,
        "To be homebound means the individual has trouble leaving the home without help.",
    )
    assert defined.homebound is None
    walking = facts("The patient is not homebound and drives to his visits.", title, "")
    assert walking.homebound is False


def test_a_surgeons_opinion_sought_is_surgery_considered() -> None:
    title = "MRI of the lumbar spine"
    referral = facts("The plan included a referral to a spine surgeon.", title, "")
    assert referral.surgery_considered is True
    consult = facts("A neurosurgical consultation was requested.", title, "")
    assert consult.surgery_considered is True
    contrast = facts(
        "The provider was a pain physician (as opposed to a spine surgeon).", title, ""
    )
    assert contrast.surgery_considered is None
