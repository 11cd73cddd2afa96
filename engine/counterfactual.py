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
from typing import Any, NamedTuple

from pydantic import BaseModel, Field, TypeAdapter

from engine.criteria.evaluate import comparisons
from engine.criteria.load import Bundle
from engine.criteria.schema import Comparison, Criterion, Guideline
from engine.criteria.select import applicable
from engine.criteria.space import lever, moved_by, numeric_points
from engine.explain import show_value
from engine.facts.derive import Kind, derive_record, fact_kinds
from engine.facts.model import Facts
from engine.findings import Status, trusted
from engine.memo import ByIdentity
from engine.verdict import DecisionPolicy, Expected, Redecider, Verdict, expected_of, tiers

MAX_PAIRS = 100  # two-fact candidates tried per item, at most
_GOVERNS = frozenset({"service", "body_regions", "medication"})  # what `governs` reads
_FLIP = {Expected.UPHELD: Expected.OVERTURNED, Expected.OVERTURNED: Expected.UPHELD}
_Picks = tuple[tuple[str, int], ...]  # the candidates of a change: (fact, its place in `cands`)
# enum members bound once: reading one off its class costs a descriptor call (~0.1 us)
_UNKNOWN = Status.UNKNOWN
_BOOL, _NUMBER, _SET = Kind.BOOL, Kind.NUMBER, Kind.SET


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


_PLAIN = frozenset({bool, int, str})


def _json(fact: str, v: Any) -> Any:
    """A fact's value as its record holds it (JSON): a plain bool, int or str is that already."""
    return v if type(v) in _PLAIN else _adapter(fact).dump_python(v, mode="json")


def _words(fact: str) -> str:
    return fact.replace("_", " ")


def _phrase(c: Change) -> str:
    if isinstance(c.now, bool):
        what = "documented" if c.now else "documented as absent"
        return f"{_words(c.fact)} were {what} (letter: {show_value(c.was)})"
    moved = ", ".join(f"{_words(k)} {show_value(v)}" for k, v in c.moves.items())
    moved = f" ({moved})" if moved else ""
    return f"{_words(c.fact)} were {show_value(c.now)} rather than {show_value(c.was)}{moved}"


class _Lever(NamedTuple):
    """A fact the criteria read, and what its candidates are made of whatever the item."""

    fact: str
    base: str  # the extracted fact to change so that it moves
    kind: Kind  # the base's
    points: list[float]  # the fact's values on both sides of the criteria's edges (numbers)
    named: list[Any]  # the values the criteria name for it (enums, sets, text)


def _candidates(lv: _Lever, facts: Facts, values: dict[str, Any]) -> list[Any] | None:
    """Values of `lv.base` to try (nearest first) for a fact a criterion reads."""
    fact, base, kind = lv.fact, lv.base, lv.kind
    current = getattr(facts, base)
    if base != fact and kind is _BOOL:  # a derived yes/no read off this one: try both
        return [v for v in (current is not True, current is True) if v != current]
    if base != fact:  # a derived number: move the lever by the same amount
        if current is None or values.get(fact) is None:
            return None
        shift = current - values[fact]
        tried = {t + shift for t in lv.points}
        return sorted((v for v in tried if v >= 1 and v != current), key=_near(current))
    if kind is _BOOL:
        return [not current] if current is not None else [True, False]
    if kind is _NUMBER:
        return sorted((p for p in lv.points if p != current), key=_near(current))
    named = lv.named
    if kind is _SET:
        have = list(current)
        out = [[*have, v] for v in named if v not in have]
        out += [[x for x in have if x != v] for v in named if v in have and len(have) > 1]
        return out
    return [v for v in dict.fromkeys(named) if v != current]


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
    *,
    record: dict[str, Any] | None = None,
) -> list[Counterfactual]:
    """Counterfactuals of an upheld or overturned item (indeterminate ones have their missing
    facts in `reasons` already), smallest first: one fact a deciding criterion tests, then one
    fact of its scope ("if no visits had been given before"), then two facts. If no such change
    reaches the opposite outcome, the smallest changes that at least unsettle it (to
    indeterminate). A clause that denies unconditionally has none.

    `verdict`: `judge`'s for these facts, date, bundle and policy: its guidelines, reasons and
    findings are where the search starts. `record`: the facts' derived record (`derive`), when
    the caller has it already; it is read, never changed."""
    if verdict.expected not in _FLIP:
        return []
    current, target = verdict.expected, _FLIP[verdict.expected]
    # the verdict's guidelines, in the order `judge` consulted them: the governing ones
    by_id = _by_id(bundle)
    used = [by_id[u.id] for u in verdict.guidelines]
    criteria: dict[str, Criterion] = {}
    for g in used:
        criteria.update(_keyed(g))
    deciding = [i for r in verdict.reasons for i in r.criteria if i in criteria]
    blocking = [
        f"{f.guideline}/{f.criterion}"
        for f in verdict.findings
        if f.status is _UNKNOWN and f.source == verdict.deciding_source
    ]
    read = {i: criteria[i] for i in dict.fromkeys([*deciding, *blocking]) if i in criteria}
    derived = derive_record(facts.values()) if record is None else record
    cands = _all_candidates(_space(tuple(read.values())), facts, derived)
    parts = {i: _reads(c) for i, c in read.items()}
    tested = {b for r in parts.values() for b in r.tested}
    governing = tiers(used, policy)
    redecide = Redecider(derived, governing, policy, verdict.findings)

    # a candidate is picked by its fact and its place in `cands`; each is dumped to its JSON value
    # once, the value the record holds
    dumped = {f: [_json(f, v) for v in vs] for f, vs in cands.items()}
    moves = {f: moved_by(f) for f in cands}
    rederives = {f for f, m in moves.items() if len(m) > 1}  # moves derived facts too
    steers = _GOVERNS & cands.keys()  # another service or region may bring other guidelines in
    # picks -> (their outcome, the record it was decided on); the "unsettles" passes retry what
    # the first ones tried
    seen: dict[_Picks, tuple[Expected, dict[str, Any]]] = {}

    def outcome(picks: _Picks) -> tuple[Expected, dict[str, Any]]:
        if (known := seen.get(picks)) is not None:
            return known
        # the changed record is the base record with the candidates' JSON values: what
        # `derive(facts.model_copy(update=update))` gives, without copying and dumping a model
        changed = {f: dumped[f][k] for f, k in picks}
        if len(picks) == 1:
            moved = moves[picks[0][0]]
        else:
            moved = frozenset().union(*[moves[f] for f in changed])
        # derived facts are computed again only when a change moves one
        if rederives.isdisjoint(changed):
            values = derived | changed
        else:
            values = derive_record(derived | changed)  # every derived fact written again
        found = None
        if steers and not steers.isdisjoint(changed):
            update = {f: cands[f][k] for f, k in picks}
            ordered = tiers(applicable(bundle, facts.model_copy(update=update), on), policy)
            if not _same(ordered, governing):
                found = expected_of(values, ordered, policy)
        if found is None:  # the item's own guidelines: their criteria are re-decided
            found = redecide(values, moved)
        seen[picks] = found, values
        return found, values

    def make(e: Expected, picks: _Picks, after: dict[str, Any]) -> Counterfactual:
        update = {f: cands[f][k] for f, k in picks}
        return _make(e, facts, update, (derived, after), parts, deciding)

    def singles(names: Iterable[str], accept: Callable[[Expected], bool]) -> list[Counterfactual]:
        out = []
        for base in names:
            for k in range(len(cands[base])):  # nearest first: the first accepted is the smallest
                e, after = outcome(((base, k),))
                if accept(e):
                    out.append(make(e, ((base, k),), after))
                    break
        return out

    def reaches(e: Expected) -> bool:
        return e is target

    def pairs(accept: Callable[[Expected], bool]) -> list[Counterfactual]:
        out: list[Counterfactual] = []
        done: set[tuple[str, str]] = set()  # the pairs of facts found (in `cands` order)
        for picks in itertools.islice(_pairs(cands), MAX_PAIRS):
            (f1, _), (f2, _) = picks
            changes = f1, f2
            if changes in done:
                continue
            e, after = outcome(picks)
            if accept(e):
                done.add(changes)
                out.append(make(e, picks, after))
                if len(out) >= limit:
                    break
        return out

    def unsettles(e: Expected) -> bool:
        return e is not current

    found = singles([b for b in cands if b in tested], reaches)
    found = found or singles([b for b in cands if b not in tested], reaches) or pairs(reaches)
    found = found or singles(cands, unsettles) or pairs(unsettles)
    return found[:limit]


def _levers(read: tuple[Criterion, ...]) -> list[_Lever]:
    """The facts some criteria read that a change can move (sorted), with their edges."""
    cmps = [c for cr in read for c in _reads(cr).comparisons]
    out = []
    for fact in sorted({f for c in read for f in _reads(c).facts}):
        base = lever(fact)
        if base is None or base not in Facts.model_fields:
            continue  # no lever (CRPS diagnosed, postsurgical): not a documentation gap
        named = [v for c in cmps if c.fact == fact for v in _listed(c.value)]
        out.append(_Lever(fact, base, fact_kinds()[base], numeric_points(fact, cmps), named))
    return out


# read criteria -> their levers (15 us a search to build). The same few sets of deciding criteria
# recur item after item. Keyed by the criteria's identities as engine.memo.ByIdentity is by one
# object's: each entry holds its criteria, so their ids are not reused while it lives. Bounded.
_SPACES: dict[tuple[int, ...], tuple[tuple[Criterion, ...], list[_Lever]]] = {}
_SPACES_BOUND = 256


def _space(read: tuple[Criterion, ...]) -> list[_Lever]:
    key = tuple(map(id, read))
    known = _SPACES.get(key)
    if known is None:
        if len(_SPACES) >= _SPACES_BOUND:
            _SPACES.clear()
        known = _SPACES[key] = read, _levers(read)
    return known[1]


def _all_candidates(
    levers: list[_Lever], facts: Facts, values: dict[str, Any]
) -> dict[str, list[Any]]:
    """Extracted fact -> values to try (nearest first), over every fact the criteria read."""
    out: dict[str, list[Any]] = {}
    for lv in levers:
        tried = _candidates(lv, facts, values)
        if tried is None:
            continue
        base = lv.base
        # typed as the contract types them: model_copy does not validate
        typed = [_adapter(base).validate_python(v) for v in tried]
        out[base] = out.get(base, []) + [v for v in typed if v not in out.get(base, [])]
    return {k: v for k, v in out.items() if v}


def _same(a: list[list[Guideline]], b: list[list[Guideline]]) -> bool:
    """The same guidelines (the same objects) in the same tiers."""
    return [list(map(id, t)) for t in a] == [list(map(id, t)) for t in b]


def _pairs(cands: dict[str, list[Any]]) -> Iterable[tuple[tuple[str, int], tuple[str, int]]]:
    for (f1, v1s), (f2, v2s) in itertools.combinations(cands.items(), 2):
        # the nearest values only
        for k1, k2 in itertools.product(range(min(3, len(v1s))), range(min(3, len(v2s)))):
            yield (f1, k1), (f2, k2)


def _make(
    expected: Expected,
    facts: Facts,
    update: dict[str, Any],
    records: tuple[dict[str, Any], dict[str, Any]],  # derived records before and after
    read: dict[str, _Read],  # the criteria searched, by id
    deciding: list[str],
) -> Counterfactual:
    before, after = records
    changes = []
    for fact, now in update.items():
        moved = {
            f: after[f]
            for r in read.values()
            for f, b in r.derived
            if b == fact and after[f] != before[f]
        }
        changes.append(
            trusted(Change, {"fact": fact, "was": getattr(facts, fact), "now": now, "moves": moved})
        )
    changed = update.keys()
    answered = [i for i in dict.fromkeys(deciding) if read[i].bases & changed]
    message = f"{expected.value} if " + " and ".join(_phrase(c) for c in changes)
    # every field of its type already: unvalidated (see `trusted`)
    return trusted(
        Counterfactual,
        {"expected": expected, "changes": changes, "criteria": answered, "message": message},
    )


class _Read(NamedTuple):
    """What the search needs of a criterion it reads: computed once per criterion."""

    facts: tuple[str, ...]  # the facts it reads, sorted
    bases: frozenset[str]  # the extracted facts to change so that they move
    tested: frozenset[str]  # those of its condition's facts
    comparisons: tuple[Comparison, ...]
    derived: tuple[tuple[str, str], ...]  # (derived fact, its lever): what a change moves


def _read_parts(c: Criterion) -> _Read:
    facts = tuple(sorted(c.facts()))
    levers = {f: lever(f) for f in facts}
    return _Read(
        facts=facts,
        bases=frozenset(b for b in levers.values() if b is not None),
        tested=frozenset(b for t in c.condition for f in t.facts() if (b := lever(f))),
        comparisons=tuple(comparisons([*c.when, *c.condition])),
        derived=tuple((f, b) for f, b in levers.items() if b is not None and b != f),
    )


_reads = ByIdentity(_read_parts)


# Bundle.by_id once per bundle, not once per search: a restricted bundle (a facts file naming its
# guidelines) is a new copy for each item, hence the bound
_by_id = ByIdentity(Bundle.by_id, bound=64)


def _criteria_by_key(g: Guideline) -> dict[str, Criterion]:
    return {f"{g.id}/{c.id}": c for c in g.criteria}  # the ids reasons and findings give


_keyed = ByIdentity(_criteria_by_key)
