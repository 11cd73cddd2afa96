"""The bench's peak-RSS sampler counts a process's descendants, also ones started after it."""

from __future__ import annotations

import subprocess
import sys

from engine.bench import sample_rss

# a parent that starts a child late (after the first listing), which then holds 120 MB
_TREE = """
import subprocess, sys, time
time.sleep(0.3)
subprocess.run([sys.executable, "-c", "import time; x = bytearray(120 * 2**20); time.sleep(1.5)"])
"""


def test_peak_rss_includes_descendants_started_later() -> None:
    proc = subprocess.Popen([sys.executable, "-c", _TREE])
    with sample_rss(proc.pid, every=0.02, relist=0.2) as peak:
        proc.wait()
    assert peak.process_mb >= 120
    assert peak.tree_mb >= peak.process_mb + 5  # the parent interpreter is counted too
