"""Sentence splitting and quotation finding, rewritten for speed, find what the plain regex
scans find."""

from __future__ import annotations

import re

from hypothesis import example, given
from hypothesis import strategies as st

from engine.facts.prefilter import lowered
from engine.facts.text import (
    _END,
    _blank,
    _is_abbreviation,
    _lowered_masked,
    _positions,
    _trim,
    split_sentences,
)

_PLAIN_WORD_BEFORE = re.compile(r"([\w.]+)$")


def _plain_split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """split_sentences as first written: _END.finditer and a search for the word before."""
    spans = []
    begin = start
    for m in _END.finditer(text, start, end):
        word = _PLAIN_WORD_BEFORE.search(text, max(start, m.start() - 12), m.start())
        if word and text[m.start()] == "." and _is_abbreviation(word.group(1)):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, end))
    return [t for s, e in spans if (t := _trim(text, s, e))[1] > t[0]]


_PIECES = [".", "!", "?", " ", "\n", "Dr", "e.g", "No", "x", "A", "The", "pain", "7", "(", ")"]
_PIECES += ["\u201c", "\u201d", '"', "'", "\u00e9", "_", "approx", "U.S"]
_PIECES += ["\t", "Approx", "treatment"]


@given(st.lists(st.sampled_from(_PIECES), max_size=40), st.integers(0, 3))
@example(["Dr", "\n", ".", "Dr"], 0)  # `$` matches before a final newline: "Dr" is the word
def test_sentences_are_those_of_the_plain_scan(pieces: list[str], skip: int) -> None:
    text = "".join(pieces)
    start = min(skip, len(text))
    assert split_sentences(text, start, len(text)) == _plain_split(text, start, len(text))


@given(st.text(alphabet='a "\u201c\u201d.', max_size=30), st.integers(0, 3))
def test_positions_are_those_of_a_character_set_scan(text: str, skip: int) -> None:
    found = [m.start() for m in re.finditer('["\u201c\u201d]', text[skip:])]
    assert _positions(text, '"\u201c\u201d', skip, len(text)) == [i + skip for i in found]


@given(
    st.text(alphabet="aB \u03a3\u03c3\u0130\u0131\u017f\u00c9.", max_size=20),
    st.lists(st.tuples(st.integers(0, 20), st.integers(0, 20)), max_size=4),
)
def test_masked_text_is_lowered_as_lowered_would(text: str, spans: list[tuple[int, int]]) -> None:
    """The masked text's lowered form, made by blanking the lowered letter, is lowered()'s."""
    blanks = [(s, e) for s, e in spans if s <= e <= len(text)]
    masked = _blank(text, blanks)
    assert _lowered_masked(text, lowered(text), masked, blanks) == lowered(masked)
