"""engine/facts/derive.py: what a derived fact is declared to be computed from
must match what `derive` does, or lint and counterfactuals would search the wrong facts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.criteria.schema import Comparison
from engine.criteria.space import derived_inputs, edges, lever, numeric_points
from engine.facts.derive import DERIVED, derive
from engine.facts.model import FACT_NAMES, Facts
from tests.strategies import facts


def test_every_derived_fact_has_inputs() -> None:
    inputs = derived_inputs()
    assert set(inputs) == set(DERIVED)
    assert all(inputs.values())
    assert inputs["requested_visits"] == ("quantity", "authorized_quantity")
    assert set(inputs["total_visits"]) == {
        "quantity",
        "authorized_quantity",
        "prior_treatment",
        "prior_sessions",
    }
    assert lever("total_visits") == "quantity"
    assert lever("crps_diagnosed") is None
    assert lever("gi_risk_documented") == "gi_risk_factors"
    assert lever("duration_weeks") == "duration_weeks"


@settings(max_examples=300, deadline=None)
@given(facts(), facts(), st.sampled_from(FACT_NAMES))
def test_changing_other_facts_never_moves_a_derived_fact(a: Facts, b: Facts, name: str) -> None:
    changed = a.model_copy(update={name: getattr(b, name)})
    before, after = derive(a), derive(changed)
    for fact, inputs in derived_inputs().items():
        if name not in inputs:
            assert before[fact] == after[fact], f"{fact} moved with {name}"


def test_edges() -> None:
    assert edges(Comparison(fact="total_visits", op="le", value=6)) == (6, 7)
    assert edges(Comparison(fact="total_visits_min", op="gt", value=6)) == (7, 6)
    assert edges(Comparison(fact="duration_weeks", op="le", value=8.7)) == (8.7, 8.8)
    assert edges(Comparison(fact="frequency_per_week", op="lt", value=3)) == (2.9, 3)
    cmps = [Comparison(fact="total_visits", op="le", value=6)]
    assert numeric_points("total_visits", cmps) == [5, 6, 7]
