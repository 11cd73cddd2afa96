"""The guideline file format. A new criterion is a YAML edit, never a Python edit."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from engine.facts.derive import Kind, fact_kinds, vocabulary
from engine.facts.model import Region, Service
from engine.letters.model import Source

Scalar = bool | int | float | str


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IN = "in"  # value is one of a list
    NOT_IN = "not_in"
    CONTAINS = "contains"  # set fact holds the value
    CONTAINS_ANY = "contains_any"  # set fact holds at least one of a list
    CONTAINS_NONE = "contains_none"  # set fact holds none of a list (and is not empty)


ORDER_OPS = frozenset({Op.LT, Op.LE, Op.GT, Op.GE})
LIST_OPS = frozenset({Op.IN, Op.NOT_IN, Op.CONTAINS_ANY, Op.CONTAINS_NONE})
SET_OPS = frozenset({Op.CONTAINS, Op.CONTAINS_ANY, Op.CONTAINS_NONE})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Comparison(_Strict):
    """`fact op value`, e.g. total_visits le 6. A null fact makes it unknown."""

    fact: str
    op: Op
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _check(self) -> Comparison:
        kinds = fact_kinds()
        kind = kinds.get(self.fact)
        if kind is None:
            raise ValueError(f"unknown fact {self.fact!r} (known: {', '.join(sorted(kinds))})")
        is_list = isinstance(self.value, list)
        if is_list != (self.op in LIST_OPS):
            raise ValueError(f"op {self.op} takes {'a list' if not is_list else 'one value'}")
        if (kind is Kind.SET) != (self.op in SET_OPS):
            raise ValueError(f"op {self.op} does not apply to {kind} fact {self.fact!r}")
        values = self.value if isinstance(self.value, list) else [self.value]
        for v in values:
            _check_value(self.fact, kind, self.op, v)
        return self

    def facts(self) -> set[str]:
        return {self.fact}


def _check_value(fact: str, kind: Kind, op: Op, v: Scalar) -> None:
    if kind is Kind.NUMBER and (isinstance(v, bool) or not isinstance(v, int | float)):
        raise ValueError(f"{fact} is a number; got {v!r}")
    if kind is Kind.BOOL and (not isinstance(v, bool) or op not in (Op.EQ, Op.NE)):
        raise ValueError(f"{fact} is true/false: compare with eq or ne")
    if kind in (Kind.ENUM, Kind.SET):
        allowed = vocabulary(fact) or ()
        if v not in allowed:
            raise ValueError(f"{v!r} is not a {fact} value (allowed: {', '.join(allowed)})")
        if kind is Kind.ENUM and op in ORDER_OPS:
            raise ValueError(f"{fact} has no order: use eq, ne, in or not_in")
    if kind is Kind.TEXT and (not isinstance(v, str) or op in ORDER_OPS):
        raise ValueError(f"{fact} is text: compare strings with eq, ne, in or not_in")


class AnyOf(_Strict):
    """At least one of the comparisons holds."""

    any: Annotated[list[Comparison], Field(min_length=2)]

    def facts(self) -> set[str]:
        return {c.fact for c in self.any}


Term = Comparison | AnyOf


class Effect(StrEnum):
    SUPPORTS = "supports"
    DOES_NOT_SUPPORT = "does_not_support"


class Effects(_Strict):
    """What the criterion says about the request when its condition is met or not met."""

    met: Effect | None = None
    not_met: Effect | None = None

    @model_validator(mode="after")
    def _one(self) -> Effects:
        if self.met is None and self.not_met is None:
            raise ValueError("a criterion needs an effect when met, when not met, or both")
        return self


class GuidelineCitation(_Strict):
    """Where a criterion stands in the published guideline."""

    source: Source
    document: str
    edition: str
    section: str
    pages: list[int] = Field(default_factory=list)
    subsection: str | None = None  # e.g. 9792.24.1(c)(1), or an ODG topic heading

    @model_validator(mode="after")
    def _locatable(self) -> GuidelineCitation:
        if not self.pages and not self.subsection:
            raise ValueError("a citation needs pages or a subsection")
        return self


class Unstated(StrEnum):
    """How a criterion reads a fact the letter does not state."""

    UNKNOWN = "unknown"  # the criterion cannot be decided: the verdict may be indeterminate
    NOT_APPLICABLE = "not_applicable"  # exception clauses (maintenance care): unstated = absent


class Criterion(_Strict):
    """One guideline clause: scope (`when`), test (`condition`), effects and citation."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    paraphrase: Annotated[str, Field(min_length=10)]
    when: list[Term] = Field(default_factory=list)
    condition: list[Term] = Field(default_factory=list)
    effect: Effects
    citation: GuidelineCitation
    quote: str | None = None  # the guideline's own words, when the letters quote them
    unstated: Unstated = Unstated.UNKNOWN

    def facts(self) -> set[str]:
        return {f for t in (*self.when, *self.condition) for f in t.facts()}


class Effective(_Strict):
    start: date
    end: date | None = None  # last day in force; None = still in force

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Aliases(_Strict):
    """How letters cite this guideline section (matched case-insensitively, spacing folded)."""

    documents: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)


class Governs(_Strict):
    """The requests this section speaks to; empty body_regions = any region."""

    services: Annotated[list[Service], Field(min_length=1)]
    body_regions: list[Region] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)  # generic names; empty = any


class LintAllow(_Strict):
    """A `recheck lint` finding the guideline's authors accept, with the reason, e.g. a range of
    visits left silent on purpose because the guideline's figure depends on a fact no letter
    states. Kept beside the criteria so a reviewer sees the decision."""

    check: Literal["gap", "contradiction"]
    criteria: Annotated[list[str], Field(min_length=2, max_length=2)]
    why: Annotated[str, Field(min_length=10)]


class Guideline(_Strict):
    """One guideline section (one YAML file)."""

    schema_version: Literal[1] = 1
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    source: Source
    document: str
    edition: str
    effective: Effective
    section: str
    pages: list[int] = Field(default_factory=list)
    aliases: Aliases = Field(default_factory=Aliases)
    governs: Governs
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    lint_allow: list[LintAllow] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> Guideline:
        seen: set[str] = set()
        for c in self.criteria:
            if c.id in seen:
                raise ValueError(f"duplicate criterion id {c.id!r}")
            seen.add(c.id)
        for allow in self.lint_allow:
            unknown = [c for c in allow.criteria if c not in seen]
            if unknown:
                raise ValueError(f"lint_allow names unknown criteria {', '.join(unknown)}")
        return self
