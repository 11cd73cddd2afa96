"""Findings: each criterion evaluated against an item's facts, with values and evidence."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

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
