"""extract_facts(letter, item): the request facts of one disputed item, each with its evidence.

Sources, in this order of authority: the item title (the request itself), the reviewer's
rationale for the item, the case summary. The recorded outcome and every conclusion sentence are
masked away first (engine.facts.text), so no fact can depend on how the item was decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from engine.facts import imaging, medications, vocab
from engine.facts.analysis import analyse, analyse_sentence, of_item
from engine.facts.findings import findings
from engine.facts.history import Subject, history, parse_date
from engine.facts.model import Facts, Region, Service
from engine.facts.text import Part, Sentence, View, evidence, view
from engine.facts.title import Parsed, parse_title
from engine.facts.treatment_list import from_treatment_lists
from engine.letters.model import Item, Letter
from engine.memo import ByIdentity

Span = tuple[int, int]


def extract_facts(letter: Letter, item: Item) -> Facts:
    """The facts of `item`; every non-null fact has evidence quoting Letter.text."""
    text = letter.text
    readable = view(letter)
    values: dict[str, Any] = {}
    spans: dict[str, list[Span]] = {}

    def put(name: str, value: Any, found: list[Span]) -> None:
        if value is None or value == [] or not found:
            return  # a fact without the words behind it is not a fact
        values[name] = value
        spans[name] = found

    title = _title_span(text, item)
    parsed = parse_title(text, *title) if title else Parsed()
    for name, value in parsed.values.items():
        put(name, value, parsed.spans[name])
    for name, (value, found) in medications.title_facts(text, title, parsed).items():
        put(name, value, found)  # medications domain: formulation, oral = not topical
    for name, (value, found) in imaging.title_facts(text, title, parsed).items():
        put(name, value, found)  # imaging domain: modality, electrodiagnostic studies

    if (parsed.values.get("postsurgical") or parsed.values.get("perioperative")) and (
        "procedure" not in values
    ):
        # "Post operative physical therapy for the right knee": the surgery it follows is the
        # one the same letter requests.
        for other in letter.items:
            span = None if other.index == item.index else _title_span(text, other)
            if span is None:
                continue
            theirs = parse_title(text, *span)
            regions = set(theirs.values.get("body_regions", ()))
            mine = set(values.get("body_regions", ()))
            if (
                theirs.values.get("service") is Service.SURGERY
                and "procedure" in theirs.values
                and not theirs.values.get("perioperative")
                and not (regions and mine and not regions & mine)
            ):
                put("procedure", theirs.values["procedure"], theirs.spans["procedure"])
                break

    if item.partial_certification is not None:
        authorized = _locate(text, item.partial_certification.authorized, item)
        if authorized is not None:
            part = parse_title(text, *authorized)
            key = "count" if "count" in part.values else "quantity"
            if key in part.values:
                put("authorized_quantity", part.values[key], part.spans[key])

    service: Service | None = values.get("service")
    subject = Subject(
        service=service,
        generics=frozenset(
            values.get("ingredients") or ([values["medication"]] if "medication" in values else [])
        ),
        classes=frozenset(values.get("drug_classes", ())),
        subtype=vocab.services().subtype(service, text, *title) if title else None,
    )
    hits = of_item(analyse(readable), item.index)
    if title:
        hits = analyse_sentence(readable.text, Sentence(*title, Part.TITLE, item.index)) + hits

    past = history(hits, readable.text, subject, letter.decision_date)
    for name in ("prior_treatment", "prior_sessions", "medication_use_weeks"):
        found = getattr(past, name)
        if found is not None:
            put(name, found[0], found[1])
    for name, (value, found) in findings(hits, readable.text, subject).items():
        if name not in values:
            put(name, value, found)
    for name, (value, found) in medications.narrative_facts(
        hits, readable, item.index, subject
    ).items():
        if name not in values or value is True:  # a first-line drug taken outweighs a phrase
            put(name, value, found)
    if "prior_treatment" not in values:
        listed = from_treatment_lists(readable, item.index, service, subject.subtype)
        if listed is not None:
            put("prior_treatment", listed[0], listed[1])

    if "body_regions" not in values and service in vocab.services().regional:
        regions = {}
        if item.partial_certification is not None:
            # The remaining portion often drops the region the original request named.
            original = _locate(text, item.partial_certification.original_request, item)
            if original is not None:
                for s, e, found in vocab.regions().find(text, *original):
                    regions.update(dict.fromkeys(found, (s, e)))
        regions = regions or _regions_from_narrative(readable, item.index, service)
        if regions:
            put("body_regions", [r for r in Region if r in regions], sorted(set(regions.values())))

    if service in (Service.IMAGING, Service.ELECTRODIAGNOSTIC):  # imaging domain
        others = []
        for other in letter.items:
            span = None if other.index == item.index else _title_span(text, other)
            if span is not None:
                theirs = parse_title(text, *span).values
                others.append((theirs.get("service"), theirs.get("body_regions", []), span))
        for name, (value, found) in imaging.narrative_facts(
            text,
            readable,
            item.index,
            hits,
            values,
            _header_date(text, _INJURY, letter.date_of_injury),
            _header_date(text, _UR_DENIED, letter.ur_denial_date),
            others,
        ).items():
            if name not in values or value is True:  # a requested surgery outweighs a phrase
                put(name, value, found)

    injury = _weeks_since_injury(letter)
    if injury is not None:
        put("weeks_since_injury", injury[0], injury[1])

    values["evidence"] = {
        name: [evidence(text, s, e) for s, e in found] for name, found in spans.items()
    }
    return _FACTS.validate_python(values)  # Facts(**values) without __init__'s Python frame


_FACTS = Facts.__pydantic_validator__


def _title_span(text: str, item: Item) -> Span | None:
    if item.title_span is not None:
        return item.title_span.start, item.title_span.end
    return _locate(text, item.title, item)


def _locate(text: str, phrase: str, item: Item) -> Span | None:
    """Where `phrase` (whitespace folded) stands in the letter: inside the item first."""
    words = phrase.split()
    if not words:
        return None
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    if item.span is not None and (m := pattern.search(text, item.span.start, item.span.end)):
        return m.span()
    m = pattern.search(text)
    return m.span() if m else None


_REQUEST = re.compile(r"\brequest", re.IGNORECASE)
_DIAGNOSIS = re.compile(r"\bdiagnos|\bdx\b|\bimpression", re.IGNORECASE)
_COMPLAINT = re.compile(r"\bcomplain|\bpain\b", re.IGNORECASE)


def _regions_from_narrative(readable: View, index: int, service: Service) -> dict[Region, Span]:
    """Regions of a request whose title names none ("Chiropractic, 6 visits"): the request
    sentence of the rationale, else the diagnoses, else the complaints of the case summary."""
    services = vocab.services()
    history = services.history(service)
    sentences = readable.of_item(index)
    text = readable.text

    def having(part: Part, *patterns: re.Pattern[str] | None) -> list[Sentence]:
        found = []
        for s in sentences:  # plain loops: no generator per sentence
            if s.part is not part:
                continue
            for p in patterns:
                if p is None or not p.search(text, s.start, s.end):
                    break
            else:
                found.append(s)
        return found

    def tiers() -> Iterator[list[Sentence]]:  # each read only if those before find no region
        yield having(Part.RATIONALE, _REQUEST, history)
        yield having(Part.SUMMARY, _DIAGNOSIS)
        yield having(Part.SUMMARY, _COMPLAINT)

    for tier in tiers():
        found: dict[Region, Span] = {}
        for sentence in tier:
            for s, e, regions in vocab.sentence_regions(text, sentence.start, sentence.end):
                for region in regions:
                    if region not in (Region.UPPER_EXTREMITY, Region.LOWER_EXTREMITY):
                        found.setdefault(region, (s, e))
        if found:
            return found
    return {}


_HEADER_DATE = r"\s*(\d{1,2}/\d{1,2}/\d{2,4})"
_INJURY = re.compile(r"Date\s+of\s+Injury:" + _HEADER_DATE, re.IGNORECASE)
_DECIDED = re.compile(r"Decision\s+Date:" + _HEADER_DATE, re.IGNORECASE)
_UR_DENIED = re.compile(r"UR\s+Denial\s+Date:" + _HEADER_DATE, re.IGNORECASE)


def _header_date(
    text: str, regex: re.Pattern[str], expected: date | None
) -> tuple[date, Span] | None:
    """A header date (date of injury, UR denial date) with its span, when it parses as given."""
    m = regex.search(text, 0, 2000) if expected is not None else None
    if m is None or parse_date(m.group(1)) != expected:
        return None
    return expected, m.span(1)


def _injury_to_decision(letter: Letter) -> tuple[float, list[Span]] | None:
    """Date of injury to decision date, both quoted from the letter header."""
    injury, decided = letter.date_of_injury, letter.decision_date
    if injury is None or decided is None or decided < injury:
        return None
    found = []
    for regex, expected in ((_INJURY, injury), (_DECIDED, decided)):
        m = regex.search(letter.text, 0, 2000)
        if m is None or parse_date(m.group(1)) != expected:
            return None
        found.append(m.span(1))
    return round((decided - injury).days / 7, 1), found


# Once per letter, not per item: two case-insensitive header searches.
_weeks_since_injury = ByIdentity(_injury_to_decision, bound=16)
