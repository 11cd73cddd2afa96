"""Which encoded guidelines govern an item, and whether the letter cited them."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from engine.criteria.load import Bundle
from engine.criteria.schema import Effective, Guideline
from engine.facts.model import Facts, Service
from engine.letters.model import Citation
from engine.memo import ByIdentity, text_cache

_SPACE = re.compile(r"[^a-z0-9&]+")


@text_cache(maxsize=4096)  # the same section names and aliases are folded for every item
def _fold(text: str) -> str:
    return _SPACE.sub(" ", text.lower().replace(" and ", " & ")).strip()


class _Scope(NamedTuple):
    """A guideline and what `governs` reads of it beyond the service, as sets."""

    guideline: Guideline
    regions: frozenset[str]  # empty: any
    medications: frozenset[str]  # empty: any
    effective: Effective

    def fits(self, regions: frozenset[str], medication: str | None, on: date | None) -> bool:
        return (
            (not self.regions or not self.regions.isdisjoint(regions))
            and (not self.medications or medication in self.medications)
            and (on is None or self.effective.covers(on))
        )


def _scope_of(g: Guideline) -> _Scope:
    scope = g.governs
    return _Scope(g, frozenset(scope.body_regions), frozenset(scope.medications), g.effective)


_scope = ByIdentity(_scope_of)


def governs(g: Guideline, facts: Facts, on: date | None) -> bool:
    """The guideline speaks to this request: service, region, medication and date all fit."""
    return facts.service in g.governs.services and _scope(g).fits(
        frozenset(facts.body_regions), facts.medication, on
    )


def _service_index(guidelines: list[Guideline]) -> dict[Service, list[_Scope]]:
    """Service -> the guidelines that govern it, in bundle order."""
    index: dict[Service, list[_Scope]] = {}
    for g in guidelines:
        for service in dict.fromkeys(g.governs.services):  # once, even if listed twice
            index.setdefault(service, []).append(_scope(g))
    return index


# Keyed by the guideline list, not the bundle: a bundle restricted to some guidelines is a copy
# with a new list. Bounded: a batch of facts files restricting items to various guidelines makes
# many such lists.
_by_service = ByIdentity(_service_index, bound=64)


def applicable(bundle: Bundle, facts: Facts, on: date | None) -> list[Guideline]:
    """The guidelines that `govern` an item: the item's regions read as a set once, each
    guideline's scope as sets once (this runs for every item)."""
    if facts.service is None:
        return []
    regions, medication = frozenset(facts.body_regions), facts.medication
    return [
        s.guideline
        for s in _by_service(bundle.guidelines).get(facts.service, [])
        if s.fits(regions, medication, on)
    ]


def _guideline_terms(g: Guideline) -> tuple[list[str], list[str], frozenset[int]]:
    """A guideline's section and document names, folded, and its pages."""
    sections = [_fold(s) for s in (g.section, *g.aliases.sections)]
    documents = [_fold(d) for d in (g.document, *g.aliases.documents)]
    return sections, documents, frozenset(g.pages)


def _citation_text(c: Citation) -> str:
    return _fold(" ".join([c.document or "", *c.sections, c.text]))


_terms = ByIdentity(_guideline_terms)
# Letters citing the same clause share its Citations (engine.letters.citations): each is folded
# once, not once for every guideline of every item that cites it. Bounded: a batch makes many.
_folded = ByIdentity(_citation_text, bound=4096)


def cites(g: Guideline, citations: list[Citation]) -> bool:
    """The letter's own citations name this guideline section (by alias or page)."""
    sections, documents, pages = _terms(g)
    for c in citations:
        if c.source != g.source:
            continue
        text = _folded(c)
        if not any(d in text for d in documents):
            continue
        if any(s in text for s in sections) or not pages.isdisjoint(c.pages):
            return True
    return False
