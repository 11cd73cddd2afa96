"""Facts written in an item title: service, regions, quantity, frequency, duration, medication.

"8 acupuncture treatments for the cervical spine (neck), 2 times a week for 4 weeks",
"Flexeril 7.5 mg #60", "Physical exam 2 times 8", "Chiro with modalities 2 times a week for 6 weeks
for neck, back", "Pantoprazole 40mg, one by mouth, twice a day #60 with one refill".

Every value is returned with the [start, end) offsets of the words it was read from, in the text
the title was found in (Letter.text), so evidence quotes can be cut from the letter itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from engine.facts import procedures, vocab
from engine.facts.model import Region, Service
from engine.memo import text_cache

Span = tuple[int, int]

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "single": 1, "once": 1, "two": 2, "twice": 2, "three": 3,
    "thrice": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "eighteen": 18, "twenty": 20, "twenty-four": 24, "thirty": 30,
}  # fmt: skip
_NUM = (
    r"(?:\d+(?:\.\d+)?|twenty-four|"
    + "|".join(sorted((w for w in _NUMBER_WORDS if len(w) > 2), key=len, reverse=True))
    + ")"
)
_WEEKS_PER = {"day": 1 / 7, "week": 1.0, "wk": 1.0, "month": 52 / 12, "mo": 52 / 12, "year": 52.0}


def number(word: str) -> float | None:
    """A number written as digits or a word ("eight", "twice")."""
    word = word.lower().strip("()")
    if word in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[word])
    try:
        return float(word)
    except ValueError:
        return None


def _range(m: re.Match[str], low: str, high: str) -> float | None:
    """The upper end of "1 to 2" / "1-2": the most the request asks for."""
    value = m.group(high) or m.group(low)
    return number(value) if value else None


_I = re.IGNORECASE
# "2 times a week", "twice weekly", "3x/week", "1 to 2 times per week", "3 x per week"
_FREQUENCY = re.compile(
    rf"(?<![\w/.-])(?P<lo>{_NUM})(?:\s*(?:to|-)\s*(?P<hi>{_NUM}))?\s*(?:x|times?)?\s*"
    r"(?:a|per|/|each|every|x)?\s*(?:week|wk)(?:ly)?\b|"
    rf"(?<![\w/.-])(?P<lo2>{_NUM})(?:\s*(?:to|-)\s*(?P<hi2>{_NUM}))?\s*(?:x|times?)?\s*weekly\b",
    _I,
)
# "for 4 weeks", "x 4 weeks", "over 6 weeks", "Three months coverage", "seven day use"
_DURATION = re.compile(
    rf"(?<![\w/.-])(?:(?:for|x|over|times|during)\s*)?(?P<lo>{_NUM})(?:\s*(?:to|-)\s*(?P<hi>{_NUM}))?"
    r"[\s-]*(?P<unit>weeks?|wks?|months?|mos?|days?|years?)\b(?!\s*(?:per|a|/)\s*(?:week|wk))",
    _I,
)
# "2x4", "2 x 4", "2 times 8", "1 times 8": frequency per week x weeks
_COMPACT = re.compile(
    rf"(?<![\w/.#-])(?P<f>{_NUM})\s*(?:x|times)\s*(?P<d>{_NUM})(?![\w.%/]|\s*(?:a|per|/)?\s*(?:weeks?|wks?|days?|months?|mg|ml|%|times|x\b))",
    _I,
)
_NOUN = (
    r"(?P<unit>sessions?|visits?|treatments?|appointments?|injections?|blocks?|units?|tablets?"
    r"|capsules?|patch(?:es)?|refills?|pairs?)"
)
# "8 acupuncture treatments", "Eight (8) physical therapy sessions", "12 visits"
_COUNTED = re.compile(
    rf"(?<![\w/.#-])(?P<n>{_NUM})(?:\s*\(\d+\))?\s+(?:[\w/-]+\s+){{0,3}}?{_NOUN}\b", _I
)
# "QTY: 8", "quantity 8", "Physical Therapy sessions, 12", "visits: 6"
_LABELLED = re.compile(
    rf"\b(?:qty|quantity)\s*[:#.]?\s*(?P<n>\d+)|\b{_NOUN}\s*[,:]\s*(?P<n2>\d+)\s*$", _I
)
_HASH = re.compile(r"#\s*(?P<n>\d+)\b")
_TRAILING = re.compile(r",\s*(?P<n>\d{1,3})\s*$")
_SINGULAR = re.compile(r"\b(?P<unit>session|visit)\b(?!s)", _I)
# "7.5 mg", "7.5-325mg", "10/325mg": the first number is the strength of the named (first) drug
_STRENGTH = re.compile(
    r"(?<![\w./])(?P<v>\d+(?:\.\d+)?)\s*(?:[-/]\s*\d+(?:\.\d+)?\s*)?(?P<u>mg|mcg)\b", _I
)
_REFILLS = re.compile(
    rf"(?:(?P<n>{_NUM})\s+refills?\b|\brefills?\s*[:x]?\s*(?P<n2>\d+)\b|with\s+(?P<n3>{_NUM})\s+refills?\b)",
    _I,
)
_VOLUME = re.compile(r"(?<![\w./])(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ml|gm|grams?|g|oz)\b(?!\s*/)", _I)
_WORD = re.compile(r"[A-Za-z][\w-]*")


@dataclass
class Parsed:
    """Title facts: name -> value, and name -> the spans the value was read from."""

    values: dict[str, Any] = field(default_factory=dict)
    spans: dict[str, list[Span]] = field(default_factory=dict)

    def set(self, name: str, value: Any, *spans: Span) -> None:
        self.values[name] = value
        self.spans[name] = list(spans)

    def shifted(self, by: int) -> Parsed:
        """A copy with every span moved by `by` (list values copied: callers own their copy)."""
        return Parsed(
            {k: list(v) if isinstance(v, list) else v for k, v in self.values.items()},
            {k: [(s + by, e + by) for s, e in spans] for k, spans in self.spans.items()},
        )


def parse_title(text: str, start: int, end: int) -> Parsed:
    """Facts of the title at text[start:end].

    Parsed once per distinct title (the same requests recur across letters: "Physical therapy,
    12 visits"), with the character before it, which look-behinds and word boundaries read.
    """
    lo = max(0, start - 1)
    return _parse_window(text[lo:end], start - lo).shifted(lo)


@text_cache(maxsize=8192)
def _parse_window(window: str, start: int) -> Parsed:
    return _parse(window, start, len(window))


def _parse(text: str, start: int, end: int) -> Parsed:
    out = Parsed()
    services = vocab.services()
    title_start = start
    prefix = services.postsurgical_prefix.match(text, start, end)
    if prefix:
        out.set("postsurgical", True, (start, prefix.end()))
        start = prefix.end()
    elif m := services.postsurgical.search(text, start, end):
        out.set("postsurgical", True, m.span())

    drugs = _drugs(text, start, end)
    service, service_span = _service(text, start, end, drugs)
    _schedule(text, start, end, out)
    _quantity(text, start, end, out, service)
    if service is Service.CONSULTATION and (
        "quantity" in out.values or "frequency_per_week" in out.values
    ):
        # "Referral to chiropractor for evaluation of low back pain, twice a week for 3 weeks":
        # a referral with a treatment schedule asks for the treating service's course.
        treating = _regional_service(text, start, end)
        if treating is not None:
            service, service_span = treating
    if service is not None and service_span is not None:
        if (
            (service in services.regional or service is Service.PSYCHOLOGICAL)
            and "quantity" not in out.values
            and "frequency_per_week" not in out.values
        ):
            evaluation = services.evaluation.search(text, service_span[1], end)
            if evaluation:  # "Chiropractic evaluation, lumbar spine": a consultation
                service, service_span = Service.CONSULTATION, (service_span[0], evaluation.end())
        out.set("service", service, service_span)
    found: dict[Region, Span] = {}
    for s, e, regions in vocab.regions().find(text, start, end):
        for region in regions:
            found.setdefault(region, (s, e))
    if found:
        ordered = [r for r in Region if r in found]
        out.set("body_regions", ordered, *sorted(set(found.values())))
    if service is Service.MEDICATION:
        _medication(text, start, end, out, drugs)
    regions_found = out.values.get("body_regions", [])
    for name, (value, span) in procedures.title_kinds(
        text, title_start, end, service, regions_found
    ).items():
        out.set(name, value, span)
    return out


def _regional_service(text: str, start: int, end: int) -> tuple[Service, Span] | None:
    """The treating service (chiropractic, therapy, acupuncture...) a title names, if any."""
    regional = vocab.services().regional
    best: tuple[int, Service, Span] | None = None
    for entry in vocab.services().entries:
        if entry.service not in regional:
            continue
        m = entry.history.search(text, start, end)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), entry.service, m.span())
    return None if best is None else (best[1], best[2])


def _drugs(text: str, start: int, end: int) -> list[tuple[int, int, vocab.Drug]]:
    lexicon = vocab.drugs()
    out = []
    for m in lexicon.pattern.finditer(text, start, end):
        drug = lexicon.lookup(m.group())
        if drug is not None:
            out.append((m.start(), m.end(), drug))
    return out


def _service(
    text: str, start: int, end: int, drugs: list[tuple[int, int, vocab.Drug]]
) -> tuple[Service | None, Span | None]:
    """The service named first in the title; a drug name counts as medication."""
    services = vocab.services()
    m = services.first_title.search(text, start, end)
    if drugs and (m is None or drugs[0][0] <= m.start()):
        s, e, _ = drugs[0]
        return Service.MEDICATION, (s, e)
    if m is not None:
        return services.entries[int(m.lastgroup[1:])].service, m.span()  # type: ignore[index]
    hint = services.medication_hint.search(text, start, end)
    if hint:  # a strength or count with no known drug: an unlisted medication
        return Service.MEDICATION, hint.span()
    return None, None


def _schedule(text: str, start: int, end: int, out: Parsed) -> None:
    if m := _COMPACT.search(text, start, end):
        f, d = number(m.group("f")), number(m.group("d"))
        if f and d:
            out.set("frequency_per_week", f, m.span())
            out.set("duration_weeks", d, m.span())
            return
    if m := _FREQUENCY.search(text, start, end):
        value = _range(m, "lo", "hi") if m.group("lo") else _range(m, "lo2", "hi2")
        if value:
            out.set("frequency_per_week", value, m.span())
    for m in _DURATION.finditer(text, start, end):
        if "frequency_per_week" in out.values and _inside(
            m.span(), out.spans["frequency_per_week"][0]
        ):
            continue
        value = _range(m, "lo", "hi")
        unit = m.group("unit").lower().rstrip("s")
        if value:
            out.set("duration_weeks", round(value * _WEEKS_PER[unit], 2), m.span())
            break


def _inside(a: Span, b: Span) -> bool:
    return b[0] <= a[0] and a[1] <= b[1]


def _quantity(text: str, start: int, end: int, out: Parsed, service: Service | None) -> None:
    """Units requested, most explicit statement first."""
    for regex in (_LABELLED, _COUNTED):
        for m in regex.finditer(text, start, end):
            groups = m.groupdict()
            n = number(groups.get("n") or groups.get("n2") or "")
            unit = groups.get("unit")
            if unit and unit.lower().startswith("refill"):
                continue  # "Two refills of ..." counts refills, not units
            if n is not None and n > 0 and n == int(n):
                out.set("quantity", int(n), m.span())
                if unit:
                    out.set("unit", _plural(unit), m.span("unit"))
                return
    if service is not Service.MEDICATION:
        for regex in (_TRAILING, _HASH):
            if m := regex.search(text, start, end):
                out.set("quantity", int(m.group("n")), m.span())
                return
    if service is Service.MEDICATION:
        return  # a medication's quantity is its count, set with the medication
    if "frequency_per_week" in out.values and "duration_weeks" in out.values:
        total = out.values["frequency_per_week"] * out.values["duration_weeks"]
        if total == int(total):
            out.set(
                "quantity",
                int(total),
                *out.spans["frequency_per_week"],
                *out.spans["duration_weeks"],
            )
            return
    if m := _SINGULAR.search(text, start, end):
        out.set("quantity", 1, m.span())
        out.set("unit", _plural(m.group("unit")), m.span())


def _plural(unit: str) -> str:
    unit = unit.lower()
    if unit.endswith("ch"):
        return unit + "es"
    return unit if unit.endswith("s") else unit + "s"


def _medication(
    text: str, start: int, end: int, out: Parsed, drugs: list[tuple[int, int, vocab.Drug]]
) -> None:
    if drugs:
        generics: list[str] = []
        classes: list[str] = []
        for _, _, drug in drugs:
            for part in drug.generic.split("/"):
                if part not in generics:
                    generics.append(part)
            classes.extend(c for c in drug.classes if c not in classes)
        s, e, first = drugs[0]
        spans = [(ds, de) for ds, de, _ in drugs]
        distinct = {d.generic for _, _, d in drugs}
        name = first.generic if len(distinct) == 1 else "/".join(generics)
        out.set("medication", name, *spans)
        out.set("drug_classes", classes, *spans)
        if len(generics) > 1:
            out.set("ingredients", generics, *spans)
        written = text[s:e]
        if written.lower() != first.generic:
            out.set("brand", written, (s, e))
    else:
        word = _WORD.search(text, start, end)
        if word:  # an unlisted drug: its name as written, the best a criterion can match on
            out.set("medication", word.group().lower(), word.span())
    if m := _STRENGTH.search(text, start, end):
        value = float(m.group("v")) / (1000 if m.group("u").lower() == "mcg" else 1)
        out.set("strength_mg", value, m.span())
    if m := _HASH.search(text, start, end):
        out.set("count", int(m.group("n")), m.span())
        out.set("quantity", int(m.group("n")), m.span())
    elif m := _VOLUME.search(text, start, end):
        out.set("quantity", int(float(m.group("n"))), m.span())
        out.set("unit", m.group("unit").lower(), m.span("unit"))
    if m := _REFILLS.search(text, start, end):
        n = number(m.group("n") or m.group("n2") or m.group("n3"))
        if n is not None:
            out.set("refills", int(n), m.span())
    if m := vocab.drugs().topical.search(text, start, end):
        out.set("topical", True, m.span())
