"""Criterion coverage of guideline test suites, the way `opa test --coverage` reports rules.

A criterion is covered when cases assert each status it can take: `met`, `not_met` when it has
a test, `not_applicable` when it has a scope and `unknown` when it reads any fact (a status no
request can produce is not asked for). A threshold (`total_visits le 6`) is covered when cases
asserting its criterion put the fact on both sides of its edge (6 and 7; 0.1 apart for weeks).
Only asserted statuses count: a status no case checks could flip unnoticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.criteria.evaluate import describe
from engine.criteria.overlap import reachable
from engine.criteria.schema import Criterion, Guideline
from engine.criteria.space import edges, thresholds
from engine.findings import Status
from engine.testing.runner import CaseResult


def needed(g: Guideline, c: Criterion) -> list[Status]:
    """The statuses a suite must make the criterion take: those it has a clause for that some
    request can actually produce (engine/criteria/overlap.py searches the fact space)."""
    out = [Status.MET]
    if c.condition:
        out.append(Status.NOT_MET)
    if c.when:
        out.append(Status.NOT_APPLICABLE)
    if c.facts():
        out.append(Status.UNKNOWN)
    possible = reachable(g, c)
    return [s for s in out if s in possible]


@dataclass
class Edge:
    label: str  # total visits <= 6
    fact: str
    points: tuple[float, float]  # holding side, failing side
    seen: set[float] = field(default_factory=set)

    @property
    def missing(self) -> list[float]:
        return [p for p in self.points if p not in self.seen]


@dataclass
class CriterionCoverage:
    guideline: str
    criterion: str
    needed: list[Status]
    seen: set[Status] = field(default_factory=set)
    edges: list[Edge] = field(default_factory=list)

    @property
    def missing(self) -> list[Status]:
        return [s for s in self.needed if s not in self.seen]

    @property
    def complete(self) -> bool:
        return not self.missing and not any(e.missing for e in self.edges)

    def problems(self) -> list[str]:
        out = []
        if self.missing:
            out.append(f"no case makes it {', '.join(s.value for s in self.missing)}")
        for e in self.edges:
            if e.missing:
                at = " or ".join(f"{e.fact} = {p}" for p in e.missing)
                out.append(f"{e.label}: no case at {at}")
        return out


@dataclass
class Coverage:
    criteria: list[CriterionCoverage]

    def outcomes(self, guideline: str | None = None) -> tuple[int, int]:
        cs = [c for c in self.criteria if guideline in (None, c.guideline)]
        return sum(len(c.needed) - len(c.missing) for c in cs), sum(len(c.needed) for c in cs)

    def edge_points(self, guideline: str | None = None) -> tuple[int, int]:
        es = [e for c in self.criteria if guideline in (None, c.guideline) for e in c.edges]
        return sum(len(e.points) - len(e.missing) for e in es), sum(len(e.points) for e in es)

    @property
    def percent(self) -> float:
        return _pct(*self.outcomes())

    @property
    def edge_percent(self) -> float:
        return _pct(*self.edge_points())

    def report(self, verbose: bool = False) -> str:
        guidelines = list(dict.fromkeys(c.guideline for c in self.criteria))
        width = max((len(g) for g in guidelines), default=10) + 2
        out = [f"{'guideline':<{width}}{'criterion outcomes':>22}{'threshold edges':>22}"]
        for g in guidelines:
            o, e = self.outcomes(g), self.edge_points(g)
            out.append(f"{g:<{width}}{_ratio(*o):>22}{_ratio(*e):>22}")
        for c in self.criteria:
            if verbose or not c.complete:
                seen = " ".join(s.value for s in c.needed if s in c.seen) or "-"
                out.append(f"  {c.guideline}/{c.criterion}: covered {seen}")
                out.extend(f"      {p}" for p in c.problems())
        o, e = self.outcomes(), self.edge_points()
        out.append(
            f"criteria coverage: {self.percent:.1f}% ({o[0]}/{o[1]} criterion outcomes);"
            f" thresholds at their edges: {self.edge_percent:.1f}% ({e[0]}/{e[1]})"
        )
        return "\n".join(out)


def _pct(done: int, total: int) -> float:
    return 100.0 * done / total if total else 100.0


def _ratio(done: int, total: int) -> str:
    return f"{done}/{total} {_pct(done, total):5.1f}%"


def coverage(guidelines: Iterable[Guideline], results: Iterable[CaseResult]) -> Coverage:
    """Coverage of every criterion of `guidelines` by the cases run."""
    by_guideline: dict[str, list[CaseResult]] = {}
    for r in results:
        by_guideline.setdefault(r.guideline, []).append(r)
    out = []
    for g in guidelines:
        cases = by_guideline.get(g.id, [])
        for c in g.criteria:
            cov = CriterionCoverage(g.id, c.id, needed(g, c))
            asserting = [r for r in cases if c.id in r.statuses]
            cov.seen = {r.statuses[c.id] for r in asserting}
            for t in thresholds(c):
                edge = Edge(describe(t), t.fact, edges(t))
                for r in asserting:
                    v = r.values.get(t.fact)
                    if isinstance(v, int | float) and round(v, 6) in edge.points:
                        edge.seen.add(round(v, 6))
                cov.edges.append(edge)
            out.append(cov)
    return Coverage(out)
