"""`recheck replay AUDIT.jsonl`: re-judge every row of an audit log with the current (or another)
guideline library and list every verdict that changed, and why.

Each row carries what its verdict was computed from (facts as extracted, citations, recorded
outcome, decision date, a facts file's guideline restriction) plus the digest of the bundle and
the engine version; rows of one letter are re-assembled so that items requested for a surgery are
linked to the new verdict on that surgery, as the audit did. Exit 0 when nothing changed, 1
otherwise (or when a row cannot be re-judged).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from engine.audit import Auditor, AuditRow
from engine.errors import RecheckError
from engine.facts.inputs import ItemFacts, LetterFacts
from engine.facts.model import Facts
from engine.report import read_rows
from engine.verdict import Verdict


@dataclass
class Change:
    row: AuditRow
    verdict: Verdict

    def _reasons(self, reasons: list[tuple[str, list[str]]]) -> str:
        return "; ".join(f"{code} [{', '.join(ids)}]" if ids else code for code, ids in reasons)

    def text(self) -> str:
        r, v = self.row, self.verdict
        title = f" ({r.title})" if r.title else ""
        out = [f"{r.source} item {r.item}{title}:"]
        old_e = r.expected.value if r.expected else "-"
        if r.expected != v.expected:
            out.append(f"  expected {old_e} -> {v.expected.value}")
        if r.consistency != v.consistency:
            old_c = r.consistency.value if r.consistency else "-"
            out.append(f"  consistency {old_c} -> {v.consistency.value}")
        old = [(x.code, x.criteria) for x in r.reasons]
        new = [(x.code, x.criteria) for x in v.reasons]
        if old != new:
            out.append(f"  reasons {self._reasons(old)} -> {self._reasons(new)}")
        for x in v.reasons:
            out.append(f"    now: {x.code.replace('_', ' ')}: {x.message}")
        return "\n".join(out)


def changed(row: AuditRow, v: Verdict) -> bool:
    """The outcome, its consistency or the criteria it rests on differ."""
    old = [(x.code, x.criteria) for x in row.reasons]
    return (row.expected, row.consistency, old) != (
        v.expected,
        v.consistency,
        [(x.code, x.criteria) for x in v.reasons],
    )


def letters(rows: list[AuditRow]) -> list[tuple[LetterFacts, list[AuditRow]]]:
    """Rows regrouped into the letters they came from (items in row order)."""
    groups: dict[tuple[str, str | None], list[AuditRow]] = {}
    for r in rows:
        groups.setdefault((r.source, r.case_number), []).append(r)
    out = []
    for (source, case), group in groups.items():
        items = [
            ItemFacts(
                index=r.item or 0,
                title=r.title or "",
                outcome=r.outcome,
                citations=r.citations,
                guidelines=r.only_guidelines,
                facts=Facts.model_validate(r.facts),
            )
            for r in group
        ]
        decided = group[0].decision_date
        out.append(
            (
                LetterFacts(source=source, case_number=case, decision_date=decided, items=items),
                group,
            )
        )
    return out


def run(args: argparse.Namespace, auditor: Auditor) -> int:
    rows = list(read_rows(args.audit))
    judged = [r for r in rows if r.error is None]
    bundles = sorted({r.bundle for r in judged})
    versions = sorted({r.version for r in judged})
    changes: list[Change] = []
    failed = 0
    for letter, group in letters(judged):
        for item, row in zip(letter.items, group, strict=True):
            try:
                v = auditor.verdict(letter, item)
            except RecheckError as exc:
                print(f"{row.source} item {row.item}: cannot re-judge: {exc}")
                failed += 1
                continue
            if changed(row, v):
                changes.append(Change(row, v))
    for c in changes:
        print(c.text())
    print(
        f"recheck replay: {len(judged)} verdicts re-judged with bundle {auditor.bundle.digest}"
        f" (recorded with {', '.join(bundles) or '-'}, recheck {', '.join(versions) or '-'});"
        f" {len(changes)} changed"
        + (f", {failed} could not be re-judged" if failed else "")
        + (f"; {len(rows) - len(judged)} error rows skipped" if len(rows) > len(judged) else "")
    )
    return 1 if changes or failed else 0
