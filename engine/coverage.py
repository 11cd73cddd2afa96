"""The coverage view: per service and per guideline, how many items the library assesses, how many
agree with the recorded outcome, and which facts are most often missing."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

from engine.audit import AuditRow


class Group(BaseModel):
    items: int = 0
    assessed: int = 0  # expected is upheld or overturned
    consistent: int = 0
    inconsistent: int = 0
    indeterminate: int = 0
    overturned: int = 0  # recorded Overturned among the assessed
    overturned_expected: int = 0  # ... of which expected overturned
    missing: Counter[str] = Field(default_factory=Counter)

    def add(self, row: AuditRow) -> None:
        self.items += 1
        if row.expected in (None, "indeterminate"):
            self.indeterminate += 1
            for r in row.reasons:
                if r.code == "missing_fact":
                    self.missing.update(r.facts)
            return
        self.assessed += 1
        self.consistent += row.consistency == "consistent"
        self.inconsistent += row.consistency == "inconsistent"
        if row.outcome == "overturned":
            self.overturned += 1
            self.overturned_expected += row.expected == "overturned"


class Coverage(BaseModel):
    total: Group = Field(default_factory=Group)
    errors: int = 0
    by_service: dict[str, Group] = Field(default_factory=dict)
    by_guideline: dict[str, Group] = Field(default_factory=dict)

    def add(self, row: AuditRow) -> None:
        if row.error:
            self.errors += 1
            return
        self.total.add(row)
        service = str(row.facts.get("service") or "unrecognised")
        self.by_service.setdefault(service, Group()).add(row)
        for g in row.guidelines or []:
            self.by_guideline.setdefault(g.id, Group()).add(row)
        if not row.guidelines:
            self.by_guideline.setdefault("(no encoded guideline)", Group()).add(row)


def coverage(rows: Iterable[AuditRow]) -> Coverage:
    cov = Coverage()
    for row in rows:
        cov.add(row)
    return cov


def _pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "    -"


def table(cov: Coverage) -> str:
    head = (
        f"{'':<44}{'items':>6}{'assessed':>10}{'agree':>8}{'inconsistent':>13}"
        f"{'indeterminate':>14}  most often missing"
    )

    def line(name: str, g: Group) -> str:
        missing = ", ".join(f"{f} ({n})" for f, n in g.missing.most_common(3))
        return (
            f"{name[:43]:<44}{g.items:>6}{g.assessed:>10}{g.consistent:>8}{g.inconsistent:>13}"
            f"{g.indeterminate:>14}  {missing}"
        )

    t = cov.total
    out = [
        f"items {t.items}, errors {cov.errors}:"
        f" assessed {t.assessed} ({_pct(t.assessed, t.items)}),"
        f" agreeing {t.consistent} ({_pct(t.consistent, t.assessed)} of assessed),"
        f" recorded Overturned expected overturned {t.overturned_expected}/{t.overturned}"
        f" ({_pct(t.overturned_expected, t.overturned)})",
        "",
        "by service",
        head,
    ]
    out += [line(k, g) for k, g in sorted(cov.by_service.items(), key=lambda kv: -kv[1].items)]
    out += ["", "by guideline section", head]
    out += [line(k, g) for k, g in sorted(cov.by_guideline.items(), key=lambda kv: -kv[1].items)]
    return "\n".join(out)


def as_json(cov: Coverage) -> str:
    return json.dumps(cov.model_dump(mode="json"), indent=2)
