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

# each service's title words on their own, searched one service after another
_SERVICE_TITLES = [
    re.compile(words(list(e["title"]) + list(e.get("title_only", []))), FLAGS)
    for e in load_data("services.yaml")["services"]
]
_SERVICE_WORDS = sorted(  # the words the patterns spell, to build titles from
    {w for p in _SERVICE_TITLES for w in re.findall(r"[a-z]{2,}", p.pattern)}
)


def _first_service_plain(text: str) -> tuple[int, tuple[int, int]] | None:
    """(entry index, span) of the first service named: earliest start, then the entry listed
    first, as title parsing first found it."""
    found = [
        (m.start(), i, m.span()) for i, p in enumerate(_SERVICE_TITLES) if (m := p.search(text))
    ]
    return min(found)[1:] if found else None


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


@given(st.lists(st.sampled_from([*_SERVICE_WORDS, "-", "x", "12", "("]), max_size=8))
def test_first_service_of_a_title_is_the_plain_searches_first(pieces: list[str]) -> None:
    text = " ".join(pieces)
    m = vocab.services().first_title.search(text)
    found = (int(m.lastgroup[1:]), m.span()) if m and m.lastgroup else None
    assert found == _first_service_plain(text)
