"""Turn a guideline block ("Decision based on MTUS ... Section(s): ...") into Citations.

Letters write one clause per guideline family, each opened by "Decision based on":

- MTUS, 2016 form: `MTUS <document> <year>[, Section(s): <sections>]`, several documents joined by
  ", and " (document names may hold commas themselves: "Forearm, Wrist, and Hand Complaints").
- MTUS, older form: `MTUS <document> Guidelines <sections> Page(s): 58-59, 8` or
  `MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 298`. The ACOEM chapters adopted into the
  MTUS are legally MTUS, so they keep source MTUS.
- `Non-MTUS Citation <text>`: ODG, plain ACOEM, or anything else; "and Other Medical Treatment
  Guidelines <text>" appends a further citation.
"""

from __future__ import annotations

import re

from engine.letters.model import Citation, Source
from engine.letters.normalize import fold, word
from engine.memo import text_cache

_CLAUSE = re.compile(word(r"Decision\s+based\s+on\s+"))
_NON_MTUS = re.compile(r"^Non-?\s*MTUS(?:\s+Citations?)?\s*:?\s*", re.I)
_MTUS = re.compile(r"^(?:the\s+)?(?:California\s+)?MTUS\b\s*:?\s*", re.I)
# Word-led (see normalize.word), as are _ODG and _ACOEM: re skips to the first letter's
# occurrences instead of trying the pattern at every character. The parts it splits are
# stripped, so it needs no leading \s*.
_OTHER_GUIDELINES = re.compile(word(r"and\s+Other\s+Medical\s+Treatment\s+Guidelines?\b\s*"))

# One 2016-form MTUS document: name, edition year, optional sections; it ends where the next
# ", and <name> <year>" starts or at the clause's closing period.
# Document names are short ("Forearm, Wrist, and Hand Complaints"); bounding them keeps the
# look-ahead from rescanning the rest of a long clause at every ", and" (quadratic otherwise).
# The sections are as short as the look-ahead allows, and it can only hold where a space, ",",
# "." or ";" follows (or at the end): the lazy loop takes the words between at once (possessive)
# instead of trying the look-ahead after every letter. Same match, ~1.5x faster.
_YEAR = r"(?:19|20)\d{2}\b"
_DOC_NAME = r"[^\s.:,][^.:]{0,80}?"
_MTUS_DOC = re.compile(
    rf"(?P<doc>{_DOC_NAME})\s*,?\s+(?P<edition>{_YEAR})"
    rf"(?:\s*,\s*Section\s*\(s\)\s*:\s*(?P<sections>(?:[^\s,.;]++|.)*?))?"
    rf"(?=\s*,\s*and\s+{_DOC_NAME}\s+{_YEAR}|\s*[.;]\s|\s*[.;]?\s*$)",
    re.I | re.S,
)
_AND_NEXT = re.compile(r"\s*,\s*and\s+", re.I)
_ACOEM_CHAPTER = re.compile(
    r"^(?:ACOEM\b\s*,?\s*)?(?:Chapter\s+(?P<chapter>\d{1,3})\b\s*,?\s*)?", re.I
)
# Older MTUS form: the document name runs up to its first "Guidelines".
_GUIDELINES_WORD = re.compile(r"^(?P<doc>.*?\bGuidelines?\b)\s*,?\s*(?P<rest>.*)$", re.I | re.S)

_PAGE_RANGE = r"\d{1,5}(?:\s*[-\u2013]\s*\d{1,5})?"
_PAGES = re.compile(
    word(r"p(?:ages?\s*\(s\)|ages?\b|gs?\b\.?|p\b\.?)")
    + rf"\s*[:.]?\s*(?P<pages>{_PAGE_RANGE}(?:\s*(?:,|&|(?i:\band\b))\s*{_PAGE_RANGE})*)"
)
_PAGE_PART = re.compile(r"(\d{1,5})(?:\s*[-\u2013]\s*(\d{1,5}))?")
_MAX_RANGE = 300  # no guideline cites more pages at once; a longer "range" is two page numbers

_ODG = re.compile(word(r"O(?:fficial\s+Disability\s+Guidelines?|DG)\b"))
_ODG_NAME = re.compile(
    r"^(?:the\s+)?(?:Official\s+Disability\s+Guidelines?\b\s*(?:\(\s*ODG\s*\))?"
    r"|ODG\b(?:\s+guidelines?\b)?)",
    re.I,
)
_ACOEM = re.compile(word(r"A(?:COEM|merican\s+College\s+of\s+Occupational)\b"))
_ACOEM_NAME = re.compile(
    r"^ACOEM\b\s*(?:\(\s*American\s+College\s+of\s+Occupational\s+and\s+Environmental"
    r"\s+Medicine\s*\))?",
    re.I,
)
# "3rd ed.", "(4th Edition)". Digit-led, the \b checked behind the first digit, so re skips to the
# digits instead of trying an optional "(" at every character (1.4 against 2.5 us a search on the
# corpus' guideline texts); _one_non_mtus takes in a "(" before the digits.
_EDITION = re.compile(
    r"(?P<edition>\d(?<!\w\d)\d?(?:st|nd|rd|th)\s+(?:Annual\s+)?Ed(?:ition|\.)?)(?:\s*\))?", re.I
)
_LEADING_YEAR = re.compile(rf"^[\s,]*(?P<edition>{_YEAR})(?![/\d])\s*,?")
_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")  # "manipulationPain": a lost line break
_EDGE_PUNCT = " \n,.;:-\u2013"
# Sentences that name a guideline only to say it was not used.
_NOT_USED = re.compile(r"\bdid\s+not\s+(?:base|cite)\b|\boutside\s+of\s+the\s+MTUS\b", re.I)
_SPLIT_MARK = re.compile(r"[,;()[\]]")  # what _split looks at: separators and brackets
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")


def parse_citations(text: str) -> list[Citation]:
    """Every guideline a guideline block cites, in the order written."""
    return folded_citations(fold(text))


def folded_citations(block: str) -> list[Citation]:
    """parse_citations of a block already folded (normalize.fold): an item keeps its guideline
    blocks folded, and the block is folded once for both."""
    # The text before the first "Decision based on", then each clause without those words (and
    # without the space before the next "Decision based on": folded).
    _, *clauses = _CLAUSE.split(block)
    if not clauses:
        return _fallback(block)
    return [citation for clause in clauses for citation in _folded_clause(clause.rstrip(" "))]


def parse_clause(clause: str) -> list[Citation]:
    """The citations of one "Decision based on ..." clause (without those words)."""
    return list(_folded_clause(fold(clause)))


@text_cache(maxsize=4096)
def _folded_clause(clause: str) -> tuple[Citation, ...]:
    """Parsed once per distinct clause: letters repeat the same few hundred clauses ("MTUS Low
    Back Complaints 2004, Section(s): Special Studies."), and half the corpus' clauses are
    repeats. Every letter citing a clause shares its (frozen) Citations."""
    return tuple(_parse_clause(clause))


def _parse_clause(clause: str) -> list[Citation]:
    if not clause:
        return []
    non = _NON_MTUS.match(clause)
    if non:
        return _non_mtus(clause[non.end() :])
    mtus = _MTUS.match(clause)
    if mtus:
        return _mtus(clause, mtus.end())
    return _non_mtus(clause)


def pages_of(text: str) -> list[int]:
    """Page numbers cited in `text` ("Page(s): 58-59, 8" -> [8, 58, 59]), sorted and unique."""
    pages: set[int] = set()
    for m in _PAGES.finditer(text):
        pages.update(expand_pages(m.group("pages")))
    return sorted(pages)


def expand_pages(spec: str) -> list[int]:
    """Expand a page list: "58-60, 8" -> [8, 58, 59, 60]; "58-9" is read as 58-59."""
    pages: set[int] = set()
    for m in _PAGE_PART.finditer(spec):
        first = int(m.group(1))
        if m.group(2) is None:
            pages.add(first)
            continue
        last_text = m.group(2)
        last = int(last_text)
        if last < first and len(last_text) < len(m.group(1)):
            last = int(m.group(1)[: -len(last_text)] + last_text)
        if first <= last <= first + _MAX_RANGE:
            pages.update(range(first, last + 1))
        else:
            pages.update((first, int(last_text)))
    return sorted(pages)


def _mtus(clause: str, body_start: int) -> list[Citation]:
    body = clause[body_start:]
    docs = _mtus_documents(body)
    if not docs:
        return [_mtus_older(clause, body, pages_of(body))]
    out: list[Citation] = []
    for m in docs:
        part = body[m.start() : m.end()]
        pages = pages_of(part)
        if not pages and len(docs) == 1:
            pages = pages_of(body)  # "MTUS X 2016 ... Page(s): 12" puts pages after the sections
        doc, chapter = _document(m.group("doc"))
        out.append(
            Citation(
                source=Source.MTUS,
                document=doc or None,
                edition=m.group("edition"),
                chapter=chapter,
                sections=_split(m.group("sections") or ""),
                pages=pages,
                text=(clause[:body_start] + part if not out else part).strip(),
            )
        )
    return out


def _mtus_documents(body: str) -> list[re.Match[str]]:
    """The 2016-form documents that open an MTUS clause body, joined by ", and"; none for the
    older form."""
    docs: list[re.Match[str]] = []
    pos = 0
    while (m := _MTUS_DOC.match(body, pos)) is not None:
        docs.append(m)
        joint = _AND_NEXT.match(body, m.end())
        if joint is None:
            break
        pos = joint.end()
    return docs


def _mtus_older(clause: str, body: str, pages: list[int]) -> Citation:
    """Older form: "Chronic Pain Treatment Guidelines Manual therapy & manipulation Page(s): 58"."""
    cut = _PAGES.search(body)
    named = body[: cut.start()] if cut else body
    named = named.strip(_EDGE_PUNCT)
    doc, chapter = _document(named)
    sections: list[str] = []
    m = _GUIDELINES_WORD.match(doc)
    if m and m.group("rest").strip(_EDGE_PUNCT):
        doc = m.group("doc")
        rest = _GLUED.sub("\n", m.group("rest").strip(_EDGE_PUNCT))
        sections = [s.strip(_EDGE_PUNCT) for s in rest.split("\n") if s.strip(_EDGE_PUNCT)]
    return Citation(
        source=Source.MTUS,
        document=doc or None,
        chapter=chapter,
        sections=sections,
        pages=pages,
        text=clause.strip(),
    )


def _document(name: str) -> tuple[str, int | None]:
    """MTUS document name without "ACOEM Chapter 12" (kept as the chapter number)."""
    name = name.strip(_EDGE_PUNCT)
    m = _ACOEM_CHAPTER.match(name)
    chapter = int(m.group("chapter")) if m and m.group("chapter") else None
    if m:
        name = name[m.end() :]
    return name.strip(_EDGE_PUNCT), chapter


def _non_mtus(clause: str) -> list[Citation]:
    parts = [p for p in _OTHER_GUIDELINES.split(clause) if p.strip(_EDGE_PUNCT)]
    return [_one_non_mtus(p.strip()) for p in parts]


def _one_non_mtus(text: str) -> Citation:
    pages = pages_of(text)
    odg, acoem = _ODG.search(text), _ACOEM.search(text)
    if odg and (acoem is None or odg.start() <= acoem.start()):
        source, name = Source.ODG, _ODG_NAME
    elif acoem:
        source, name = Source.ACOEM, _ACOEM_NAME
    else:
        return Citation(source=Source.OTHER, pages=pages, text=text)
    rest = text
    m = name.match(rest)
    if m:
        rest = rest[m.end() :]
    edition = None
    year = _LEADING_YEAR.match(rest)
    if year:
        edition, rest = year.group("edition"), rest[year.end() :]
    ed = _EDITION.search(rest)
    if ed:
        edition = ed.group("edition").strip()
        start = ed.start() - (rest[ed.start() - 1 : ed.start()] == "(")
        rest = rest[:start] + rest[ed.end() :]
    cut = _PAGES.search(rest)
    if cut:
        rest = rest[: cut.start()]
    return Citation(source=source, edition=edition, sections=_split(rest), pages=pages, text=text)


def _split(sections: str) -> list[str]:
    """Comma/semicolon list outside parentheses; a lower-case piece continues the one before.

    MTUS section names hold commas themselves ("TENS, chronic pain", "Ultrasound, therapeutic"),
    and those continuations start lower case.
    """
    pieces: list[str] = []
    depth = 0
    start = 0
    for m in _SPLIT_MARK.finditer(sections):  # visits only the marks, not every character
        ch = m.group()
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            pieces.append(sections[start : m.start()])
            start = m.end()
    pieces.append(sections[start:])
    out: list[str] = []
    for raw in pieces:
        piece = raw.strip(_EDGE_PUNCT)
        if not piece:
            continue
        if out and piece[0].islower():
            out[-1] = f"{out[-1]}, {piece}"
            continue
        if piece.lower().startswith("and "):  # "Special Studies, and Summary"
            piece = piece[4:].strip()
        if piece:
            out.append(piece)
    return out


def _fallback(block: str) -> list[Citation]:
    """Layouts without "Decision based on": each sentence naming a guideline is one citation."""
    out: list[Citation] = []
    for sentence in _SENTENCE.split(block):
        if _NOT_USED.search(sentence):
            continue
        if _ODG.search(sentence) or _ACOEM.search(sentence) or re.search(r"\bMTUS\b", sentence):
            out.extend(_non_mtus_or_mtus(sentence))
    return out


def _non_mtus_or_mtus(sentence: str) -> list[Citation]:
    mtus = re.search(r"\bMTUS\b", sentence)
    if mtus and not _ODG.search(sentence) and not _ACOEM.search(sentence):
        return [Citation(source=Source.MTUS, pages=pages_of(sentence), text=sentence)]
    return _non_mtus(sentence)
