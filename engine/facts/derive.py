"""Facts computed from other facts before evaluation.

durable-rules gets same-fact arithmetic silently wrong, so every sum a criterion compares is
computed here, in Python, and asserted as a plain value.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any, get_args

from engine.facts.model import FACT_NAMES, Diagnosis, Facts, Region, Service
from engine.facts.vocab import drugs


class Kind(StrEnum):
    NUMBER = "number"
    BOOL = "bool"
    ENUM = "enum"  # one value of a vocabulary
    SET = "set"  # several values of a vocabulary
    TEXT = "text"


# Derived fact -> (kind, meaning). Criteria may name these like any extracted fact.
DERIVED: dict[str, tuple[Kind, str]] = {
    "total_visits": (
        Kind.NUMBER,
        "visits of the course including this request: prior + authorised + requested; "
        "null when prior visits happened but their number is unknown",
    ),
    "total_visits_min": (
        Kind.NUMBER,
        "a lower bound of total_visits: counts at least one prior visit when prior "
        "treatment is documented without a number",
    ),
}


@cache
def _vocabularies() -> dict[str, tuple[str, ...]]:
    """Closed vocabularies: criteria naming a value outside them fail validation (typos)."""
    known = {d.generic for d in drugs().by_name.values()}
    parts = {p for g in known for p in g.split("/")}
    return {
        "service": tuple(s.value for s in Service),
        "body_regions": tuple(r.value for r in Region),
        "diagnoses": tuple(d.value for d in Diagnosis),
        "medication": tuple(sorted(known)),
        "ingredients": tuple(sorted(known | parts)),
        "drug_classes": tuple(sorted({c for d in drugs().by_name.values() for c in d.classes})),
    }


@cache
def fact_kinds() -> dict[str, Kind]:
    """Every fact name a criterion may use, with its kind."""
    kinds: dict[str, Kind] = {}
    for name in FACT_NAMES:
        annotation = Facts.model_fields[name].annotation
        args = set(get_args(annotation)) or {annotation}
        if annotation is not None and getattr(annotation, "__origin__", None) is list:
            kinds[name] = Kind.SET
        elif name in _vocabularies():
            kinds[name] = Kind.ENUM
        elif bool in args:
            kinds[name] = Kind.BOOL
        elif args & {int, float}:
            kinds[name] = Kind.NUMBER
        else:
            kinds[name] = Kind.TEXT
    kinds.update({name: kind for name, (kind, _) in DERIVED.items()})
    return kinds


def vocabulary(fact: str) -> tuple[str, ...] | None:
    """The allowed values of an enum or set fact."""
    return _vocabularies().get(fact)


def derive(facts: Facts) -> dict[str, Any]:
    """Fact values plus derived facts: the flat record criteria are evaluated over."""
    values = facts.values()
    quantity = facts.quantity
    authorized = facts.authorized_quantity or 0
    total = total_min = None
    if quantity is not None:
        if facts.prior_sessions is not None:
            total = total_min = quantity + authorized + facts.prior_sessions
        elif facts.prior_treatment is False:
            total = total_min = quantity + authorized
        elif facts.prior_treatment is True:
            total_min = quantity + authorized + 1
    values["total_visits"] = total
    values["total_visits_min"] = total_min
    return values
