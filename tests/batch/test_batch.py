"""Batch audits: same rows whatever the workers or executor, formats, resume after a torn write
and after SIGKILL, progress silent off a terminal."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from engine.audit import AuditRow
from engine.batch import (
    YOUNGEST_THRESHOLD,
    Done,
    Library,
    _dask_results,
    _local_results,
    audit_chunk,
    dask_client,
)
from engine.cli import main
from engine.options import DEFAULT_GUIDELINES, DEFAULT_RULES
from tests.batch.conftest import recheck
from tests.batch.crashing import audit_or_die, collector_settled, tables_built
from tests.conftest import CORPUS, EXAMPLES, ROOT


def _inputs(tmp_path: Path) -> list[str]:
    """The corpus letters plus three inputs that each must give exactly one error row."""
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 not really")
    return [str(CORPUS / "letters"), str(tmp_path / "empty.txt"), str(tmp_path / "junk.pdf"),
            str(tmp_path / "missing.txt")]  # fmt: skip


def _audit(*args: str | Path) -> int:
    return main(["audit", "--no-progress", *map(str, args)])


def _keys(path: Path) -> list[tuple[str, int | None]]:
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return [(r["source"], r["item"]) for r in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, corpus_letters: list[Path]) -> Path:
    """The in-process (--workers 1) audit every other run must reproduce byte for byte."""
    tmp = tmp_path_factory.mktemp("reference")
    out = tmp / "ref.jsonl"
    assert _audit(*_inputs(tmp), "-o", out, "--workers", "1") == 1  # error rows: exit 1
    return out


def test_reference_rows(reference: Path) -> None:
    rows = [AuditRow.model_validate_json(line) for line in reference.read_text().splitlines()]
    errors = [r for r in rows if r.error]
    assert [Path(r.source).name for r in errors] == ["empty.txt", "junk.pdf", "missing.txt"]
    good = [r for r in rows if not r.error]
    assert len({r.source for r in good}) == 74 and len(good) == 140
    assert all(r.reviewer_specialty for r in good)
    first = good[0]
    assert first.input_sha256 == hashlib.sha256(Path(first.source).read_bytes()).hexdigest()
    assert next(r for r in errors if r.source.endswith("missing.txt")).input_sha256 is None
    assert len(set(_keys(reference))) == len(rows)


def test_two_workers_same_rows_same_order(tmp_path: Path, reference: Path) -> None:
    out = tmp_path / "w2.jsonl"
    _audit(*_inputs(reference.parent), "-o", out, "--workers", "2", "--chunk-size", "5")
    assert out.read_bytes() == reference.read_bytes()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_after_torn_write_equals_uninterrupted(
    tmp_path: Path, reference: Path, fmt: str
) -> None:
    if fmt == "jsonl":
        full = reference.read_bytes()
    else:
        ref_csv = tmp_path / "ref.csv"
        _audit(*_inputs(reference.parent), "-o", ref_csv, "--format", "csv", "--workers", "1")
        full = ref_csv.read_bytes()
    lines = full.splitlines(keepends=True)
    at_line = sum(map(len, lines[:57]))
    cuts = [5, at_line, at_line + len(lines[57]) // 2, len(full) - 3, len(full)]
    out = tmp_path / f"out.{fmt}"
    for cut in cuts:
        out.write_bytes(full[:cut])
        _audit(*_inputs(reference.parent), "-o", out, "--format", fmt, "--resume", "--workers", "1")
        assert out.read_bytes() == full, f"resumed from byte {cut} of {len(full)}"


def test_sigkill_then_resume_one_row_per_item(tmp_path: Path, batch_dir: Path) -> None:
    ref = tmp_path / "ref.jsonl"
    assert recheck("audit", batch_dir, "-o", ref, "--workers", "2").returncode == 0
    expected = ref.read_bytes()
    out = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "engine.cli",
            "audit",
            str(batch_dir),
            "-o",
            str(out),
            "--workers",
            "2",
            "--chunk-size",
            "4",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.stat().st_size > len(expected) // 4:
            break
        time.sleep(0.002)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = out.stat().st_size
    assert 0 < killed_at < len(expected), "the run should be killed part way through"
    done = recheck("audit", batch_dir, "-o", out, "--workers", "2", "--resume")
    assert done.returncode == 0, done.stderr
    assert "already done" in done.stderr
    keys = _keys(out)
    assert len(keys) == len(set(keys)) == expected.count(b"\n")
    assert out.read_bytes() == expected  # ordered output: identical to the uninterrupted run


def test_dask_local_cluster_equals_local(tmp_path: Path, reference: Path) -> None:
    pytest.importorskip("distributed", reason="dask.distributed not installed (test extra)")
    out = tmp_path / "dask.jsonl"
    _audit(*_inputs(reference.parent), "-o", out, "--executor", "dask", "--workers", "2")
    assert out.read_bytes() == reference.read_bytes()


def test_dask_scheduler_address(tmp_path: Path, corpus_letters: list[Path]) -> None:
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed")
    some = [str(p) for p in corpus_letters[:12]]
    local = tmp_path / "local.jsonl"
    _audit(*some, "-o", local, "--workers", "1")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        out = tmp_path / "dask.jsonl"
        code = _audit(
            *some, "-o", out, "--executor", "dask", "--scheduler", cluster.scheduler_address
        )
        assert code == 0
    assert out.read_bytes() == local.read_bytes()


def test_csv_and_parquet(tmp_path: Path, reference: Path) -> None:
    n_rows = reference.read_bytes().count(b"\n")
    columns = list(AuditRow.model_fields)
    out_csv = tmp_path / "a.csv"
    _audit(*_inputs(reference.parent), "-o", out_csv, "--format", "csv")
    with out_csv.open(newline="") as f:
        records = list(csv.DictReader(f))
    assert len(records) == n_rows and list(records[0]) == columns
    assert out_csv.read_bytes().count(b"\n") == n_rows + 1  # one physical line per row
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow not installed (test extra)")
    out_pq = tmp_path / "a.parquet"
    _audit(*_inputs(reference.parent), "-o", out_pq, "--format", "parquet")
    table = pq.read_table(out_pq)
    assert table.num_rows == n_rows and table.column_names == columns
    assert str(table.schema.field("decision_date").type) == "date32[day]"
    assert str(table.schema.field("item").type) == "int64"
    first = json.loads(reference.read_text().splitlines()[0])
    got = table.slice(0, 1).to_pylist()[0]
    assert got["case_number"] == first["case_number"]
    assert json.loads(got["findings"]) == first["findings"]


def test_json_array(tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    assert _audit(EXAMPLES, "-o", out, "--format", "json", "--workers", "2") == 0
    assert len(json.loads(out.read_text())) == 8


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _audit(EXAMPLES, "--format", "parquet") == 2
    assert _audit(EXAMPLES, "-o", tmp_path / "a.json", "--format", "json", "--resume") == 2
    assert _audit(EXAMPLES, "--scheduler", "tcp://127.0.0.1:1") == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not an audit\n")
    assert _audit(EXAMPLES, "-o", bad, "--resume") == 2
    err = capsys.readouterr().err
    assert "--format parquet needs --output" in err and "not an audit row" in err
    assert bad.read_text() == "not an audit\n"  # left as it was


def test_progress_silent_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    done = recheck("audit", EXAMPLES, "-o", tmp_path / "a.jsonl", "--workers", "2")
    assert done.returncode == 0
    assert done.stderr.startswith("recheck: 8 items from 5 inputs, 0 errors\n")
    assert "\x1b[" not in done.stderr


def test_summary_counts_skipped_inputs(tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    assert recheck("audit", EXAMPLES, "-o", out).returncode == 0
    again = recheck("audit", EXAMPLES, "-o", out, "--resume")
    assert again.stderr.startswith("recheck: ")
    assert "from 1 inputs (4 more already done)" in again.stderr.splitlines()[0]
    assert Counter(_keys(out)).most_common(1)[0][1] == 1


def test_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    pty = pytest.importorskip("pty", reason="needs a pseudo-terminal (POSIX)")
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "audit", str(EXAMPLES), "-o", str(tmp_path / "a")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=secondary,
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert proc.wait(timeout=60) == 0
    assert b"audit" in seen and b"5/5" in seen  # rich's bar: "audit ━━━ 5/5 100% ..."


def _dying_inputs(folder: Path, letters: list[Path], count: int, die: set[int]) -> list[str]:
    paths = []
    for i, src in zip(range(count), letters, strict=False):
        path = folder / f"{i:02d}-{'die' if i in die else 'ok'}.txt"
        path.write_bytes(src.read_bytes())
        paths.append(str(path))
    return paths


def _check_dying(paths: list[str], done: list[Done], library: Library) -> None:
    """Every input has its rows, in order; survivors as audited alone, each killer one error."""
    assert len(done) == len(paths)
    expected = audit_chunk(library, "jsonl", [p for p in paths if "die" not in p])
    survivors = [d.rows for p, d in zip(paths, done, strict=True) if "die" not in p]
    assert survivors == [d.rows for d in expected]
    for p, d in zip(paths, done, strict=True):
        if "die" in p:
            (row,) = (json.loads(r) for r in d.rows)
            assert row["source"] == p and "worker process died" in row["error"]
            assert row["input_sha256"] == hashlib.sha256(Path(p).read_bytes()).hexdigest()


def test_a_dying_worker_loses_no_input(tmp_path: Path, corpus_letters: list[Path]) -> None:
    """Two inputs kill their local worker: each gets one error row, every other input its rows,
    in input order, and the pool keeps going."""
    paths = _dying_inputs(tmp_path, corpus_letters, 12, {3, 9})
    library = Library((str(DEFAULT_GUIDELINES),), str(DEFAULT_RULES))
    chunks = [paths[i : i + 2] for i in range(0, len(paths), 2)]
    done = [d for chunk in _local_results(library, "jsonl", chunks, 2, audit_or_die) for d in chunk]
    _check_dying(paths, done, library)


def test_local_workers_start_with_extraction_tables_built() -> None:
    """They fork from a server that built the target matcher (a third of a second per worker
    otherwise, on its first letter)."""
    library = Library((str(DEFAULT_GUIDELINES),), str(DEFAULT_RULES))
    done = [
        d
        for chunk in _local_results(library, "jsonl", [["a"], ["b"]], 2, tables_built)
        for d in chunk
    ]
    assert [d.rows for d in done] == [["1"], ["1"]]


def test_local_workers_freeze_their_loaded_engine() -> None:
    """Full collections leave out the engine a worker loaded, and the youngest generation is
    collected less often (engine.batch._settle_collector)."""
    library = Library((str(DEFAULT_GUIDELINES),), str(DEFAULT_RULES))
    done = [
        d
        for chunk in _local_results(library, "jsonl", [["a"], ["b"]], 2, collector_settled)
        for d in chunk
    ]
    settled = f"True {YOUNGEST_THRESHOLD}"
    assert [d.rows for d in done] == [[settled], [settled]]


def test_a_dying_dask_worker_loses_no_input(tmp_path: Path, corpus_letters: list[Path]) -> None:
    """The same on a real LocalCluster: the task that keeps killing workers is split."""
    paths = _dying_inputs(tmp_path, corpus_letters, 4, {2})
    library = Library((str(DEFAULT_GUIDELINES),), str(DEFAULT_RULES))
    chunks = [paths[:2], paths[2:]]
    with dask_client(2, None) as client:
        results = _dask_results(library, "jsonl", chunks, client, audit_or_die)
        done = [d for chunk in results for d in chunk]
    _check_dying(paths, done, library)
