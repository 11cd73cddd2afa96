"""Verdict semantics: reason codes, the evidence hierarchy, and monotonicity in visits."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.audit import Auditor
from engine.criteria.evaluate import status
from engine.criteria.select import applicable
from engine.facts.derive import derive
from engine.facts.model import Facts
from engine.findings import Finding, Status
from engine.letters.model import Citation, Outcome
from engine.verdict import Expected, GuidelineUse, Reason, Verdict, judge
from tests.strategies import facts as random_facts

ON = date(2016, 12, 15)
ODG_ONLY = [
    Citation(source="ODG", document="Official Disability Guidelines", sections=["Low Back"])
]


AUDITOR = Auditor.load()


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return AUDITOR


def _judge(auditor: Auditor, f: Facts, citations: list[Citation] | None = None) -> Verdict:
    return judge(
        f, ON, citations or [], Outcome.UPHELD, auditor.bundle, auditor.policy, auditor.evaluator
    )


def test_no_guideline_and_missing_fact_are_different_reasons(auditor: Auditor) -> None:
    none = _judge(auditor, Facts())  # no recognised service: no guideline governs it
    assert none.expected is Expected.INDETERMINATE
    assert [r.code for r in none.reasons] == ["no_guideline"]
    missing = _judge(auditor, Facts(service="chiropractic", body_regions=["lumbar"], quantity=6))
    assert missing.expected is Expected.INDETERMINATE
    assert [r.code for r in missing.reasons] == ["missing_fact"]
    assert "prior_treatment" in missing.reasons[0].facts


def test_out_of_force_edition_is_named(auditor: Auditor) -> None:
    f = Facts(service="chiropractic", body_regions=["lumbar"], quantity=6, prior_treatment=False)
    v = judge(f, date(2018, 3, 1), [], None, auditor.bundle, auditor.policy, auditor.evaluator)
    assert v.reasons[0].code == "no_guideline" and "in force on 2018-03-01" in v.reasons[0].message


def test_lower_tier_relied_flag(auditor: Auditor) -> None:
    f = Facts(service="chiropractic", body_regions=["lumbar"], quantity=6, prior_treatment=True,
              functional_improvement=False)  # fmt: skip
    flagged = _judge(auditor, f, ODG_ONLY)
    assert flagged.expected is Expected.UPHELD
    assert [x.code for x in flagged.flags] == ["lower_tier_relied"]
    mtus = Citation(source="MTUS", document="Chronic Pain Medical Treatment",
                    sections=["Manual therapy & manipulation"])  # fmt: skip
    assert _judge(auditor, f, [mtus, *ODG_ONLY]).flags == []


def _visit_limited(auditor: Auditor, f: Facts) -> bool:
    """Some visit-count criterion of a governing guideline does not support the request."""
    values = derive(f)
    for g in applicable(auditor.bundle, f, ON):
        for c in g.criteria:
            reads_visits = c.facts() & {"quantity", "total_visits", "total_visits_min"}
            st_ = status(c, values)
            effect = {Status.MET: c.effect.met, Status.NOT_MET: c.effect.not_met}.get(st_)
            if reads_visits and effect == "does_not_support":
                return True
    return False


@settings(max_examples=300, deadline=None)
@given(random_facts(), st.integers(1, 30))
def test_more_visits_never_turn_unsupported_into_supported(f: Facts, more: int) -> None:
    auditor = AUDITOR
    if f.quantity is None:
        f = f.model_copy(update={"quantity": 1})
    v = _judge(auditor, f)
    bigger = f.model_copy(update={"quantity": f.quantity + more})
    w = _judge(auditor, bigger)
    if v.expected is Expected.UPHELD:
        assert w.expected is not Expected.OVERTURNED
    if _visit_limited(auditor, f):
        assert _visit_limited(auditor, bigger)
        assert w.expected is not Expected.OVERTURNED


@settings(max_examples=200, deadline=None)
@given(random_facts())
def test_findings_uses_and_reasons_are_what_validation_builds(f: Facts) -> None:
    """judge builds them unvalidated (engine.findings.trusted): each must equal, and serialise
    exactly as, its validated copy, every list its own."""
    v = _judge(AUDITOR, f, ODG_ONLY)
    for model, built in [(Finding, v.findings), (GuidelineUse, v.guidelines), (Reason, v.reasons)]:
        for x in built:
            checked = model.model_validate(x.model_dump(exclude_unset=True))
            assert x == checked and x.model_dump_json() == checked.model_dump_json()
            assert x.model_fields_set == checked.model_fields_set
    lists = [id(x) for fd in v.findings for x in (fd.when, fd.condition, fd.missing)]
    assert len(set(lists)) == len(lists)
