"""Findings: each criterion evaluated against an item's facts, with values and evidence."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from engine.criteria.schema import Effect, GuidelineCitation
from engine.facts.model import Evidence


class Status(StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"  # a fact the criterion needs is missing
    NOT_APPLICABLE = "not_applicable"  # the criterion's scope (`when`) does not hold


class Finding(BaseModel):
    guideline: str
    source: str
    criterion: str
    status: Status
    effect: Effect | None  # what this status says about the request (None: nothing)
    paraphrase: str
    citation: GuidelineCitation
    quote: str | None = None
    when: list[str] = Field(default_factory=list)  # scope terms, human readable
    condition: list[str] = Field(default_factory=list)  # tested terms with their thresholds
    values: dict[str, Any] = Field(default_factory=dict)  # the fact values it looked at
    missing: list[str] = Field(default_factory=list)  # null facts that left it unknown
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)


M = TypeVar("M", bound=BaseModel)
_new = object.__new__
# BaseModel's slots, set through their own descriptors: object.__setattr__ would look each name
# up on the class first (0.48 against 0.61 us a model)
_SET_DICT, _SET_FIELDS_SET, _SET_EXTRA, _SET_PRIVATE = (
    BaseModel.__dict__[f"__{slot}__"].__set__
    for slot in ("dict", "pydantic_fields_set", "pydantic_extra", "pydantic_private")
)


def trusted(cls: type[M], fields: dict[str, Any]) -> M:
    """The `cls` that validating `fields` would build, when they hold every field, in declaration
    order (the order the JSON follows), each already of its type: model_construct without its
    Python loop over defaults. A sixth of validation's cost, and findings are built for every
    criterion of every governing guideline of every item (tests/test_verdict.py compares)."""
    m = _new(cls)
    _SET_DICT(m, fields)
    _SET_FIELDS_SET(m, set(fields))
    _SET_EXTRA(m, None)
    _SET_PRIVATE(m, None)
    return m
