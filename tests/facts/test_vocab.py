"""Vocabulary regexes rearranged for speed match exactly what their plain forms match."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from engine.facts import vocab
from engine.facts.vocab import FLAGS, _by_first_character, _case_aware, load_data, words

_DRUG_ALTERNATIVES = [
    r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", n))
    for n in sorted(vocab.drugs().by_name, key=len, reverse=True)
]
_DRUGS_PLAIN = re.compile(words(_DRUG_ALTERNATIVES), FLAGS)
# each group with its own look-behind, as the region regex was first written
_REGIONS_PLAIN = re.compile(
    "|".join(
        f"(?P<g{i}>(?<!\\w)(?:" + "|".join(_case_aware(p) for p in e["patterns"]) + r")(?!\w))"
        for i, e in enumerate(load_data("regions.yaml")["regions"])
    )
)

_PIECES = [n[: len(n) // 2] for n in vocab.drugs().by_name] + list(vocab.drugs().by_name)
_PIECES += ["lumbar", "L4-5", "C5", "knee", "UE", "shoulder", "x", " ", "-", "\n", "/", "(", "K"]


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], str | None]]:
    return [(m.span(), m.lastgroup) for m in pattern.finditer(text)]


def test_grouping_keeps_the_alternatives_in_order_under_their_first_character() -> None:
    assert _by_first_character(["abc", "b", "ad", "a"]) == ["a(?:bc|d|)", "b(?:)"]
    assert _by_first_character(["abc", r"\(x"]) == ["abc", r"\(x"]  # not all open with one


@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.data())
def test_drug_and_region_regexes_match_as_their_plain_forms(
    pieces: list[str], data: st.DataObject
) -> None:
    text = "".join(p.upper() if data.draw(st.booleans()) else p for p in pieces)
    assert _matches(vocab.drugs().pattern, text) == _matches(_DRUGS_PLAIN, text)
    assert _matches(vocab.regions().pattern, text) == _matches(_REGIONS_PLAIN, text)
