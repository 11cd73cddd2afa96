"""Worker tasks for the batch tests: one that dies (SIGKILL, as the out-of-memory killer does) on
inputs whose name says so, ones that report what a worker started with or set up. Worker
processes import them by name, so they live in a module, not in a test."""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Sequence

from engine.batch import Done, Library, audit_chunk
from engine.facts.analysis import target_matcher


def audit_or_die(library: Library, fmt: str, paths: Sequence[str]) -> list[Done]:
    if any("die" in os.path.basename(p) for p in paths):
        os.kill(os.getpid(), signal.SIGKILL)
    return audit_chunk(library, fmt, paths)


def tables_built(library: Library, fmt: str, paths: Sequence[str]) -> list[Done]:
    """Whether this worker found extraction's target matcher built, before auditing anything."""
    return [Done([str(target_matcher.cache_info().currsize)], []) for _ in paths]


def collector_settled(library: Library, fmt: str, paths: Sequence[str]) -> list[Done]:
    """How this worker's collector stands once its engine is loaded: objects frozen, the youngest
    generation's threshold."""
    library.auditor()
    return [Done([f"{gc.get_freeze_count() > 0} {gc.get_threshold()[0]}"], []) for _ in paths]
