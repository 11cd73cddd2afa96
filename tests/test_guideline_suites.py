"""Guideline test suites (tests/guideline_suites/<guideline id>.yaml) against the shipped bundle.

Each case gives request facts and the status every listed criterion must take (direct
three-valued evaluation, before `unstated` is applied), and must be governed by its guideline on
its decision date.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from engine.criteria.evaluate import status
from engine.criteria.load import load_bundle
from engine.criteria.schema import Comparison, Guideline, Op
from engine.criteria.select import governs
from engine.facts.derive import derive
from engine.facts.model import Facts
from engine.findings import Status

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "tests" / "guideline_suites"
BUNDLE = load_bundle([ROOT / "guidelines"])
GUIDELINES = BUNDLE.by_id()


def _suites() -> list[tuple[Path, dict[str, Any]]]:
    return [
        (p, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in sorted(SUITES.glob("*.yaml"))
    ]


def _cases() -> list[Any]:
    out = []
    for path, suite in _suites():
        for i, case in enumerate(suite["cases"]):
            out.append(
                pytest.param(suite["guideline"], case, id=f"{path.stem}[{i}] {case['name']}")
            )
    return out


def test_bundle_loads() -> None:
    assert len(BUNDLE.guidelines) >= 8
    assert len(BUNDLE.digest) == 16


def test_every_guideline_has_a_suite_named_after_it() -> None:
    suites = {p.stem: s for p, s in _suites()}
    for p, s in suites.items():
        assert s["guideline"] == p, f"{p}.yaml tests {s['guideline']}"
        assert s["guideline"] in GUIDELINES, f"no guideline {s['guideline']}"
    assert set(GUIDELINES) <= set(suites), f"no suite for {sorted(set(GUIDELINES) - set(suites))}"


@pytest.mark.parametrize(("guideline", "case"), _cases())
def test_case(guideline: str, case: dict[str, Any]) -> None:
    g = GUIDELINES[guideline]
    facts = Facts(**case["facts"])
    on = case.get("decision_date")
    assert isinstance(on, date | None)
    assert governs(g, facts, on), f"{guideline} does not govern these facts on {on}"
    values = derive(facts)
    ids = {c.id: c for c in g.criteria}
    unknown = set(case["criteria"]) - set(ids)
    assert not unknown, f"no such criteria in {guideline}: {sorted(unknown)}"
    got = {cid: status(ids[cid], values).value for cid in case["criteria"]}
    want = {cid: Status(s).value for cid, s in case["criteria"].items()}
    assert got == want


def _thresholds(g: Guideline) -> list[tuple[str, bool, Comparison]]:
    """Every ordered comparison of a guideline: (criterion, in its condition?, comparison)."""
    out = []
    for c in g.criteria:
        for in_condition, terms in ((False, c.when), (True, c.condition)):
            for t in terms:
                for cmp in getattr(t, "any", None) or [t]:
                    if cmp.op in (Op.LT, Op.LE, Op.GT, Op.GE):
                        out.append((c.id, in_condition, cmp))
    return out


def _edges(cmp: Comparison) -> tuple[float, float]:
    """(a value on the holding side, the nearest value on the failing side) of `fact op v`."""
    v = cmp.value
    assert isinstance(v, int | float)
    field = Facts.model_fields.get(cmp.fact)
    fractional = isinstance(v, float) or (field is not None and float in get_args(field.annotation))
    step = 0.1 if fractional else 1
    return {
        Op.LE: (v, v + step),
        Op.LT: (v - step, v),
        Op.GE: (v, v - step),
        Op.GT: (v + step, v),
    }[cmp.op]


@pytest.mark.parametrize("g", BUNDLE.guidelines, ids=lambda g: g.id)
def test_every_criterion_is_exercised_in_every_status_it_can_take(g: Guideline) -> None:
    """Each criterion reaches met, not_met (when not meeting its test has an effect),
    not_applicable (when it has a scope) and unknown (when it reads any fact) in its suite."""
    suite = yaml.safe_load((SUITES / f"{g.id}.yaml").read_text(encoding="utf-8"))
    seen: dict[str, set[str]] = {c.id: set() for c in g.criteria}
    for case in suite["cases"]:
        for cid, st in case["criteria"].items():
            seen[cid].add(st)
    for c in g.criteria:
        need = {"met"}
        if c.condition and c.effect.not_met is not None:
            need.add("not_met")
        if c.when:
            need.add("not_applicable")
        if c.facts():
            need.add("unknown")
        assert need <= seen[c.id], f"{g.id}/{c.id}: no case with {sorted(need - seen[c.id])}"


@pytest.mark.parametrize("g", BUNDLE.guidelines, ids=lambda g: g.id)
def test_every_threshold_is_tested_on_both_sides_of_its_edge(g: Guideline) -> None:
    """For `fact op v`, a case that lists the criterion puts the fact exactly on the edge and
    another just across it (0.1 across for a fractional fact)."""
    suite = yaml.safe_load((SUITES / f"{g.id}.yaml").read_text(encoding="utf-8"))
    rows = [(derive(Facts(**case["facts"])), case["criteria"]) for case in suite["cases"]]
    for cid, _, cmp in _thresholds(g):
        seen = {
            round(values[cmp.fact], 6)
            for values, statuses in rows
            if values.get(cmp.fact) is not None and cid in statuses
        }
        for edge in _edges(cmp):
            assert round(edge, 6) in seen, f"{g.id}/{cid}: no case with {cmp.fact} = {edge}"


def test_effective_dates() -> None:
    chiro = Facts(service="chiropractic", body_regions=["lumbar"], quantity=6)
    manual = GUIDELINES["mtus-cpmtg.manual-therapy"]
    assert not governs(manual, chiro, date(2009, 7, 17))
    assert governs(manual, chiro, date(2009, 7, 18))
    assert governs(manual, chiro, date(2017, 11, 30))
    assert not governs(manual, chiro, date(2017, 12, 1))
    acu = Facts(service="acupuncture", body_regions=["cervical"], quantity=6)
    assert governs(GUIDELINES["mtus-acupuncture"], acu, date(2024, 1, 1))
    assert not governs(GUIDELINES["mtus-acupuncture"], acu, date(2007, 6, 14))
    neck = Facts(service="chiropractic", body_regions=["cervical"], quantity=8)
    assert governs(GUIDELINES["odg.neck.manipulation"], neck, date(2024, 1, 1))
    assert not governs(GUIDELINES["odg.neck.manipulation"], chiro, date(2016, 12, 1))
