"""Case findings (findings.yaml) from the item's hits: functional improvement, work status...

Each hit of a finding's target votes with its value (flipped under negation), unless a modifier
of an excluded category applies (guideline text, hypotheticals, the prior review's reasons). The
best-ranked votes decide: the title over the rationale over the case summary, then the target's
weight (an explicit "objective functional improvement" outweighs "improved ADLs"). Between true
and false at the same rank the finding's `tie` decides: for functional improvement the
reviewer's finding that it is not documented wins over a report that something improved.
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from operator import itemgetter
from typing import Any

from engine.facts import vocab
from engine.facts.analysis import DRUG, DRUG_CLASS, MEDREF, SERVICE, Hit, part_rank
from engine.facts.history import Subject, about_item
from engine.facts.model import Service
from engine.facts.text import Part

Span = tuple[int, int]


def findings(hits: list[Hit], text: str, subject: Subject) -> dict[str, tuple[Any, list[Span]]]:
    """Finding name -> (value, evidence spans), for the findings the hits decide."""
    by_kind: dict[str, list[Hit]] = {}  # each finding reads only its own targets' hits
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit)
    by_sentence: dict[tuple[int, int], list[Hit]] = {}  # filled when a finding first needs it
    out: dict[str, tuple[Any, list[Span]]] = {}
    for finding in vocab.findings():
        if finding.services is not None and subject.service not in finding.services:
            continue
        votes: list[tuple[tuple[int, int], Any, Span]] = []
        for hit in by_kind.get(finding.name, ()):
            if hit.categories & finding.exclude:
                continue
            if finding.scope == "service":
                if not by_sentence:
                    for h in hits:
                        by_sentence.setdefault((h.sentence.start, h.sentence.end), []).append(h)
                sentence = by_sentence[(hit.sentence.start, hit.sentence.end)]
                if not _about_service(sentence, hit, subject, text):
                    continue
            target = finding.targets[hit.key]
            value = target.value
            if hit.categories & finding.negate:
                if finding.kind == "set":
                    continue
                value = not value
            # A diagnosis is quoted as written; a finding with the words that qualify it.
            span = (hit.start, hit.end) if finding.kind == "set" else hit.span()
            votes.append(((part_rank(hit.sentence.part), target.weight), value, span))
        if not votes:
            continue
        if finding.kind == "set":
            first: dict[Any, Span] = {}
            for _, value, span in sorted(votes, key=lambda v: v[2]):
                first.setdefault(value, span)
            values = sorted(first, key=_declared(type(next(iter(first)))).__getitem__)
            out[finding.name] = (values, sorted(set(first.values())))
            continue
        # plain loops over the few votes: no comprehension frames (every finding of every item)
        best = max(map(itemgetter(0), votes))
        value: Any = _NONE
        for rank, v, _ in votes:
            if rank == best:
                if value is _NONE:
                    value = v
                elif v != value:
                    value = finding.tie
                    break
        spans: set[Span] = set()
        for rank, v, span in votes:
            if rank == best and v == value:
                spans.add(span)
        out[finding.name] = (value, sorted(spans)[:3])
    return out


_NONE = object()  # no value yet


@cache
def _declared(cls: type[Enum]) -> dict[Enum, int]:
    """Each member's place in its enum's declaration: the order a set finding's values follow."""
    return {member: i for i, member in enumerate(cls)}


def _about_service(sentence_hits: list[Hit], hit: Hit, subject: Subject, text: str) -> bool:
    """Whether the sentence of `hit` speaks of the item's service.

    A case-summary sentence must name the service (or the drug's class); a rationale sentence is
    about the item unless it names only other treatments ("improvement with acupuncture" in a
    chiropractic rationale, "NSAIDs" in a rationale for a proton pump inhibitor).
    """
    named = [h for h in sentence_hits if h.kind in (SERVICE, DRUG, DRUG_CLASS, MEDREF)]
    if any(
        about_item(h, subject, text) or (h.kind == DRUG_CLASS and h.key in subject.classes)
        for h in named
    ):
        return True
    if hit.sentence.part is Part.SUMMARY:
        return False
    return not any(
        h.kind in (DRUG, DRUG_CLASS) or (h.kind == SERVICE and h.key in _TREATMENTS) for h in named
    )


# Services a course of treatment can show functional improvement from; a sentence naming only
# an MRI or a brace is not about another treatment.
_TREATMENTS = frozenset(
    {
        Service.CHIROPRACTIC,
        Service.PHYSICAL_THERAPY,
        Service.OCCUPATIONAL_THERAPY,
        Service.MASSAGE,
        Service.ACUPUNCTURE,
        Service.TENS,
        Service.INJECTION,
        Service.PSYCHOLOGICAL,
        Service.SURGERY,
    }
)
