"""Overlap analysis of a guideline's criteria: contradictions and gaps, each with a counterexample.

- contradiction: two criteria that read the same fact (or two visit counts moved by the same
  requested quantity) where, for one set of facts, one supports the request and the other does
  not, and each would change its effect if that fact alone changed. Two requirements on
  different facts (visits within the course, improvement documented) are conjunctive by design:
  the decision rules let the denial win, so they are not reported.
- gap: a number (visits, weeks) where one criterion decides on one side and another criterion
  decides the opposite way on the other side, with the guideline silent in between (`le 6`
  supports, `gt 7` does not support: 7 is decided by nothing).

The search is interval analysis over the comparisons: each fact takes the values on both sides
of every edge the guideline draws (engine/criteria/space.py), extracted facts behind a derived
fact are enumerated together and deduplicated by what they derive, and every counterexample is a
real set of facts (it validates and derives to the values that were evaluated).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.criteria.evaluate import compare, comparisons, effect_of, settle, status
from engine.criteria.schema import Comparison, Criterion, Effect, Guideline
from engine.criteria.space import Value, derived_inputs, domain, lever, numeric_points
from engine.facts.derive import Kind, derive, fact_kinds
from engine.facts.model import FACT_NAMES, Facts
from engine.findings import Status
from engine.verdict import DecisionPolicy, Expected, decide

# Products larger than this are not searched (none of the shipped guidelines comes close: the
# largest pair search is a few thousand points); the analysis then reports nothing for the pair.
MAX_POINTS = 200_000


@dataclass
class Option:
    values: dict[str, Value]  # the read facts this option sets, as criteria see them
    patch: dict[str, Value]  # the extracted facts that produce them


@dataclass
class Var:
    """Read facts that move together: one extracted fact, or a derived fact with its inputs."""

    facts: set[str]
    options: list[Option]
    lever: str | None = None  # the extracted number a sweep moves (quantity for visit totals)


@dataclass
class Problem:
    check: str  # contradiction | gap
    criteria: tuple[str, str]
    message: str
    counterexample: dict[str, Any] = field(default_factory=dict)


def _read(g: Guideline) -> set[str]:
    return {f for c in g.criteria for f in c.facts()}


def _facts(patch: Mapping[str, Value]) -> Facts | None:
    try:
        return Facts(**{k: v for k, v in patch.items() if v is not None})
    except ValueError:  # e.g. a float where the contract wants an int: not a real request
        return None


def variables(g: Guideline) -> list[Var]:
    """The search variables of a guideline with the values each can take."""
    read = _read(g)
    cmps = [c for cr in g.criteria for c in comparisons([*cr.when, *cr.condition])]
    inputs = derived_inputs()
    blocks: list[tuple[set[str], set[str]]] = []  # (read facts, extracted inputs)
    for d in sorted(f for f in read if f in inputs):
        facts, bases = {d}, set(inputs[d])
        for b in [b for b in blocks if b[1] & bases]:
            blocks.remove(b)
            facts |= b[0]
            bases |= b[1]
        blocks.append((facts, bases))
    out: list[Var] = []
    for facts, bases in blocks:
        facts |= read & bases  # prior_treatment is read and an input of the visit totals
        out.append(_block(facts, bases, cmps))
    in_blocks = {f for facts, _ in blocks for f in facts}
    for f in sorted(read - in_blocks):
        out.append(Var({f}, [Option({f: v}, {f: v}) for v in domain(f, cmps)], lever=f))
    return out


def _block(facts: set[str], bases: set[str], cmps: list[Comparison]) -> Var:
    """Every distinct combination of derived values the inputs can produce, each with one set of
    inputs that produces it. The lever is solved to put each visit total on each of its edges."""
    kinds = fact_kinds()
    numeric = sorted(f for f in facts if kinds[f] is Kind.NUMBER and f in derived_inputs())
    lev = next((x for f in numeric if (x := lever(f)) in bases), None)
    order = {n: i for i, n in enumerate(FACT_NAMES)}
    others = sorted(bases - {lev}, key=order.__getitem__)
    seen: dict[str, Option] = {}
    for combo in itertools.product(*(domain(b, cmps) for b in others)):
        patch = dict(zip(others, combo, strict=True))
        levers: set[Value] = {None}
        if lev is not None:
            levers.update(p for p in numeric_points(lev, cmps))
            zero = _facts({**patch, lev: 0})
            if zero is None:
                continue
            at_zero = derive(zero)
            for f in numeric:
                if at_zero[f] is not None:
                    levers.update(t - at_zero[f] for t in numeric_points(f, cmps))
        for lv in sorted(
            (x for x in levers if x is None or x >= 0), key=lambda x: (x is not None, x)
        ):
            full = {**patch, lev: lv} if lev is not None else patch
            built = _facts(full)
            if built is None:
                continue
            derived = derive(built)
            values = {f: derived[f] for f in sorted(facts)}
            seen.setdefault(json.dumps(values, sort_keys=True, default=str), Option(values, full))
    return Var(facts, list(seen.values()), lever=lev)


def _scoped(var: Var, criteria: list[Criterion], skip: set[str]) -> list[Option]:
    """Options under which every scope comparison of the criteria on this variable holds."""
    tests = [
        t
        for c in criteria
        for t in c.when
        if isinstance(t, Comparison) and t.fact in var.facts and t.fact not in skip
    ]
    return [o for o in var.options if all(compare(t, o.values) is True for t in tests)]


def _patch(options: list[Option]) -> dict[str, Value]:
    merged: dict[str, Value] = {}
    for o in options:
        merged.update(o.patch)
    return merged


def _effect(c: Criterion, values: Mapping[str, Value]) -> tuple[Status, Effect | None]:
    st = settle(c, status(c, values))
    return st, effect_of(c, st)


def _effects(c: Criterion) -> set[Effect]:
    return {e for e in (c.effect.met, c.effect.not_met) if e is not None}


def _condition_facts(c: Criterion) -> set[str]:
    return {f for t in c.condition for f in t.facts()}


def _shared(a: Criterion, b: Criterion) -> list[tuple[str, str]]:
    """Facts both criteria decide on: the same fact (a number, or a fact both conditions test),
    or two numbers moved by the same lever (total_visits and requested_visits by quantity)."""
    kinds = fact_kinds()
    out = []
    for fa in sorted(a.facts()):
        for fb in sorted(b.facts()):
            number = kinds[fa] is Kind.NUMBER and kinds[fb] is Kind.NUMBER
            tested = fa in _condition_facts(a) and fa in _condition_facts(b)
            same = fa == fb and (number or tested)
            levered = number and fa != fb and lever(fa) is not None and lever(fa) == lever(fb)
            if same or levered:
                out.append((fa, fb))
    return out


def _sensitive(
    c: Criterion, fact: str, values: Mapping[str, Value], effect: Effect, seen: list[Value]
) -> bool:
    """Changing `fact` alone (to a stated value) changes what the criterion says."""
    return any(
        _effect(c, {**values, fact: v})[1] is not effect for v in seen if v not in (None, [])
    )


def _var_of(variables: list[Var], fact: str) -> Var:
    return next(v for v in variables if fact in v.facts)


def _counterexample(g: Guideline, patch: Mapping[str, Value]) -> dict[str, Any]:
    """Facts a reader can paste into a test suite: the request the guideline governs."""
    facts = {k: v for k, v in patch.items() if v not in (None, [])}
    facts.setdefault("service", g.governs.services[0].value)
    regions = set(facts.get("body_regions", []))
    if g.governs.body_regions and not regions & set(g.governs.body_regions):
        facts["body_regions"] = [*facts.get("body_regions", []), g.governs.body_regions[0].value]
    if g.governs.medications and facts.get("medication") not in g.governs.medications:
        facts["medication"] = g.governs.medications[0]
    order = {n: i for i, n in enumerate(FACT_NAMES)}
    return {k: facts[k] for k in sorted(facts, key=lambda k: order.get(k, len(order)))}


def flow(facts: Mapping[str, Any]) -> str:
    """`{service: chiropractic, quantity: 7}`: one line of YAML."""
    text = yaml.safe_dump(dict(facts), default_flow_style=True, sort_keys=False, width=10_000)
    return text.strip()


def _real(g: Guideline, patch: Mapping[str, Value], values: Mapping[str, Value]) -> bool:
    """The counterexample is a request the guideline governs and derives to `values`."""
    built = _facts(_counterexample(g, patch))
    if built is None:
        return False
    derived = derive(built)
    return all(derived.get(f) == v for f, v in values.items())


def contradictions(g: Guideline) -> Iterator[Problem]:
    vs = variables(g)
    for a, b in itertools.permutations(g.criteria, 2):
        if Effect.SUPPORTS not in _effects(a) or Effect.DOES_NOT_SUPPORT not in _effects(b):
            continue
        shared = _shared(a, b)
        if not shared:
            continue
        found = _contradiction(g, vs, a, b, shared)
        if found is not None:
            yield found


def _contradiction(
    g: Guideline, vs: list[Var], a: Criterion, b: Criterion, shared: list[tuple[str, str]]
) -> Problem | None:
    touched = [v for v in vs if v.facts & (a.facts() | b.facts())]
    scoped = [_scoped(v, [a, b], set()) for v in touched]
    seen: dict[str, list[Value]] = {}
    for f in {f for pair in shared for f in pair}:
        for o in _var_of(vs, f).options:
            if o.values[f] not in seen.setdefault(f, []):  # lists (sets of regions) included
                seen[f].append(o.values[f])
    for combo in _combos(scoped):
        values = {k: v for o in combo for k, v in o.values.items()}
        if _effect(a, values)[1] is not Effect.SUPPORTS:
            continue
        if _effect(b, values)[1] is not Effect.DOES_NOT_SUPPORT:
            continue
        for fa, fb in shared:
            if not _sensitive(a, fa, values, Effect.SUPPORTS, seen[fa]):
                continue
            if not _sensitive(b, fb, values, Effect.DOES_NOT_SUPPORT, seen[fb]):
                continue
            patch = _patch(list(combo))
            if not _real(g, patch, values):
                continue
            on = fa if fa == fb else f"{fa} and {fb}"
            return Problem(
                "contradiction",
                (a.id, b.id),
                f"criteria {a.id} (supports) and {b.id} (does not support) contradict each"
                f" other on {on}",
                _counterexample(g, patch),
            )
    return None


def _combos(options: list[list[Option]]) -> Iterator[tuple[Option, ...]]:
    size = 1
    for opts in options:
        size *= len(opts)
    if size <= MAX_POINTS:
        yield from itertools.product(*options)


def _sweep_lines(var: Var) -> list[list[Option]]:
    """Runs of options that differ only in the lever, in increasing lever order."""
    lines: dict[str, list[Option]] = {}
    for o in var.options:
        if o.patch.get(var.lever) is None:
            continue
        rest = {k: v for k, v in o.patch.items() if k != var.lever}
        lines.setdefault(json.dumps(rest, sort_keys=True, default=str), []).append(o)
    return [sorted(line, key=lambda o: o.patch[var.lever]) for line in lines.values()]


def gaps(g: Guideline, policy: DecisionPolicy) -> Iterator[Problem]:
    """Pairs of criteria deciding oppositely around a number seed the search; each gap found is
    then confirmed on the whole guideline and reported once."""
    vs = variables(g)
    kinds = fact_kinds()
    reported: set[tuple[str, tuple[str, str]]] = set()
    for a, b in itertools.combinations(g.criteria, 2):
        if not (_effects(a) | _effects(b)) >= {Effect.SUPPORTS, Effect.DOES_NOT_SUPPORT}:
            continue
        for fa, fb in _shared(a, b):
            if kinds[fa] is not Kind.NUMBER:
                continue
            sweep = _var_of(vs, fa)
            if sweep.lever is None or sweep is not _var_of(vs, fb):
                continue
            found = _gap(g, policy, vs, sweep, (a, b), fa)
            if found is not None and (fa, found.criteria) not in reported:
                reported.add((fa, found.criteria))
                yield found
                break


def _state(cs: tuple[Criterion, ...], values: Mapping[str, Value]) -> tuple[set[Effect], bool]:
    results = [_effect(c, values) for c in cs]
    effects = {e for _, e in results if e is not None}
    return effects, any(st is Status.UNKNOWN for st, _ in results)


def _silent_runs(states: list[tuple[set[Effect], bool]]) -> Iterator[tuple[int, int]]:
    """(lo, hi): points lo and hi decided oppositely, every point between silent (no effect and
    nothing unknown)."""
    last: int | None = None
    for i, (effects, unknown) in enumerate(states):
        if unknown:
            last = None
        elif effects:
            if last is not None and i - last > 1 and len(effects) == 1:
                before = states[last][0]
                if len(before) == 1 and before != effects:
                    yield last, i
            last = i


def _gap(
    g: Guideline,
    policy: DecisionPolicy,
    vs: list[Var],
    sweep: Var,
    pair: tuple[Criterion, Criterion],
    fact: str,
) -> Problem | None:
    involved = pair[0].facts() | pair[1].facts()
    others = [v for v in vs if v is not sweep and v.facts & involved]
    scoped = [_scoped(v, list(pair), sweep.facts) for v in others]
    rest = [v for v in vs if v is not sweep and v not in others]
    lines = _sweep_lines(sweep)
    for ctx in _combos(scoped):
        base = {k: v for o in ctx for k, v in o.values.items()}
        for line in lines:
            states = [_state(pair, {**base, **o.values}) for o in line]
            if next(_silent_runs(states), None) is None:
                continue  # the pair leaves no hole here: nothing for the guideline to fill
            found = _confirm(g, policy, rest, base, line, list(ctx), fact)
            if found is not None:
                return found
    return None


def _confirm(
    g: Guideline,
    policy: DecisionPolicy,
    rest: list[Var],
    base: dict[str, Value],
    line: list[Option],
    ctx: list[Option],
    fact: str,
) -> Problem | None:
    """Values of the guideline's other facts under which the whole guideline is silent over a
    run of the line and decides both ways at its ends (else other criteria cover the hole)."""
    for combo in _combos([v.options for v in rest]):
        fill = {k: v for o in combo for k, v in o.values.items()}
        points = [{**base, **fill, **o.values} for o in line]
        states = [_state(tuple(g.criteria), p) for p in points]
        for lo, hi in _silent_runs(states):
            low, high = _outcome(g, policy, points[lo]), _outcome(g, policy, points[hi])
            if {low, high} != {Expected.UPHELD, Expected.OVERTURNED}:
                continue
            if _outcome(g, policy, points[lo + 1]) is not None:
                continue
            patch = _patch([*ctx, *combo, line[lo + 1]])
            if not _real(g, patch, points[lo + 1]):
                continue
            below = _edge_criterion(g, points[lo], points[lo + 1])
            above = _edge_criterion(g, points[hi], points[hi - 1])
            first, last = points[lo + 1][fact], points[hi - 1][fact]
            span = f"{first}" if first == last else f"{first} to {last}"
            return Problem(
                "gap",
                (below, above),
                f"gap: {fact} {span} is decided by no criterion ({below} decides"
                f" {low.value} at {points[lo][fact]}, {above} decides {high.value} at"
                f" {points[hi][fact]})",
                _counterexample(g, patch),
            )
    return None


def _outcome(g: Guideline, policy: DecisionPolicy, values: Mapping[str, Value]) -> Expected | None:
    results = [_effect(c, values) for c in g.criteria]
    return decide(policy, (e for _, e in results), sum(st is Status.UNKNOWN for st, _ in results))


def _edge_criterion(g: Guideline, decided: Mapping[str, Value], silent: Mapping[str, Value]) -> str:
    """The criterion whose effect at `decided` stops one step into the silent run."""
    return next(
        c.id
        for c in g.criteria
        if _effect(c, decided)[1] is not None and _effect(c, silent)[1] is None
    )


def reachable(g: Guideline, c: Criterion) -> set[Status]:
    """The statuses some request can give the criterion (a criterion whose test is implied by
    its scope can never be `not_met`: no suite can, or need, show it)."""
    touched = [v for v in variables(g) if v.facts & c.facts()]
    seen: set[Status] = set()
    for combo in _combos([v.options for v in touched]):
        seen.add(status(c, {k: v for o in combo for k, v in o.values.items()}))
        if len(seen) == len(Status):
            break
    return seen


def analyse(g: Guideline, policy: DecisionPolicy) -> list[Problem]:
    """Contradictions and gaps of one guideline, minus those its authors accept (`lint_allow`)."""
    allowed = {(a.check, frozenset(a.criteria)) for a in g.lint_allow}
    found = [*contradictions(g), *gaps(g, policy)]
    return [p for p in found if (p.check, frozenset(p.criteria)) not in allowed]
