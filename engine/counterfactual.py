"""Counterfactuals: the smallest change of an item's facts that would change its expected outcome
("overturned if functional improvement were documented", "overturned if quantity were 6 rather
than 12").

Only the facts the deciding criteria read are searched (plus facts whose absence left a criterion
of the deciding source undecided, since they would block the flip), and only values those
criteria's thresholds make worth trying (engine/criteria/space.py): one fact at a time first,
then two. Visit totals are derived, so they are moved through the requested `quantity`. Every
candidate is re-decided with the direct evaluator (`engine.verdict.Redecider`), never assumed.
This runs for every audited item: a few dozen re-decisions at most, without building findings.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, TypeAdapter

from engine.criteria.evaluate import comparisons
from engine.criteria.load import Bundle
from engine.criteria.schema import Comparison, Criterion
from engine.criteria.select import applicable
from engine.criteria.space import lever, moved_by, numeric_points
from engine.explain import show_value
from engine.facts.derive import Kind, derive_record, fact_kinds
from engine.facts.model import Facts
from engine.findings import Status
from engine.verdict import DecisionPolicy, Expected, Redecider, Verdict, expected_of, tiers

MAX_PAIRS = 100  # two-fact candidates tried per item, at most
_GOVERNS = frozenset({"service", "body_regions", "medication"})  # what `governs` reads
_FLIP = {Expected.UPHELD: Expected.OVERTURNED, Expected.OVERTURNED: Expected.UPHELD}


class Change(BaseModel):
    fact: str  # the extracted fact changed
    was: Any
    now: Any
    moves: dict[str, Any] = Field(default_factory=dict)  # derived facts it moves: total_visits


class Counterfactual(BaseModel):
    """A smallest change of the facts after which the expected outcome differs."""

    expected: Expected  # the expected outcome after the change
    changes: list[Change]
    criteria: list[str] = Field(default_factory=list)  # the deciding criteria the change answers
    message: str


@cache
def _adapter(fact: str) -> TypeAdapter[Any]:
    return TypeAdapter(Facts.model_fields[fact].annotation)


def _words(fact: str) -> str:
    return fact.replace("_", " ")


def _phrase(c: Change) -> str:
    if isinstance(c.now, bool):
        what = "documented" if c.now else "documented as absent"
        return f"{_words(c.fact)} were {what} (letter: {show_value(c.was)})"
    moved = ", ".join(f"{_words(k)} {show_value(v)}" for k, v in c.moves.items())
    moved = f" ({moved})" if moved else ""
    return f"{_words(c.fact)} were {show_value(c.now)} rather than {show_value(c.was)}{moved}"


def _candidates(
    fact: str, cmps: list[Comparison], facts: Facts, values: dict[str, Any]
) -> tuple[str, list[Any]] | None:
    """(extracted fact to change, values to try, nearest first) for a fact a criterion reads."""
    base = lever(fact)
    if base is None or base not in Facts.model_fields:
        return None  # no lever (CRPS diagnosed, postsurgical): not a documentation gap
    kind = fact_kinds()[base]
    current = getattr(facts, base)
    if base != fact and kind is Kind.BOOL:  # a derived yes/no read off this one: try both
        return base, [v for v in (current is not True, current is True) if v != current]
    if base != fact:  # a derived number: move the lever by the same amount
        if current is None or values.get(fact) is None:
            return None
        shift = current - values[fact]
        tried = {t + shift for t in numeric_points(fact, cmps)}
        return base, sorted((v for v in tried if v >= 1 and v != current), key=_near(current))
    if kind is Kind.BOOL:
        return base, [not current] if current is not None else [True, False]
    if kind is Kind.NUMBER:
        points = [p for p in numeric_points(fact, cmps) if p != current]
        return base, sorted(points, key=_near(current))
    named = [v for c in cmps if c.fact == fact for v in _listed(c.value)]
    if kind is Kind.SET:
        have = list(current)
        out = [[*have, v] for v in named if v not in have]
        out += [[x for x in have if x != v] for v in named if v in have and len(have) > 1]
        return base, out
    return base, [v for v in dict.fromkeys(named) if v != current]


def _listed(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def _near(current: Any) -> Any:
    return lambda v: abs(v - current) if current is not None else v


def search(
    facts: Facts,
    on: date | None,
    verdict: Verdict,
    bundle: Bundle,
    policy: DecisionPolicy,
    limit: int = 3,
) -> list[Counterfactual]:
    """Counterfactuals of an upheld or overturned item (indeterminate ones have their missing
    facts in `reasons` already), smallest first: one fact a deciding criterion tests, then one
    fact of its scope ("if no visits had been given before"), then two facts. If no such change
    reaches the opposite outcome, the smallest changes that at least unsettle it (to
    indeterminate). A clause that denies unconditionally has none."""
    if verdict.expected not in _FLIP:
        return []
    current, target = verdict.expected, _FLIP[verdict.expected]
    used = {u.id for u in verdict.guidelines}
    criteria = {f"{g.id}/{c.id}": c for g in bundle.guidelines if g.id in used for c in g.criteria}
    deciding = [i for r in verdict.reasons for i in r.criteria if i in criteria]
    blocking = [
        f"{f.guideline}/{f.criterion}"
        for f in verdict.findings
        if f.status is Status.UNKNOWN and f.source == verdict.deciding_source
    ]
    read = {i: criteria[i] for i in dict.fromkeys([*deciding, *blocking]) if i in criteria}
    base = facts.values()
    derived = derive_record(dict(base))
    cands = _all_candidates(list(read.values()), facts, derived)
    tested = {b for c in read.values() for t in c.condition for f in t.facts() if (b := lever(f))}

    redecide = Redecider(
        derived, tiers(applicable(bundle, facts, on), policy), policy, verdict.findings
    )

    # update -> (its outcome, the record it was decided on); the "unsettles" passes retry what
    # the first ones tried
    seen: dict[str, tuple[Expected, dict[str, Any]]] = {}

    def outcome(update: dict[str, Any]) -> tuple[Expected, dict[str, Any]]:
        # the changed record is the base record with the candidates' JSON values: what
        # `derive(facts.model_copy(update=update))` gives, without copying and dumping a model
        changed = {f: _adapter(f).dump_python(v, mode="json") for f, v in update.items()}
        key = repr(sorted(changed.items()))
        if (known := seen.get(key)) is not None:
            return known
        moved = {d for f in update for d in moved_by(f)}
        # derived facts are computed again only when a change moves one
        values = derive_record(base | changed) if moved - update.keys() else derived | changed
        if _GOVERNS & set(update):  # another service or region may bring other guidelines in
            ordered = tiers(applicable(bundle, facts.model_copy(update=update), on), policy)
            found = expected_of(values, ordered, policy)
        else:
            found = redecide(values, moved)
        seen[key] = found, values
        return found, values

    def singles(names: Iterable[str], accept: Callable[[Expected], bool]) -> list[Counterfactual]:
        out = []
        for base in names:
            for v in cands[base]:  # nearest first: the first accepted is the smallest change
                e, after = outcome({base: v})
                if accept(e):
                    out.append(_make(e, facts, {base: v}, (derived, after), read, deciding))
                    break
        return out

    def reaches(e: Expected) -> bool:
        return e is target

    def pairs(accept: Callable[[Expected], bool]) -> list[Counterfactual]:
        out: list[Counterfactual] = []
        done: set[frozenset[str]] = set()
        for update in itertools.islice(_pairs(cands), MAX_PAIRS):
            if frozenset(update) in done:
                continue
            e, after = outcome(update)
            if accept(e):
                done.add(frozenset(update))
                out.append(_make(e, facts, update, (derived, after), read, deciding))
                if len(out) >= limit:
                    break
        return out

    def unsettles(e: Expected) -> bool:
        return e is not current

    found = singles([b for b in cands if b in tested], reaches)
    found = found or singles([b for b in cands if b not in tested], reaches) or pairs(reaches)
    found = found or singles(cands, unsettles) or pairs(unsettles)
    return found[:limit]


def _all_candidates(
    read: list[Criterion], facts: Facts, values: dict[str, Any]
) -> dict[str, list[Any]]:
    """Extracted fact -> values to try (nearest first), over every fact the criteria read."""
    cmps = [c for cr in read for c in comparisons([*cr.when, *cr.condition])]
    out: dict[str, list[Any]] = {}
    for fact in sorted({f for c in read for f in c.facts()}):
        found = _candidates(fact, cmps, facts, values)
        if found is None:
            continue
        base, tried = found
        # typed as the contract types them: model_copy does not validate
        typed = [_adapter(base).validate_python(v) for v in tried]
        out[base] = out.get(base, []) + [v for v in typed if v not in out.get(base, [])]
    return {k: v for k, v in out.items() if v}


def _pairs(cands: dict[str, list[Any]]) -> Iterable[dict[str, Any]]:
    for (f1, v1s), (f2, v2s) in itertools.combinations(cands.items(), 2):
        for v1, v2 in itertools.product(v1s[:3], v2s[:3]):  # the nearest values only
            yield {f1: v1, f2: v2}


def _make(
    expected: Expected,
    facts: Facts,
    update: dict[str, Any],
    records: tuple[dict[str, Any], dict[str, Any]],  # derived records before and after
    read: dict[str, Criterion],
    deciding: list[str],
) -> Counterfactual:
    before, after = records
    changes = []
    for fact, now in update.items():
        moved = {
            f: after[f]
            for c in read.values()
            for f in sorted(c.facts())
            if f != fact and lever(f) == fact and after[f] != before[f]
        }
        changes.append(Change(fact=fact, was=getattr(facts, fact), now=now, moves=moved))
    changed = set(update)
    answered = [i for i in dict.fromkeys(deciding) if _bases(read[i]) & changed]
    message = f"{expected.value} if " + " and ".join(_phrase(c) for c in changes)
    return Counterfactual(expected=expected, changes=changes, criteria=answered, message=message)


def _bases(c: Criterion) -> set[str]:
    return {b for f in c.facts() if (b := lever(f)) is not None}
