"""Facts per letter: what `recheck extract` prints and what `recheck audit` accepts instead of
letters (JSON or YAML), for users with their own extraction."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, RootModel

from engine.facts.model import Facts
from engine.letters.model import Citation, Outcome, PartialCertification
from engine.yamlio import load_model


class ItemFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    index: int = 0
    title: str = ""
    outcome: Outcome | None = None
    partial_certification: PartialCertification | None = None
    citations: list[Citation] = Field(default_factory=list)
    # Evaluate only these guideline ids (default: every guideline that governs the item).
    guidelines: list[str] | None = None
    facts: Facts


class LetterFacts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = ""
    case_number: str | None = None
    decision_date: date | None = None
    items: list[ItemFacts]


class _FactsFile(RootModel[list[LetterFacts] | LetterFacts]):
    pass


FACTS_SUFFIXES = (".json", ".yaml", ".yml")


def load_facts_file(path: Path) -> list[LetterFacts]:
    """A facts file: one letter's facts or a list of them (the output of `recheck extract`)."""
    root = load_model(_FactsFile, path).root
    letters = root if isinstance(root, list) else [root]
    for n, letter in enumerate(letters, 1):
        letter.source = letter.source or (f"{path}#{n}" if len(letters) > 1 else str(path))
        for i, item in enumerate(letter.items, 1):
            item.index = item.index or i
    return letters
