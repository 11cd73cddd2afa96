"""Batch audits at scale: streaming, ordered, resumable, on local processes or dask.distributed.

- Workers get chunks of input *paths* and send back, per input, its rows already encoded for the
  output format (strings) plus the few fields the summary counts: no parsed letters or pydantic
  objects cross a process boundary, and the main process only writes.
- Each worker process builds its own Auditor, durable-rules engine included, on its first chunk
  (engine.durable keeps one Host per process; a Host cannot be shared or forked).
- Output order is input order (sorted paths), whatever the number of workers or the executor: a
  bounded window of chunks is in flight and results are written as the oldest one completes.
- Memory stays flat: the window bounds what is in flight, rows are written as they come, the
  summary keeps counters only.
- `--resume` keys inputs by the sha256 of their bytes (`input_sha256` on every row). Each input's
  rows are written with one write and flush, so only the last input in the file can be torn: on
  resume a torn last line is dropped, the last input's rows are dropped too (it may be
  incomplete; it is redone), and every input whose hash is already there is skipped.
"""

from __future__ import annotations

import csv
import gc
import json
import logging
import math
import signal
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from engine import forkserver
from engine.audit import Auditor, file_sha256
from engine.errors import RecheckError
from engine.report import RowStat, RowWriter, Summary, columns, encode

MAX_CHUNK = 64  # inputs per task: a fraction of a second of work; IPC and scheduling negligible
# On dask a task's result (a few MB of rows) is sent by the worker's event loop, which takes the
# GIL from the next task: fewer, larger tasks audited 20,000 letters 5% faster (24.3-25.0 s
# against 25.0-27.3 s with 64)
MAX_DASK_CHUNK = 256
WINDOW_PER_WORKER = 4  # chunks in flight per worker: keeps workers busy, bounds memory


@dataclass(frozen=True)
class Library:
    """What a worker needs to build its Auditor: picklable, and the key of its per-process cache.
    Paths are absolute, as workers (dask's) may run elsewhere."""

    guidelines: tuple[str, ...]
    rules: str

    def auditor(self) -> Auditor:
        found = _AUDITORS.get(self)
        if found is None:
            found = _AUDITORS[self] = Auditor.load(
                [Path(g) for g in self.guidelines], Path(self.rules)
            )
            _settle_collector()
        return found


YOUNGEST_THRESHOLD = 10_000  # net allocations: well above what auditing one letter keeps alive


def _settle_collector() -> None:
    """The cyclic garbage collector of a process that audits, once its engine is loaded.

    The engine's tables (guidelines, compiled criteria, rule sets, extraction's matcher: some
    80,000 objects) live as long as the process and are never garbage, yet every full collection
    traversed them all, 3-4 times per 2,000 letters at about 45 ms each: frozen, collections
    leave them out. Auditing a letter makes a thousand or two objects that live until its rows
    are encoded, so the youngest generation, collected every 700 net allocations, was collected
    every few letters mostly to promote them. With a threshold well above that, it is collected
    only as long-lived objects (the text caches) accumulate. Over 2,000 replicated letters the
    collector took 0.7 us a letter against 143 (9.8 with a threshold of 2,000)."""
    gc.freeze()
    gc.set_threshold(YOUNGEST_THRESHOLD, *gc.get_threshold()[1:])


_AUDITORS: dict[Library, Auditor] = {}  # per process: built inside each worker on first use


class Done(NamedTuple):
    """One audited input, as sent back by a worker."""

    rows: list[bytes]  # encoded rows
    stats: list[RowStat]


def resume_key(sha256: str | None, path: str) -> str:
    """Inputs are keyed by content; an unreadable one (no hash) by its path."""
    return sha256 or f"path:{path}"


def audit_chunk(library: Library, fmt: str, paths: Sequence[str]) -> list[Done]:
    """Runs in a worker: audit each path, encode its rows. Never raises for a bad input."""
    auditor = library.auditor()
    out = []
    for p in paths:
        rows = auditor.rows(Path(p))
        out.append(Done([encode(r, fmt) for r in rows], [RowStat.of(r) for r in rows]))
    return out


# --- resume -------------------------------------------------------------------------------------


def _line_key(line: bytes, fmt: str, header: list[str] | None) -> tuple[str, str] | None:
    """(resume key, source) of one complete output line; None when it does not parse."""
    try:
        if header is not None:  # csv
            record = dict(zip(header, next(csv.reader([line.decode("utf-8")])), strict=True))
        else:
            record = json.loads(line)
        source = str(record["source"])
    except (ValueError, KeyError, StopIteration, UnicodeDecodeError):
        return None
    return resume_key(record.get("input_sha256") or None, source), source


def resume_state(path: Path, fmt: str) -> Counter[str]:
    """How many inputs of each key an interrupted run finished, cutting `path` back to them.

    The file is read line by line (constant memory) and truncated after the last complete
    input: a torn last line and the rows of the last input are removed, as that input may be
    incomplete. An input's rows are a run of consecutive lines with the same (key, source).
    """
    done: Counter[str] = Counter()
    if not path.exists():
        return done
    with path.open("r+b") as f:
        header: list[str] | None = None
        keep = 0  # bytes of whole inputs (and the CSV header) at the start of the file
        if fmt == "csv":
            first = f.readline()
            if not first.endswith(b"\n"):  # not even a whole header: start afresh
                f.truncate(0)
                return done
            header = next(csv.reader([first.decode("utf-8", "replace")]))
            if header != columns():  # appended rows would not line up with the header
                raise RecheckError(
                    "cannot resume: not a CSV audit with this version's columns", str(path)
                )
            keep = len(first)
        offset = keep
        block: tuple[str, str] | None = None
        for line in f:
            if not line.endswith(b"\n"):
                break  # torn last line
            ident = _line_key(line, fmt, header)
            if ident is None:
                raise RecheckError(
                    f"cannot resume: the line at byte {offset} is not an audit row", str(path)
                )
            if ident != block:
                if block is not None:
                    done[block[0]] += 1
                    keep = offset
                block = ident
            offset += len(line)
        f.truncate(keep)  # the last input is redone: it may have been cut short
    return done


# --- dispatch -----------------------------------------------------------------------------------


class _Future(Protocol):
    def result(self) -> list[Done]: ...


def ordered(
    submit: Callable[[list[str]], _Future], chunks: Iterable[list[str]], window: int
) -> Iterator[list[Done]]:
    """Results in submission order with at most `window` chunks in flight (works for
    concurrent.futures and dask futures alike)."""
    pending: deque[_Future] = deque()
    for chunk in chunks:
        pending.append(submit(chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _ignore_sigint() -> None:
    # Ctrl-C is the main process's to handle: it stops dispatching and says how to resume.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


Task = Callable[[Library, str, Sequence[str]], list[Done]]


def _crashed(library: Library, fmt: str, path: str) -> Done:
    """The one row of an input that killed the worker auditing it."""
    row = library.auditor().error_row(
        Path(path),
        f"{path}: the worker process died while auditing this input (a fault in a native"
        " library or the out-of-memory killer); the other inputs were audited",
        file_sha256(Path(path)),
    )
    return Done([encode(row, fmt)], [RowStat.of(row)])


def _halved(
    library: Library, fmt: str, chunk: list[str], redo: Callable[[list[str]], list[Done]]
) -> list[Done]:
    """A chunk whose task killed its worker again: each half redone, down to the one input
    that does it, which gets an error row."""
    if len(chunk) == 1:
        return [_crashed(library, fmt, chunk[0])]
    half = len(chunk) // 2
    return redo(chunk[:half]) + redo(chunk[half:])


class _Isolating:
    """A process pool that survives a worker dying mid-chunk (a native-library fault, the
    out-of-memory killer): the pool is restarted, the chunks in flight are redone, and a chunk
    that kills its worker again is halved until the one input that does it gets an error row.
    Every input still yields its rows exactly once."""

    def __init__(self, library: Library, fmt: str, workers: int, task: Task) -> None:
        self._ctx = forkserver.context()
        self._args = (library, fmt)
        self._workers, self._task = workers, task
        self._generation = 0
        self._pool = self._start()

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self._workers, mp_context=self._ctx, initializer=_ignore_sigint)

    def submit(self, chunk: list[str]) -> _Future:
        try:
            future = self._pool.submit(self._task, *self._args, chunk)
        except BrokenProcessPool:  # it broke since the last submission: its chunks recover
            self.restart()
            future = self._pool.submit(self._task, *self._args, chunk)
        return _Guarded(self, chunk, self._generation, future)

    def recover(self, chunk: list[str], generation: int) -> list[Done]:
        """The rows of a chunk whose worker died (the pool was started as `generation`)."""
        if generation == self._generation:  # the first to notice restarts the pool
            self.restart()
        try:
            return self._pool.submit(self._task, *self._args, chunk).result()
        except BrokenProcessPool:
            self.restart()
            return _halved(*self._args, chunk, lambda part: self.recover(part, -1))

    def restart(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._generation += 1
        self._pool = self._start()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Guarded:
    def __init__(self, pool: _Isolating, chunk: list[str], generation: int, future: Any) -> None:
        self._pool, self._chunk, self._generation, self._future = pool, chunk, generation, future

    def result(self) -> list[Done]:
        try:
            return self._future.result()
        except BrokenProcessPool:
            return self._pool.recover(self._chunk, self._generation)


def _local_results(
    library: Library, fmt: str, chunks: Iterable[list[str]], workers: int, task: Task = audit_chunk
) -> Iterator[list[Done]]:
    if workers <= 1:
        for chunk in chunks:
            yield task(library, fmt, chunk)
        return
    pool = _Isolating(library, fmt, workers, task)
    try:
        yield from ordered(pool.submit, chunks, workers * WINDOW_PER_WORKER)
    finally:
        pool.shutdown()


@contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[Any]:
    """A client of the cluster at `scheduler`, or of a LocalCluster of `workers` processes."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise RecheckError(
            "--executor dask needs dask.distributed: pip install 'recheck[dask]'"
        ) from None
    with ExitStack() as stack:
        if scheduler:
            client = stack.enter_context(Client(scheduler))
        else:
            import dask

            # The workers' sampling profiler and GIL monitor take the GIL every few
            # milliseconds from a task that needs it all; nobody looks at a dashboard here.
            stack.enter_context(
                dask.config.set(
                    {
                        "distributed.worker.profile.enabled": False,
                        "distributed.admin.system-monitor.gil.enabled": False,
                        # the event loops' health tick (every 20 ms), memory checks (100 ms) and
                        # system monitor (500 ms) also wake each server: over 20,000 letters
                        # 38.3-42.1 s of CPU with these against 41.1-45.5 s (3 interleaved runs)
                        "distributed.admin.tick.interval": "1s",
                        "distributed.worker.memory.monitor-interval": "1s",
                        "distributed.admin.system-monitor.interval": "5s",
                        # tasks are alike and handed out as workers free up: nothing to steal
                        "distributed.scheduler.work-stealing": False,
                        # a task that killed two workers is split by _DaskGuarded, not rerun
                        "distributed.scheduler.allowed-failures": 1,
                        # workers fork from engine.forkserver (the engine imported once) rather
                        # than start a fresh interpreter each: first rows 0.8 s sooner
                        "distributed.worker.multiprocessing-method": "forkserver",
                    }
                )
            )
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,  # durable-rules holds the GIL: threads do not help
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
            )
            client = stack.enter_context(Client(cluster, direct_to_workers=True))
        yield client


def _dask_results(
    library: Library,
    fmt: str,
    chunks: Iterable[list[str]],
    client: Any,
    task: Task = audit_chunk,
) -> Iterator[list[Done]]:
    # Paths go to the workers, which must see the same files (shared filesystem).
    slots = max(1, sum(client.nthreads().values()))
    yield from ordered(
        lambda chunk: _DaskGuarded(client, library, fmt, chunk, task),
        chunks,
        slots * WINDOW_PER_WORKER,
    )


class _DaskGuarded:
    """A chunk on dask. A task that kills its worker every time it runs ends as KilledWorker
    (the scheduler retries it on fresh workers first): the chunk is then halved until the input
    that does it gets an error row, as on local workers."""

    def __init__(self, client: Any, library: Library, fmt: str, chunk: list[str], task: Task):
        self._client, self._args, self._chunk, self._task = client, (library, fmt), chunk, task
        self._future = self._submit(chunk)

    def _submit(self, chunk: list[str]) -> Any:
        return self._client.submit(self._task, *self._args, chunk, pure=False)

    def result(self) -> list[Done]:
        return self._settle(self._future, self._chunk)

    def _settle(self, future: Any, chunk: list[str]) -> list[Done]:
        from distributed import KilledWorker

        try:
            return future.result()
        except KilledWorker:
            return _halved(*self._args, chunk, lambda part: self._settle(self._submit(part), part))


def chunk_size(n_inputs: int, workers: int, largest: int = MAX_CHUNK) -> int:
    """Enough chunks to balance the workers (about 8 each), none larger than `largest`."""
    return max(1, min(largest, math.ceil(n_inputs / (max(1, workers) * 8))))


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@contextmanager
def progress_bar(total: int, enabled: bool) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when enabled (the caller checks stderr is a terminal)."""
    if not enabled or total <= 0:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        "audit",
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    ) as bar:
        task = bar.add_task("audit", total=total)
        yield lambda n: bar.advance(task, n)


@dataclass
class BatchOptions:
    workers: int = 1
    executor: str = "local"
    scheduler: str | None = None
    chunk: int | None = None  # inputs per task (default: chunk_size)
    progress: bool = False


def run_batch(
    files: Sequence[Path | str],
    library: Library,
    fmt: str,
    writer: RowWriter,
    options: BatchOptions,
    done: Counter[str] | None = None,
) -> Summary:
    """Audit every input file (engine.letters.read.iter_inputs lists folders), writing each
    input's rows as soon as it is in order.

    `done`: keys of inputs already written by an interrupted run (resume_state); as many inputs
    of each key are skipped. Raises RecheckError when the library is invalid.
    """
    library.auditor()  # fail fast (exit 3) on an invalid library, before any worker starts
    summary = Summary()
    inputs = [str(p) for p in files]
    if done:
        remaining = done.copy()
        todo = []
        for p in inputs:
            key = resume_key(file_sha256(Path(p)), p)
            if remaining[key] > 0:
                remaining[key] -= 1
                summary.skipped += 1
            else:
                todo.append(p)
        inputs = todo
    with ExitStack() as stack:
        if options.executor == "dask":
            client = stack.enter_context(dask_client(options.workers, options.scheduler))
            slots = max(1, sum(client.nthreads().values()))
            size = options.chunk or chunk_size(len(inputs), slots, MAX_DASK_CHUNK)
            results = _dask_results(library, fmt, _chunks(inputs, size), client)
        else:
            workers = forkserver.local_workers(options.workers, len(inputs))
            size = options.chunk or chunk_size(len(inputs), workers)
            results = _local_results(library, fmt, _chunks(inputs, size), workers)
        advance = stack.enter_context(progress_bar(len(inputs), options.progress))
        for chunk_done in results:
            # one write and flush a chunk, not an input: system calls are costly on these
            # machines, and resume_state redoes the last input of a torn write all the same
            writer.write([row for d in chunk_done for row in d.rows])
            for d in chunk_done:
                summary.add_input(d.stats)
            advance(len(chunk_done))
    return summary
