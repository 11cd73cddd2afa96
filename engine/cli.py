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

from engine import __version__
from engine.audit import DEFAULT_GUIDELINES, DEFAULT_RULES, Auditor, read_facts
from engine.errors import RecheckError
from engine.explain import explain_item
from engine.letters.read import iter_inputs
from engine.report import FORMATS, Summary, write_rows

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
    return Auditor.load(args.guidelines or [DEFAULT_GUIDELINES], args.rules)


def _extract(args: argparse.Namespace) -> int:
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


def _audit(args: argparse.Namespace) -> int:
    auditor = _auditor(args)
    summary = Summary()
    with ExitStack() as stack:
        out = (
            stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
            if args.output
            else sys.stdout
        )
        for row in write_rows(auditor.audit(args.paths), out, args.format):
            summary.add(row)
    print(summary.table(), file=sys.stderr)
    return EXIT_INPUT if summary.errors else EXIT_OK


def _explain(args: argparse.Namespace) -> int:
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
                print(explain_item(letter, item, auditor.verdict(letter, item)), end="\n\n")
                shown += 1
    if not shown:
        print(f"error: {args.path}: no item {args.item}", file=sys.stderr)
        return EXIT_INPUT
    return EXIT_OK


def _coverage(args: argparse.Namespace) -> int:
    from engine.coverage import as_json, coverage, read_rows, table

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
    a.add_argument("--format", choices=FORMATS, default="jsonl")
    a.add_argument("--output", "-o", type=Path, help="write rows here (default stdout)")
    _library_args(a)
    a.set_defaults(run=_audit)

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

    lnt = sub.add_parser("lint", help="validate guideline files; problems as file:line")
    lnt.add_argument("paths", nargs="*", type=Path, help=f"default {DEFAULT_GUIDELINES}")
    lnt.add_argument("--rules", type=Path, default=DEFAULT_RULES)
    lnt.set_defaults(run=_lint)

    s = sub.add_parser("schema", help="JSON Schema of guideline files, facts, test suites")
    s.add_argument("shape", choices=("guideline", "facts", "rules"))
    s.set_defaults(run=_schema)
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
