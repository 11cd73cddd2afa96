"""Invariants of extraction over every real letter (74 corpus letters and the 5 seeds)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from engine.facts import extract_facts
from engine.facts.model import FACT_NAMES
from engine.letters.model import Letter
from engine.letters.parse import parse_letter


def test_every_fact_has_evidence_quoting_the_letter(all_letters: list[Letter]) -> None:
    problems = []
    for letter in all_letters:
        for item in letter.items:
            facts = extract_facts(letter, item)
            for name, value in facts.values().items():
                if value is not None and value != [] and not facts.evidence.get(name):
                    problems.append(
                        f"{letter.source} #{item.index} {name}={value!r} has no evidence"
                    )
            for name, quotes in facts.evidence.items():
                assert name in FACT_NAMES
                for q in quotes:
                    if letter.text[q.start : q.end] != q.quote or not q.quote.strip():
                        problems.append(
                            f"{letter.source} #{item.index} {name}: {q!r} is not the letter text"
                        )
    assert not problems, "\n".join(problems[:20])


_SWAP = {
    "Upheld": "Overturned",
    "Overturned": "Upheld",
    "UPHELD": "OVERTURNED",
    "OVERTURNED": "UPHELD",
    "is not medically necessary": "is medically necessary",
    "is medically necessary": "is not medically necessary",
}
_SWAP_RE = re.compile("|".join(re.escape(k) for k in sorted(_SWAP, key=len, reverse=True)))


def test_facts_do_not_depend_on_the_outcome(
    corpus_paths: list[Path], seed_paths: list[Path]
) -> None:
    """Swapping every outcome word and every necessity conclusion changes no fact and no quote."""
    differences = []
    swapped_any = 0
    for path in corpus_paths + seed_paths:
        raw = path.read_text(encoding="utf-8")
        swapped = _SWAP_RE.sub(lambda m: _SWAP[m.group()], raw)
        swapped_any += swapped != raw
        a, b = parse_letter(raw, str(path)), parse_letter(swapped, str(path))
        assert len(a.items) == len(b.items), path
        for x, y in zip(a.items, b.items, strict=True):
            fa, fb = extract_facts(a, x), extract_facts(b, y)
            if fa.values() != fb.values():
                differences.append(f"{path.name} #{x.index}: {fa.values()} != {fb.values()}")
            quotes_a = {k: [e.quote for e in v] for k, v in fa.evidence.items()}
            quotes_b = {k: [e.quote for e in v] for k, v in fb.evidence.items()}
            if quotes_a != quotes_b:
                differences.append(f"{path.name} #{x.index}: evidence differs")
    assert swapped_any >= len(corpus_paths)  # the swap really changed every letter
    assert not differences, "\n".join(differences[:10])


def test_corpus_items_get_a_service(all_letters: list[Letter]) -> None:
    services: Counter[str] = Counter()
    missing = []
    for letter in all_letters:
        for item in letter.items:
            service = extract_facts(letter, item).service
            services[service.value if service else "None"] += 1
            if service is None:
                missing.append(item.title)
    total = sum(services.values())
    print("\nservice distribution:", dict(services.most_common()), f"({total} items)")
    assert (total - services["None"]) / total >= 0.9, missing
    assert services["other"] / total < 0.05  # "other" is not a place to hide unrecognised titles


def test_regional_requests_get_regions(all_letters: list[Letter]) -> None:
    """Therapy requests name a body region in the title or the letter; imaging nearly always."""
    lacking = []
    for letter in all_letters:
        for item in letter.items:
            facts = extract_facts(letter, item)
            regional = ("chiropractic", "acupuncture", "imaging", "massage")
            if facts.service and facts.service.value in regional and not facts.body_regions:
                lacking.append(item.title)
    assert len(lacking) <= 3, lacking
