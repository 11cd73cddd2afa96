"""Hypothesis strategies for facts and criteria, shared by property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from engine.criteria.schema import AnyOf, Comparison, Criterion, Op
from engine.facts.derive import Kind, fact_kinds, vocabulary
from engine.facts.model import FACT_NAMES, Facts

_NUM = st.one_of(st.none(), st.integers(0, 40))
_BOOL = st.one_of(st.none(), st.booleans())


@st.composite
def facts(draw: st.DrawFn) -> Facts:
    """Random request facts over every fact the contract defines."""
    kinds = fact_kinds()
    values: dict[str, Any] = {}
    for name in FACT_NAMES:
        kind = kinds[name]
        vocab = list(vocabulary(name) or ())
        if kind is Kind.ENUM:
            values[name] = draw(st.one_of(st.none(), st.sampled_from(vocab)))
        elif kind is Kind.SET and vocab:
            values[name] = draw(st.lists(st.sampled_from(vocab), max_size=3, unique=True))
        elif kind is Kind.BOOL:
            values[name] = draw(_BOOL)
        elif kind is Kind.NUMBER:
            values[name] = draw(_NUM)
    return Facts(**values)


@st.composite
def comparisons(draw: st.DrawFn) -> Comparison:
    kinds = fact_kinds()
    name = draw(st.sampled_from(sorted(n for n, k in kinds.items() if k is not Kind.TEXT)))
    kind = kinds[name]
    if kind is Kind.NUMBER:
        op = draw(st.sampled_from([Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE]))
        return Comparison(fact=name, op=op, value=draw(st.integers(0, 40)))
    if kind is Kind.BOOL:
        return Comparison(
            fact=name, op=draw(st.sampled_from([Op.EQ, Op.NE])), value=draw(st.booleans())
        )
    vocab = list(vocabulary(name) or ())
    if kind is Kind.SET:
        op = draw(st.sampled_from([Op.CONTAINS, Op.CONTAINS_ANY, Op.CONTAINS_NONE]))
    else:
        op = draw(st.sampled_from([Op.EQ, Op.NE, Op.IN, Op.NOT_IN]))
    if op in (Op.CONTAINS_ANY, Op.CONTAINS_NONE, Op.IN, Op.NOT_IN):
        value: Any = draw(st.lists(st.sampled_from(vocab), min_size=1, max_size=3, unique=True))
    else:
        value = draw(st.sampled_from(vocab))
    return Comparison(fact=name, op=op, value=value)


terms = st.one_of(
    comparisons(), st.builds(AnyOf, any=st.lists(comparisons(), min_size=2, max_size=3))
)


@st.composite
def criteria(draw: st.DrawFn, n: int) -> list[Criterion]:
    out = []
    for i in range(n):
        out.append(
            Criterion(
                id=f"c{i}",
                paraphrase="a random criterion for property tests",
                when=draw(st.lists(terms, max_size=2)),
                condition=draw(st.lists(terms, max_size=3)),
                effect={"met": "supports", "not_met": "does_not_support"},
                citation={
                    "source": "MTUS",
                    "document": "d",
                    "edition": "1",
                    "section": "s",
                    "pages": [1],
                },
            )
        )
    return out
