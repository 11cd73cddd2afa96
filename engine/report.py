"""Audit rows out: encoding (jsonl, csv, json, parquet), streaming writers and the summary table.

Rows are encoded where they are produced (in the worker processes of a batch run, engine/batch.py)
and written by one writer in the main process, one input at a time: each input's rows go out in
one write and one flush, so an interrupted run leaves whole inputs plus at most one torn input at
the end, which `recheck audit --resume` drops and redoes.

CSV and Parquet hold one column per AuditRow field, so fields added to the row later appear without
touching this module: scalars as themselves, `guidelines` as `;`-joined ids, `reasons` as
`code: message` joined by ` | `, every other list or mapping as compact JSON.
"""

from __future__ import annotations

import csv
import io
import json
import types
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol, Union, get_args, get_origin

from pydantic import ValidationError

from engine.audit import AuditRow
from engine.errors import RecheckError

EXPECTED = ("upheld", "overturned", "indeterminate")
CONSISTENCY = ("consistent", "inconsistent", "indeterminate")
PARQUET_BATCH_ROWS = 4096  # rows buffered per Parquet row group: bounds the writer's memory


def columns() -> list[str]:
    """CSV and Parquet columns: every AuditRow field, in declaration order."""
    return list(AuditRow.model_fields)


def flat_record(row: AuditRow) -> dict[str, Any]:
    """A row as one flat record of scalars (for CSV and Parquet)."""
    data = row.model_dump(mode="json")
    for name, value in data.items():
        if name == "guidelines":
            data[name] = ";".join(g["id"] for g in value)
        elif name == "reasons":
            data[name] = " | ".join(f"{r['code']}: {r['message']}" for r in value)
        elif isinstance(value, list | dict):
            data[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return data


def _csv_line(values: list[Any]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()[:-1]


def csv_header() -> str:
    return _csv_line(columns())


def encode(row: AuditRow, fmt: str) -> bytes:
    """One row, ready for the writer of `fmt` (UTF-8, no line terminator).

    Bytes, not str: the main process writes them as they come. A str crossing the process
    boundary is encoded by pickle, decoded on arrival and encoded again by the output stream, and
    a chunk with one non-ASCII character in it is a wide string, slow at all three.
    """
    if fmt in ("jsonl", "json"):
        return row.__pydantic_serializer__.to_json(row)  # model_dump_json without the decode
    record = flat_record(row)
    if fmt == "parquet":  # decoded again by the writer; JSON keeps worker -> writer IPC to bytes
        return json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode()
    # One physical line per record, which is what lets --resume cut a CSV file by lines.
    return _csv_line(
        [
            v.replace("\r", " ").replace("\n", " ") if isinstance(v, str) else v
            for v in record.values()
        ]
    ).encode()


class RowWriter(Protocol):
    def write(self, encoded: list[bytes]) -> None:
        """The rows (encoded by `encode`) of whole inputs: an input's rows are never split."""

    def close(self) -> None: ...


class TextRowWriter:
    """jsonl, csv and json to a binary stream (UTF-8): one write and one flush per call."""

    def __init__(self, out: BinaryIO, fmt: str, *, header: bool = True) -> None:
        self.out, self.fmt = out, fmt
        self._first = True
        if fmt == "csv" and header:
            out.write(csv_header().encode() + b"\n")
        elif fmt == "json":
            out.write(b"[")
        out.flush()

    def write(self, encoded: list[bytes]) -> None:
        if not encoded:
            return
        if self.fmt == "json":
            data = (b"\n" if self._first else b",\n") + b",\n".join(encoded)
        else:
            data = b"\n".join(encoded) + b"\n"
        self._first = False
        self.out.write(data)
        self.out.flush()

    def close(self) -> None:
        if self.fmt == "json":
            self.out.write(b"]\n" if self._first else b"\n]\n")
        self.out.flush()


def _arrow_type(annotation: Any) -> Any:
    import pyarrow as pa

    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else str
    simple = {bool: pa.bool_(), int: pa.int64(), float: pa.float64(), date: pa.date32()}
    return simple.get(annotation, pa.string())  # str, enums, and nested values as JSON text


def arrow_schema() -> Any:
    """The Parquet schema: typed scalars, nested values as JSON strings (see flat_record)."""
    import pyarrow as pa

    return pa.schema(
        [pa.field(name, _arrow_type(f.annotation)) for name, f in AuditRow.model_fields.items()]
    )


def require_pyarrow() -> None:
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise RecheckError(
            "--format parquet needs pyarrow: pip install 'recheck[parquet]'"
        ) from None


class ParquetRowWriter:
    """Parquet through pyarrow, a row group every PARQUET_BATCH_ROWS rows (flat memory)."""

    def __init__(self, path: Path, batch_rows: int = PARQUET_BATCH_ROWS) -> None:
        require_pyarrow()
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa = pa
        self.schema = arrow_schema()
        # Records arrive with dates as ISO text (JSON): read as text, then cast to the schema.
        self._text_schema = pa.schema(
            [pa.field(f.name, pa.string()) if f.type == pa.date32() else f for f in self.schema]
        )
        self._writer = pq.ParquetWriter(str(path), self.schema, compression="zstd")
        self._batch_rows = batch_rows
        self._buffer: list[dict[str, Any]] = []

    def write(self, encoded: list[bytes]) -> None:
        self._buffer.extend(json.loads(e) for e in encoded)
        if len(self._buffer) >= self._batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            table = self._pa.Table.from_pylist(self._buffer, schema=self._text_schema)
            self._writer.write_table(table.cast(self.schema))
            self._buffer = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


class RowStat(NamedTuple):
    """What the summary needs of a row: small, so workers can send it beside the encoded row."""

    error: bool
    expected: str
    consistency: str
    service: str

    @classmethod
    def of(cls, row: AuditRow) -> RowStat:
        # plain strings, not the enums: pickling an enum member looks its class up by name
        return cls(
            row.error is not None,
            str(row.expected or "?"),
            str(row.consistency or "?"),
            str(row.facts.get("service") or "unrecognised"),
        )


class Summary:
    """Counts for the stderr table, built while inputs stream by (constant memory)."""

    def __init__(self) -> None:
        self.inputs = 0
        self.skipped = 0  # inputs an interrupted run had finished (--resume)
        self.errors = 0
        self.expected: Counter[str] = Counter()
        self.consistency: Counter[str] = Counter()
        self.by_service: Counter[tuple[str, str]] = Counter()

    def add_input(self, stats: list[RowStat]) -> None:
        self.inputs += 1
        for s in stats:
            self.add(s)

    def add(self, s: RowStat) -> None:
        if s.error:
            self.errors += 1
            return
        self.expected[s.expected] += 1
        self.consistency[s.consistency] += 1
        self.by_service[(s.service, s.consistency)] += 1

    def table(self) -> str:
        items = sum(self.expected.values())
        skipped = f" ({self.skipped} more already done)" if self.skipped else ""
        lines = [f"recheck: {items} items from {self.inputs} inputs{skipped}, {self.errors} errors"]
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


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of an audit JSONL file. A torn last line (a killed run) is skipped;
    any other malformed line is an error naming the file and line."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise RecheckError(f"cannot read: {exc.strerror}", str(path)) from None
    with handle:
        for n, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                if not line.endswith(b"\n"):
                    return  # torn last line of an interrupted run
                raise RecheckError("not an audit row (JSON lines expected)", str(path), n) from None
            if not isinstance(row, dict) or "source" not in row:
                raise RecheckError("not an audit row", str(path), n)
            yield n, row


def read_rows(path: Path) -> Iterator[AuditRow]:
    """Validated rows of an audit JSONL file; an invalid row is an error naming its line."""
    for n, record in iter_records(path):
        try:
            yield AuditRow.model_validate(record)
        except ValidationError as exc:
            first = str(exc).splitlines()[0]
            raise RecheckError(f"not an audit row: {first}", str(path), n) from None
