"""The `recheck test` command: run suites, print failures (all cases with -v), optional JUnit XML
and coverage; exit 1 on any failure or when coverage is under --fail-under."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line builds its parser without importing the engine
    from engine.audit import Auditor

DEFAULT_SUITES = Path(__file__).resolve().parents[2] / "tests" / "guideline_suites"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths", nargs="*", type=Path, help=f"suite files or directories (default {DEFAULT_SUITES})"
    )
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write JUnit XML here")
    p.add_argument(
        "--coverage",
        action="store_true",
        help="report the statuses and threshold edges tested for every criterion (of the whole"
        " library when suites are given as directories, else of the guidelines they test)",
    )
    p.add_argument(
        "--fail-under",
        type=float,
        metavar="PCT",
        help="with --coverage: fail when criterion or edge coverage is below PCT percent",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="print passing cases too")


def run(args: argparse.Namespace, auditor: Auditor) -> int:
    from engine.testing.coverage import coverage
    from engine.testing.runner import Runner, SuiteResult, junit
    from engine.testing.suite import suite_files

    files = suite_files(args.paths or [DEFAULT_SUITES])
    if not files:
        print(f"recheck test: no suites in {', '.join(map(str, args.paths))}", file=sys.stderr)
        return 1
    runner = Runner(auditor)
    results: list[SuiteResult] = [runner.run_file(f) for f in files]
    for s in results:
        for err in s.errors:
            print(f"ERROR {err}")
        for c in s.cases:
            if not c.passed:
                print(c.diff())
            elif args.verbose:
                print(f"PASS {c.where} [{c.guideline}] {c.name}")
    cases = [c for s in results for c in s.cases]
    failed = sum(not c.passed for c in cases)
    errors = sum(len(s.errors) for s in results)
    print("-" * 80)
    print(f"PASS: {len(cases) - failed}/{len(cases)}")
    if failed:
        print(f"FAIL: {failed}/{len(cases)}")
    if errors:
        print(f"ERROR: {errors} suite file problem(s)")
    if args.junit:
        junit(results).write(args.junit, encoding="unicode", xml_declaration=True)
    status = 1 if failed or errors else 0
    if args.coverage:
        # A directory of suites answers for the whole library (a guideline without a suite
        # counts as untested); suite files given one by one, for the guidelines they test.
        paths = args.paths or [DEFAULT_SUITES]
        tested = {s.guideline for s in results}
        scope = [
            g for g in auditor.bundle.guidelines if g.id in tested or any(p.is_dir() for p in paths)
        ]
        cov = coverage(scope, cases)
        print(cov.report(args.verbose))
        if args.fail_under is not None and min(cov.percent, cov.edge_percent) < args.fail_under:
            print(f"FAIL: coverage under {args.fail_under:g}%")
            status = 1
    return status
