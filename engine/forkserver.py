"""The forkserver worker processes fork from (engine.batch): local workers, and the workers of a
dask LocalCluster. A clean process that has imported the engine and built extraction's tables once
(engine.preload), so workers start fast and share those pages, but that holds no durable-rules
state (a Host cannot be forked).

Importing the engine takes the forkserver half a second: `recheck audit` starts it before it
imports the engine itself, and both import at once."""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver
from multiprocessing.context import ForkServerContext

# Starting a worker costs about as much as auditing 100 letters: small batches run on fewer
# workers, the smallest in the main process.
MIN_INPUTS_PER_WORKER = 32


def local_workers(requested: int, inputs: int) -> int:
    """How many local worker processes audit `inputs` inputs (1: the main process does)."""
    return min(requested, max(1, inputs // MIN_INPUTS_PER_WORKER))


def context(*, dask: bool = False) -> ForkServerContext:
    """`dask`: dask workers are forked too (they import dask.distributed first thing)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["engine.preload", *(["distributed"] if dask else [])])
    return ctx


def start(*, dask: bool = False) -> None:
    """Start the forkserver now rather than at the first worker's start."""
    context(dask=dask)
    forkserver.ensure_running()
