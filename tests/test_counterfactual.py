"""Counterfactuals: what would have changed the expected outcome, on the seeds and on facts."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from engine.audit import Auditor, AuditRow, read_facts
from engine.cli import main
from engine.counterfactual import Counterfactual
from engine.criteria.load import Bundle
from engine.criteria.schema import Guideline
from engine.criteria.select import applicable
from engine.criteria.space import base_facts, moved_by
from engine.facts.derive import Kind, derive, fact_kinds
from engine.facts.inputs import ItemFacts, LetterFacts
from engine.facts.model import Facts, Region, Service
from engine.findings import Finding
from engine.verdict import (
    Count,
    DecisionPolicy,
    DecisionRule,
    Expected,
    Redecider,
    expected_of,
    tiers,
)
from tests.conftest import EXAMPLES


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor.load()


@pytest.fixture(scope="module")
def seed_rows(auditor: Auditor) -> list[AuditRow]:
    return list(auditor.audit([EXAMPLES]))


def _deciding_facts(auditor: Auditor, row: AuditRow) -> set[str]:
    criteria = {f"{g.id}/{c.id}": c for g in auditor.bundle.guidelines for c in g.criteria}
    ids = [i for r in row.reasons for i in r.criteria]
    return base_facts(f for i in ids for f in criteria[i].facts())


def test_every_upheld_seed_names_the_fact_that_decided_it(
    auditor: Auditor, seed_rows: list[AuditRow]
) -> None:
    upheld = [r for r in seed_rows if r.expected is Expected.UPHELD]
    assert len(upheld) >= 6
    for row in upheld:
        assert row.counterfactuals, f"{row.source} item {row.item}: no counterfactual"
        deciding = _deciding_facts(auditor, row)
        for cf in row.counterfactuals:
            assert {c.fact for c in cf.changes} <= deciding, (row.title, cf.message)
            assert cf.criteria, cf.message
            assert cf.expected is not Expected.UPHELD


def test_seed_counterfactuals_read_as_expected(seed_rows: list[AuditRow]) -> None:
    said = {
        (Path(r.source).name[:3], r.item): [c.message for c in r.counterfactuals] for r in seed_rows
    }
    improvement = "overturned if functional improvement were documented (letter: no)"
    assert said[("000", 1)] == [improvement]
    assert said[("003", 1)] == [improvement]  # acupuncture past the trial
    assert said[("004", 1)] == [improvement]
    # massage: the unknown number of prior visits counts as one, so 6 requested is at least 7
    assert said[("001", 2)] == [
        "indeterminate if quantity were 5 rather than 6 (total visits min 6)"
    ]
    # neck chiropractic within ODG's 9 visits: one visit too many would have denied it
    assert said[("003", 2)] == ["upheld if quantity were 10 rather than 8 (total visits 10)"]


def test_counterfactuals_are_what_validation_builds(seed_rows: list[AuditRow]) -> None:
    """The search builds counterfactuals unvalidated (engine.findings.trusted): each must equal,
    and serialise exactly as, its validated copy, and so must each of its changes."""
    built = [cf for row in seed_rows for cf in row.counterfactuals]
    assert len(built) >= 6
    for cf in built:
        checked = Counterfactual.model_validate(cf.model_dump())
        assert cf == checked and cf.model_dump_json() == checked.model_dump_json()
        for mine, theirs in zip([cf, *cf.changes], [checked, *checked.changes], strict=True):
            assert mine.model_fields_set == theirs.model_fields_set


def test_smallest_visit_change(auditor: Auditor) -> None:
    """12 first low-back visits against a trial of 6: supported if 6 rather than 12."""
    facts = Facts(
        service="chiropractic",
        body_regions=["lumbar"],
        quantity=12,
        prior_treatment=False,
        duration_weeks=4,
    )
    letter = LetterFacts(
        decision_date=date(2016, 12, 1),
        items=[ItemFacts(index=1, facts=facts, outcome="upheld")],
    )
    item = letter.items[0]
    v = auditor.verdict(letter, item)
    assert v.expected is Expected.UPHELD
    found = auditor.counterfactuals(letter, item, v)
    assert [c.message for c in found] == [
        "overturned if quantity were 6 rather than 12 (total visits 6)"
    ]
    change = found[0].changes[0]
    assert (change.fact, change.was, change.now) == ("quantity", 12, 6)
    assert found[0].criteria == ["mtus-cpmtg.manual-therapy/low-back-trial-6-visits"]


def test_documentation_precondition_names_the_missing_finding(auditor: Auditor) -> None:
    """A PPI with an NSAID and no GI risk stated: the derived `gi_risk_documented` is moved
    through the extracted fact it is read off."""
    facts = Facts(
        service="medication",
        medication="pantoprazole",
        drug_classes=["proton_pump_inhibitor"],
        topical=False,
        concurrent_nsaid=True,
        age=40,
        gi_symptoms=False,
    )
    letter = LetterFacts(
        decision_date=date(2016, 12, 1),
        items=[ItemFacts(index=1, facts=facts, outcome="upheld")],
    )
    v = auditor.verdict(letter, letter.items[0])
    assert v.expected is Expected.UPHELD
    messages = [c.message for c in auditor.counterfactuals(letter, letter.items[0], v)]
    assert "overturned if gi risk factors were documented (letter: not stated)" in messages


def test_indeterminate_items_have_none(auditor: Auditor) -> None:
    letter = LetterFacts(
        decision_date=date(2016, 12, 1),
        items=[ItemFacts(index=1, facts=Facts(service="chiropractic", body_regions=["lumbar"]))],
    )
    v = auditor.verdict(letter, letter.items[0])
    assert v.expected is Expected.INDETERMINATE
    assert auditor.counterfactuals(letter, letter.items[0], v) == []


def test_explain_says_what_would_have_changed_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES / "003_f7c04554d3ec6a02.txt"), "--item", "2"]) == 0
    out = capsys.readouterr().out
    assert "What would have changed the expected outcome:" in out
    assert "- upheld if quantity were 10 rather than 8 (total visits 10)" in out


class _Judged(NamedTuple):
    """An item as the search sees it."""

    where: tuple[str, int]  # letter file, item index
    facts: Facts  # as judged (linked to its surgery)
    on: date | None
    bundle: Bundle
    ordered: list[list[Guideline]]  # the governing guidelines, by tier
    findings: list[Finding]  # the verdict's


def _judged(auditor: Auditor, paths: Iterable[Path]) -> Iterator[_Judged]:
    for path in paths:
        for letter in read_facts(path):
            for item in letter.items:
                judged, bundle = auditor.prepared(letter, item)
                on = letter.decision_date
                yield _Judged(
                    (path.name, item.index),
                    judged.facts,
                    on,
                    bundle,
                    tiers(applicable(bundle, judged.facts, on), auditor.policy),
                    auditor.verdict(letter, item).findings,
                )


def _changes(j: _Judged) -> list[tuple[str, Any]]:
    """Values to try for each extracted fact the governing criteria read (other than those that
    pick the guidelines)."""
    read = {f for tier in j.ordered for g in tier for c in g.criteria for f in c.facts()}
    tried = {Kind.BOOL: [True, False], Kind.NUMBER: [0, 3, 7, 30]}
    return [
        (fact, value)
        for fact in sorted(base_facts(read) - {"service", "body_regions", "medication"})
        for value in tried.get(fact_kinds()[fact], [])
    ]


def test_redecider_agrees_with_expected_of(auditor: Auditor, corpus_txt: list[Path]) -> None:
    """The incremental re-decision the search uses gives `expected_of`'s answer for changes of
    every fact the governing criteria read, on every seed and corpus item, whether it evaluates
    its base itself or takes the base statuses from the verdict's findings."""
    checked = 0
    for j in _judged(auditor, [*sorted(EXAMPLES.glob("*.txt")), *corpus_txt]):
        redeciders = [
            Redecider(derive(j.facts), j.ordered, auditor.policy),
            Redecider(derive(j.facts), j.ordered, auditor.policy, j.findings),
        ]
        for fact, value in _changes(j):
            values = derive(j.facts.model_copy(update={fact: value}))
            expected = expected_of(values, j.ordered, auditor.policy)
            for redecide in redeciders:
                assert redecide(values, moved_by(fact)) is expected, (j.where, fact, value)
            checked += 1
    assert checked > 50


def _policies(policy: DecisionPolicy) -> list[DecisionPolicy]:
    """The decision policy and two that the re-decision must follow as well: supported first,
    and a first rule with an upper bound (its counts cannot settle it before every criterion
    touched is counted): a single denial overturns."""
    one_denial = DecisionRule(
        id="one-denial", when={"does_not_support": Count(ge=1, le=1)}, expected=Expected.OVERTURNED
    )
    return [
        policy,
        policy.model_copy(update={"rules": policy.rules[::-1]}),
        policy.model_copy(update={"rules": [one_denial, *policy.rules]}),
    ]


def test_redecider_agrees_on_two_fact_changes(auditor: Auditor) -> None:
    """Two facts changed at once, under policies whose first rule does and does not let the
    re-decision stop counting early: the same answer as a fresh decision, on every seed item."""
    checked = 0
    for j in _judged(auditor, sorted(EXAMPLES.glob("*.txt"))):
        pairs = [(a, b) for a, b in itertools.combinations(_changes(j), 2) if a[0] != b[0]]
        for policy in _policies(auditor.policy):
            redecide = Redecider(derive(j.facts), j.ordered, policy, j.findings)
            for (f1, v1), (f2, v2) in pairs:
                values = derive(j.facts.model_copy(update={f1: v1, f2: v2}))
                expected = expected_of(values, j.ordered, policy)
                moved = moved_by(f1) | moved_by(f2)
                assert redecide(values, moved) is expected, (j.where, f1, v1, f2, v2)
                checked += 1
    assert checked > 500


def test_redecider_agrees_when_the_same_guidelines_govern(auditor: Auditor) -> None:
    """Another service or body region that leaves the governing guidelines as they are: the
    search re-decides it incrementally, and that gives a fresh decision's answer."""
    checked = 0
    for j in _judged(auditor, sorted(EXAMPLES.glob("*.txt"))):
        redecide = Redecider(derive(j.facts), j.ordered, auditor.policy, j.findings)
        have = list(j.facts.body_regions)
        updates = [{"service": s} for s in Service] + [
            {"body_regions": [*have, r] if r not in have else [x for x in have if x != r]}
            for r in Region
        ]
        for update in updates:
            changed = j.facts.model_copy(update=update)
            if tiers(applicable(j.bundle, changed, j.on), auditor.policy) != j.ordered:
                continue
            values = derive(changed)
            (fact,) = update
            assert redecide(values, moved_by(fact)) is expected_of(
                values, j.ordered, auditor.policy
            ), (j.where, update)
            checked += 1
    assert checked > 50
