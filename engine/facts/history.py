"""Treatment history of the requested service: prior_treatment, prior_sessions, medication use.

A mention of the item's service (or drug) counts as history when ConText finds a history modifier
on it ("had 5 sessions of acupuncture", "Treatment to date has included ... chiropractic care",
"additional physical therapy", "improvement from the previous chiropractic visits"), and as
documented absence when a negation covers it together with history ("no prior chiropractic
therapy", "lack of evidence that the patient has already tried chiro"). Guideline text and
hypotheticals ("if the patient has not tried chiropractic") never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from engine.facts import vocab
from engine.facts.analysis import DRUG, MEDREF, SERVICE, Hit
from engine.facts.model import Service
from engine.facts.text import Part
from engine.facts.title import _NUM, number

Span = tuple[int, int]

_POSITIVE = frozenset({"HISTORICAL", "PRIOR_COURSE", "RESPONSE", "CONTINUATION"})
_NEGATIVE = frozenset({"NEGATED_EXISTENCE", "NEGATED_HISTORY"})


@dataclass(frozen=True)
class Subject:
    """What an item requests, as far as matching narrative mentions to it goes."""

    service: Service | None
    generics: frozenset[str] = frozenset()  # the drug's generic names (each part of a combination)
    classes: frozenset[str] = frozenset()  # the drug's classes
    subtype: str | None = None  # imaging modality / injection kind named in the title


def about_item(hit: Hit, subject: Subject, text: str) -> bool:
    """Whether a target names the item's own service (of the same kind) or drug."""
    if hit.kind == SERVICE:
        if hit.key is not subject.service:
            return False
        if subject.subtype is None:
            return True
        return vocab.services().subtype(subject.service, text, hit.start, hit.end) in (
            None,
            subject.subtype,
        )
    if hit.kind == DRUG:
        return bool(subject.generics) and bool(set(hit.key.split("/")) & subject.generics)
    if hit.kind == MEDREF:  # "the medication": only in the item's own rationale
        return subject.service is Service.MEDICATION and hit.sentence.part is Part.RATIONALE
    return False


@dataclass(frozen=True)
class History:
    prior_treatment: tuple[bool, list[Span]] | None
    prior_sessions: tuple[int, list[Span]] | None
    medication_use_weeks: tuple[float, list[Span]] | None


def history(hits: list[Hit], text: str, subject: Subject, reference: date | None) -> History:
    """History facts from the item's hits; `text` is the masked letter text."""
    votes: list[tuple[int, bool, Span]] = []
    sessions: list[tuple[int, Span]] = []
    use: list[tuple[float, Span]] = []
    service = subject.service
    if service not in vocab.services().history_services:
        return History(None, None, None)
    for hit in hits:
        if not about_item(hit, subject, text):
            continue
        value = _assertion(hit.categories)
        if value is None:
            continue
        if value:
            span = hit.span(*_POSITIVE)
            weight = 2 if "HISTORICAL" in hit.categories else 1
            count = _sessions(text, hit)
            if (
                count is None
                and "HISTORICAL" in hit.categories
                and hit.sentence.part is not Part.TITLE
            ):
                count = _sessions_after(text, hit)
            if count is not None:
                sessions.append(count)
                weight = 3
            if service is Service.MEDICATION and (weeks := _use_weeks(text, hit, reference)):
                use.append(weeks)
        else:
            span = hit.span(*_NEGATIVE, "HISTORICAL")
            weight = 2
        votes.append((weight, value, span))
    prior = None
    if votes:
        best = max(w for w, _, _ in votes)
        values = {v for w, v, _ in votes if w == best}
        value = True in values  # a specific record of treatment outweighs a missing one
        spans = sorted({s for w, v, s in votes if w == best and v == value})[:3]
        prior = (value, spans)
    prior_sessions = None
    if sessions and (prior is None or prior[0]):
        n, span = max(sessions)
        prior_sessions = (n, [span])
    weeks = None
    if use:
        w, span = max(use)
        weeks = (w, [span])
    return History(prior, prior_sessions, weeks)


def _assertion(categories: frozenset[str]) -> bool | None:
    """True: the service was given; False: documented as not given; None: says neither."""
    if "GUIDELINE" in categories:
        return None
    continuation = "CONTINUATION" in categories
    if "HYPOTHETICAL" in categories and not continuation:
        return None  # "if the patient has not tried chiropractic", "whether he had received"
    if "NEGATED_HISTORY" in categories:
        return False
    if continuation:
        return True  # "no indication for additional therapy" still presupposes therapy
    if "NEGATED_EXISTENCE" in categories:
        # "no documentation of prior chiropractic": absence of the treatment itself. A bare
        # negation ("no chiropractic notes were provided") says nothing about history.
        return False if categories & {"HISTORICAL", "CONTINUATION"} else None
    if "REQUEST" in categories and not (continuation or categories & {"PRIOR_COURSE", "RESPONSE"}):
        return None
    return True if categories & _POSITIVE else None


_SESSION_WORDS = re.compile(r"\b(?:sessions?|visits?|treatments?)\b", re.IGNORECASE)
# "had 5 sessions of acupuncture", "8 previous physical therapy sessions", "five (5) physical
# therapy sessions", "attended 1 out of 12 physical therapy sessions": a count right before the
# service name, with session words before or right after it.
_COUNT_BEFORE = re.compile(
    rf"(?<![\w/.#-])(?P<n>{_NUM})(?:\s*\(\d+\))?\s+(?P<mid>(?:(?:prior|previous|previously|completed|additional|initial|"
    r"sessions?|visits?|treatments?|of|the|out\s+of\s+\d+)\s+){0,4})$",
    re.IGNORECASE,
)
_SESSIONS_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+){0,2}?(?:sessions?|visits?|treatments?)\b", re.IGNORECASE
)


def _sessions(text: str, hit: Hit) -> tuple[int, Span] | None:
    before = text[max(hit.sentence.start, hit.start - 80) : hit.start]
    m = _COUNT_BEFORE.search(before)
    if not m:
        return None
    after = _SESSIONS_AFTER.match(text, hit.end, hit.sentence.end)
    # "8 prior therapy sessions": the session word may be part of the service's own name
    named = _SESSION_WORDS.search(text, hit.start, hit.end)
    if not (_SESSION_WORDS.search(m.group("mid")) or after or named):
        return None
    n = number(m.group("n"))
    if n is None or n != int(n) or not 0 < n < 200:
        return None
    start = hit.start - len(before) + m.start()
    return int(n), (start, after.end() if after else hit.end)


# "gone to physical therapy 4 visits", "completed physical therapy x 6 sessions": the count right
# after the service, in a statement of history (never the title, which states the request).
_COUNT_AFTER = re.compile(
    rf"\s*(?:x|times|for|of|,)?\s*(?P<n>{_NUM})(?:\s*\(\d+\))?\s+(?:(?:prior|previous|completed|total)\s+)?"
    r"(?:sessions?|visits?|treatments?)\b",
    re.IGNORECASE,
)


def _sessions_after(text: str, hit: Hit) -> tuple[int, Span] | None:
    m = _COUNT_AFTER.match(text, hit.end, hit.sentence.end)
    if not m:
        return None
    n = number(m.group("n"))
    if n is None or n != int(n) or not 0 < n < 200:
        return None
    return int(n), (hit.start, m.end())


_DATE = (
    r"(?:\d{1,2}[/-]\d{1,2}[/-]\d{2,4}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4})"
)
_SINCE = re.compile(
    rf"\bsince\s+(?:at\s+least\s+)?(?:\w+\s+){{0,2}}?(?P<date>{_DATE})", re.IGNORECASE
)
_FOR = re.compile(
    rf"\b(?:for|over|in)\s+(?:the\s+)?(?:past|last|at\s+least|approximately|about|over|more\s+than|greater\s+than|\s)*"
    rf"(?P<n>{_NUM})\s*(?:\+\s*)?(?P<unit>days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_UNIT_WEEKS = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}


def _use_weeks(text: str, hit: Hit, reference: date | None) -> tuple[float, Span] | None:
    """How long the drug has been taken: "since 10/14/2016", "for the past 6 months"."""
    s, e = hit.sentence.start, hit.sentence.end
    if reference is not None and (m := _SINCE.search(text, s, e)):
        started = parse_date(m.group("date"))
        if started is not None and started <= reference:
            return round((reference - started).days / 7, 1), m.span()
    if m := _FOR.search(text, s, e):
        n = number(m.group("n"))
        if n:
            return round(n * _UNIT_WEEKS[m.group("unit").lower().rstrip("s")], 1), m.span()
    return None


_NUMERIC_DATE = re.compile(r"(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})")
_NAMED_DATE = re.compile(r"([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})", re.IGNORECASE)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def parse_date(text: str) -> date | None:
    """12/05/14, 12-5-2014, December 5, 2014 (strptime is slow and locale-bound)."""
    text = text.strip()
    if m := _NUMERIC_DATE.fullmatch(text):
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 69 else 1900 if year < 100 else 0  # strptime's %y pivot
    elif (m := _NAMED_DATE.fullmatch(text)) and m.group(1).lower() in _MONTHS:
        month, day, year = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
