"""Direct, three-valued evaluation of criteria: the reference the durable-rules engine must equal.

A comparison on a null fact is unknown; `all` is false if any term is false, else unknown if any
is unknown; `any` is true if any term is true, else unknown if any is unknown (Kleene logic).
Also used by lint, counterfactuals and as the benchmark baseline.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from engine.criteria.schema import AnyOf, Comparison, Criterion, Effect, Op, Term, Unstated
from engine.findings import Status
from engine.memo import ByIdentity

_CMP: dict[Op, Callable[[Any, Any], bool]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.LT: operator.lt,
    Op.LE: operator.le,
    Op.GT: operator.gt,
    Op.GE: operator.ge,
    Op.IN: lambda a, b: a in b,
    Op.NOT_IN: lambda a, b: a not in b,
    Op.CONTAINS: lambda a, b: b in a,
    Op.CONTAINS_ANY: lambda a, b: any(v in a for v in b),
    Op.CONTAINS_NONE: lambda a, b: not any(v in a for v in b),
}


# Comparisons and criteria are compiled once into checks, with each comparison's fact, operator
# and value bound in a closure: the counterfactual search evaluates criteria thousands of times
# per batch.
Check = Callable[[Mapping[str, Any]], bool | None]


def _comparison(c: Comparison) -> Check:
    fact, value, op = c.fact, c.value, _CMP[c.op]

    def check(values: Mapping[str, Any]) -> bool | None:
        actual = values.get(fact)
        if actual is None or actual == []:
            return None
        return op(actual, value)

    return check


def _any(alternatives: list[Comparison]) -> Check:
    checks = [_comparison(c) for c in alternatives]

    def check(values: Mapping[str, Any]) -> bool | None:
        unknown = False
        for alternative in checks:
            result = alternative(values)
            if result is None:
                unknown = True
            elif result:
                return True
        return None if unknown else False

    return check


# A term as a criterion's check reads it: (fact, operator, value) of a comparison, which the
# check makes inline (a call less per term); (None, check, None) of an `any` group; _SCOPED
# between the scope's terms and the condition's
_Term = tuple[str | None, Callable[..., Any] | None, Any]
_SCOPED: _Term = (None, None, None)


def _term(t: Term) -> _Term:
    if isinstance(t, AnyOf):
        return None, _any(t.any), None
    return t.fact, _CMP[t.op], t.value


# Status members bound once: a member read off its enum class costs a descriptor call
_NOT_APPLICABLE, _UNKNOWN, _MET, _NOT_MET = (
    Status.NOT_APPLICABLE,
    Status.UNKNOWN,
    Status.MET,
    Status.NOT_MET,
)


def _criterion(criterion: Criterion) -> Callable[[Mapping[str, Any]], Status]:
    terms = [*map(_term, criterion.when), _SCOPED, *map(_term, criterion.condition)]

    def check(values: Mapping[str, Any]) -> Status:
        # each part as `all` (Kleene) of its terms: false at its first false term, else unknown
        # if one is; the scope's false is not applicable, an unknown scope is unknown whatever
        # the condition
        unknown, failed = False, _NOT_APPLICABLE
        for fact, op, value in terms:
            if op is None:  # the scope holds unless unknown: the condition's terms follow
                if unknown:
                    return _UNKNOWN
                failed = _NOT_MET
                continue
            if fact is None:
                result = op(values)
            else:  # `_comparison`'s check
                actual = values.get(fact)
                result = None if actual is None or actual == [] else op(actual, value)
            if result is None:
                unknown = True
            elif not result:
                return failed
        return _UNKNOWN if unknown else _MET

    return check


_comparison_check = ByIdentity(_comparison)
status_check = ByIdentity(_criterion)  # criterion -> its compiled `status`


def compare(c: Comparison, values: Mapping[str, Any]) -> bool | None:
    return _comparison_check(c)(values)


def status(criterion: Criterion, values: Mapping[str, Any]) -> Status:
    return status_check(criterion)(values)


def settle(criterion: Criterion, st: Status) -> Status:
    """The status a finding reports: exception clauses read an unstated fact as absent."""
    if st is Status.UNKNOWN and criterion.unstated is Unstated.NOT_APPLICABLE:
        return Status.NOT_APPLICABLE
    return st


def effect_of(criterion: Criterion, st: Status) -> Effect | None:
    """What a (settled) status says about the request: the criterion's effect, or nothing."""
    if st is Status.MET:
        return criterion.effect.met
    if st is Status.NOT_MET:
        return criterion.effect.not_met
    return None


def comparisons(terms: Iterable[Term]) -> Iterator[Comparison]:
    """Every comparison of some terms, alternatives of `any` groups included."""
    for t in terms:
        yield from t.any if isinstance(t, AnyOf) else (t,)


def describe(t: Term) -> str:
    """A term as a reader would write it: `total_visits <= 6`."""
    if isinstance(t, AnyOf):
        return " or ".join(describe(c) for c in t.any)
    symbol = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}.get(t.op, t.op)
    value = ", ".join(map(str, t.value)) if isinstance(t.value, list) else str(t.value)
    if isinstance(t.value, bool):
        value = value.lower()
    return f"{t.fact} {symbol} {value}".replace("_", " ")
