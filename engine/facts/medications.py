"""Medication request facts beyond the title parse: form, age, co-medication, first-line trials.

- from the title: `formulation` (patch, cream, ..., oral), `topical` = false for a drug requested in
  an oral form or by a strength in mg with no topical word, and `ingredients` for a single drug
  (its generic name), so criteria on ingredients read every medication the same way;
- from the case summary and the item's rationale (ConText hits, engine.facts.analysis):
  `concurrent_nsaid` (another systemic NSAID taken or prescribed), `gastroprotection` (a PPI
  or misoprostol taken or prescribed), both false when the letter documents the worker's
  medications without one; `first_line_failed` (a tricyclic, SNRI or anticonvulsant tried); `age`;
  `morphine_equivalent_mg_day`; `prior_treatment` = false when the worker takes no medications.

Mentions in guideline text, hypotheticals and negations never count. Data: data/medications.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from engine.facts import vocab
from engine.facts.analysis import DRUG, DRUG_CLASS, Hit
from engine.facts.history import Subject
from engine.facts.model import Formulation, Service
from engine.facts.prefilter import Prefiltered, lowered
from engine.facts.text import Part, View
from engine.facts.title import Parsed
from engine.memo import text_cache

Span = tuple[int, int]
Found = dict[str, tuple[Any, list[Span]]]

_NOT_AFFIRMED = frozenset({"GUIDELINE", "HYPOTHETICAL", "NEGATED_EXISTENCE", "NEGATED_HISTORY"})
_TAKEN = frozenset({"HISTORICAL", "PRIOR_COURSE", "RESPONSE", "CONTINUATION"})
# MTUS gastroprotection with an NSAID: a PPI or misoprostol
_GASTROPROTECTIVE = frozenset({"proton_pump_inhibitor"})
_FIRST_LINE = frozenset({"anticonvulsant", "tricyclic", "snri"})
_OTHER = re.compile(r"\b(?:other|additional|further)\b", re.IGNORECASE)


@dataclass(frozen=True)
class _Data:
    formulations: tuple[tuple[Formulation, re.Pattern[str]], ...]
    by_weight: re.Pattern[str]
    no_medications: Prefiltered
    topical_after: re.Pattern[str]
    topical_before: re.Pattern[str]
    age: Prefiltered
    morphine_equivalent: tuple[Prefiltered, ...]
    guideline_words: Prefiltered
    first_line: Prefiltered
    past_use: re.Pattern[str]
    urine_drug_test: re.Pattern[str]


@cache
def _data() -> _Data:
    raw = vocab.load_data("medications.yaml")
    flags = vocab.FLAGS
    return _Data(
        formulations=tuple(
            (Formulation(name), re.compile(vocab.words(patterns), flags))
            for name, patterns in raw["formulations"].items()
        ),
        by_weight=re.compile(raw["by_weight"], flags),
        no_medications=Prefiltered.compile(vocab.words(raw["no_medications"]), flags),
        topical_after=re.compile(raw["topical_after"], flags),
        topical_before=re.compile(raw["topical_before"], flags),
        age=Prefiltered.compile(raw["age"], flags),
        morphine_equivalent=tuple(
            Prefiltered.compile(p, flags) for p in raw["morphine_equivalent"]
        ),
        guideline_words=Prefiltered.compile(raw["guideline_words"], flags),
        first_line=Prefiltered.compile(raw["first_line"], flags),
        past_use=re.compile(raw["past_use"], flags),
        urine_drug_test=re.compile(vocab.words(raw["urine_drug_test"]), flags),
    )


def title_facts(text: str, title: Span | None, parsed: Parsed) -> Found:
    """Formulation, topical = false and single-drug ingredients, from the item title."""
    values = parsed.values
    if title is None:
        return {}
    start, end = title
    out: Found = {}
    data = _data()
    if values.get("service") is Service.LAB:
        m = data.urine_drug_test.search(text, start, end)
        spans = [m.span()] if m else parsed.spans.get("service", [])
        if spans:
            out["urine_drug_test"] = (m is not None, spans)
        return out
    if values.get("service") is not Service.MEDICATION:
        return {}
    form: tuple[Formulation, Span] | None = None
    for name, pattern in data.formulations:
        if m := pattern.search(text, start, end):
            form = (name, m.span())
            break
    if form is None and values.get("topical") and (m := data.by_weight.search(text, start, end)):
        form = (Formulation.SEMISOLID, m.span())
    if form is not None:
        out["formulation"] = (form[0].value, [form[1]])
    medication = values.get("medication")
    if "topical" not in values and medication and medication in _known():
        # The request names a drug with no topical word, patch or percent strength: an oral (or
        # other systemic) form. Evidence: the drug name, and the form or strength when written.
        spans = list(parsed.spans.get("medication", []))
        if form is not None and form[0] is Formulation.ORAL:
            spans.append(form[1])
        elif "strength_mg" in values:
            spans += parsed.spans["strength_mg"]
        out["topical"] = (False, sorted(set(spans)))
    if medication and "ingredients" not in values and medication in _known():
        out["ingredients"] = (medication.split("/"), list(parsed.spans.get("medication", [])))
    return out


@cache
def _known() -> frozenset[str]:
    return frozenset(d.generic for d in vocab.drugs().by_name.values())


@cache
def _classes() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for drug in vocab.drugs().by_name.values():
        out.setdefault(drug.generic, set()).update(drug.classes)
    return {g: frozenset(c) for g, c in out.items()}


def narrative_facts(hits: list[Hit], readable: View, index: int, subject: Subject) -> Found:
    """Co-medication, first-line trials, age and opioid dose from the item's narrative hits."""
    text = readable.text
    out: Found = {}
    age = _age(readable)
    if age is not None:
        out["age"] = (age[0], [age[1]])
    if subject.service not in (Service.MEDICATION, Service.LAB):
        return out
    data = _data()
    opioid: list[Span] = []  # opioids taken now or prescribed (for a urine drug test request)
    no_opioid: list[Span] = []
    own = subject.generics
    own_nsaid = "nsaid" in subject.classes
    concurrent: list[Span] = []
    protection: list[Span] = []
    first_line: list[Span] = []
    listed: list[Span] = []  # medication-list mentions of other drugs: a documented regimen
    for hit in hits:
        if hit.sentence.part is Part.TITLE:
            continue
        if (
            hit.kind == DRUG_CLASS
            and hit.key == "opioid"
            and hit.categories & {"NEGATED_EXISTENCE", "NEGATED_HISTORY"}
            and not hit.categories & {"GUIDELINE", "HYPOTHETICAL"}
        ):
            no_opioid.append(hit.span())  # "the patient was not utilizing opioids"
        if hit.categories & _NOT_AFFIRMED:
            continue
        if hit.kind == DRUG:
            generic = hit.key
            if set(generic.split("/")) & own:
                continue
            classes = _classes().get(generic, frozenset())
            topical = _topical_mention(text, hit, data)
            # taken now, or prescribed with the request: not a drug the reviewer merely names,
            # nor one taken in the past
            asserted = _current(text, hit, data)
            if "nsaid" in classes and not topical and asserted:
                concurrent.append(hit.span())
            if (classes & _GASTROPROTECTIVE or "misoprostol" in generic) and asserted:
                protection.append(hit.span())
            if classes & _FIRST_LINE and not topical and hit.categories & _TAKEN:
                first_line.append(hit.span())
            if "opioid" in classes and asserted and not topical:
                opioid.append(hit.span())
            if hit.categories & {"HISTORICAL"}:
                listed.append(hit.span("HISTORICAL"))
        elif hit.kind == DRUG_CLASS:
            taken = _current(text, hit, data)
            if hit.key == "nsaid" and not own_nsaid and taken:
                concurrent.append(hit.span())  # "has been using NSAIDs": for a PPI request
            if hit.key == "proton_pump_inhibitor" and taken:
                protection.append(hit.span())
            if hit.key == "opioid" and taken:
                opioid.append(hit.span())
    by_sentence: dict[int, set[str]] = {}
    for hit in hits:
        by_sentence.setdefault(hit.sentence.start, set()).update(hit.categories)
    not_tried: list[Span] = []
    no_medications: list[Span] = []
    for sentence in readable.of_item(index):
        if sentence.part is Part.TITLE:
            continue
        categories = by_sentence.get(sentence.start, set())
        s, e = sentence.start, sentence.end
        if (m := data.no_medications.search(readable.text, readable.lower, s, e)) and not (
            categories & {"GUIDELINE", "HYPOTHETICAL"}
        ):
            listed.append(m.span())
            if not _OTHER.search(m.group()):  # "not on any other medications" names some
                no_medications.append(m.span())
        if (m := data.first_line.search(readable.text, readable.lower, s, e)) and not categories & {
            "GUIDELINE",
            "HYPOTHETICAL",
        }:
            if categories & {"NEGATED_EXISTENCE", "NEGATED_HISTORY"}:
                not_tried.append(m.span())  # "no indication ... tried and failed first-line"
            elif categories & {"HISTORICAL"}:
                first_line.append(m.span())
    if subject.service is Service.LAB:
        if opioid:
            out["opioid_use"] = (True, sorted(set(opioid))[:3])
        elif no_opioid or listed:
            out["opioid_use"] = (False, sorted(set(no_opioid or listed))[:3])
        return out
    for name, found in (("concurrent_nsaid", concurrent), ("gastroprotection", protection)):
        if found:
            out[name] = (True, sorted(set(found))[:3])
        elif listed:
            out[name] = (False, sorted(set(listed))[:3])
    if no_medications:
        # "not using any medications": the requested drug is a first prescription (the history,
        # read first, wins where the letter records its use)
        out["prior_treatment"] = (False, sorted(set(no_medications))[:3])
    if first_line:
        out["first_line_failed"] = (True, sorted(set(first_line))[:3])
    elif not_tried:
        out["first_line_failed"] = (False, sorted(set(not_tried))[:3])
    med = _morphine_equivalent(readable, index)
    if med is not None:
        out["morphine_equivalent_mg_day"] = med
    return out


def _current(text: str, hit: Hit, data: _Data) -> bool:
    """The drug is taken now or prescribed with the request (not only in the past)."""
    if hit.categories & {"REQUEST", "CONTINUATION"}:
        return True
    if not hit.categories & _TAKEN:
        return False
    base = hit.sentence.start
    for m in hit.assertion.modifiers:
        if m.category in _TAKEN and data.past_use.search(
            text, base + m.char_start, base + m.char_end
        ):
            return False
    return True


def _topical_mention(text: str, hit: Hit, data: _Data) -> bool:
    if data.topical_after.match(text, hit.end, min(hit.sentence.end, hit.end + 40)):
        return True
    before = text[max(hit.sentence.start, hit.start - 40) : hit.start]
    return bool(data.topical_before.search(before))


@text_cache(maxsize=16)
def _age(readable: View) -> tuple[int, Span] | None:
    """The worker's age, from the case summary: once per letter (every item reads it)."""
    pattern = _data().age
    for sentence in readable.sentences:
        if sentence.part is not Part.SUMMARY:
            continue
        if m := pattern.search(readable.text, readable.lower, sentence.start, sentence.end):
            n = int(m.group("n"))
            if 14 <= n <= 99:
                return n, m.span()
    return None


def _morphine_equivalent(readable: View, index: int) -> tuple[float, list[Span]] | None:
    text = readable.text
    for sentence in readable.of_item(index):
        if sentence.part is Part.TITLE:
            continue
        s = sentence.start
        if (dose := _stated_dose(text[s : sentence.end])) is not None:
            return dose[0], [(s + dose[1], s + dose[2])]
    return None


@text_cache(maxsize=8192)
def _stated_dose(sentence: str) -> tuple[float, int, int] | None:
    """The morphine equivalent dose a sentence states, with its span in the sentence. Cached by
    the sentence's text (the patterns read nothing around it), as sentence analysis is: the case
    summary is read again for every medication item, and letters repeat stock sentences."""
    data = _data()
    low, end = lowered(sentence), len(sentence)
    # The guideline test only where a dose could be read: the same sentences are skipped, at
    # less cost.
    patterns = [p.regex for p in data.morphine_equivalent if p.possible(low, 0, end)]
    guideline = data.guideline_words
    if not patterns or guideline.search(sentence, low, 0, end):
        return None
    for pattern in patterns:
        if m := pattern.search(sentence):
            n = float(m.group("n"))
            if 0 < n < 2000:
                return n, *m.span()
    return None
