"""Imaging and electrodiagnostic request facts (data/imaging.yaml).

From the title: the imaging modality ("MR Arthrogram of the right shoulder" -> arthrogram) and the
electrodiagnostic studies ("EMG/NCS" -> emg_ncv). From the letter: how long the symptoms had lasted
when the study was requested (symptom_weeks: date of injury to the request for authorization, or
to the utilization review when no request date is given; longer when the letter states a longer
duration), whether the same study of the same region was done before (prior_imaging), and whether
the same letter requests an injection or surgery of the imaged region (invasive_procedure_planned).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from engine.facts import vocab
from engine.facts.analysis import SERVICE, Hit
from engine.facts.history import _DATE, _assertion, parse_date
from engine.facts.model import ElectrodiagnosticStudy, ImagingModality, Region, Service
from engine.facts.prefilter import Prefiltered, lowered
from engine.facts.text import Part, View
from engine.facts.title import _NUM, Parsed, number
from engine.facts.vocab import FLAGS, load_data, words
from engine.memo import text_cache

Span = tuple[int, int]
Found = dict[str, tuple[Any, list[Span]]]

_WEEKS = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}
# Regions a limb-wide request shares with a joint or spine request: an EMG of the arm is about the
# neck and the hand too.
_LIMBS = {
    Region.UPPER_EXTREMITY: {Region.CERVICAL, Region.SHOULDER, Region.ELBOW, Region.FOREARM,
                             Region.WRIST_HAND},
    Region.LOWER_EXTREMITY: {Region.LUMBAR, Region.HIP, Region.KNEE, Region.ANKLE_FOOT},
}  # fmt: skip


@dataclass(frozen=True)
class _Data:
    first: tuple[tuple[ImagingModality, re.Pattern[str]], ...]
    earliest: tuple[tuple[ImagingModality, re.Pattern[str]], ...]
    emg: re.Pattern[str]
    ncv: re.Pattern[str]
    both: re.Pattern[str]
    durations: tuple[Prefiltered, ...]
    guideline_sentence: Prefiltered
    request_date: Prefiltered
    performed_after: re.Pattern[str]
    performed_before: re.Pattern[str]
    modality_words: dict[ImagingModality, re.Pattern[str]]
    sides: tuple[tuple[str, re.Pattern[str]], ...]


@cache
def _data() -> _Data:
    raw = load_data("imaging.yaml")
    mods = raw["modalities"]

    def compiled(
        section: dict[str, list[str]],
    ) -> tuple[tuple[ImagingModality, re.Pattern[str]], ...]:
        return tuple((ImagingModality(k), re.compile(words(v), FLAGS)) for k, v in section.items())

    first, earliest = compiled(mods["first"]), compiled(mods["earliest"])
    return _Data(
        first=first,
        earliest=earliest,
        emg=re.compile(words(raw["electrodiagnostic"]["emg"]), FLAGS),
        ncv=re.compile(words(raw["electrodiagnostic"]["ncv"]), FLAGS),
        both=re.compile(words(raw["electrodiagnostic"]["both"]), FLAGS),
        durations=tuple(
            Prefiltered.compile(r"(?<!\w)" + p.replace("NUM", _NUM) + r"(?!\w)", FLAGS)
            for p in raw["symptom_duration"]
        ),
        guideline_sentence=Prefiltered.compile(words(raw["guideline_sentence"]), FLAGS),
        request_date=Prefiltered.compile(raw["request_date"].replace("DATE", _DATE), FLAGS),
        performed_after=re.compile(r"\s*(?:[\w,-]+\s+){0,8}?" + raw["performed_after"], FLAGS),
        performed_before=re.compile(raw["performed_before"], FLAGS),
        modality_words=dict(first + earliest),
        sides=tuple((k, re.compile(words(v), FLAGS)) for k, v in raw["sides"].items()),
    )


def title_facts(text: str, title: Span | None, parsed: Parsed) -> Found:
    """imaging_modality / electrodiagnostic_study named in the title."""
    if title is None:
        return {}
    start, end = title
    data = _data()
    service = parsed.values.get("service")
    out: Found = {}
    if service is Service.IMAGING:
        found = next(
            ((m, p.search(text, start, end)) for m, p in data.first if p.search(text, start, end)),
            None,
        )
        if found is None:
            hits = [(m, p.search(text, start, end)) for m, p in data.earliest]
            hits = [(m, h) for m, h in hits if h is not None]
            found = min(hits, key=lambda mh: mh[1].start()) if hits else None  # type: ignore[union-attr]
        if found is not None and found[1] is not None:
            out["imaging_modality"] = (found[0], [found[1].span()])
    elif service is Service.ELECTRODIAGNOSTIC:
        emg, ncv = data.emg.search(text, start, end), data.ncv.search(text, start, end)
        if emg and ncv:
            out["electrodiagnostic_study"] = (
                ElectrodiagnosticStudy.EMG_NCV,
                sorted([emg.span(), ncv.span()]),
            )
        elif emg:
            out["electrodiagnostic_study"] = (ElectrodiagnosticStudy.EMG, [emg.span()])
        elif ncv:
            out["electrodiagnostic_study"] = (ElectrodiagnosticStudy.NCV, [ncv.span()])
        elif generic := data.both.search(text, start, end):
            out["electrodiagnostic_study"] = (ElectrodiagnosticStudy.EMG_NCV, [generic.span()])
    return out


def narrative_facts(
    text: str,
    readable: View,
    index: int,
    hits: Iterable[Hit],
    values: dict[str, Any],
    injury: tuple[date, Span] | None,
    ur: tuple[date, Span] | None,
    others: list[tuple[Service | None, list[Region], Span]],
) -> Found:
    """symptom_weeks, prior_imaging and invasive_procedure_planned of an imaging/EDX item.

    `injury` and `ur` are the header's date of injury and UR denial date with their spans;
    `others` the (service, regions, title span) of the letter's other items.
    """
    service = values.get("service")
    if service not in (Service.IMAGING, Service.ELECTRODIAGNOSTIC):
        return {}
    out: Found = {}
    regions = set(values.get("body_regions", ()))
    weeks = _symptom_weeks(text, readable, index, injury, ur)
    if weeks is not None:
        out["symptom_weeks"] = weeks
    title = next((h.sentence for h in hits if h.sentence.part is Part.TITLE), None)
    sides = _sides(text, title.start, title.end) if title is not None else set()
    if service is Service.IMAGING and (prior := _prior_imaging(text, hits, values, regions, sides)):
        out["prior_imaging"] = prior
    for other_service, other_regions, span in others:
        if other_service in (Service.INJECTION, Service.SURGERY) and _same_region(
            regions, set(other_regions)
        ):
            out["invasive_procedure_planned"] = (True, [span])
            break
    return out


def _same_region(mine: set[Region], theirs: set[Region]) -> bool:
    if not mine or not theirs:
        return False
    widen = lambda rs: rs | {r for limb in rs & _LIMBS.keys() for r in _LIMBS[limb]}  # noqa: E731
    return bool(widen(mine) & widen(theirs))


def _symptom_weeks(
    text: str,
    readable: View,
    index: int,
    injury: tuple[date, Span] | None,
    ur: tuple[date, Span] | None,
) -> tuple[float, list[Span]] | None:
    best: tuple[float, list[Span]] | None = None
    if injury is not None:
        injured, injury_span = injury
        limit = ur[0] if ur is not None else None
        requested: tuple[date, Span] | None = None
        for sentence in readable.of_item(index):
            if sentence.part is not Part.SUMMARY:
                continue
            at = sentence.start
            for day, s, e in _request_dates(readable.text[at : sentence.end]):
                if day is None or day < injured or (limit is not None and day > limit):
                    continue
                if requested is None or day > requested[0]:
                    requested = (day, (at + s, at + e))
        anchor = requested or ur
        if anchor is not None and anchor[0] >= injured:
            best = (round((anchor[0] - injured).days / 7, 1), sorted([injury_span, anchor[1]]))
    for sentence in readable.of_item(index):
        if sentence.part is Part.TITLE:
            continue
        # With the character before the sentence: the patterns' (?<!\w) reads it.
        lead = min(sentence.start, 1)
        at = sentence.start - lead
        found = _stated_weeks(readable.text[at : sentence.end], lead)
        if found is not None and (best is None or found[0] > best[0]):
            best = (found[0], [(at + found[1], at + found[2])])
    return best


@text_cache(maxsize=8192)
def _request_dates(sentence: str) -> tuple[tuple[date | None, int, int], ...]:
    """The dates a sentence gives the request for authorization, with their spans in it. Cached
    by the sentence's text (the pattern reads nothing around it), as _stated_weeks is."""
    found = _data().request_date.finditer(sentence, lowered(sentence), 0, len(sentence))
    return tuple((parse_date(m.group("date")), *m.span("date")) for m in found)


@text_cache(maxsize=8192)
def _stated_weeks(chunk: str, pos: int) -> tuple[float, int, int] | None:
    """The longest symptom duration (weeks, the first of equals) stated in the sentence
    chunk[pos:], with its span in `chunk`. Cached by the sentence's text (and the character
    before it), as sentence analysis is: the case summary is read again for every imaging item,
    and letters repeat stock sentences."""
    data = _data()
    low, end = lowered(chunk), len(chunk)
    # The guideline test only where a duration could be read: the same sentences are skipped,
    # at less cost.
    durations = [p.regex for p in data.durations if p.possible(low, pos, end)]
    if not durations or data.guideline_sentence.search(chunk, low, pos, end):
        return None
    best: tuple[float, int, int] | None = None
    for pattern in durations:
        for m in pattern.finditer(chunk, pos):
            n = number(m.group("n"))
            if not n:
                continue
            weeks = round(n * _WEEKS[m.group("unit").lower().rstrip("s")], 1)
            if best is None or weeks > best[0]:
                best = (weeks, *m.span())
    return best


def _sides(text: str, start: int, end: int) -> set[str]:
    """left / right named in text[start:end]; bilateral names both."""
    found = set()
    for side, pattern in _data().sides:
        if pattern.search(text, start, end):
            found |= {"left", "right"} if side == "both" else {side}
    return found


def _region_sides(
    text: str, start: int, words: list[tuple[int, int, tuple[Region, ...]]], regions: set[Region]
) -> set[str]:
    """The sides written right before the region `words` (Regions.find of text[start:...]) that
    name `regions`."""
    found: set[str] = set()
    for s, _, named in words:
        if _same_region(regions, set(named)):
            found |= _sides(text, max(start, s - 25), s)
    return found


def _prior_imaging(
    text: str,
    hits: Iterable[Hit],
    values: dict[str, Any],
    regions: set[Region],
    sides: set[str],
) -> tuple[bool, list[Span]] | None:
    """The same modality of the same region mentioned as done ("x-rays of the cervical spine
    showed...", "a prior Lumbar MRI in 03/2016"), or as never done ("no previous MRIs")."""
    data = _data()
    modality = values.get("imaging_modality")
    pattern = data.modality_words.get(modality) if modality is not None else None
    if pattern is None or not regions:
        return None
    found: dict[bool, list[Span]] = {True: [], False: []}
    words: dict[Span, list[tuple[int, int, tuple[Region, ...]]]] = {}  # region words by sentence
    for hit in hits:
        if hit.kind != SERVICE or hit.key is not Service.IMAGING:
            continue
        if hit.sentence.part is Part.TITLE or not pattern.fullmatch(text, hit.start, hit.end):
            continue
        s, e = hit.sentence.start, hit.sentence.end
        value = _assertion(hit.categories)
        if value is None and not hit.categories & {"GUIDELINE", "HYPOTHETICAL", "REQUEST"}:
            after = data.performed_after.match(text, hit.end, e)
            before = data.performed_before.search(text[max(s, hit.start - 60) : hit.start])
            value = True if (after or before) else None
        if value is None:
            continue
        # only now, and once per sentence: finding region words is the costly step, and most
        # hits stop above
        if (s, e) not in words:
            words[(s, e)] = vocab.sentence_regions(text, s, e)
        named = {r for _, _, rs in words[(s, e)] for r in rs}
        if value and not _same_region(regions, named):
            continue  # a study of another region
        theirs = _region_sides(text, s, words[(s, e)], regions) if value else set()
        if sides and theirs and not sides & theirs:
            continue  # the same region on the other side
        if not value and named and not _same_region(regions, named):
            continue
        found[value].append(hit.span())
    for value in (True, False):
        if found[value]:
            return value, sorted(found[value])[:3]
    return None
