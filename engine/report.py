"""Writing audit rows (jsonl, csv, json) as they are produced, and the summary table."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TextIO

from engine.audit import AuditRow

FORMATS = ("jsonl", "csv", "json")
CSV_COLUMNS = (
    "source", "case_number", "decision_date", "item", "title", "outcome",
    "partial_certification", "expected", "consistency", "guidelines", "reasons",
    "findings", "error", "bundle", "version",
)  # fmt: skip


EXPECTED = ("upheld", "overturned", "indeterminate")
CONSISTENCY = ("consistent", "inconsistent", "indeterminate")


def _csv_record(row: AuditRow) -> dict[str, object]:
    data = row.model_dump(mode="json")
    data["guidelines"] = ";".join(g["id"] for g in data["guidelines"])
    data["reasons"] = " | ".join(f"{r['code']}: {r['message']}" for r in data["reasons"])
    data["findings"] = json.dumps(data["findings"], separators=(",", ":"))
    return {k: data[k] for k in CSV_COLUMNS}


def write_rows(rows: Iterable[AuditRow], out: TextIO, fmt: str) -> Iterator[AuditRow]:
    """Write each row as soon as it comes, passing it on (for the summary)."""
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
    elif fmt == "json":
        out.write("[")
    first = True
    for row in rows:
        if fmt == "csv":
            writer.writerow(_csv_record(row))
        elif fmt == "json":
            out.write(("\n" if first else ",\n") + row.model_dump_json())
        else:
            out.write(row.model_dump_json() + "\n")
        out.flush()
        first = False
        yield row
    if fmt == "json":
        out.write("\n]\n")


class Summary:
    """Counts for the stderr table, built while rows stream by."""

    def __init__(self) -> None:
        self.inputs: set[str] = set()
        self.errors = 0
        self.expected: Counter[str] = Counter()
        self.consistency: Counter[str] = Counter()
        self.by_service: Counter[tuple[str, str]] = Counter()

    def add(self, row: AuditRow) -> None:
        self.inputs.add(row.source)
        if row.error:
            self.errors += 1
            return
        self.expected[row.expected or "?"] += 1
        self.consistency[row.consistency or "?"] += 1
        service = str(row.facts.get("service") or "unrecognised")
        self.by_service[(service, row.consistency or "?")] += 1

    def table(self) -> str:
        items = sum(self.expected.values())
        lines = [f"recheck: {items} items from {len(self.inputs)} inputs, {self.errors} errors"]
        lines.append("expected:    " + "  ".join(f"{k} {self.expected[k]}" for k in EXPECTED))
        lines.append("consistency: " + "  ".join(f"{k} {self.consistency[k]}" for k in CONSISTENCY))
        services = sorted({s for s, _ in self.by_service})
        if services:
            lines.append(f"{'service':<22}" + "".join(f"{k:>15}" for k in CONSISTENCY))
            for s in services:
                lines.append(
                    f"{s:<22}" + "".join(f"{self.by_service[(s, k)]:>15}" for k in CONSISTENCY)
                )
        return "\n".join(lines)
