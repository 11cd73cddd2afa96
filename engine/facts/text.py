"""The readable part of a letter: sentences of the case summary and rationales, conclusions masked.

Extraction never sees the recorded outcome or the reviewer's conclusion. `view(letter)` splits the
case summary and each rationale into sentences, blanks (replaces with spaces, so every offset
still points into Letter.text) each conclusion sentence, every outcome word and every quotation
attributed to a guideline, and hands that masked text to the extractors. Sentences are split on
the unmasked text so their boundaries cannot depend on what the reviewer concluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

from engine.facts import vocab
from engine.facts.prefilter import Prefiltered, lowered
from engine.letters.model import Letter
from engine.memo import text_cache


class Part(StrEnum):
    TITLE = "title"
    SUMMARY = "summary"
    RATIONALE = "rationale"


class Sentence(NamedTuple):
    """A NamedTuple: immutable, and built several times faster than a frozen dataclass (every
    sentence of every letter)."""

    start: int  # offsets into Letter.text
    end: int
    part: Part
    item: int | None  # Item.index for title and rationale sentences


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: cheap as a cache key
class View:
    """A letter as extraction may read it."""

    text: str  # Letter.text with masked stretches blanked; same length
    sentences: tuple[Sentence, ...]  # unmasked sentences only
    lower: str | None  # prefilter.lowered(text): where Prefiltered patterns look first
    # of_item's answers: several extractors ask for each item's sentences
    _of_item: dict[int, tuple[Sentence, ...]] = field(default_factory=dict, init=False, repr=False)

    def of_item(self, index: int) -> tuple[Sentence, ...]:
        """Summary sentences and the sentences of item `index`'s rationale."""
        found = self._of_item.get(index)
        if found is None:
            found = tuple(s for s in self.sentences if s.item is None or s.item == index)
            self._of_item[index] = found
        return found


# A sentence ends at . ! ? (plus closing quotes/brackets) before whitespace and a capital, digit or
# opening quote, or glued to a capitalised word (PDF text loses spaces: "records.A detailed").
# Matched only where str.find finds a . ! or ? (`re`'s own scan for a first character costs some
# 5 ns a character).
_CLOSE = "\"\u201d\u2019')\\]"  # closing quotes and brackets after a full stop
_OPEN = "\"\u201c'(\\["
# Group 1, the whitespace after the stop, is where the sentence's trimmed end stands.
_END = re.compile(
    rf"[.!?][.!?]*[{_CLOSE}]*(?:(\s+)(?=[{_OPEN}]?[A-Z0-9])|(?=[\"\u201c]?[A-Z][a-z]))"
)
# Words whose full stop does not end a sentence ("Dr.", "e.g.", "approx.").
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "vs", "e.g", "i.e", "etc", "no", "approx", "st", "jr", "sr", "fig"}
    | {"p", "pp", "pg", "dept", "inc", "u.s", "a.m", "p.m", "cf", "al", "mt", "ave", "hr", "hrs"}
    | {"min", "max", "ext", "lt", "rt", "ca", "sec"}
)
# The last run of [\w.] before a full stop, matched once from the window's start: `search` for
# r"([\w.]+)$" finds the same run (before a final newline too: `$`) but tries every start.
_WORD_BEFORE = re.compile(r"(?s:.*[^\w.])?([\w.]+)$")


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of text[start:end], whitespace trimmed."""
    spans = []
    begin = last = start
    for stop in _positions(text, ".!?", start, end):  # where _END's matches can start
        if stop < last or (m := _END.match(text, stop, end)) is None:
            continue
        last = m.end()
        if text[stop] == "." and _abbreviation_before(text, start, stop):
            continue
        # A sentence ends at its stop (and closing quotes): what follows is group 1's
        # whitespace or the next sentence's first character, so only the first and last spans
        # can need trimming.
        cut = m.start(1)
        spans.append((begin, cut if cut >= 0 else last))
        begin = last
    spans.append((begin, end))
    spans[0] = _trim(text, *spans[0])
    spans[-1] = _trim(text, *spans[-1])
    if spans[-1][1] == spans[-1][0]:
        spans.pop()
    return spans


_LONGEST = max(len(a) for a in _ABBREVIATIONS)


def _abbreviation_before(text: str, start: int, stop: int) -> bool:
    """Whether the word before the full stop at `stop` is an abbreviation. A run of more letters
    and digits than the longest abbreviation (most sentence ends) settles it without the regex,
    as does a last character that is neither a letter, a full stop nor a newline (every
    abbreviation ends in a letter, and `$` also matches before a final newline: "Dr\n.")."""
    if stop == start or not (text[stop - 1].isalpha() or text[stop - 1] in ".\n"):
        return False
    if stop - start > _LONGEST and text[stop - _LONGEST - 1 : stop].isalnum():
        return False
    word = _WORD_BEFORE.match(text, max(start, stop - 12), stop)
    return word is not None and _is_abbreviation(word.group(1))


def _is_abbreviation(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w in _ABBREVIATIONS or (len(w) == 1 and w.isalpha())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def view(letter: Letter) -> View:
    """The masked view of a letter (cached: every item of a letter shares it)."""
    regions: list[tuple[int, int, int | None]] = []
    if letter.case_summary_span is not None:
        regions.append((letter.case_summary_span.start, letter.case_summary_span.end, None))
    for item in letter.items:
        if item.rationale_span is not None:
            regions.append((item.rationale_span.start, item.rationale_span.end, item.index))
    return _view(letter.text, tuple(regions))


# A NamedTuple's __new__ is a Python function; tuple.__new__ makes the same Sentence without its
# frame (every sentence of every letter), as analysis does for Hits.
_new = tuple.__new__


@text_cache(maxsize=16)
def _view(text: str, regions: tuple[tuple[int, int, int | None], ...]) -> View:
    rules = vocab.mask()
    low = lowered(text)
    blanks: list[tuple[int, int]] = []
    sentences: list[Sentence] = []
    for start, end, item in regions:
        part = Part.SUMMARY if item is None else Part.RATIONALE
        blanks.extend(_guideline_quotes(text, low, start, end, rules.quote_attribution))
        for s, e in split_sentences(text, start, end):
            if _is_conclusion(text[s:e]):
                blanks.append((s, e))
            else:
                sentences.append(_new(Sentence, (s, e, part, item)))
        blanks.extend(m.span() for m in rules.outcome_words.finditer(text, low, start, end))
    masked = _blank(text, blanks)
    return View(masked, tuple(sentences), _lowered_masked(text, low, masked, blanks))


def _lowered_masked(
    text: str, low: str | None, masked: str, blanks: list[tuple[int, int]]
) -> str | None:
    """lowered(masked), blanking the lowered letter instead of lowering the whole letter again:
    str.lower() maps each character on its own, but for a capital sigma (its lower case depends
    on the letters beside it) and for what makes lowered() give None."""
    if low is None or "\u03a3" in text:
        return lowered(masked)
    return _blank(low, blanks)


@text_cache(maxsize=8192)
def _is_conclusion(sentence: str) -> bool:
    """Cached by the sentence's text, as sentence analysis is (analysis._analyse_text): letters
    repeat the reviewers' stock sentences, and testing some fifty substrings and a few regexes
    costs about 7 us a sentence, a lookup well under 1 us."""
    return vocab.mask().is_conclusion(sentence)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    out = []
    pos = 0
    for s, e in sorted(spans):
        if e <= pos:
            continue
        s = max(s, pos)
        out.append(text[pos:s])
        out.append(" " * (e - s))
        pos = e
    out.append(text[pos:])
    return "".join(out)


_QUOTES = '"“”'
_MAX_QUOTE = 3000


def _guideline_quotes(
    text: str, low: str | None, start: int, end: int, attribution: Prefiltered
) -> list[tuple[int, int]]:
    """Quotations in text[start:end] whose sentence, before the quote, names a guideline.

    An opening quote follows whitespace, an opening bracket, a colon or the start; anything else
    closes. Straight quotes carry no direction, so this is what keeps an unbalanced quote from
    shifting every later pair.
    """
    spans = []
    opening: int | None = None
    for i in _positions(text, _QUOTES, start, end):
        before = text[i - 1] if i > start else " "
        is_open = text[i] == "“" or (text[i] == '"' and (before.isspace() or before in "([{:,;"))
        if opening is None:
            if is_open:
                opening = i
            continue
        if is_open and text[i] != "”":
            opening = i  # two openings in a row: the first was never closed
            continue
        close = i + 1
        if close - opening <= _MAX_QUOTE and _attributed(text, low, start, opening, attribution):
            spans.append((opening, close))
        opening = None
    return spans


def _positions(text: str, chars: str, start: int, end: int) -> list[int]:
    """Where any of `chars` stands in text[start:end], in order. By str.find: `re` scans for a
    character set with a character outside Latin-1 at some 5 ns a character, a region's quotes
    (a few) cost a tenth of that."""
    found = []
    for c in chars:
        i = text.find(c, start, end)
        while i >= 0:
            found.append(i)
            i = text.find(c, i + 1, end)
    found.sort()
    return found


_SENTENCE_START = re.compile(rf"[.!?][{_CLOSE}]*\s+(?=[{_OPEN}]?[A-Z])")


def _attributed(
    text: str, low: str | None, start: int, quote: int, attribution: Prefiltered
) -> bool:
    """Whether the sentence before the opening quote names a guideline."""
    lead = max(start, quote - 300)
    if not attribution.possible(low, lead, quote):  # then neither can the sentence within
        return False
    for boundary in _SENTENCE_START.finditer(text, lead, quote):
        lead = boundary.end()
    return attribution.regex.search(text, lead, quote) is not None


def evidence(text: str, start: int, end: int) -> dict[str, Any]:
    """The letter's words at [start, end), whitespace trimmed, as Evidence's fields: validating
    the Facts they belong to makes the Evidence in pydantic-core, a third cheaper than one
    validator call per quote (every evidence quote of every item)."""
    if start < end and (text[start].isspace() or text[end - 1].isspace()):  # seldom
        start, end = _trim(text, start, end)
    return {"quote": text[start:end], "start": start, "end": end}
