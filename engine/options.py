"""What the command line offers and falls back to: the default guideline library and decision
rules, output formats, executors, the worker count. Importable without the engine, so that
`recheck audit` can start its workers' forkserver before it imports the engine itself."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GUIDELINES = ROOT / "guidelines"
DEFAULT_RULES = ROOT / "rules" / "decision.yaml"

FORMATS = ("jsonl", "csv", "json", "parquet")
RESUMABLE = ("jsonl", "csv")  # line formats: a torn tail can be cut off and the rest appended to
EXECUTORS = ("local", "dask")


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
