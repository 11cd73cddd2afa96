"""Shared fixtures: the real letters live in ../shared next to the checkout, not in the project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"
EXAMPLES = ROOT / "examples"


def require_shared() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the real-letter corpus is not at {CORPUS}: corpus tests skipped")


@pytest.fixture(scope="session")
def dev_outcomes() -> dict:
    require_shared()
    return json.loads((GOLD / "dev-outcomes.json").read_text())


@pytest.fixture(scope="session")
def corpus_txt() -> list[Path]:
    require_shared()
    return sorted((CORPUS / "letters").glob("*.txt"))


@pytest.fixture(scope="session")
def corpus_pdf() -> list[Path]:
    require_shared()
    return sorted((CORPUS / "pdf").glob("*.pdf"))
