"""Which letter layout a text uses, and what its header says.

Headings and labels are matched with `\\s+` between their words, so a label wrapped onto two
lines ("Application \\nReceived:") or re-spaced by another extractor still matches. All-caps
headings are matched case-sensitively: the same words in lower case occur inside the prose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from engine.letters.model import Layout, Reviewer, Span
from engine.letters.normalize import backwards, fold, phrase, word

HOW_MADE = re.compile(phrase("HOW THE IMR FINAL DETERMINATION WAS MADE"))
ISSUES = re.compile(r"IMR\s+ISSUES\s*,?\s+DECISIONS\s+AND\s+RATIONALES\s*:?")
_CASE_HEADER = re.compile(word(r"Case\s+Number\s*:"))
_NOTICE = re.compile(
    phrase("Notice of Independent Medical Review Determination")
    + "|"
    + phrase("INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE"),
    re.I,
)
_PROFESSIONAL = re.compile(phrase("MEDICAL PROFESSIONAL REVIEW"))
_PROFESSIONAL_BODY = re.compile(
    r"ISSUES?\s+AT\s+DISPUTE\s*:|RELIED\s+UPON\s+BY\s+PROFESSIONAL\s+REVIEWER"
)
# Enough to call a text an IMR letter whose layout we do not know.
_IMR_WORDS = re.compile(
    r"\bIndependent\s+Medical\s+Review\b|\bIMR\b|\bMAXIMUS\s+Federal\s+Services\b", re.I
)
_DECISION_WORDS = re.compile(
    r"\bUpheld\b|\bOverturned\b|\bmedically\s+necessary\b|\bFinal\s+Determination\b", re.I
)

_DATE = r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})"
_HEADER_LABELS: dict[str, re.Pattern[str]] = {
    name: re.compile(word(rf"{label}\s*:\s*{_DATE}"))
    for name, label in {
        "date_assigned": r"Date\s+Assigned",
        "date_of_injury": r"Date\s+of\s+Injury",
        "decision_date": r"Decision\s+Date",
        "ur_denial_date": r"UR\s+Denial\s+Date",
        "application_received": r"Application\s+Received",
    }.items()
}
_NOTICE_DATED = re.compile(word(rf"Determination\s+Dated\s*:\s*{_DATE}"))
_CASE_NUMBER = re.compile(word(r"Case\s+Number\s*:\s*(CM\d{2}\s*-\s*\d{5,8})\b"))
_PRIORITY = re.compile(word(r"Priority\s*:\s*(Standard|Expedited|Regular|Urgent)\b"))

# The credential labels "State(s) of Licensure:" and "Certification(s)/Specialty:" (any case) as
# they read in the reversed reviewer region, where each opens with its rare colon: re skips from
# colon to colon instead of trying the labels at every s and c (5x faster, reversal included).
# `(?!\w)` is the \b before the label.
_CREDENTIALS_BACKWARDS = re.compile(
    r"""(?xi) :\s*
    (?: (?P<licensure> erusneciL\s+fo\s+\)s\(\s*etatS )
      | (?P<specialty> ytlaicepS\s*/\s*\)s\(\s*noitacifitreC )
    ) (?!\w)"""
)
# Older letters say it in a sentence: "The expert reviewer is Board Certified in Family Medicine
# [, has a subspecialty in Pain Medicine] and is licensed to practice in California."
# (Bounded repeats: a hostile text with many "Board Certified in" and no period stays linear.)
_BOARD_SENTENCE = re.compile(
    r"\bBoard\s+Certified\s+in\s+(?P<specialty>[^.]{1,200}?)"
    r"(?:\s*,\s*(?:and\s+)?has\s+a\s+subspecialty\s+in\s+(?P<sub>[^.]{1,200}?))?"
    r"\s*,?\s+and\s+is\s+licensed\s+to\s+practice\s+in\s+(?P<states>[^.]{1,200}?)\s*\.",
    re.I,
)
_STATE_SPLIT = re.compile(r"\s*(?:,|;|/|\band\b)\s*", re.I)

_CLINICAL_CASE_SUMMARY = re.compile(r"CLINICAL\s+CASE\s+SUMMARY\s*:?")
_SUMMARY_HEADING = re.compile(
    r"CLINICAL\s+CASE\s+SUMMARY\s*:?|\bCase\s+Summary\s*:|CLINICAL\s+SUMMARY\s*:"
)
_SUMMARY_BOILERPLATE = re.compile(
    phrase(
        "The expert reviewer developed the following clinical case summary based on a review"
        " of the case file, including all medical records:"
    )
    + r"|\bDisclaimer\s*:\s*The\s+following\s+case\s+summary\s+was\s+taken\s+directly\s+from"
    r"[^.]*?\b(?:19|20)\d{2}\s*\.",
    re.I,
)
_SUMMARY_END = re.compile(
    ISSUES.pattern
    + r"|ISSUES?\s+AT\s+DISPUTE\s*:|\b1\s*\)\s*Regarding\s+the\s+request\b"
    + r"|MEDICAL\s+TREATMENT\s+GUIDELINE"
)
_HEADER_SCAN = 4000  # where a layout without a known body heading may still carry header labels


@dataclass
class Header:
    """Everything above the disputed items: case data, reviewer and case summary."""

    case_number: str | None = None
    date_assigned: date | None = None
    date_of_injury: date | None = None
    decision_date: date | None = None
    ur_denial_date: date | None = None
    priority: str | None = None
    application_received: date | None = None
    reviewer: Reviewer = field(default_factory=Reviewer)
    case_summary: str = ""
    case_summary_span: Span | None = None


def detect_layout(text: str) -> Layout:
    """The layout of a normalised letter; UNKNOWN when no known layout fits."""
    how = HOW_MADE.search(text)
    if how:
        return Layout.DWC_2016 if _CASE_HEADER.search(text, 0, how.start()) else Layout.SEED
    if _NOTICE.search(text):
        return Layout.NOTICE_2013
    if _PROFESSIONAL.search(text) and _PROFESSIONAL_BODY.search(text):
        return Layout.PROFESSIONAL_REVIEW
    return Layout.UNKNOWN


def looks_like_imr(text: str) -> bool:
    """Names IMR and speaks of a decision: an IMR letter, even if its layout is unknown."""
    return bool(_IMR_WORDS.search(text) and _DECISION_WORDS.search(text))


def parse_header(text: str, layout: Layout) -> Header:
    """Header labels, reviewer and case summary; a field the letter does not state stays None."""
    header = Header()
    regions = _regions(text, layout)
    head_end = regions.head_end
    for name, pattern in _HEADER_LABELS.items():
        m = pattern.search(text, 0, head_end)
        if m:
            setattr(header, name, _date(m))
    if header.decision_date is None and layout is Layout.NOTICE_2013:
        m = _NOTICE_DATED.search(text, 0, head_end)
        header.decision_date = _date(m) if m else None
    m = _CASE_NUMBER.search(text, 0, head_end)
    if m:
        header.case_number = re.sub(r"\s+", "", m.group(1)).upper()
    m = _PRIORITY.search(text, 0, head_end)
    if m:
        header.priority = m.group(1).capitalize()
    if layout is not Layout.UNKNOWN:
        header.reviewer = parse_reviewer(text, regions.reviewer_start, regions.reviewer_end)
        if regions.summary is not None:
            header.case_summary_span = regions.summary
            header.case_summary = text[regions.summary.start : regions.summary.end]
    return header


def parse_reviewer(text: str, start: int, end: int) -> Reviewer:
    """Licensure and specialty in text[start:end], from the credentials lines or the older
    one-sentence form."""
    labels = _credential_labels(text, start, end)
    lic, spec = labels.get("licensure"), labels.get("specialty")
    if lic or spec:
        states = ""
        if lic:
            states = text[lic.end : spec.start if spec and spec.start > lic.end else end]
        specialty = text[spec.end : end] if spec else ""
        return Reviewer(licensure=_states(states), specialty=fold(specialty) or None)
    m = _BOARD_SENTENCE.search(text, start, end)
    if m is None:
        return Reviewer()
    specialty = fold(m.group("specialty"))
    if m.group("sub"):
        specialty = f"{specialty}, {fold(m.group('sub'))}"
    return Reviewer(licensure=_states(m.group("states")), specialty=specialty)


class _LabelAt(NamedTuple):
    start: int
    end: int  # after the label's colon and the spaces following it


def _credential_labels(text: str, start: int, end: int) -> dict[str, _LabelAt]:
    """The first "licensure" and "specialty" label in text[start:end]."""
    found: dict[str, _LabelAt] = {}
    for label in backwards(_CREDENTIALS_BACKWARDS, text, start, end):
        if label.group not in found:
            label_end = label.end  # after the colon
            while label_end < end and text[label_end].isspace():  # what \s matches
                label_end += 1
            found[label.group] = _LabelAt(label.start, label_end)
    return found


@dataclass
class _Regions:
    head_end: int  # header labels stop here
    reviewer_start: int
    reviewer_end: int
    summary: Span | None


def _regions(text: str, layout: Layout) -> _Regions:
    """Where header, reviewer and case summary lie. DWC/seed letters have fixed headings, found
    with literal-led patterns (fast); other layouts fall back to the generic summary markers."""
    if layout in (Layout.DWC_2016, Layout.SEED):
        how = HOW_MADE.search(text)
        issues = ISSUES.search(text, how.end()) if how else None
        if how and issues:
            heading = _CLINICAL_CASE_SUMMARY.search(text, how.end(), issues.start())
            stop = heading.start() if heading else issues.start()
            summary = _summary(text, heading.end(), issues.start()) if heading else None
            return _Regions(how.start(), how.end(), stop, summary)
    heading = _SUMMARY_HEADING.search(text)
    if heading is None:
        limit = min(len(text), _HEADER_SCAN)
        return _Regions(limit, 0, limit, None)
    end = _SUMMARY_END.search(text, heading.end())
    summary = _summary(text, heading.end(), end.start()) if end else None
    return _Regions(heading.start(), 0, heading.start(), summary)


def _summary(text: str, start: int, end: int) -> Span | None:
    """The case summary in text[start:end] without its boilerplate opening sentence."""
    boiler = _SUMMARY_BOILERPLATE.match(text, _skip_space(text, start), end)
    if boiler:
        start = boiler.end()
    return trim(text, start, end)


def trim(text: str, start: int, end: int, chars: str = " \n") -> Span | None:
    """[start, end) without surrounding `chars`; None when nothing is left."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return _span({"start": start, "end": end}) if end > start else None


# The Span validator called directly: the same Span as Span(start=, end=) without BaseModel's
# Python __init__ (0.5 against 0.8 us; a letter makes about ten Spans).
_span = Span.__pydantic_validator__.validate_python


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \n":
        pos += 1
    return pos


def _date(m: re.Match[str]) -> date | None:
    """MM/DD/YYYY; an impossible date (13/45/2016) is not stated, so None."""
    try:
        return date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    except ValueError:
        return None


def _states(raw: str) -> list[str]:
    return [s for s in (fold(p) for p in _STATE_SPLIT.split(fold(raw).rstrip("."))) if s]
