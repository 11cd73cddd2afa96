"""Kinds of procedure, equipment and passive modality named in a title (data/procedures.yaml).

"Right L5-S1 epidural steroid injection" -> epidural_steroid_injection, "Lumbar support" ->
lumbar_support, "Ultrasound 1 times 8" -> therapeutic_ultrasound; and whether a title asks for
something done for a surgery ("Preoperative Medical Clearance", "PA assist", "Associated surgical
service: Shoulder Brace").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from engine.facts.model import Equipment, Modality, Procedure, Region, Service
from engine.facts.prefilter import Prefiltered, lowered
from engine.facts.vocab import FLAGS, load_data, words

Span = tuple[int, int]


@dataclass(frozen=True)
class Section:
    services: frozenset[Service]
    values: tuple[tuple[Any, Prefiltered], ...]  # in priority order

    def find(self, text: str, start: int, end: int) -> tuple[Any, Span] | None:
        # Each value's regex only where the lowered title holds the strings its matches need:
        # a case-insensitive search that opens with a look-behind tries every position, and
        # most of a section's values are not in a title.
        low = lowered(text[start:end])
        for value, pattern in self.values:
            if pattern.possible(low, 0, end - start) and (
                m := pattern.regex.search(text, start, end)
            ):
                return value, m.span()
        return None


@dataclass(frozen=True)
class Vocabulary:
    procedure: Section
    arthroscopy: re.Pattern[str]
    arthroscopy_by_region: dict[Region, Procedure]
    equipment: Section
    modality: Section
    perioperative: re.Pattern[str]
    performed: re.Pattern[str]
    purchase: re.Pattern[str]
    rental: re.Pattern[str]


def _section(data: dict[str, Any], kind: type) -> Section:
    return Section(
        services=frozenset(Service(s) for s in data["services"]),
        values=tuple(
            (kind(name), Prefiltered.compile(words(patterns), FLAGS))
            for name, patterns in data["values"].items()
        ),
    )


@cache
def vocabulary() -> Vocabulary:
    data = load_data("procedures.yaml")
    proc = data["procedure"]
    return Vocabulary(
        procedure=_section(proc, Procedure),
        arthroscopy=re.compile(words(proc["arthroscopy"]), FLAGS),
        arthroscopy_by_region={
            Region(r): Procedure(p) for r, p in proc["arthroscopy_by_region"].items()
        },
        equipment=_section(data["equipment"], Equipment),
        modality=_section(data["modality"], Modality),
        perioperative=re.compile(words(data["perioperative"]), FLAGS),
        performed=re.compile(words(data["performed"]), FLAGS),
        purchase=re.compile(words(data["purchase"]), FLAGS),
        rental=re.compile(words(data["rental"]), FLAGS),
    )


def procedure(
    text: str, start: int, end: int, regions: Iterable[Region] = ()
) -> tuple[Procedure, Span] | None:
    """The procedure named in text[start:end]; an arthroscopy naming no repair by its region."""
    v = vocabulary()
    found = v.procedure.find(text, start, end)
    if found is not None:
        return found
    if m := v.arthroscopy.search(text, start, end):
        for region in regions:
            if region in v.arthroscopy_by_region:
                return v.arthroscopy_by_region[region], m.span()
    return None


def title_kinds(
    text: str, start: int, end: int, service: Service | None, regions: Iterable[Region]
) -> dict[str, tuple[Any, Span]]:
    """procedure / equipment / modality / perioperative facts of a title, by service."""
    v = vocabulary()
    out: dict[str, tuple[Any, Span]] = {}
    if service in v.procedure.services and (p := procedure(text, start, end, regions)):
        out["procedure"] = p
    if service in v.equipment.services and (e := v.equipment.find(text, start, end)):
        out["equipment"] = e
    if service in v.modality.services and (m := v.modality.find(text, start, end)):
        out["modality"] = m
    if m := v.perioperative.search(text, start, end):
        out["perioperative"] = (True, m.span())
    if service in v.equipment.services:
        if m := v.rental.search(text, start, end):
            out["purchase"] = (False, m.span())
        elif m := v.purchase.search(text, start, end):
            out["purchase"] = (True, m.span())
    if out.get("procedure", (None,))[0] is Procedure.HOME_HEALTH and (
        h := hours_per_week(text, start, end)
    ):
        out["hours_per_week"] = h
    return out


_NUM = r"(\d+(?:\.\d+)?)"
_PER = r"\s*(?:per|a|/|each|every)\s*"
_WEEKLY_HOURS = re.compile(_NUM + r"\s*(?:hours?|hrs?)" + _PER + r"(?:week|wk)\b", re.I)
_DAILY_HOURS = re.compile(_NUM + r"\s*(?:hours?|hrs?)" + _PER + r"day\b", re.I)
_DAYS = re.compile(
    _NUM + r"\s*(?:days?|times?|x)" + _PER + r"(?:week|wk)\b|\b(daily|every\s+day|7\s+days)\b", re.I
)


def hours_per_week(text: str, start: int, end: int) -> tuple[float, Span] | None:
    """ "Home aide 6 hours per day, 5 times a week" -> 30; "20 hours per week" -> 20."""
    if m := _WEEKLY_HOURS.search(text, start, end):
        return float(m.group(1)), m.span()
    day = _DAILY_HOURS.search(text, start, end)
    days = _DAYS.search(text, start, end)
    if day is None or days is None:
        return None
    per_week = 7.0 if days.group(2) else float(days.group(1))
    span = (min(day.start(), days.start()), max(day.end(), days.end()))
    return float(day.group(1)) * per_week, span
