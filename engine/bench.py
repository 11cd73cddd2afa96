"""`recheck bench`: throughput and memory of batch audits on this machine.

Scale inputs are built by replicating the corpus letters with distinct case numbers into a
temporary directory (never the repository). Prints, per line, what it measured:

- per-stage speed on one core (read, parse, facts, verdict, encode), to see where time goes;
- text letters/s end to end (`recheck audit --workers N` as a subprocess, startup included),
  with peak RSS at the small and the large size;
- the same on a dask.distributed LocalCluster of N worker processes, and its ratio to local;
- PDFs/s: text extraction alone on one core, and end to end with N workers;
- the rules step alone in items/s: durable-rules (engine.durable) against the direct Python
  evaluation of the same criteria (engine.criteria.evaluate.status), and their ratio.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"

_CASE = re.compile(r"CM\d{2}-\d{5,8}")


def case_number(n: int) -> str:
    """The n-th synthetic case number: CM90-0000000 on, distinct from the real ones (CM1x)."""
    return f"CM{90 + n // 10_000_000:02d}-{n % 10_000_000:07d}"


def replicate(letters: list[Path], dest: Path, count: int, start: int = 0) -> list[Path]:
    """`count` text letters in `dest`, cycling over `letters`, each with its own case number
    (so each has its own content hash and case)."""
    dest.mkdir(parents=True, exist_ok=True)
    texts = [p.read_text(encoding="utf-8") for p in letters]
    out = []
    for i in range(start, start + count):
        case = case_number(i)
        path = dest / f"{case}.txt"
        path.write_text(_CASE.sub(case, texts[i % len(texts)]), encoding="utf-8")
        out.append(path)
    return out


def link_copies(files: list[Path], dest: Path, count: int) -> list[Path]:
    """`count` hard links (or copies) cycling over `files`: PDFs, whose text cannot be edited."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        src = files[i % len(files)]
        path = dest / f"{i:07d}-{src.name}"
        try:
            os.link(src, path)
        except OSError:
            shutil.copyfile(src, path)
        out.append(path)
    return out


# --- memory -------------------------------------------------------------------------------------


@dataclass
class Peak:
    tree_mb: float = 0.0  # largest sum of RSS over the process and its descendants
    process_mb: float = 0.0  # largest RSS of any one process


@contextmanager
def sample_rss(pid: int, every: float = 0.05, relist: float = 1.0) -> Iterator[Peak]:
    """Peak RSS of process `pid` and its descendants, sampled every `every` seconds. The
    descendants are listed again every `relist` seconds only: listing them reads every process
    of the machine (/proc), which at each sample cost the measured run 5% of a core."""
    import psutil

    peak = Peak()
    stop = threading.Event()

    def loop() -> None:
        try:
            root = psutil.Process(pid)
        except psutil.NoSuchProcess:
            return
        listed = -relist
        procs = [root]
        while not stop.is_set():
            if time.monotonic() - listed >= relist:
                listed = time.monotonic()
                try:
                    procs = [root, *root.children(recursive=True)]
                except psutil.NoSuchProcess:
                    return
            sizes = []
            for p in procs:
                try:
                    sizes.append(p.memory_info().rss / 2**20)
                except psutil.NoSuchProcess:
                    continue
            if sizes:
                peak.tree_mb = max(peak.tree_mb, sum(sizes))
                peak.process_mb = max(peak.process_mb, max(sizes))
            stop.wait(every)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


# --- runs ---------------------------------------------------------------------------------------


@dataclass
class Run:
    what: str
    inputs: int
    rows: int
    seconds: float
    peak: Peak = field(default_factory=Peak)
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average before and after

    @property
    def per_second(self) -> float:
        return self.inputs / self.seconds


def audit_run(what: str, inputs: Path, out: Path, *extra: str) -> Run:
    """`recheck audit` as a subprocess (startup included), timed, with its peak RSS."""
    cmd = [sys.executable, "-m", "engine.cli", "audit", str(inputs), "-o", str(out), *extra]
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    with sample_rss(proc.pid) as peak:
        _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode()}")
    n_inputs = sum(1 for _ in inputs.iterdir())
    with out.open("rb") as f:
        rows = sum(1 for _ in f)
    return Run(what, n_inputs, rows, seconds, peak, (load_before, os.getloadavg()[0]))


def fastest(rounds: int, *fns: Callable[[], Run]) -> list[Run]:
    """For each of `fns`, the fastest of `rounds` runs (other tenants only ever slow a run down),
    with the largest peak RSS any of them reached. The functions take turns, so that a slow spell
    of the machine does not fall on one of them only (dask against local processes)."""
    runs: list[list[Run]] = [[] for _ in fns]
    for _ in range(max(1, rounds)):
        for fn, done in zip(fns, runs, strict=True):
            done.append(fn())
    out = []
    for done in runs:
        best = min(done, key=lambda r: r.seconds)
        best.peak = Peak(max(r.peak.tree_mb for r in done), max(r.peak.process_mb for r in done))
        out.append(best)
    return out


def best_of(rounds: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def stages(letters: list[Path], pdfs: list[Path]) -> dict[str, float]:
    """Per-stage speed on one core, in letters/s (items/s where said). Facts are measured twice:
    as a batch replicated from the corpus sees them (sentences cached since an earlier copy),
    and with every text cache cleared before each letter, as letters never seen before."""
    from engine.audit import Auditor, letter_facts
    from engine.letters.parse import parse_letter
    from engine.letters.read import read_text
    from engine.memo import clear_text_caches
    from engine.report import encode

    auditor = Auditor.load()
    texts = [read_text(p) for p in letters]
    parsed = [parse_letter(t, str(p)) for t, p in zip(texts, letters, strict=True)]
    facts = [letter_facts(letter) for letter in parsed]
    rows = [auditor.row(lf, item) for lf in facts for item in lf.items]
    n, items = len(letters), len(rows)

    def unseen() -> None:
        for letter in parsed:
            clear_text_caches()
            letter_facts(letter)

    t_read = best_of(3, lambda: [read_text(p) for p in letters])
    t_parse = best_of(3, lambda: [parse_letter(t, "x") for t in texts])
    t_facts = best_of(3, lambda: [letter_facts(letter) for letter in parsed])
    t_unseen = best_of(3, unseen)
    t_verdict = best_of(3, lambda: [auditor.verdict(lf, item) for lf in facts for item in lf.items])
    # the whole row: verdict, counterfactual search (if the row has one) and row construction
    t_judge = best_of(3, lambda: [auditor.row(lf, item) for lf in facts for item in lf.items])
    t_encode = best_of(3, lambda: [encode(r, "jsonl") for r in rows])
    t_pdf = best_of(3, lambda: [read_text(p) for p in pdfs]) if pdfs else float("nan")
    rest = t_read + t_parse + t_judge + t_encode
    return {
        "read_text_letters_per_s": n / t_read,
        "parse_letters_per_s": n / t_parse,
        "facts_letters_per_s": n / t_facts,
        "facts_unseen_letters_per_s": n / t_unseen,
        "verdict_items_per_s": items / t_verdict,
        "row_items_per_s": items / t_judge,
        "encode_items_per_s": items / t_encode,
        "one_core_letters_per_s": n / (rest + t_facts),
        "one_core_unseen_letters_per_s": n / (rest + t_unseen),
        "pdf_text_per_s_one_core": len(pdfs) / t_pdf,
        "items_per_letter": items / n,
    }


def rules_step(letters: list[Path], repeat: int = 20) -> dict[str, float]:
    """The rules step alone: every governing guideline of every corpus item, durable-rules vs
    direct evaluation of the same criteria, in items/s."""
    from engine.audit import Auditor, read_facts
    from engine.criteria.evaluate import status
    from engine.criteria.select import applicable
    from engine.durable import get_engine
    from engine.facts.derive import derive

    auditor = Auditor.load()
    engine = get_engine()
    work = []
    for p in letters:
        for lf in read_facts(p):
            for item in lf.items:
                governing = applicable(auditor.bundle, item.facts, lf.decision_date)
                work.append((governing, derive(item.facts)))
    work = [w for w in work if w[0]] * repeat  # items with at least one guideline to evaluate
    for governing, values in work[:50]:  # register rulesets, warm up
        for g in governing:
            engine.evaluate(g, values)

    def durable() -> None:
        for governing, values in work:
            for g in governing:
                engine.evaluate(g, values)

    def direct() -> None:
        for governing, values in work:
            for g in governing:
                {c.id: status(c, values) for c in g.criteria}

    t_durable, t_direct = best_of(3, durable), best_of(3, direct)
    return {
        "rules_items": len(work) / repeat,
        "durable_items_per_s": len(work) / t_durable,
        "direct_items_per_s": len(work) / t_direct,
        "durable_over_direct_time": t_durable / t_direct,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="recheck bench", description=__doc__.splitlines()[0])
    add_arguments(p)
    return run(p.parse_args(argv))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--letters", type=int, default=20_000, help="large batch size")
    p.add_argument("--small", type=int, default=2_000, help="small batch size (RSS comparison)")
    p.add_argument("--pdfs", type=int, default=2_000, help="PDFs for the PDF run")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--no-dask", action="store_true", help="skip the dask LocalCluster run")
    p.add_argument("--corpus", type=Path, default=CORPUS, help="folder with letters/ and pdf/")
    p.add_argument("--json", type=Path, help="also write the numbers here as JSON")
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each end-to-end audit this many times and report the fastest",
    )


def run(args: argparse.Namespace) -> int:
    letters = sorted((args.corpus / "letters").glob("*.txt"))
    pdfs = sorted((args.corpus / "pdf").glob("*.pdf"))
    if not letters:
        print(f"recheck bench: no letters in {args.corpus / 'letters'}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {"cpus": os.cpu_count(), "workers": args.workers}
    # timed processes start from compiled bytecode, as an installed engine does: where writing it
    # is off (PYTHONDONTWRITEBYTECODE), each process start would also time the compiler
    compileall.compile_dir(ROOT / "engine", quiet=1)

    def show(key: str, value: Any, text: str) -> None:
        results[key] = value
        if isinstance(value, dict) and "load" in value:  # other tenants make numbers noisy
            text += " [load avg {:.1f} -> {:.1f}]".format(*value["load"])
        print(text, flush=True)

    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)

    st = stages(letters, pdfs)
    results["stages_one_core"] = st
    print(
        "one core, per stage: read {read_text_letters_per_s:,.0f}/s  parse "
        "{parse_letters_per_s:,.0f}/s  facts {facts_letters_per_s:,.0f}/s "
        "({facts_unseen_letters_per_s:,.0f}/s unseen)  verdict {verdict_items_per_s:,.0f} "
        "items/s  whole row (verdict + counterfactuals) {row_items_per_s:,.0f} items/s  encode "
        "{encode_items_per_s:,.0f} items/s  -> {one_core_letters_per_s:,.0f} letters/s; letters "
        "never seen before {one_core_unseen_letters_per_s:,.0f} letters/s "
        "({items_per_letter:.2f} items/letter)".format(**st)
    )
    rs = rules_step(letters)
    results["rules_step"] = rs
    print(
        "rules step alone ({rules_items:.0f} corpus items with a governing guideline): "
        "durable-rules {durable_items_per_s:,.0f} items/s, direct Python "
        "{direct_items_per_s:,.0f} items/s, durable/direct time "
        "{durable_over_direct_time:.1f}x".format(**rs)
    )
    w = ["--workers", str(args.workers), "--no-progress"]
    with tempfile.TemporaryDirectory(prefix="recheck-bench-") as tmp:
        base = Path(tmp)
        small = base / "small"
        large = base / "large"
        replicate(letters, small, args.small)
        replicate(letters, large, args.letters)

        def text(name: str, folder: Path) -> Callable[[], Run]:
            return lambda: audit_run(f"text {name}", folder, base / f"{name}.jsonl", *w)

        def dask() -> Run:
            return audit_run("dask", large, base / "dask.jsonl", *w, "--executor", "dask")

        # local and dask take turns on the large input: their ratio is a target
        (small_run,) = fastest(args.repeat, text("small", small))
        large_run, *dask_run = fastest(
            args.repeat, text("large", large), *([] if args.no_dask else [dask])
        )
        for name, r in (("small", small_run), ("large", large_run)):
            show(
                f"text_{name}",
                asdict(r) | {"per_second": r.per_second},
                f"text letters, {r.inputs:,} letters ({r.rows:,} rows), --workers {args.workers}:"
                f" {r.per_second:,.0f} letters/s end to end ({r.seconds:.1f} s);"
                f" peak RSS {r.peak.tree_mb:,.0f} MB all processes,"
                f" {r.peak.process_mb:,.0f} MB largest process",
            )
        s, lg = results["text_small"]["peak"], results["text_large"]["peak"]
        show(
            "rss_growth",
            lg["tree_mb"] / s["tree_mb"] - 1,
            f"peak RSS {args.small:,} -> {args.letters:,} letters:"
            f" {s['tree_mb']:,.0f} -> {lg['tree_mb']:,.0f} MB"
            f" ({100 * (lg['tree_mb'] / s['tree_mb'] - 1):+.1f}%)",
        )
        for r in dask_run:
            local = large_run.per_second
            show(
                "dask",
                asdict(r) | {"per_second": r.per_second, "ratio_to_local": r.per_second / local},
                f"dask LocalCluster, {r.inputs:,} letters, {args.workers} workers:"
                f" {r.per_second:,.0f} letters/s ({r.seconds:.1f} s, cluster start included),"
                f" {100 * r.per_second / local:.0f}% of local processes (runs taking turns)",
            )
        if pdfs and args.pdfs:
            folder = base / "pdf"
            link_copies(pdfs, folder, args.pdfs)
            (r,) = fastest(args.repeat, lambda: audit_run("pdf", folder, base / "pdf.jsonl", *w))
            show(
                "pdf",
                asdict(r) | {"per_second": r.per_second},
                f"PDF letters, {r.inputs:,} PDFs, --workers {args.workers}:"
                f" {r.per_second:,.0f} PDFs/s end to end ({r.seconds:.1f} s);"
                f" text extraction alone {st['pdf_text_per_s_one_core']:,.0f} PDFs/s on one core",
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
