"""Split a letter's decisions into Items: title, outcome, guideline blocks and rationale.

DWC 2016 and seed letters: after "IMR ISSUES, DECISIONS AND RATIONALES" each item is a heading
`TITLE: Upheld|Overturned` followed by the blocks "Claims Administrator guideline:",
"MAXIMUS guideline:" and "Decision rationale:". The labels are found first; a heading is the text
between the previous block's last sentence and the next item's first label. Sentence ends, not
line breaks, delimit headings, so re-flowed text splits the same way.

Partial certification headings read "X was the original request. Y was authorized by the Claims
Administrator. The remaining IMR eligible portion of the original request, Z is: Upheld" (or "The
Claims Administrator authorized Y, leaving ... The original request, Z is: ..."): the item is Z.

2013 notices and professional reviews are parsed only as far as their wording states things
(see `_notice_items`, `_professional_items`); an outcome the letter does not state stays None.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any, TypedDict

from engine.letters.citations import folded_citations
from engine.letters.layouts import ISSUES, trim
from engine.letters.model import Item, Layout, Outcome, PartialCertification, Span
from engine.letters.normalize import Backwards, backwards, fold

_FORTH_BELOW = re.compile(
    r"\s*The\s+Final\s+Determination\s+was\s+based\s+on\s+decisions\s+for\s+the\s+disputed\s+"
    r"items\s*/\s*services\s+set\s+forth\s+below\s*:",
    re.I,
)


def _backwards(words: str) -> str:
    """A regex for a fixed phrase, spaced anything between its words, in reversed text."""
    return r"\s+".join(re.escape(w[::-1]) for w in reversed(words.split()))


# The block labels ("Claims Administrator guideline(s):", "MAXIMUS guideline(s):", "Decision
# rationale:", any case) as they read in the reversed section, where each opens with its colon:
# colons are rare, so re skips from colon to colon instead of trying the label at every c, m and
# d (3x faster, reversal included). `(?!\w)` is the \b before the label.
_LABEL_BACKWARDS = re.compile(
    rf"""(?xi) :\s*
    (?: (?P<ca> s?{_backwards("Claims Administrator guideline")} )
      | (?P<mx> s?{_backwards("MAXIMUS guideline")} )
      | (?P<dr> {_backwards("Decision rationale")} )
    ) (?!\w)"""
)
_ORDER = {"ca": 0, "mx": 1, "dr": 2}
# A heading's closing "[ is]: Upheld|Overturned" as it reads in the reversed heading, matched at
# its start: the forward pattern, anchored at the heading's end, was tried at every character
# before it (2.4x slower). Greedy, it takes what the forward search's leftmost match would.
_OUTCOME_END_BACKWARDS = re.compile(r"[\s.:]*(?P<outcome>dlehpU|denrutrevO)\s*:\s*(?:si\s+)?", re.I)
_OUTCOME_REACH = 64  # "  is:  Overturned " and the like
# The three sentences of a partial-certification heading (the longest real one is ~500 chars).
# Bounding the reach also keeps _PARTIAL's lazy groups from going quadratic on hostile text.
_PARTIAL_REACH = 1500
_OUTCOMES = {"upheld": Outcome.UPHELD, "overturned": Outcome.OVERTURNED}
# A sentence end: [.!?], closing quotes/brackets, whitespace. Not after common abbreviations or a
# single capital (initials), which end no rationale.
_BOUNDARY = re.compile(
    r"[.!?](?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bvs\.)(?<!\bNo\.)(?<!\bQty\.)"
    r"(?<!\bapprox\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bSt\.)(?<!\b[A-Z]\.)"
    r"[\"'\u201d\u2019)\]]*\s+"
)
# "was the original request." in reversed text, where it opens with its rare period: re skips from
# period to period instead of trying it at every w of up to _PARTIAL_REACH characters (3.4x faster).
_ORIGINAL_BACKWARDS = re.compile(rf"(?i)\.\s*{_backwards('was the original request')}(?!\w)")
_PARTIAL = re.compile(
    r"(?P<orig>\S.*?)\s+was\s+the\s+original\s+request\s*\.\s*"
    r"(?:(?P<auth>\S.*?)\s+(?:was|were)\s+authorized\s+by\s+the\s+Claims\s+Administrator"
    r"|The\s+Claims\s+Administrator\s+authorized\s+(?P<auth2>\S.*?)"
    r"(?:\s*,\s*leaving\s+[^.]*?)?)\s*\.\s*"
    r"The\s+(?:remaining\s+IMR\s+eligible\s+portion\s+of\s+the\s+)?original\s+request\s*,?\s*"
    r"(?P<rem>\S.*?)\s*$",
    re.I | re.S,
)

# 2013 notices list each decision in one sentence, and may repeat the list.
_NOTICE_DECISION = re.compile(
    r"(?P<n>\d{1,2})\s*\)\s*MAXIMUS\s+Federal\s+Services\s*,?\s+Inc\.?\s+has\s+determined\s+"
    r"the\s+request\s+for\s+(?P<title>\S[^.]{0,300}?(?:\.\d[^.]{0,300}?){0,8}?)\s+is\s*"
    r"(?P<neg>not\s*)?"
    r"medically\s+necessary\s+and\s+appropriate\s*\.",
    re.I,
)
_NOTICE_BLOCK = re.compile(r"(?P<n>\d{1,2})\s*\)\s*Regarding\s+the\s+request\s+for\s+", re.I)
_NOTICE_GUIDELINE = re.compile(
    r"Medical\s+Treatment\s+Guidelines?\s*\(s\)\s+Relied\s+Upon\s+by\s+the\s+Expert\s+Reviewer\s*:"
    r"|Medical\s+Treatment\s+Guidelines?\s*\(s\)\s+Relied\s+Upon\s*:",
    re.I,
)
_NOTICE_RATIONALE = re.compile(
    r"Rationale\s+(?:Used\s+by\s+(?:the\s+)?Expert\s+Reviewer|for\s+the\s+Decision)\s*:", re.I
)

_ISSUE = re.compile(r"ISSUES?\s+AT\s+DISPUTE\s*:")
_PRO_GUIDELINE = re.compile(
    r"MEDICAL\s+TREATMENT\s+GUIDELINE\s*\(?S?\)?\s+RELIED\s+UPON\s+BY\s+PROFESSIONAL\s+"
    r"REVIEWER\s+AND\s+WHY\s*:"
)
_PRO_RATIONALE = re.compile(r"\b(?:CLINICAL\s+)?RATIONALE(?:\s+FOR\s+THE\s+DECISION)?\s*:")
_PRO_DETERMINATION = re.compile(
    r"\b(?:DETERMINATION|DECISION)\s*:\s*(?P<outcome>UPHELD|UPHOLD|OVERTURNED|OVERTURN)\b", re.I
)
_PRO_OUTCOMES = {"upheld": Outcome.UPHELD, "uphold": Outcome.UPHELD}


def parse_items(text: str, layout: Layout) -> list[Item] | None:
    """The items of a normalised letter; None when the letter has no item section at all."""
    if layout in (Layout.DWC_2016, Layout.SEED):
        return _dwc_items(text)
    if layout is Layout.NOTICE_2013:
        return _notice_items(text)
    if layout is Layout.PROFESSIONAL_REVIEW:
        return _professional_items(text)
    return None


def _dwc_items(text: str) -> list[Item] | None:
    section = ISSUES.search(text)
    if section is None:
        return None
    body = section.end()
    forth = _FORTH_BELOW.match(text, body)
    if forth:
        body = forth.end()
    # Group the labels into items: a label that does not come after the previous one in the
    # fixed block order opens the next item.
    groups: list[list[Backwards]] = []
    last = 99
    for label in backwards(_LABEL_BACKWARDS, text, body, len(text)):
        kind = _ORDER[label.group]
        if kind <= last:
            groups.append([])
        groups[-1].append(label)
        last = kind
    starts = [body] + [_heading_start(text, g[0].start, p[-1].end) for p, g in pairwise(groups)]
    ends = [*starts[1:], len(text)]
    return [_dwc_item(text, i + 1, labels, starts[i], ends[i]) for i, labels in enumerate(groups)]


def _heading_start(text: str, label: int, floor: int) -> int:
    """Where the heading before `label` starts: after the last sentence of the previous block."""
    # The outcome word sits right before the label; only look there, not along the rationale.
    outcome = _outcome_end(text, max(floor, label - _OUTCOME_REACH), label)
    head_end = outcome[0] if outcome else label
    start = _last_boundary(text, floor, head_end)
    # Partial certification: the heading is three sentences, from "X was the original request."
    found = backwards(_ORIGINAL_BACKWARDS, text, max(floor, head_end - _PARTIAL_REACH), head_end)
    if found and found[-1].start < start:
        candidate = _last_boundary(text, floor, found[-1].start)
        while candidate < head_end and text[candidate] in " \n":
            candidate += 1
        if head_end - candidate <= _PARTIAL_REACH and _PARTIAL.match(text, candidate, head_end):
            start = candidate
    return start


def _outcome_end(text: str, start: int, end: int) -> tuple[int, Outcome] | None:
    """The outcome closing text[start:end] ("...: Upheld"): where that closing starts, and the
    outcome; None when the text does not end with one."""
    m = _OUTCOME_END_BACKWARDS.match(text[start:end][::-1])
    if m is None:
        return None
    return end - m.end(), _OUTCOMES[m.group("outcome")[::-1].lower()]


def _last_boundary(text: str, start: int, end: int) -> int:
    """End of the last sentence boundary in [start, end), or start. Searches backwards in
    growing windows so a long rationale before a short heading is not scanned whole."""
    window = 256
    while True:
        lo = max(start, end - window)
        found = None
        for m in _BOUNDARY.finditer(text, lo, end):
            found = m
        if found is not None:  # any later boundary would be in this window too
            return found.end()
        if lo == start:
            return start
        window *= 4


# A guideline block's label group -> the Item fields of its folded text, span and citations
_GUIDELINE_FIELDS = {
    "ca": (
        "claims_administrator_guideline",
        "claims_administrator_guideline_span",
        "claims_administrator_citations",
    ),
    "mx": ("maximus_guideline", "maximus_guideline_span", "citations"),
}


def _dwc_item(text: str, index: int, labels: list[Backwards], start: int, end: int) -> Item:
    # The fields are gathered and the Item built once: setting pydantic fields one at a time
    # cost more than building the whole item.
    blocks: dict[str, Any] = {}
    bounds = [label.start for label in labels[1:]] + [end]
    for label, stop in zip(labels, bounds, strict=True):
        span = trim(text, label.end, stop)
        content = text[span.start : span.end] if span else ""
        fields = _GUIDELINE_FIELDS.get(label.group)
        if fields is None:
            blocks.update(rationale=content, rationale_span=span)
            continue
        text_field, span_field, citations_field = fields
        folded = fold(content)
        blocks[text_field] = folded
        blocks[span_field] = span
        blocks[citations_field] = folded_citations(folded)
    heading = _heading(text, start, labels[0].start)
    return Item(index=index, span=trim(text, start, end), **heading, **blocks)


class _Heading(TypedDict):
    title: str
    outcome: Outcome | None
    partial_certification: PartialCertification | None
    title_span: Span | None


def _heading(text: str, start: int, end: int) -> _Heading:
    """Title, outcome and partial certification from the heading text[start:end]."""
    while start < end and text[start] in " \n":
        start += 1
    outcome = _outcome_end(text, max(start, end - _OUTCOME_REACH), end)
    title_end, result = outcome if outcome else (end, None)
    partial = None
    m = _PARTIAL.match(text, start, title_end) if title_end - start <= _PARTIAL_REACH else None
    if m:
        auth = m.group("auth") if m.group("auth") is not None else m.group("auth2")
        partial = PartialCertification(
            original_request=fold(m.group("orig")),
            authorized=fold(auth or ""),
            remaining=fold(m.group("rem")),
        )
        title_span = trim(text, m.start("rem"), m.end("rem"), " \n:")
    else:
        title_span = trim(text, start, title_end, " \n:")
    title = fold(text[title_span.start : title_span.end]) if title_span else ""
    return _Heading(
        title=title, outcome=result, partial_certification=partial, title_span=title_span
    )


def _notice_items(text: str) -> list[Item] | None:
    """2013: "N) MAXIMUS ... has determined the request for X is [not] medically necessary".

    Not medically necessary upholds the UR denial; medically necessary overturns it. The
    optional "N) Regarding the request for X:" blocks give guideline and rationale.
    """
    decided: dict[int, re.Match[str]] = {}
    for m in _NOTICE_DECISION.finditer(text):
        decided.setdefault(int(m.group("n")), m)  # the list is printed twice; keep the first
    if not decided:
        return None
    blocks = list(_NOTICE_BLOCK.finditer(text))
    block_of = {
        int(b.group("n")): (b, blocks[i + 1].start() if i + 1 < len(blocks) else len(text))
        for i, b in enumerate(blocks)
    }
    items: list[Item] = []
    for index, n in enumerate(sorted(decided), start=1):
        m = decided[n]
        title_span = trim(text, m.start("title"), m.end("title"))
        item = Item(
            index=index,
            title=fold(m.group("title")),
            outcome=Outcome.UPHELD if m.group("neg") else Outcome.OVERTURNED,
            title_span=title_span,
            span=Span(start=m.start(), end=m.end()),
        )
        if n in block_of:
            block, end = block_of[n]
            item.span = trim(text, block.start(), end)
            _notice_blocks(text, item, block.end(), end)
        items.append(item)
    return items


def _notice_blocks(text: str, item: Item, start: int, end: int) -> None:
    guide = _NOTICE_GUIDELINE.search(text, start, end)
    why = _NOTICE_RATIONALE.search(text, start, end)
    if guide:
        stop = why.start() if why and why.start() > guide.end() else end
        span = trim(text, guide.end(), stop)
        content = text[span.start : span.end] if span else ""
        item.maximus_guideline = fold(content)
        item.maximus_guideline_span = span
        item.citations = folded_citations(item.maximus_guideline)
    if why:
        span = trim(text, why.end(), end)
        item.rationale = text[span.start : span.end] if span else ""
        item.rationale_span = span


def _professional_items(text: str) -> list[Item] | None:
    """Each "ISSUE AT DISPUTE:" opens an item; the guideline block says what was relied upon.

    The outcome is taken only from an explicit ": Upheld|Overturned" on the issue or a
    "DETERMINATION: UPHOLD|OVERTURN" line; otherwise it stays None.
    """
    issues = list(_ISSUE.finditer(text))
    if not issues:
        return None
    items: list[Item] = []
    for i, issue in enumerate(issues):
        end = issues[i + 1].start() if i + 1 < len(issues) else len(text)
        guide = _PRO_GUIDELINE.search(text, issue.end(), end)
        why = _PRO_RATIONALE.search(text, guide.end() if guide else issue.end(), end)
        decision = _PRO_DETERMINATION.search(text, issue.end(), end)
        marks = [m.start() for m in (guide, why, decision) if m is not None]
        head_end = min(marks) if marks else end
        heading = _heading(text, issue.end(), head_end)
        if heading["outcome"] is None and decision is not None:
            said = decision.group("outcome").lower()
            heading["outcome"] = _PRO_OUTCOMES.get(said, Outcome.OVERTURNED)
        item = Item(index=i + 1, span=trim(text, issue.start(), end), **heading)
        if guide:
            stops = [
                m.start() for m in (why, decision) if m is not None and m.start() > guide.end()
            ]
            span = trim(text, guide.end(), min(stops) if stops else end)
            content = text[span.start : span.end] if span else ""
            item.maximus_guideline = fold(content)
            item.maximus_guideline_span = span
            item.citations = folded_citations(item.maximus_guideline)
        if why:
            stops = [decision.start()] if decision and decision.start() > why.end() else []
            span = trim(text, why.end(), min(stops) if stops else end)
            item.rationale = text[span.start : span.end] if span else ""
            item.rationale_span = span
        items.append(item)
    return items
