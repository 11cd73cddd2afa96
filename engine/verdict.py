"""Findings -> expected outcome -> consistency with the recorded outcome.

The expected outcome is computed from clinical facts and guideline criteria only: `judge` takes the
recorded outcome solely to compare it with the expected one at the very end.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

from pydantic import BaseModel, ConfigDict, Field

from engine.criteria.evaluate import describe, effect_of, settle, status_check
from engine.criteria.load import Bundle
from engine.criteria.schema import Criterion, Effect, Guideline, Unstated
from engine.criteria.select import applicable, cites
from engine.facts.derive import derive
from engine.facts.model import Facts
from engine.findings import Finding, Status, trusted
from engine.letters.model import Citation, Outcome, Source
from engine.memo import ByIdentity
from engine.yamlio import load_model


class Expected(StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"
    INDETERMINATE = "indeterminate"


class Consistency(StrEnum):
    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    INDETERMINATE = "indeterminate"


class Count(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ge: int | None = None
    le: int | None = None

    def holds(self, n: int) -> bool:
        return (self.ge is None or n >= self.ge) and (self.le is None or n <= self.le)


class DecisionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    when: dict[Literal["supports", "does_not_support", "unknown"], Count]
    expected: Expected


class DecisionPolicy(BaseModel):
    """rules/decision.yaml: how findings combine, and the order of sources."""

    model_config = ConfigDict(extra="forbid")
    schema_version: Literal[1] = 1
    source_order: list[Source]
    rules: list[DecisionRule]
    silent: Expected
    no_guideline: Expected


def load_policy(path: Path) -> DecisionPolicy:
    return load_model(DecisionPolicy, path)


class Reason(BaseModel):
    """Why: a code a program can count and a sentence a person can read."""

    code: str  # not_supported | supported | missing_fact | guideline_silent | no_guideline | ...
    message: str
    criteria: list[str] = Field(default_factory=list)  # guideline/criterion ids
    facts: list[str] = Field(default_factory=list)


class GuidelineUse(BaseModel):
    id: str
    source: Source
    section: str
    edition: str
    cited: bool  # the letter's own citations name it
    outcome: Expected | None = None  # what this guideline alone says (None: silent)


class Verdict(BaseModel):
    expected: Expected
    consistency: Consistency
    recorded: Outcome | None
    deciding_source: Source | None = None
    reasons: list[Reason] = Field(default_factory=list)
    # Observations about the letter's reasoning that do not change `expected`, e.g.
    # lower_tier_relied: the letter relied on ODG although an encoded MTUS criterion applies.
    flags: list[Reason] = Field(default_factory=list)
    guidelines: list[GuidelineUse] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class Evaluator(Protocol):
    def evaluate(self, g: Guideline, values: Mapping[str, Any]) -> dict[str, Status]: ...


class _Row(NamedTuple):
    """What a criterion's finding is whatever the item: computed once per guideline, for each
    of its criteria."""

    id: str
    needed: tuple[str, ...]  # the facts it reads, sorted
    when: tuple[str, ...]
    condition: tuple[str, ...]
    # raw status -> what it counts as in a decision, and the finding's fields in Finding's
    # order, its settled status and effect filled in (the item's own are set on a copy)
    by_status: dict[Status, tuple[str | None, dict[str, Any]]]


def _finding_rows(g: Guideline) -> tuple[_Row, ...]:
    rows = []
    for c in g.criteria:
        by_status = {}
        for raw in Status:
            st = settle(c, raw)
            fields = {
                "guideline": g.id,
                "source": g.source.value,
                "criterion": c.id,
                "status": st,
                "effect": effect_of(c, st),
                "paraphrase": c.paraphrase,
                "citation": c.citation,
                "quote": c.quote,
                "when": None,
                "condition": None,
                "values": None,
                "missing": None,
                "evidence": None,
            }
            by_status[raw] = (_counted(c, raw), fields)
        when = tuple(describe(t) for t in c.when)
        condition = tuple(describe(t) for t in c.condition)
        rows.append(_Row(c.id, tuple(sorted(c.facts())), when, condition, by_status))
    return tuple(rows)


_rows = ByIdentity(_finding_rows)


def findings_for(
    g: Guideline, statuses: Mapping[str, Status], values: Mapping[str, Any], facts: Facts
) -> tuple[list[Finding], dict[str, int]]:
    """The findings of a guideline's criteria, and the counts its decision reads (each effect's
    and the unknown criteria's), gathered on the way rather than by passes over the findings."""
    found = []
    counts = dict.fromkeys(_COUNTED, 0)
    evidence = facts.evidence
    for row in _rows(g):
        key, static = row.by_status[statuses[row.id]]
        if key is not None:
            counts[key] += 1
        fields = static.copy()  # every list fresh, as validation would give
        fields["when"] = [*row.when]
        fields["condition"] = [*row.condition]
        looked = fields["values"] = {f: values.get(f) for f in row.needed}
        fields["missing"] = (
            [f for f, v in looked.items() if v is None or v == []] if key == _UNKNOWN else []
        )
        fields["evidence"] = {f: [*evidence[f]] for f in row.needed if f in evidence}
        found.append(trusted(Finding, fields))
    return found, counts


_UNKNOWN = "unknown"  # the count of undecided criteria, beside the effects' counts
_COUNTED = (*(e.value for e in Effect), _UNKNOWN)


def decide(
    policy: DecisionPolicy, effects: Iterable[Effect | None], unknown: int
) -> Expected | None:
    """The first decision rule whose counts hold (None: this source is silent)."""
    counts = dict.fromkeys(_COUNTED, 0)
    for e in effects:
        if e is not None:
            counts[e] += 1  # a StrEnum member is its value as a key
    counts[_UNKNOWN] = unknown
    return decide_counts(policy, counts)


def decide_counts(policy: DecisionPolicy, counts: Mapping[str, int]) -> Expected | None:
    """`decide` from the counts of each effect and of unknown criteria."""
    return _first_holding(_rules(policy), counts)


_Rules = list[tuple[Expected, tuple[tuple[str, int | None, int | None], ...]]]


def _first_holding(rules: _Rules, counts: Mapping[str, int]) -> Expected | None:
    for expected, when in rules:
        for key, ge, le in when:
            n = counts.get(key, 0)
            if (ge is not None and n < ge) or (le is not None and n > le):
                break
        else:
            return expected
    return None


def _rule_bounds(policy: DecisionPolicy) -> _Rules:
    """Each rule's outcome and (count, ge, le) bounds: `Count.holds` inlined, since the
    counterfactual search decides a few dozen variants of every item."""
    return [(r.expected, tuple((k, c.ge, c.le) for k, c in r.when.items())) for r in policy.rules]


_rules = ByIdentity(_rule_bounds)


# an outcome a decision rule gave -> its reasons' code and the effect of the findings behind it
_DECIDING = {
    Expected.UPHELD: ("not_supported", Effect.DOES_NOT_SUPPORT),
    Expected.OVERTURNED: ("supported", Effect.SUPPORTS),
}


def _reasons(expected: Expected, findings: list[Finding]) -> list[Reason]:
    deciding = _DECIDING.get(expected)
    if deciding is not None:
        code, effect = deciding
        return [
            _reason(code, f.paraphrase, [f"{f.guideline}/{f.criterion}"], sorted(f.values))
            for f in findings
            if f.effect is effect
        ]
    open_ = [f for f in findings if f.status is Status.UNKNOWN]
    missing = sorted({m for f in open_ for m in f.missing})
    return [
        _reason(
            "missing_fact",
            "the letter does not state " + ", ".join(missing).replace("_", " "),
            [f"{f.guideline}/{f.criterion}" for f in open_],
            missing,
        )
    ]


def _reason(code: str, message: str, criteria: list[str], facts: list[str]) -> Reason:
    """A Reason built unvalidated (see `trusted`): a verdict gives one for every finding that
    decided it."""
    return trusted(Reason, {"code": code, "message": message, "criteria": criteria, "facts": facts})


def _no_guideline(bundle: Bundle, facts: Facts, on: date | None) -> str:
    what = (facts.service.value if facts.service else "an unrecognised service").replace("_", " ")
    if on is not None and applicable(bundle, facts, None):
        return f"no encoded guideline for {what} was in force on {on.isoformat()}"
    return f"no encoded guideline governs {what}"


def _hierarchy_flags(
    findings: list[Finding],
    citations: list[Citation],
    policy: DecisionPolicy,
) -> list[Reason]:
    """8 CCR 9792.21.1: flag a letter that relied on a lower source although the MTUS applies."""
    top = policy.source_order[0]
    applying = sorted({f.guideline for f in findings if f.source == top and f.status in _DECIDED})
    if not applying or any(c.source == top for c in citations):
        return []
    rank = {s: i for i, s in enumerate(policy.source_order)}
    lower = sorted({c.source.value for c in citations if rank.get(c.source, len(rank)) > 0})
    if not lower:
        return []
    return [
        Reason(
            code="lower_tier_relied",
            criteria=applying,
            message=f"the letter relied on {', '.join(lower)} although encoded {top} criteria"
            f" apply ({', '.join(applying)})",
        )
    ]


_DECIDED = (Status.MET, Status.NOT_MET)


def tiers(governing: list[Guideline], policy: DecisionPolicy) -> list[list[Guideline]]:
    """Governing guidelines grouped by source in the policy's order (8 CCR 9792.21.1): a lower
    source is consulted only where every higher one is silent."""
    by_source: dict[Source, list[Guideline]] = {}
    for g in governing:
        by_source.setdefault(g.source, []).append(g)
    return [by_source[s] for s in policy.source_order if s in by_source]


def expected_of(
    values: Mapping[str, Any], ordered: list[list[Guideline]], policy: DecisionPolicy
) -> Expected:
    """`judge`'s expected outcome alone, by direct evaluation and without building findings."""
    return Redecider(values, ordered, policy)(values, frozenset())


def _counted(c: Criterion, raw: Status) -> str | None:
    """What a criterion's raw status counts as in a decision: its effect (a StrEnum: a str),
    unknown or nothing."""
    st = settle(c, raw)
    effect = effect_of(c, st)
    return effect if effect is not None else _UNKNOWN if st is Status.UNKNOWN else None


class _Parts(NamedTuple):
    """What the re-decision needs of a criterion: computed once per guideline, for each of its
    criteria."""

    ids: tuple[str, str]  # (guideline, criterion), as its finding names them
    check: Callable[[Mapping[str, Any]], Status]  # its compiled `status`
    counted: dict[Status, str | None]  # raw or settled status -> what it counts as
    # its status at the base -> what it counts as there, and the facts whose change may change
    # its status: out of scope, only those its `when` reads, unless it is an exception clause
    # (unstated facts read as absent), whose settled status is out of scope too when a condition
    # fact is missing (a raw one is read alike: re-evaluated more often, never wrongly)
    at_base: dict[Status, tuple[str | None, frozenset[str]]]


def _guideline_parts(g: Guideline) -> tuple[_Parts, ...]:
    parts = []
    for c in g.criteria:
        counted = {st: _counted(c, st) for st in Status}
        reads = frozenset(c.facts())
        out = reads
        if c.unstated is not Unstated.NOT_APPLICABLE:
            out = frozenset(f for t in c.when for f in t.facts())
        at_base = {
            st: (counted[st], out if st is Status.NOT_APPLICABLE else reads) for st in Status
        }
        parts.append(_Parts((g.id, c.id), status_check(c), counted, at_base))
    return tuple(parts)


_parts = ByIdentity(_guideline_parts)


class _Tier(NamedTuple):
    rows: list[_Parts]  # its criteria's
    keys: list[str | None]  # what each counts as at the base: an effect, unknown, or nothing
    counts: dict[str, int]  # at the base
    decided: Expected | None  # at the base
    by_fact: dict[str, list[int]]  # fact -> the rows a change of it may move


class Redecider:
    """`expected_of` for many variants of one item's values, as the counterfactual search asks
    (dozens per item, each changing one or two facts): a criterion that reads no fact whose value
    differs from the base keeps its base effect, so only the criteria a change touches are
    evaluated again, and each source's counts are the base counts adjusted for them
    (tests/test_counterfactual.py checks this against a fresh decision). Those stop as soon as
    the policy's first rule holds whatever the rest count (a denial: upheld).

    `findings`: the base's findings, as `judge` gave them for these guidelines (their statuses
    are then not evaluated again)."""

    def __init__(
        self,
        base: Mapping[str, Any],
        ordered: list[list[Guideline]],
        policy: DecisionPolicy,
        findings: list[Finding] | None = None,
    ) -> None:
        self._policy, self._any = policy, bool(ordered)
        self._rules, self._bounds = _rules(policy), _bounds(policy)
        each = [list(itertools.chain.from_iterable(map(_parts, tier))) for tier in ordered]
        statuses: Iterator[Status]
        if findings is not None and list(map(_FINDING_IDS, findings)) == [
            p.ids for rows in each for p in rows
        ]:
            statuses = map(_STATUS, findings)  # settled already: settling again keeps them
        else:
            statuses = (p.check(base) for rows in each for p in rows)
        self._tiers: list[_Tier] = []
        for rows in each:
            keys: list[str | None] = []
            counts = dict.fromkeys(_COUNTED, 0)
            by_fact: dict[str, list[int]] = {}
            for n, (parts, st) in enumerate(zip(rows, statuses, strict=False)):
                key, moved_by = parts.at_base[st]
                keys.append(key)
                if key is not None:
                    counts[key] += 1
                for f in moved_by:
                    if (at := by_fact.get(f)) is None:
                        by_fact[f] = [n]
                    else:
                        at.append(n)
            self._tiers.append(_Tier(rows, keys, counts, decide_counts(policy, counts), by_fact))

    def __call__(self, values: Mapping[str, Any], changed: AbstractSet[str]) -> Expected:
        """`changed`: the facts whose values may differ from the base (every other one equals
        it), derived ones included."""
        policy, bounds = self._policy, self._bounds
        for rows, keys, base, decided, by_fact in self._tiers:
            touched = {i for f in changed for i in by_fact.get(f, ())}
            if touched:
                # the untouched criteria's counts, to which each touched one adds its own: once
                # they reach the first rule's lower bounds, it holds whatever the others count
                counts = dict(base)
                for i in touched:
                    if (was := keys[i]) is not None:
                        counts[was] -= 1
                lack = _lack(bounds, counts)
                if lack != 0:
                    for i in touched:
                        row = rows[i]
                        if (now := row.counted[row.check(values)]) is not None:
                            counts[now] += 1
                            if lack and counts[now] <= bounds.get(now, 0):  # one it lacked
                                lack -= 1
                                if not lack:
                                    break
                decided = _first_holding(self._rules, counts)
            if decided is not None:
                return decided
        return policy.silent if self._any else policy.no_guideline


def _first_bounds(policy: DecisionPolicy) -> dict[str, int] | None:
    """The lower bounds of the policy's first rule (None: it has an upper bound, or there is
    none): counts that reach them decide, however many more criteria are counted."""
    rules = _rules(policy)
    if not rules or any(le is not None for _, _, le in rules[0][1]):
        return None
    return {key: ge or 0 for key, ge, _ in rules[0][1]}


_bounds = ByIdentity(_first_bounds)
_FINDING_IDS = operator.attrgetter("guideline", "criterion")
_STATUS = operator.attrgetter("status")


def _lack(bounds: dict[str, int] | None, counts: Mapping[str, int]) -> int | None:
    """How many more counts the first rule needs to hold for certain (None: never certain)."""
    if bounds is None:
        return None
    lack = 0
    for key, ge in bounds.items():
        if (n := counts.get(key, 0)) < ge:
            lack += ge - n
    return lack


def judge(
    facts: Facts,
    on: date | None,
    citations: list[Citation],
    recorded: Outcome | None,
    bundle: Bundle,
    policy: DecisionPolicy,
    evaluator: Evaluator,
    *,
    record: dict[str, Any] | None = None,
) -> Verdict:
    """Expected outcome of one item from its facts, then its consistency with `recorded`.
    `record`: derive(facts), when the caller has it already."""
    values = derive(facts) if record is None else record
    governing = applicable(bundle, facts, on)
    uses: list[GuidelineUse] = []
    all_findings: list[Finding] = []
    expected: Expected | None = None
    deciding: Source | None = None
    reasons: list[Reason] = []
    for tier in tiers(governing, policy):
        tier_counts, start = dict.fromkeys(_COUNTED, 0), len(all_findings)
        for g in tier:
            fs, counts = findings_for(g, evaluator.evaluate(g, values), values, facts)
            all_findings.extend(fs)
            for key, n in counts.items():
                tier_counts[key] += n
            uses.append(
                trusted(
                    GuidelineUse,
                    {
                        "id": g.id,
                        "source": g.source,
                        "section": g.section,
                        "edition": g.edition,
                        "cited": cites(g, citations),
                        "outcome": decide_counts(policy, counts),
                    },
                )
            )
        if expected is None:
            expected = decide_counts(policy, tier_counts)
            if expected is not None:
                deciding = tier[0].source
                reasons = _reasons(expected, all_findings[start:])
    if expected is None:
        if governing:
            expected = policy.silent
            reasons = [
                Reason(
                    code="guideline_silent",
                    criteria=[u.id for u in uses],
                    message="no criterion of the governing guidelines applies",
                )
            ]
        else:
            expected = policy.no_guideline
            reasons = [Reason(code="no_guideline", message=_no_guideline(bundle, facts, on))]
    if expected is Expected.INDETERMINATE or recorded is None:
        consistency = Consistency.INDETERMINATE
    elif expected.value == recorded.value:
        consistency = Consistency.CONSISTENT
    else:
        consistency = Consistency.INCONSISTENT
    return trusted(
        Verdict,
        {
            "expected": expected,
            "consistency": consistency,
            "recorded": recorded,
            "deciding_source": deciding,
            "reasons": reasons,
            "flags": _hierarchy_flags(all_findings, citations, policy),
            "guidelines": uses,
            "findings": all_findings,
        },
    )
