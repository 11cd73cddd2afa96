"""Treatment-to-date lists: "Treatment to date has included physical therapy and medication
management." A list that names the requested service says it was given (also when ConText cannot
see it, "included chiropractic care; acupuncture and medications"); a list that names other
treatments but not the requested one is the reviewer's account of what was tried, so the service
was not given before. Only for courses of treatment, whose history such lists report.
"""

from __future__ import annotations

import re

from engine.facts import vocab
from engine.facts.model import Service
from engine.facts.prefilter import Prefiltered, lowered
from engine.facts.text import View
from engine.memo import text_cache

Span = tuple[int, int]

# Services a treatment list reports. Medications are listed by class or not at all ("and
# medications"), imaging is not a treatment: neither is read here.
LISTED = frozenset(
    {
        Service.CHIROPRACTIC,
        Service.PHYSICAL_THERAPY,
        Service.OCCUPATIONAL_THERAPY,
        Service.ACUPUNCTURE,
        Service.MASSAGE,
        Service.INJECTION,
        Service.TENS,
        Service.PSYCHOLOGICAL,
    }
)

_I = re.IGNORECASE
_OPENER = Prefiltered.compile(
    r"\b(?:treatments?|therapies|care|management)(?:\s+and\s+(?:evaluation|diagnostics?(?:\s+testing)?))?"
    r"\s+(?:to\s+date|thus\s+far|so\s+far|history)\s+(?:has\s+|have\s+|had\s+)?"
    r"(?:included|includes|include|consisted\s+of|consists\s+of|involved)\b"
    r"|\b(?:prior|previous|past)\s+(?:relevant\s+)?(?:treatments?|therapies|care)\s+"
    r"(?:to\s+date\s+)?(?:has\s+|have\s+|had\s+)?(?:included|includes|include|consisted\s+of)\b"
    r"|\btreatments?\s+(?:has|have|had)\s+included\b",
    _I,
)
# A list that is not a full account: "conservative care", "other modalities", "including but
# not limited to", "etc."; an unqualified "therapy" could be any therapy.
_VAGUE = re.compile(
    r"\b(?:conservative|physical\s+medicine|modalities|other|others|etc|various|not\s+limited|"
    r"unspecified|multiple|unknown|unclear|such\s+as)\b",
    _I,
)
_THERAPY = re.compile(r"(\w+)?\s*\btherap(?:y|ies)\b", _I)
_QUALIFIED = frozenset(
    {
        "physical", "occupational", "hand", "aqua", "aquatic", "pool", "chiropractic", "manual",
        "massage", "cognitive", "behavioral", "behavioural", "group", "injection", "drug",
        "medication", "psycho", "speech", "vision",
    }
)  # fmt: skip


def _vague(text: str, start: int, end: int) -> bool:
    if _VAGUE.search(text, start, end):
        return True
    return any(
        (m.group(1) or "").lower() not in _QUALIFIED for m in _THERAPY.finditer(text, start, end)
    )


def _kind(text: str, hit: re.Match[str], service: Service, subtype: str | None) -> str:
    """ "same" when a listed treatment is of the requested kind, "other" when of another kind
    (an epidural request and "trigger point injections"), "any" when it could be either (a bare
    "injections")."""
    if subtype is None:
        return "same"
    found = vocab.services().subtype(service, text, *hit.span())
    return "any" if found is None else "same" if found == subtype else "other"


def from_treatment_lists(
    readable: View, index: int, service: Service | None, subtype: str | None = None
) -> tuple[bool, list[Span]] | None:
    """(given before?, evidence) from the treatment-to-date lists of the case summary and of the
    item's rationale, or None when no usable list speaks to it."""
    if service not in LISTED:
        return None
    pattern = vocab.services().history(service)
    if pattern is None:
        return None
    text = readable.text
    named: list[Span] = []
    silent: list[Span] = []
    for sentence in readable.of_item(index):
        # With the character before the sentence: the opener's \b reads it.
        lead = min(sentence.start, 1)
        at = sentence.start - lead
        found = _opener(text[at : sentence.end], lead)
        if found is None:
            continue
        start, end = at + found[0], at + found[1]
        kinds = {
            h.end(): _kind(text, h, service, subtype)
            for h in pattern.finditer(text, end, sentence.end)
        }
        same = [e for e, k in kinds.items() if k == "same"]
        if same:
            named.append((start, same[0]))
        elif "any" not in kinds.values() and not _vague(text, end, sentence.end):
            silent.append((start, sentence.end))
    if named:
        return True, named[:3]
    if silent:
        return False, silent[:3]
    return None


@text_cache(maxsize=8192)
def _opener(chunk: str, pos: int) -> tuple[int, int] | None:
    """Where a treatment list opens in the sentence chunk[pos:] (its span in `chunk`). Cached by
    the sentence's text and the character before it, as sentence analysis is: the case summary
    is read again for every item, and letters repeat stock sentences."""
    m = _OPENER.search(chunk, lowered(chunk), pos, len(chunk))
    return None if m is None else m.span()
