"""Small synthetic letters for extraction tests (never corpus text), and checked extraction."""

from __future__ import annotations

from datetime import date

from engine.facts import Facts, extract_facts
from engine.letters.model import Item, Layout, Letter, PartialCertification, Span


def synthetic_letter(
    summary: str,
    titles: list[str],
    rationale: str,
    *,
    injured: date | None = None,
    ur: date | None = None,
    decided: date | None = None,
    partial: PartialCertification | None = None,
) -> Letter:
    """A letter whose items share one rationale text; header dates only when given."""
    header = ""
    if injured is not None:
        header += f"Date of Injury: {injured:%m/%d/%Y}\n"
    if ur is not None:
        header += f"UR Denial Date: {ur:%m/%d/%Y}\n"
    head = header + "CLINICAL CASE SUMMARY\n"
    text = head + summary + "\nIMR ISSUES\n"
    items = []
    for i, title in enumerate(titles, 1):
        t0 = len(text)
        text += f"{title}: Upheld\nDecision rationale: "
        r0 = len(text)
        text += rationale + "\n"
        items.append(
            Item(
                index=i,
                title=title,
                outcome=None,
                partial_certification=partial,
                rationale=rationale,
                title_span=Span(start=t0, end=t0 + len(title)),
                rationale_span=Span(start=r0, end=r0 + len(rationale)),
                span=Span(start=t0, end=r0 + len(rationale)),
            )
        )
    return Letter(
        source="synthetic",
        layout=Layout.DWC_2016,
        text=text,
        case_summary=summary,
        case_summary_span=Span(start=len(head), end=len(head) + len(summary)),
        items=items,
        date_of_injury=injured,
        ur_denial_date=ur,
        decision_date=decided,
    )


def checked_facts(doc: Letter, which: int = 1) -> Facts:
    """Facts of item `which`, asserting every evidence quote sits at its offsets."""
    out = extract_facts(doc, doc.items[which - 1])
    for name, quotes in out.evidence.items():
        assert all(doc.text[q.start : q.end] == q.quote for q in quotes), name
    return out
