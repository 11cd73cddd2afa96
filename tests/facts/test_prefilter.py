"""Prefiltered regexes: the strings read off a pattern are in every match, so skipping text
without them never loses a match."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from engine.facts import imaging, medications, procedures, treatment_list, vocab
from engine.facts.prefilter import Prefiltered, lowered, needs
from engine.facts.text import view
from engine.letters.model import Letter


def test_needs_are_literal_runs_and_what_every_alternative_needs() -> None:
    assert needs(r"\bfoo\s+(?:bar|quxx)\d+", re.IGNORECASE) == (("foo",), ("bar", "quxx"))
    assert needs(r"History(?:\s+of)+") == (("history",),)


def test_optional_parts_look_arounds_and_short_strings_need_nothing() -> None:
    assert needs(r"(?<!abc)def(?:ghi)?(?=jkl)") == (("def",),)
    assert needs(r"(?:abc|\d+)xyz") == (("xyz",),)  # one alternative needs no string
    assert needs(r"of\s+x") == ()
    assert needs(r"\d+") == ()


def test_strings_that_hold_another_of_the_set_are_dropped() -> None:
    assert needs(r"(?:includes|included|include)") == (("include",),)


def test_lowered_text_is_none_where_lower_case_is_not_what_a_regex_matches() -> None:
    assert lowered("Pain FOR 2 Weeks") == "pain for 2 weeks"
    assert lowered("caf\u00e9 \u00b0") == "caf\u00e9 \u00b0"
    assert re.fullmatch("s", "\u017f", re.IGNORECASE) and "\u017f".lower() != "s"
    for odd in ("\u0130", "\u0131", "\u017f"):  # capital dotted I, dotless i, long s
        assert lowered(f"pain {odd}") is None


def test_possible_without_lowered_text_runs_the_regex() -> None:
    pattern = Prefiltered.compile(r"week", re.IGNORECASE)
    assert pattern.possible(None, 0, 3)
    assert not pattern.possible("a day", 0, 5)
    assert pattern.possible("two weeks", 0, 9)
    assert not pattern.possible("two weeks", 0, 6)  # only what lies inside [start, end) counts


def _extraction_patterns() -> list[Prefiltered]:
    im, med, kinds = imaging._data(), medications._data(), procedures.vocabulary()
    return [
        *im.durations,
        im.guideline_sentence,
        im.request_date,
        med.no_medications,
        med.age,
        *med.morphine_equivalent,
        med.guideline_words,
        med.first_line,
        vocab.mask().outcome_words,
        vocab.mask().quote_attribution,
        treatment_list._OPENER,
        *(
            pattern
            for section in (kinds.procedure, kinds.equipment, kinds.modality)
            for _, pattern in section.values
        ),
    ]


def test_every_match_in_the_real_letters_is_possible(all_letters: list[Letter]) -> None:
    patterns = _extraction_patterns()
    for letter in all_letters:
        readable = view(letter)
        low = lowered(letter.text)
        spans = [(s.start, s.end) for s in readable.sentences] + [(0, len(letter.text))]
        for pattern in patterns:
            for start, end in spans:
                for text, lower in ((letter.text, low), (readable.text, readable.lower)):
                    if pattern.regex.search(text, start, end):
                        assert pattern.possible(lower, start, end), (pattern.regex.pattern, start)


# Text made of the patterns' own words (so that matches happen), in any case, with the letters a
# case-insensitive regex treats specially.
_WORDS = ["pain", "for", "the", "past", "6", "2", "weeks", "month", "history", "of", "symptoms"]
_WORDS += ["MED", "MME", "is", "120", "mg", "morphine equivalent", "first-line", "therapy"]
_WORDS += ["year-old", "45", "not", "taking", "any", "medications", "upheld", "Overturned"]
_WORDS += ["MTUS", "guidelines", "recommends", "treatment to date has", "included", "chiropractic"]
_WORDS += ["\u0130", "\u0131", "\u017f", "K", " ", "\n", ".", "-", "/", "x"]


@given(st.lists(st.sampled_from(_WORDS), max_size=30), st.data())
def test_a_match_is_never_skipped(words: list[str], data: st.DataObject) -> None:
    text = "".join(w.upper() if data.draw(st.booleans()) else w for w in words)
    low = lowered(text)
    for pattern in _extraction_patterns():
        if pattern.regex.search(text):
            assert pattern.possible(low, 0, len(text)), (pattern.regex.pattern, text)
