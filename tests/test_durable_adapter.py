"""The durable-rules adapter's sharp edges: live-session cap, repeated facts, re-registration."""

from __future__ import annotations

from pathlib import Path

from engine.criteria.evaluate import status
from engine.criteria.load import load_bundle
from engine.durable import DurableEngine
from engine.facts.derive import derive
from engine.facts.model import Facts

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = load_bundle([ROOT / "guidelines"])
PT = next(g for g in BUNDLE.guidelines if g.id == "mtus-cpmtg.physical-medicine")


def _direct(values: dict) -> dict:
    return {c.id: status(c, values) for c in PT.criteria}


def test_thousands_of_items_through_one_ruleset() -> None:
    """Far past the 1024 live sessions durable-rules allows: each item's fact is retracted."""
    engine = DurableEngine()
    for n in range(3000):
        facts = Facts(service="physical_therapy", quantity=n % 20, prior_sessions=n % 7)
        values = derive(facts)
        assert engine.evaluate(PT, values) == _direct(values)


def test_the_same_item_twice_in_a_row() -> None:
    """durable-rules refuses a fact it has seen: the same values twice still evaluate."""
    engine = DurableEngine()
    values = derive(Facts(service="physical_therapy", quantity=6))
    assert engine.evaluate(PT, values) == engine.evaluate(PT, values) == _direct(values)


def test_an_edited_guideline_is_a_new_ruleset() -> None:
    """Rulesets cannot be replaced once registered: an identical copy reuses the registered
    one, an edited copy (same id) is registered under a new name and judged by its own rules."""
    engine = DurableEngine()
    copy = PT.model_copy(deep=True)
    assert engine.register(copy) == engine.register(PT)
    cap = next(c for c in PT.criteria if c.id == "total-up-to-10-visits")
    edited_cap = cap.model_copy(
        update={"condition": [cap.condition[0].model_copy(update={"value": 1000})]}
    )
    edited = PT.model_copy(
        update={"criteria": [edited_cap if c is cap else c for c in PT.criteria]}
    )
    assert engine.register(edited) != engine.register(PT)
    values = derive(Facts(service="physical_therapy", quantity=30, prior_sessions=0))
    assert engine.evaluate(PT, values)[cap.id] != engine.evaluate(edited, values)[cap.id]
    assert engine.evaluate(edited, values) == {c.id: status(c, values) for c in edited.criteria}
