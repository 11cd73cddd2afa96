"""Real-letter fixtures for the facts tests: the letters live in ../shared beside the checkout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.letters.model import Letter
from engine.letters.parse import load_letter

# tests/facts/conftest.py -> the repository is parents[2]; shared material sits beside it.
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"real letters not available: {path.resolve()} is absent (facts corpus tests skipped)"
        )
    return path


@pytest.fixture(scope="session")
def corpus_paths() -> list[Path]:
    return sorted(_need(SHARED / "corpus" / "letters").glob("*.txt"))


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(_need(SHARED / "seeds").glob("*.txt"))


@pytest.fixture(scope="session")
def seeds_gold() -> dict[str, Any]:
    return yaml.safe_load(_need(SHARED / "gold" / "seeds.yaml").read_text(encoding="utf-8"))[
        "letters"
    ]


@pytest.fixture(scope="session")
def all_letters(corpus_paths: list[Path], seed_paths: list[Path]) -> list[Letter]:
    return [load_letter(p) for p in corpus_paths + seed_paths]
