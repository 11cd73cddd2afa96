"""The token-indexed matcher finds exactly what trying every pattern at every token would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.facts.analysis import target_matcher
from engine.facts.matcher import Matcher, first_keys, tokens
from engine.letters.model import Letter


def brute_force(matcher: Matcher, text: str) -> set[tuple[object, int, int]]:
    found = set()
    for start, _, _ in tokens(text):
        for key, pattern in matcher.patterns:
            m = pattern.match(text, start)
            if m is not None and m.end() > start:
                found.add((key, start, m.end()))
    return found


def indexed(matcher: Matcher, text: str) -> set[tuple[object, int, int]]:
    return set(matcher.find(text, tokens(text)))


# TOKEN as first written, without possessive repeats
_PLAIN_TOKEN = re.compile(r"\w+(?:[.'\u2019]\w+|[-/](?=\d)\w+)*|[^\w\s]")


@given(
    st.one_of(
        st.text(alphabet="aZ9_.'\u2019-/ \n,\u00e9", max_size=40),
        st.text(alphabet="aZ9_.'-/ \n\t\x1c,%", max_size=40),  # ASCII: tokens() reads it apart
    )
)
def test_tokens_are_those_of_the_plain_token_regex(text: str) -> None:
    low = text.lower()
    expected = [(m.start(), m.end(), low[m.start() : m.end()]) for m in _PLAIN_TOKEN.finditer(text)]
    assert tokens(text) == expected


def test_first_keys() -> None:
    assert first_keys("no") == {("no", "open", "")}
    assert first_keys(r"(?:does|do) not") == {("does", "end", "not"), ("do", "end", "not")}
    assert first_keys("physically") == {("physical", "open", "")}
    assert first_keys(r"(?:ab)+c") == {
        ("abc", "open", ""),
        ("ababc", "open", ""),
        ("abababc", "open", ""),
        ("abababab", "open", ""),
    }
    assert first_keys(r"\d+ visits") == {("#", "end", "visits")}
    assert first_keys(r"\d+(?:\.\d+)?\s*mg") == {("#", "end", ""), ("#", "end", "mg")}
    assert first_keys(r"\d+%") == {("#", "end", "%")}  # "%" is a token of its own
    assert first_keys(r"\d+/\d+") == {("#", "end", "")}  # "1/5/17" is one token
    assert first_keys(r"\w+ly") is None  # unbounded start: tried everywhere


def test_second_keys() -> None:
    """The next token narrows a pattern opening with a common word, whenever it is known."""
    assert first_keys(r"(?:the\s+)?(?:4|four)\s+domains") == {
        ("#", "end", "domains"),
        ("four", "end", "domains"),
        ("the", "end", "4"),
        ("the", "end", "four"),
    }
    assert first_keys(r"drop[-\s]arm") == {("drop", "end", ""), ("drop", "end", "arm")}
    assert first_keys(r"the\s+\w+") == {("the", "end", "")}  # any word may follow
    assert first_keys(r"the\s*,") == {("the", "end", ",")}
    assert first_keys(r"pt's") == {("pt", "end", "")}  # "'" may join a token: "pt's"
    assert first_keys(r",\s*which") == {(",", "end", "which")}  # "," is a token of its own


def test_index_is_complete_on_real_sentences(all_letters: list[Letter]) -> None:
    matcher = target_matcher()  # every target pattern and every ConText rule
    sentences = [s for doc in all_letters[:25] for s in doc.text.split(". ")]
    for sentence in sentences:
        assert indexed(matcher, sentence) == brute_force(matcher, sentence), sentence


@settings(max_examples=150, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list("abdefhilmnoprstuvwxy 0123456789-/.,;#'()")), max_size=80)
)
def test_index_is_complete_on_random_text(text: str) -> None:
    matcher = target_matcher()
    assert indexed(matcher, text) == brute_force(matcher, text)
