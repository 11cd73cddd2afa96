"""Batch fixtures: scale inputs are the corpus letters replicated with distinct case numbers into
temporary directories (never into the repository); skipped when ../shared is absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.bench import replicate
from tests.conftest import CORPUS, ROOT, require_shared


def letters() -> list[Path]:
    require_shared()
    return sorted((CORPUS / "letters").glob("*.txt"))


@pytest.fixture(scope="session")
def corpus_letters() -> list[Path]:
    return letters()


@pytest.fixture(scope="session")
def batch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 distinct letters (about 380 items): enough to kill a run part way through."""
    folder = tmp_path_factory.mktemp("batch") / "letters"
    replicate(letters(), folder, 200)
    return folder


def recheck(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`recheck` as a user runs it: a subprocess, stderr not a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "engine.cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )
