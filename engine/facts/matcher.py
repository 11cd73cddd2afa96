"""Many regexes over one sentence, fast: index each pattern by the words it can start with.

One alternation of hundreds of patterns is slow in Python's `re` (every position tries every
branch). Instead each pattern is parsed once (re._parser) to find the first up-to-3 characters a
match can start with; a sentence is tokenised once, and at each token only the patterns indexed
under that token's start are tried, anchored there with `Pattern.match`. Every match of every
pattern at a token start is found, overlapping ones included, which is also what medspaCy's
matchers report before pruning.

Keys are as long as they can be bounded, up to a whole first word of 8 characters: with 3-character
keys, "the" was tried with every pattern opening with "therapy" or "there", twice the attempts.
The index is conservative: when a pattern's start cannot be bounded (it opens with `\\w+`), it is
tried at every token. A wrong key could only make a pattern be tried too often, never too rarely.
"""

from __future__ import annotations

import re
import re._constants as C
import re._parser as P
from collections.abc import Iterable, Sequence
from typing import Any

# Close to spaCy's English tokens, so max_scope counts the same: "1/5/17", "6-8", "L4-5" and "7.5"
# are one token; "x-ray", "and/or" and punctuation split.
TOKEN = re.compile(r"\w+(?:[.'\u2019]\w+|[-/](?=\d)\w+)*|[^\w\s]")
_HEAD = re.compile(r"\w+")
_KEY = 8  # most characters of a token used as index key
_DIGIT = "#"  # key of every token that starts with a digit
_MAX_KEYS = 400

# A state while walking a pattern: (prefix, status). "ext": can still grow; "end": the word ended
# here (next character is not a word character); "open": unknown continuation, use as prefix.
_State = tuple[str, str]


class Matcher:
    """Finds every (key, pattern) match that starts at a token start."""

    def __init__(self, entries: Iterable[tuple[Any, str]], flags: int = re.IGNORECASE) -> None:
        self.patterns: list[tuple[Any, re.Pattern[str]]] = []
        self._cache: dict[str, tuple[tuple[Any, Any], ...]] = {}  # token -> (key, match method)
        self._exact: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._always: list[int] = []
        for key, source in entries:
            index = len(self.patterns)
            self.patterns.append((key, re.compile(source, flags)))
            keys = first_keys(source, flags)
            if keys is None:
                self._always.append(index)
                continue
            for text, status in keys:
                table = self._exact if status == "end" else self._prefix
                table.setdefault(text, []).append(index)

    def candidates(self, token: str) -> list[int]:
        """Indices of the patterns that may match at a token (lower case), in pattern order."""
        found = list(self._always)
        if token[0].isdigit():
            found += self._exact.get(_DIGIT, ())
        found += self._exact.get(token, ())
        head = _HEAD.match(token)
        if head is not None and head.end() < len(token):  # "no-0", "pt's": a word ends inside
            found += self._exact.get(head.group(), ())
        for n in range(1, min(len(token), _KEY) + 1):
            found += self._prefix.get(token[:n], ())
        return sorted(set(found))

    def find(self, text: str, tokens: Sequence[tuple[int, int, str]]) -> list[tuple[Any, int, int]]:
        """(key, start, end) of every match in `text`, given its tokens as (start, end, lower-case
        token). Plain tuples: this loop is the hot path of extraction."""
        out = []
        cache = self._cache
        for start, _, token in tokens:
            tried = cache.get(token)
            if tried is None:
                # Tokens repeat ("the", "patient"): look their candidates up once.
                tried = tuple(
                    (self.patterns[i][0], self.patterns[i][1].match) for i in self.candidates(token)
                )
                if len(cache) < 200_000:
                    cache[token] = tried
            for key, match in tried:
                m = match(text, start)
                if m is not None and m.end() > start:
                    out.append((key, start, m.end()))
        return out


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-case text) of each token."""
    low = text.lower()
    return [(s, e, low[s:e]) for s, e in (m.span() for m in TOKEN.finditer(text))]


def first_keys(source: str, flags: int = re.IGNORECASE) -> set[_State] | None:
    """The possible starts of a match (lower case, at most _KEY characters), or None if
    unbounded. Keys are shortened when longer ones would be too many ("[a-z]{2}...")."""
    try:
        parsed = list(P.parse(source, flags))
    except re.error:
        return None
    for size in range(_KEY, 0, -1):
        states = _walk({("", "ext")}, parsed, size)
        if states is not None and all(s for s, _ in states):
            return {(s, "open" if status == "ext" else status) for s, status in states}
    return None


def _walk(
    states: set[_State] | None, items: list[tuple[Any, Any]], size: int
) -> set[_State] | None:
    """The states after matching `items`, keys grown to at most `size` characters."""
    for op, av in items:
        if states is None or len(states) > _MAX_KEYS:
            return None
        if all(status != "ext" for _, status in states):
            return states
        states = _step(states, op, av, size)
    return states


def _step(states: set[_State], op: Any, av: Any, size: int) -> set[_State] | None:
    if op in (C.ASSERT, C.ASSERT_NOT) and _is_word_class(av[1]):
        direction = av[0]
        if op is C.ASSERT_NOT and direction == 1:  # (?!\w): the first word ends here
            return {(s, "end" if status == "ext" and s else status) for s, status in states}
        if op is C.ASSERT and direction == -1 and _negated_word(av[1]):  # (?<=\W)
            # cannot hold right after a word character
            return {(s, st) for s, st in states if st != "ext" or not s or not _wordy(s[-1])}
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return states  # zero-width
    if op is C.LITERAL:
        return _chars(states, [chr(av)], size)
    if op is C.IN:
        chars = _set_chars(av)
        return None if chars is None else _chars(states, chars, size)
    if op is C.BRANCH:
        out: set[_State] = set()
        for alternative in av[1]:
            branch = _walk(set(states), list(alternative), size)
            if branch is None:
                return None
            out |= branch
        return out
    if op is C.SUBPATTERN:
        return _walk(states, list(av[3]), size)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
        return _repeat(states, av, size)
    # ANY, NOT_LITERAL, GROUPREF...: nothing known about what follows
    if all(s for s, status in states if status == "ext"):
        return {(s, "open" if status == "ext" else status) for s, status in states}
    return None


def _repeat(states: set[_State], av: Any, size: int) -> set[_State] | None:
    """States after `low` to `high` repetitions, repeated until no new state appears: with long
    keys "(?:ab)+c" needs three repetitions to reach "ababab". Including the states of fewer
    repetitions than `low` only adds keys, which is safe."""
    low, high, sub = av
    sub = list(sub)
    reached = _walk(set(states), sub, size)
    for _ in range(1, high):  # `high` may be unbounded: stop when nothing new appears
        more = None if reached is None else _walk(set(reached), sub, size)
        if more is None or len(more) > _MAX_KEYS:
            return None
        if more <= reached:
            break
        reached |= more
    if reached is None:
        return None
    return reached | states if low == 0 else reached


def _is_word_class(sub: Any) -> bool:
    """Whether a lookaround body is the single character class \\w or \\W."""
    items = list(sub)
    return (
        len(items) == 1
        and items[0][0] is C.IN
        and len(items[0][1]) == 1
        and items[0][1][0][0] is C.CATEGORY
        and items[0][1][0][1] in (C.CATEGORY_WORD, C.CATEGORY_NOT_WORD)
    )


def _negated_word(sub: Any) -> bool:
    return next(iter(sub))[1][0][1] is C.CATEGORY_NOT_WORD


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or ch == "#"


def _chars(states: set[_State], chars: list[str], size: int) -> set[_State]:
    out: set[_State] = set()
    for s, status in states:
        if status != "ext":
            out.add((s, status))
            continue
        for ch in chars:
            if ch == " ":  # whitespace ends the first word
                out.add((s, "end") if s else (s, "ext"))
            elif not (ch.isalnum() or ch == "_"):
                out.add((s, "end") if s else (ch, "end"))
            elif ch.isdigit() and not s:
                out.add((_DIGIT, "end"))
            else:
                grown = s + ch.lower()
                out.add((grown, "ext" if len(grown) < size else "open"))
    return out


def _set_chars(av: list[tuple[Any, Any]]) -> list[str] | None:
    chars: list[str] = []
    for op, value in av:
        if op is C.LITERAL:
            chars.append(chr(value))
        elif op is C.RANGE and value[1] - value[0] < 12:
            chars.extend(chr(c) for c in range(value[0], value[1] + 1))
        elif op is C.CATEGORY and value is C.CATEGORY_SPACE:
            chars.append(" ")
        elif op is C.CATEGORY and value is C.CATEGORY_DIGIT:
            chars.extend("0123456789")
        else:
            return None  # negated sets, \w, large ranges
    return chars
