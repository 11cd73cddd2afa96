"""Real-letter fixtures: the corpus and seeds live in ../shared next to the checkout, never here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.letters.model import Item, Letter
from engine.letters.normalize import fold
from engine.letters.parse import load_letter

# tests/letters/conftest.py -> the repository is parents[2]; shared material sits beside it.
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
SEEDS = SHARED / "seeds"
GOLD = SHARED / "gold"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"real letters not available: {path} is absent (see README, tests section)")
    return path


@pytest.fixture(scope="session")
def dev_gold() -> dict[str, Any]:
    return json.loads(_need(GOLD / "dev-outcomes.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seeds_gold() -> dict[str, Any]:
    return yaml.safe_load(_need(GOLD / "seeds.yaml").read_text(encoding="utf-8"))["letters"]


@pytest.fixture(scope="session")
def txt_letters(dev_gold: dict[str, Any]) -> dict[str, Letter]:
    """Every corpus letter parsed once from its text file, by case number."""
    folder = _need(CORPUS / "letters")
    return {case: load_letter(folder / f"{case}.txt") for case in dev_gold}


@pytest.fixture(scope="session")
def pdf_letters(dev_gold: dict[str, Any]) -> dict[str, Letter]:
    """Every corpus letter parsed once from its (encrypted) PDF, by case number."""
    folder = _need(CORPUS / "pdf")
    return {case: load_letter(folder / f"{case}.pdf") for case in dev_gold}


@pytest.fixture(scope="session")
def seed_letters(seeds_gold: dict[str, Any]) -> dict[str, Letter]:
    folder = _need(SEEDS)
    return {name: load_letter(folder / name) for name in seeds_gold}


def title_matches(parsed: str, gold: str) -> bool:
    """Gold titles are compared case-insensitively with folded whitespace; gold cuts long titles
    with a trailing "…", which then means "starts with"."""
    want, got = fold(gold).casefold(), fold(parsed).casefold()
    if want.endswith("\u2026"):
        return got.startswith(want[:-1].rstrip())
    return got == want


def item_summary(item: Item) -> tuple[object, ...]:
    """What must not change between extractors or re-flowed text."""
    return (
        item.index,
        item.title,
        item.outcome,
        item.partial_certification,
        [c.model_dump(exclude={"text"}) for c in item.citations],
        [c.model_dump(exclude={"text"}) for c in item.claims_administrator_citations],
        fold(item.rationale),
    )
