"""The fact space criteria are evaluated over: where thresholds put their edges, which values of a
fact can change a criterion, and which extracted facts a derived fact is computed from.

Shared by the test-suite coverage (edges tested), the lint overlap analysis (domains to search)
and the counterfactual search (values to try), so all three agree on what "the edge" of a
threshold is.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any, get_args

from engine.criteria.evaluate import comparisons
from engine.criteria.schema import ORDER_OPS, Comparison, Criterion, Op
from engine.facts.derive import DERIVED, Kind, fact_kinds, vocabulary
from engine.facts.model import Facts

Value = Any


@cache
def derived_inputs() -> dict[str, tuple[str, ...]]:
    """Derived fact -> the extracted facts it is computed from, in contract order."""
    return {name: spec.inputs for name, spec in DERIVED.items()}


@cache
def moved_by(fact: str) -> frozenset[str]:
    """An extracted fact and the derived facts computed from it: what a change of it moves."""
    return frozenset({fact, *(d for d, inputs in derived_inputs().items() if fact in inputs)})


def base_facts(facts: Iterable[str]) -> set[str]:
    """The extracted facts behind some fact names (derived ones replaced by their inputs)."""
    inputs = derived_inputs()
    return {b for f in facts for b in inputs.get(f, (f,))}


def lever(fact: str) -> str | None:
    """The extracted fact to change so that `fact` moves: itself; for a derived number the first
    numeric input in contract order (`quantity` for the visit totals: the one number the
    requester chooses); for a derived yes/no read off one yes/no fact ("GI risk documented") that
    fact. None for other derived facts (CRPS diagnosed, postsurgical): no documentation gap."""
    if fact not in DERIVED:
        return fact
    kinds = fact_kinds()
    inputs = derived_inputs()[fact]
    if kinds[fact] is Kind.BOOL:
        return inputs[0] if len(inputs) == 1 and kinds[inputs[0]] is Kind.BOOL else None
    if kinds[fact] is not Kind.NUMBER:
        return None
    return next((b for b in inputs if kinds[b] is Kind.NUMBER), None)


def fractional(fact: str) -> bool:
    """A number with a fractional part (weeks, frequency): edges are 0.1 apart, else 1."""
    field = Facts.model_fields.get(fact)
    if field is None:
        return any(fractional(b) for b in derived_inputs().get(fact, ()))
    return float in get_args(field.annotation)


def step(fact: str) -> float:
    return 0.1 if fractional(fact) else 1


def _num(v: float) -> float:
    # 8.7 + 0.1 is 8.799999999999999: round so edges compare equal to what a suite writes
    r = round(v, 6)
    return int(r) if float(r).is_integer() and not isinstance(v, float) else r


def edges(c: Comparison) -> tuple[float, float]:
    """(the value on the holding side, the nearest value on the failing side) of `fact op v`:
    the two values a test suite must try to pin the threshold down (6 and 7 for `le 6`)."""
    v = c.value
    assert isinstance(v, int | float) and c.op in ORDER_OPS
    s = step(c.fact)
    holding, failing = {
        Op.LE: (v, v + s),
        Op.LT: (v - s, v),
        Op.GE: (v, v - s),
        Op.GT: (v + s, v),
    }[c.op]
    return _num(holding), _num(failing)


def thresholds(c: Criterion) -> list[Comparison]:
    """The ordered comparisons (`le`, `gt`, ...) of a criterion, scope and condition."""
    return [t for t in comparisons([*c.when, *c.condition]) if t.op in ORDER_OPS]


def numeric_points(fact: str, cmps: Iterable[Comparison]) -> list[float]:
    """Values of a number on both sides of every edge the comparisons draw (sorted): between two
    consecutive points no comparison changes its result (interval analysis)."""
    s = step(fact)
    points: set[float] = set()
    for c in cmps:
        if c.fact != fact:
            continue
        values = c.value if isinstance(c.value, list) else [c.value]
        for v in values:
            if isinstance(v, int | float) and not isinstance(v, bool):
                points.update(_num(v + d) for d in (-s, 0, s))
    return sorted(p for p in points if p >= 0)


def domain(fact: str, cmps: Iterable[Comparison]) -> list[Value]:
    """Values of an extracted fact worth trying against some comparisons: unstated, every value
    they name (each edge and its neighbours for numbers) and one value they do not name."""
    cmps = [c for c in cmps if c.fact == fact]
    kind = fact_kinds()[fact]
    if kind is Kind.BOOL:
        return [None, True, False]
    if kind is Kind.NUMBER:
        return [None, *(numeric_points(fact, cmps) or [2])]
    named: list[Value] = []
    for c in cmps:
        for v in c.value if isinstance(c.value, list) else [c.value]:
            if v not in named:
                named.append(v)
    vocab = vocabulary(fact) or ()
    other = [v for v in vocab if v not in named]
    if not named:  # an input of a derived fact: which values matter is not written down
        named, other = list(vocab), []
    values = named + other[:1] if kind is not Kind.TEXT else [*named, "(other)"]
    if kind is Kind.SET:
        return [[], *([v] for v in values)]
    return [None, *values]
