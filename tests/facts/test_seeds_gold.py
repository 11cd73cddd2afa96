"""The five seed letters against their hand annotation (gold/seeds.yaml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.facts import extract_facts
from engine.letters.parse import load_letter

FIELDS = (
    "service",
    "body_regions",
    "quantity",
    "frequency_per_week",
    "duration_weeks",
    "medication",
    "prior_treatment",
    "prior_sessions",
    "functional_improvement",
)


def test_seed_facts_match_gold(seed_paths: list[Path], seeds_gold: dict[str, Any]) -> None:
    by_name = {p.name: p for p in seed_paths}
    mismatches = []
    checked = 0
    for name, gold in seeds_gold.items():
        letter = load_letter(by_name[name])
        assert len(letter.items) == len(gold["items"]), name
        for item, expected in zip(letter.items, gold["items"], strict=True):
            facts = extract_facts(letter, item).values()
            for field in FIELDS:
                want = expected.get(field)  # absent from the gold = the letter does not say
                got = facts[field]
                if field == "body_regions":
                    want, got = sorted(want or []), sorted(got)
                checked += 1
                if got != want:
                    mismatches.append(
                        f"{name} {item.title!r} {field}: expected {want!r}, got {got!r}"
                    )
    assert not mismatches, "\n".join(mismatches)
    assert checked == 8 * len(FIELDS)


@pytest.mark.parametrize(
    ("name", "index", "field", "quote"),
    [
        # the reviewer's explicit finding is the evidence, not the summary's vaguer report
        (
            "004_6ce2ce40348261aa.txt",
            1,
            "functional_improvement",
            "no documentation of specific objective functional",
        ),
        ("003_f7c04554d3ec6a02.txt", 1, "prior_sessions", "5 sessions of acupuncture"),
        (
            "003_f7c04554d3ec6a02.txt",
            2,
            "prior_treatment",
            "none of the reports discuss chiropractic",
        ),
    ],
)
def test_seed_evidence_quotes_the_deciding_words(
    seed_paths: list[Path], name: str, index: int, field: str, quote: str
) -> None:
    letter = load_letter(next(p for p in seed_paths if p.name == name))
    facts = extract_facts(letter, letter.items[index - 1])
    quotes = [" ".join(e.quote.split()) for e in facts.evidence[field]]
    assert any(quote in q for q in quotes), quotes
