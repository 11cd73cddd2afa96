"""Many regexes over one sentence, fast: index each pattern by the words it can start with.

One alternation of hundreds of patterns is slow in Python's `re` (every position tries every
branch). Instead each pattern is parsed once (re._parser) to find the first up-to-3 characters a
match can start with; a sentence is tokenised once, and at each token only the patterns indexed
under that token's start are tried, anchored there with `Pattern.match`. Every match of every
pattern at a token start is found, overlapping ones included, which is also what medspaCy's
matchers report before pruning.

Keys are as long as they can be bounded, up to a whole first word of 8 characters: with 3-character
keys, "the" was tried with every pattern opening with "therapy" or "there", twice the attempts.
When a pattern's first word is followed by whitespace, it is tried only before a token starting
with what can follow ("the 4 domains", "in which"): most patterns open with a common word.
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
# are one token; "x-ray", "and/or" and punctuation split. Possessive: nothing after a token's
# parts could make them give characters back, so `re` need not keep states to backtrack to.
TOKEN = re.compile(r"\w++(?:[.'\u2019]\w++|[-/](?=\d)\w++)*+|[^\w\s]")
_SPACED_TOKEN = re.compile(rf"(\s*+)({TOKEN.pattern})")  # every token, and the whitespace before
_HEAD = re.compile(r"\w+")
_KEY = 8  # most characters of a token used as index key
_DIGIT = "#"  # key of every token that starts with a digit
_MAX_KEYS = 400
_JOINING = ".'\u2019-/"  # what TOKEN may join to the word characters before it

# A state while walking a pattern: (first, status, second). `first` is the key of the first token
# ("open": unknown continuation, use as prefix; "end": the first word ended here). A first word
# ended by whitespace goes on to the second token: "gap" while whitespace follows, then `second`
# grows ("ext2") until it ends or nothing more is known ("done"). "ext" and "ext2" still grow, as
# does "num": a first token that starts with a digit, keyed _DIGIT whatever follows, until it ends.
_State = tuple[str, str, str]
_GROWING = ("ext", "num", "gap", "ext2")

# What is tried at a token: (key, match method) of the patterns tried whatever follows; the
# prefixes any of which the next token must start with for any other pattern to be tried; and
# (key, match method, such prefixes) of those other patterns.
_Tried = tuple[
    tuple[tuple[Any, Any], ...], tuple[str, ...], tuple[tuple[Any, Any, tuple[str, ...]], ...]
]


class Matcher:
    """Finds every (key, pattern) match that starts at a token start."""

    def __init__(self, entries: Iterable[tuple[Any, str]], flags: int = re.IGNORECASE) -> None:
        self.patterns: list[tuple[Any, re.Pattern[str]]] = []
        self._cache: dict[str, _Tried] = {}
        self._exact: dict[str, list[tuple[int, str]]] = {}  # key -> (pattern, second) pairs
        self._prefix: dict[str, list[tuple[int, str]]] = {}
        self._always: list[tuple[int, str]] = []
        for key, source in entries:
            index = len(self.patterns)
            self.patterns.append((key, re.compile(source, flags)))
            keys = first_keys(source, flags)
            if keys is None:
                self._always.append((index, ""))
                continue
            for first, status, second in keys:
                table = self._exact if status == "end" else self._prefix
                table.setdefault(first, []).append((index, second))

    def candidates(self, token: str) -> dict[int, tuple[str, ...]]:
        """The patterns that may match at a token (lower case), in pattern order, each with the
        prefixes one of which the next token must start with (none: any next token)."""
        found = list(self._always)
        if token[0].isdigit():
            found += self._exact.get(_DIGIT, ())
        found += self._exact.get(token, ())
        head = _HEAD.match(token)
        if head is not None and head.end() < len(token):  # "no-0", "pt's": a word ends inside
            found += self._exact.get(head.group(), ())
        for n in range(1, min(len(token), _KEY) + 1):
            found += self._prefix.get(token[:n], ())
        seconds: dict[int, set[str]] = {}
        for index, second in sorted(found):
            seconds.setdefault(index, set()).add(second)
        return {i: () if "" in s else tuple(sorted(s)) for i, s in seconds.items()}

    def find(self, text: str, tokens: Sequence[tuple[int, int, str]]) -> list[tuple[Any, int, int]]:
        """(key, start, end) of every match in `text`, given its tokens as (start, end, lower-case
        token). Plain tuples: this loop is the hot path of extraction."""
        out = []
        cache = self._cache
        last = len(tokens) - 1
        for position, (start, _, token) in enumerate(tokens):
            tried = cache.get(token)
            if tried is None:
                # Tokens repeat ("the", "patient"): look their candidates up once.
                tried = self._tried(token)
                if len(cache) < 200_000:
                    cache[token] = tried
            always, following_any, gated = tried
            for key, match in always:
                m = match(text, start)
                if m is not None and m.end() > start:
                    out.append((key, start, m.end()))
            # "the" opens many patterns, "the 4 domains" few: the next token decides.
            if following_any and position < last:
                following = tokens[position + 1][2]
                if not following.startswith(following_any):
                    continue
                for key, match, seconds in gated:
                    if following.startswith(seconds):
                        m = match(text, start)
                        if m is not None and m.end() > start:
                            out.append((key, start, m.end()))
        return out

    def _tried(self, token: str) -> _Tried:
        candidates = self.candidates(token).items()
        gated = tuple(
            (self.patterns[i][0], self.patterns[i][1].match, s) for i, s in candidates if s
        )
        return (
            tuple((self.patterns[i][0], self.patterns[i][1].match) for i, s in candidates if not s),
            tuple(sorted({prefix for _, _, s in gated for prefix in s})),
            gated,
        )


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-case text) of each token."""
    low = text.lower()
    if not text.isascii():
        return [(s, e, low[s:e]) for s, e in map(re.Match.span, TOKEN.finditer(text))]
    # ASCII text lowers character for character, word and space characters staying so: its
    # tokens are those of the lowered text, read as strings with the whitespace before each
    # (offsets by their lengths), without a Match object and a slice per token.
    found = []
    end = 0
    for space, token in _SPACED_TOKEN.findall(low):
        start = end + len(space)
        end = start + len(token)
        found.append((start, end, token))
    return found


def first_keys(source: str, flags: int = re.IGNORECASE) -> set[_State] | None:
    """The possible starts of a match: (first token key, "open" or "end", start of the second
    token or "" if unknown), lower case, at most _KEY characters each; None if unbounded. Keys are
    shortened when longer ones would be too many ("[a-z]{2}...")."""
    try:
        parsed = list(P.parse(source, flags))
    except re.error:
        return None
    for size in range(_KEY, 0, -1):
        states = _walk({("", "ext", "")}, parsed, size)
        if states is not None and all(first for first, _, _ in states):
            return {_final(state) for state in states}
    return None


def _final(state: _State) -> _State:
    first, status, second = state
    if status == "ext":
        return first, "open", ""
    if status == "open":
        return state
    return first, "end", second  # "" after "end" and "gap": nothing known of the next token


def _walk(
    states: set[_State] | None, items: list[tuple[Any, Any]], size: int
) -> set[_State] | None:
    """The states after matching `items`, keys grown to at most `size` characters."""
    for op, av in items:
        if states is None or len(states) > _MAX_KEYS:
            return None
        if all(status not in _GROWING for _, status, _ in states):
            return states
        states = _step(states, op, av, size)
    return states


def _step(states: set[_State], op: Any, av: Any, size: int) -> set[_State] | None:
    if op in (C.ASSERT, C.ASSERT_NOT) and _is_word_class(av[1]):
        direction = av[0]
        if op is C.ASSERT_NOT and direction == 1:  # (?!\w): a word ends here
            return {_word_end(state) for state in states}
        if op is C.ASSERT and direction == -1 and _negated_word(av[1]):  # (?<=\W)
            # cannot hold right after a word character
            return {(f, st, s) for f, st, s in states if st != "ext" or not f or not _wordy(f[-1])}
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return states  # zero-width
    if op is C.LITERAL:
        return _chars(states, [chr(av)], size)
    if op is C.IN:
        chars = _set_chars(av)
        return _stop(states) if chars is None else _chars(states, chars, size)
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
    return _stop(states)  # ANY, NOT_LITERAL, GROUPREF...: nothing known about what follows


def _word_end(state: _State) -> _State:
    first, status, second = state
    if status == "ext" and first:
        return first, "end", second
    if status == "ext2":
        return first, "done", second
    return state


def _stop(states: set[_State]) -> set[_State] | None:
    """The keys so far, when nothing is known about the characters that follow."""
    if any(status == "ext" and not first for first, status, _ in states):
        return None
    stopped = {"ext": "open", "num": "end", "gap": "end", "ext2": "done"}
    return {(f, stopped.get(st, st), s) for f, st, s in states}


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
    for state in states:
        first, status = state[:2]
        if status == "ext":
            out.update(_first_char(first, ch, size) for ch in chars)
        elif status == "num":
            out.update(map(_number_char, chars))
        elif status in ("gap", "ext2"):
            out.update(_second_char(state, ch, size) for ch in chars)
        else:
            out.add(state)
    return out


def _first_char(first: str, ch: str, size: int) -> _State:
    """A character of the first token."""
    if ch.isspace():  # whitespace ends the first word; a token made of word characters only
        return (first, "gap", "") if first else ("", "ext", "")
    if not (ch.isalnum() or ch == "_"):  # a punctuation token is one character long
        return _punctuation_after(first, ch) if first else (ch, "gap", "")
    if ch.isdigit() and not first:
        return _DIGIT, "num", ""
    if len(first) == size:
        return first, "open", ""
    return first + ch.lower(), "ext", ""


def _number_char(ch: str) -> _State:
    """A character of a first token that starts with a digit. Whitespace ends it, and then the
    next token is known as after a word ("4 domains", "6 sessions"): a digit opens many tokens,
    so most patterns opening with a number are tried only before the words they need."""
    if ch.isspace():
        return _DIGIT, "gap", ""
    if ch.isalnum() or ch == "_":
        return _DIGIT, "num", ""
    return _punctuation_after(_DIGIT, ch)


def _punctuation_after(first: str, ch: str) -> _State:
    """Punctuation after the first token's word characters: TOKEN may join ".", "'", "-" or "/"
    and what follows into the token ("4.5", "pt's", "1/5/17"), so the next token is unknown;
    any other character ends the token and is the next ("pain,", "4%")."""
    if ch in _JOINING:
        return first, "end", ""
    return first, "done", ch


def _second_char(state: _State, ch: str, size: int) -> _State:
    """A character after a first word and whitespace: the start of the next token."""
    first, status, second = state
    if status == "gap" and ch.isspace():
        return state
    if not ch.isalnum():  # a punctuation token is one character long; "_" opens a word
        return first, "done", second or ch
    if ch.isdigit() or len(second) == size:  # digits stop it: "\\d{4}" would be 10,000 keys
        return first, "done", second or ch
    return first, "ext2", second + ch.lower()


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
