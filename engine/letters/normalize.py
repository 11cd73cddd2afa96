"""Normalise extractor differences so parsers never depend on exact whitespace.

pypdf, pypdfium2 and hand-made text files give the same words with different line endings,
spacing, blank lines and hyphen markers. `normalize` maps them all to one form: lines separated
by a single "\\n", single spaces, no blank lines. `Letter.text` is that form; every Span refers
to it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# One pass of str.translate handles every single-character difference.
_CHARS: dict[int, str | None] = {
    **{ord(c): " " for c in "\t\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"},
    **{ord(c): " " for c in "\u2007\u2008\u2009\u200a\u202f\u205f\u3000"},
    **{ord(c): "\n" for c in "\r\x85\u2028\u2029"},
    # pypdfium2 marks a hyphen at a line wrap with U+FFFE (older builds: U+0002) and drops the
    # break; pypdf keeps "-\n". Both become "-" joined to the next word (see _HYPHEN_WRAP).
    ord("\ufffe"): "-",
    ord("\x02"): "-",
    # Invisible characters that split words.
    **{ord(c): None for c in "\x00\u00ad\u200b\u200c\u200d\u2060\ufeff"},
    # Other C0 controls carry nothing in a letter.
    **{c: None for c in (*range(0x01, 0x02), *range(0x03, 0x09), *range(0x0E, 0x20), 0x7F)},
    # Typographic ligatures some PDF producers emit.
    ord("\ufb00"): "ff",
    ord("\ufb01"): "fi",
    ord("\ufb02"): "fl",
    ord("\ufb03"): "ffi",
    ord("\ufb04"): "ffl",
    ord("\ufb05"): "st",
    ord("\ufb06"): "st",
    # Letters a case-insensitive regex takes for an ASCII letter that str.lower() does not turn
    # into it (long s, dotless i, capital I with dot): the extraction's indexes and prefilters
    # look words up lower-cased, so these would hide a word from them.
    ord("\u017f"): "s",
    ord("\u0131"): "i",
    ord("\u0130"): "I",
}

# A hyphenated word wrapped at its hyphen ("range-of-\nmotion"): pdfium drops that break, so
# pypdf's must go too for both to give the same text.
_HYPHEN_WRAP = re.compile(r"-\n(?=\w)(?<=\w-\n)")  # literal first: scans fast


# ASCII text goes through bytes.translate, 2-3x faster than str.translate with the dict (which
# looks every character up): its ASCII entries map one byte to one byte or delete it.
_ASCII_TABLE = bytes(ord(_CHARS.get(c) or chr(c)) if c < 128 else c for c in range(256))
_ASCII_DELETE = bytes(c for c in range(128) if c in _CHARS and _CHARS[c] is None)
# str.translate is slow once the text holds any non-ASCII character; there a substitution that
# visits only the mapped characters is faster.
_SPECIAL = re.compile("[" + re.escape("".join(chr(c) for c in _CHARS)) + "]")


def _special(m: re.Match[str]) -> str:
    return _CHARS[ord(m.group())] or ""


def normalize(text: str) -> str:
    """The canonical text of a letter: single spaces, "\\n" between lines, no blank lines."""
    if text.isascii():
        text = text.encode("ascii").translate(_ASCII_TABLE, _ASCII_DELETE).decode("ascii")
    else:
        # pdfium ends every line with "\r\n": one str.replace saves _SPECIAL a call per line.
        text = _SPECIAL.sub(_special, text.replace("\r", "\n"))
    # Only " " and "\n" are left, the only whitespace str.strip sees. A run of them holding a
    # break becomes one "\n" ("\r\n" too): each line stripped, blank ones dropped (twice as fast
    # as substituting the runs, which took two regex passes). Runs of spaces alone become one.
    text = "\n".join(filter(None, map(str.strip, text.split("\n"))))
    if "  " in text:  # a fast scan (half the letters have no such run)
        text = _single_spaces(text)
    return _HYPHEN_WRAP.sub("-", text)


def _single_spaces(text: str) -> str:
    """Runs of spaces as one space, in a text whose lines are stripped. Split at each pair of
    spaces, a run of 2n or 2n+1 leaves n-1 empty pieces, then a piece opening with the odd
    space; finding the few runs this way beats re's scan of the whole text for them."""
    parts = text.split("  ")
    return parts[0] + "".join([" " + p.lstrip(" ") for p in parts[1:] if p])


def fold(text: str) -> str:
    """Whitespace folded to single spaces: how titles and guidelines are compared and stored."""
    # str.split() splits on exactly the characters re's \s matches (str.isspace); splitting and
    # joining is 3-4x faster than substituting \s+ and stripping.
    return " ".join(text.split())


def phrase(words: str) -> str:
    """A regex for a fixed phrase that may wrap or be spaced anywhere between its words."""
    return r"\s+".join(re.escape(w) for w in words.split())


class Backwards(NamedTuple):
    """A match of a pattern written for reversed text, in the offsets of the text itself."""

    group: str  # the named group that matched
    start: int
    end: int


def backwards(pattern: re.Pattern[str], text: str, start: int, end: int) -> list[Backwards]:
    """The matches in text[start:end], in text order, of `pattern` run over the reversed text.
    A label that ends with a rare character (a colon) opens with it there, and re skips from
    one to the next instead of trying the label at every character. The character before `start`
    is searched too, for a `(?!\\w)` standing for the \b before a match right at `start`; a match
    starting before `start` is dropped."""
    lo = max(start - 1, 0)
    found = [
        Backwards(m.lastgroup or "", end - m.end(), end - m.start())
        for m in pattern.finditer(text[lo:end][::-1])
    ]
    return [b for b in reversed(found) if b.start >= start]


# Non-ASCII letters that re's IGNORECASE equates with an ASCII letter (listed in the re docs).
_CASE_EXTRA = {"i": "\u0130\u0131", "k": "\u212a", "s": "\u017f"}


def word(pattern: str) -> str:
    """`\\b` + `pattern`, case-insensitive, for a pattern that opens with an ASCII letter.

    re tries a pattern opening with `\\b` or a case-insensitive letter at every character; led
    instead by a plain class of that letter's cases (the `\\b` checked behind it), the scan skips
    straight to the letter's occurrences: 3-4x faster over a letter. Compile it without re.I.
    """
    first = pattern[0].lower()
    cases = first + first.upper() + _CASE_EXTRA.get(first, "")
    return rf"[{cases}](?<!\w[{cases}])(?i:{pattern[1:]})"
