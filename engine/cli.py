"""The `recheck` command.

Exit codes: 0 done; 1 done, but some inputs could not be read (their rows carry `error`) or lint
found problems; 2 usage error; 3 the guideline library or decision rules are invalid.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__, forkserver
from engine.bench import add_arguments as bench_arguments
from engine.errors import RecheckError
from engine.letters.read import iter_inputs
from engine.options import (
    DEFAULT_GUIDELINES,
    DEFAULT_RULES,
    EXECUTORS,
    FORMATS,
    RESUMABLE,
    default_workers,
)

# Commands import the engine when they run: `recheck audit` starts its workers' forkserver first,
# and the parser alone (--help) does not wait for the engine.
if TYPE_CHECKING:
    from engine.audit import Auditor

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_CONFIG = 0, 1, 2, 3


def _library_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--guidelines",
        type=Path,
        action="append",
        help=f"guideline directory or file (repeatable; default {DEFAULT_GUIDELINES})",
    )
    p.add_argument("--rules", type=Path, default=DEFAULT_RULES, help="decision rules YAML")


def _auditor(args: argparse.Namespace) -> Auditor:
    from engine.audit import Auditor

    return Auditor.load(args.guidelines or [DEFAULT_GUIDELINES], args.rules)


def _extract(args: argparse.Namespace) -> int:
    from engine.audit import read_facts

    out, status = [], EXIT_OK
    for path in iter_inputs(args.paths):
        try:
            out.extend(lf.model_dump(mode="json") for lf in read_facts(path))
        except RecheckError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = EXIT_INPUT
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return status


def _usage(command: str, message: str) -> int:
    print(f"recheck {command}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _audit(args: argparse.Namespace) -> int:
    if args.format == "parquet" and not args.output:
        return _usage("audit", "--format parquet needs --output FILE")
    if args.resume and (not args.output or args.format not in RESUMABLE):
        return _usage("audit", "--resume needs --output FILE and --format jsonl or csv")
    if args.scheduler and args.executor != "dask":
        return _usage("audit", "--scheduler needs --executor dask")
    if args.workers < 1:
        return _usage("audit", "--workers must be at least 1")
    files = iter_inputs(args.paths)
    # the forkserver imports the engine while this process does
    if args.executor == "dask" and not args.scheduler:  # a LocalCluster's workers fork from it
        forkserver.start(dask=True)
    elif args.executor == "local" and forkserver.local_workers(args.workers, len(files)) > 1:
        forkserver.start()

    from engine.batch import BatchOptions, Library, resume_state, run_batch
    from engine.report import ParquetRowWriter, RowWriter, TextRowWriter

    library = Library(
        tuple(str(g.resolve()) for g in args.guidelines or [DEFAULT_GUIDELINES]),
        str(args.rules.resolve()),
    )
    options = BatchOptions(
        workers=args.workers,
        executor=args.executor,
        scheduler=args.scheduler,
        chunk=args.chunk_size,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    library.auditor()  # an invalid library fails here (exit 3), before any output is touched
    try:
        done = resume_state(args.output, args.format) if args.resume else None
    except RecheckError as exc:
        return _usage("audit", str(exc))
    with ExitStack() as stack:
        writer: RowWriter
        if args.format == "parquet":
            writer = ParquetRowWriter(args.output)
        else:
            out = sys.stdout.buffer
            if args.output:
                out = stack.enter_context(open(args.output, "ab" if args.resume else "wb"))
            header = not (args.resume and args.output.stat().st_size > 0)
            writer = TextRowWriter(out, args.format, header=header)
        try:
            summary = run_batch(files, library, args.format, writer, options, done)
        except KeyboardInterrupt:
            hint = " (rerun with --resume to continue)" if args.format in RESUMABLE else ""
            print(f"recheck audit: interrupted{hint}", file=sys.stderr)
            return 130
        finally:
            writer.close()  # a Parquet file is only readable once closed
    print(summary.table(), file=sys.stderr)
    return EXIT_INPUT if summary.errors else EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from engine.html_report import write_report

    try:
        stats = write_report(args.audit, args.output, args.max_items or None)
    except RecheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    print(
        f"recheck report: {stats.rows} rows, {stats.consistency['inconsistent']} inconsistent,"
        f" {len(stats.split_groups())} split groups -> {args.output}",
        file=sys.stderr,
    )
    return EXIT_OK


def _bench(args: argparse.Namespace) -> int:
    from engine.bench import run

    return run(args)


def _explain(args: argparse.Namespace) -> int:
    from engine.audit import read_facts
    from engine.explain import explain_item

    auditor = _auditor(args)
    try:
        letters = read_facts(args.path)
    except RecheckError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    shown = 0
    for letter in letters:
        for item in letter.items:
            if args.item is None or item.index == args.item:
                v = auditor.verdict(letter, item)
                what_if = auditor.counterfactuals(letter, item, v)
                print(explain_item(letter, item, v, what_if), end="\n\n")
                shown += 1
    if not shown:
        print(f"error: {args.path}: no item {args.item}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def _coverage(args: argparse.Namespace) -> int:
    from engine.coverage import as_json, coverage, table
    from engine.report import read_rows

    if args.path.suffix == ".jsonl":
        rows = read_rows(args.path)
    else:
        rows = _auditor(args).audit([args.path])
    cov = coverage(rows)
    print(as_json(cov) if args.format == "json" else table(cov))
    return EXIT_OK


def _lint(args: argparse.Namespace) -> int:
    from engine.criteria.lint import lint

    problems = lint(args.paths or [DEFAULT_GUIDELINES], args.rules)
    for p in problems:
        print(p)
    print(f"recheck lint: {len(problems)} problem(s)", file=sys.stderr)
    return EXIT_INPUT if problems else EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from engine.schemas import SCHEMAS

    print(json.dumps(SCHEMAS[args.shape](), indent=2))
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    from engine.testing.command import run

    return run(args, _auditor(args))


def _replay(args: argparse.Namespace) -> int:
    from engine.replay import run

    return run(args, _auditor(args))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="recheck", description="Re-check IMR decisions against the guidelines they cite."
    )
    p.add_argument("--version", action="version", version=f"recheck {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("extract", help="print the request facts of each item as JSON")
    e.add_argument("paths", nargs="+", type=Path, help="letters (.txt, .pdf) or directories")
    e.set_defaults(run=_extract)

    a = sub.add_parser("audit", help="one row per item: expected outcome and consistency")
    a.add_argument("paths", nargs="+", type=Path, help="letters, directories or facts files")
    a.add_argument("--format", choices=FORMATS, default="jsonl", help="parquet needs --output")
    a.add_argument("--output", "-o", type=Path, help="write rows here (default stdout)")
    a.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted audit in --output: skip inputs whose content hash is done",
    )
    a.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes (default: the CPU count; 1 = in this process)",
    )
    a.add_argument("--executor", choices=EXECUTORS, default="local", help="local processes or dask")
    a.add_argument(
        "--scheduler", metavar="ADDRESS", help="dask scheduler (default: a LocalCluster)"
    )
    a.add_argument("--chunk-size", type=int, help="inputs per worker task (default: automatic)")
    a.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")
    _library_args(a)
    a.set_defaults(run=_audit)

    r = sub.add_parser("report", help="one self-contained HTML page: charts and explanations")
    r.add_argument("audit", type=Path, help="an audit .jsonl file (recheck audit output)")
    r.add_argument("--output", "-o", type=Path, required=True, help="the .html page to write")
    r.add_argument(
        "--max-items",
        type=int,
        default=1000,
        help="inconsistent items shown in full (default 1000; 0 = all)",
    )
    r.set_defaults(run=_report)

    b = sub.add_parser("bench", help="throughput and memory of batch audits on this machine")
    bench_arguments(b)
    b.set_defaults(run=_bench)

    x = sub.add_parser("explain", help="why each item was upheld or overturned, in plain words")
    x.add_argument("path", type=Path)
    x.add_argument("--item", type=int, help="only this item (1-based)")
    _library_args(x)
    x.set_defaults(run=_explain)

    c = sub.add_parser("coverage", help="items assessed and agreeing, per service and guideline")
    c.add_argument("path", type=Path, help="an audit .jsonl file, or letters to audit first")
    c.add_argument("--format", choices=("table", "json"), default="table")
    _library_args(c)
    c.set_defaults(run=_coverage)

    lnt = sub.add_parser(
        "lint", help="validate guideline files, find contradictory or gapped criteria (file:line)"
    )
    lnt.add_argument("paths", nargs="*", type=Path, help=f"default {DEFAULT_GUIDELINES}")
    lnt.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    lnt.set_defaults(run=_lint)

    s = sub.add_parser("schema", help="JSON Schema of guideline files, facts, test suites")
    s.add_argument("shape", choices=("guideline", "facts", "rules", "suite"))
    s.set_defaults(run=_schema)

    from engine.testing.command import add_arguments as test_arguments

    t = sub.add_parser("test", help="run guideline test suites (like opa test); --coverage")
    test_arguments(t)
    _library_args(t)
    t.set_defaults(run=_test)

    rp = sub.add_parser("replay", help="re-judge an audit log; list every verdict that changed")
    rp.add_argument("audit", type=Path, help="an audit .jsonl file (recheck audit output)")
    _library_args(rp)
    rp.set_defaults(run=_replay)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except RecheckError as exc:  # the library itself (guidelines, rules) is invalid
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BrokenPipeError:  # `recheck audit ... | head`
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
