"""durable-rules must give exactly the statuses of the direct three-valued evaluation."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.criteria.evaluate import status
from engine.criteria.load import load_bundle
from engine.criteria.schema import Guideline
from engine.durable import get_engine
from engine.facts.derive import derive
from engine.facts.model import Facts
from tests.strategies import criteria, facts

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = load_bundle([ROOT / "guidelines"])
_ids = itertools.count()


@settings(max_examples=300, deadline=None)
@given(facts())
def test_shipped_guidelines_durable_equals_direct(f: Facts) -> None:
    engine = get_engine()
    values = derive(f)
    for g in BUNDLE.guidelines:
        assert engine.evaluate(g, values) == {c.id: status(c, values) for c in g.criteria}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(criteria(4), st.lists(facts(), min_size=1, max_size=5))
def test_random_criteria_durable_equals_direct(cs: list, many: list[Facts]) -> None:
    g = Guideline(
        id=f"random-{next(_ids)}",
        source="MTUS",
        document="d",
        edition="1",
        effective={"start": date(2000, 1, 1)},
        section="s",
        governs={"services": ["chiropractic"]},
        criteria=cs,
    )
    engine = get_engine()
    for f in many:
        values = derive(f)
        assert engine.evaluate(g, values) == {c.id: status(c, values) for c in g.criteria}
