"""Regexes that skip the text they cannot match, found with `str.find` on lower-cased text.

Python's `re` has no fast scan for a case-insensitive pattern that opens with a look-behind, a
number or an alternation: it tries the pattern at every position, 15-80 ns a character, and a
few such patterns run over every sentence were most of extraction's time. Every match of such a
pattern contains certain literal strings ("history", and one of "day", "week", "month", "year",
in "a 6-month history of neck pain"); they are read off the parsed pattern once (re._parser, as
matcher.py does). `str.find` looks for them in the lower-cased text at under a nanosecond a
character, and the regex runs only where one string of each set is found: same matches, less
scanning. Deriving the strings from the pattern keeps them right when a vocabulary changes.
"""

from __future__ import annotations

import re
import re._constants as C
import re._parser as P
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

# Shorter strings ("of", "x") are in nearly every sentence: looking for them costs more than it
# spares.
_MIN_LENGTH = 3
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
# The characters a case-insensitive regex matches to an ASCII letter that str.lower() does not
# turn into that letter: capital I with dot (whose lower case is two characters), dotless i and
# long s.
_UNFOLDED = ("\u0130", "\u0131", "\u017f")


def lowered(text: str) -> str | None:
    """text.lower(), in which an ASCII string stands wherever a regex literal of it could match
    (case-insensitive or not) in `text`, at the same offsets; None when text has a character for
    which that fails (then nothing is skipped)."""
    if not text.isascii() and any(c in text for c in _UNFOLDED):
        return None
    return text.lower()


def needs(source: str, flags: int = 0) -> tuple[tuple[str, ...], ...]:
    """Sets of lower-case ASCII strings such that every match of `source` contains one string of
    each set, the most selective set first; empty when nothing is known."""
    return tuple(tuple(sorted(s)) for s in sorted(_sets(P.parse(source, flags)), key=_rank))


def _sets(items: Iterable[tuple[Any, Any]]) -> list[frozenset[str]]:
    """What a sequence needs: each run of literals, and what each part it cannot skip needs."""
    out: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:  # the sentinel ends the last run
        if op is C.LITERAL and chr(av).isascii():
            run.append(chr(av).lower())
            continue
        if len(run) >= _MIN_LENGTH:
            out.append(frozenset({"".join(run)}))
        run = []
        if (part := _part(op, av)) is not None:
            out.append(part)
    return out


def _part(op: Any, av: Any) -> frozenset[str] | None:
    """The most selective set of strings a group, a repeat or an alternation needs, if known.
    Look-arounds consume nothing and need nothing."""
    if op is C.SUBPATTERN:
        return _best(_sets(av[3]))
    if op in _REPEATS and av[0] >= 1:
        return _best(_sets(av[2]))
    if op is C.BRANCH:
        alternatives = [_best(_sets(branch)) for branch in av[1]]
        if all(a is not None for a in alternatives):
            return _minimal(frozenset().union(*alternatives))  # type: ignore[arg-type]
    return None


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    return min(sets, key=_rank, default=None)


def _rank(strings: frozenset[str]) -> tuple[int, int]:
    """Longer strings are rarer; fewer of them cost fewer finds."""
    return -min(map(len, strings)), len(strings)


def _minimal(strings: frozenset[str]) -> frozenset[str]:
    """Without the strings that contain another one ("includes" holds "include")."""
    return frozenset(s for s in strings if not any(o != s and o in s for o in strings))


@dataclass(frozen=True, slots=True)
class Prefiltered:
    """A compiled regex with the strings its matches need (see `needs`)."""

    regex: re.Pattern[str]
    needs: tuple[tuple[str, ...], ...]

    @classmethod
    def compile(cls, source: str, flags: int = 0) -> Prefiltered:
        return cls(re.compile(source, flags), needs(source, flags))

    def possible(self, low: str | None, start: int, end: int) -> bool:
        """Whether a match in text[start:end] could exist, given `low` = lowered(text)."""
        if low is None:
            return True
        chunk = low[start:end]
        for strings in self.needs:  # plain loops: this runs for every sentence
            for s in strings:
                if s in chunk:
                    break
            else:
                return False
        return True

    def search(self, text: str, low: str | None, start: int, end: int) -> re.Match[str] | None:
        """regex.search in text[start:end], given `low` = lowered(text)."""
        if not self.possible(low, start, end):
            return None
        return self.regex.search(text, start, end)

    def finditer(self, text: str, low: str | None, start: int, end: int) -> Iterator[re.Match[str]]:
        """regex.finditer in text[start:end], given `low` = lowered(text)."""
        if not self.possible(low, start, end):
            return iter(())
        return self.regex.finditer(text, start, end)
