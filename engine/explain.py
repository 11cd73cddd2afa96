"""Plain-language explanations: criterion by criterion, the guideline beside the letter's words."""

from __future__ import annotations

from textwrap import fill, indent
from typing import TYPE_CHECKING

from engine.criteria.schema import Effect, GuidelineCitation
from engine.facts.inputs import ItemFacts, LetterFacts
from engine.findings import Finding, Status
from engine.verdict import Expected, Verdict

if TYPE_CHECKING:  # counterfactual.py renders values with show_value from here
    from engine.counterfactual import Counterfactual

_MARK = {Effect.SUPPORTS: "+ supports", Effect.DOES_NOT_SUPPORT: "- does not support"}
_STATUS = {
    Status.MET: "met",
    Status.NOT_MET: "not met",
    Status.UNKNOWN: "cannot be decided",
    Status.NOT_APPLICABLE: "does not apply",
}


def cite(c: GuidelineCitation) -> str:
    pages = ""
    if c.pages:
        lo, hi = min(c.pages), max(c.pages)
        pages = f", p. {lo}" if lo == hi else f", pp. {lo}-{hi}"
    sub = f", {c.subsection}" if c.subsection else ""
    return f"{c.source} {c.document} ({c.edition}), {c.section}{pages}{sub}"


def show_value(v: object) -> str:
    """A fact value as a reader says it: yes/no, not stated, comma-separated sets."""
    if v is None or v == []:
        return "not stated"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list):
        return ", ".join(map(str, v))
    return str(v)


def finding_text(f: Finding) -> str:
    head = _MARK.get(f.effect, "  ") if f.effect else "  "
    lines = [f"{head}: {f.paraphrase} [{_STATUS[f.status]}]"]
    lines.append(f"    Guideline: {cite(f.citation)}")
    if f.quote:
        lines.append(fill(f'"{f.quote}"', 96, initial_indent="      ", subsequent_indent="      "))
    tests = [*f.when, *f.condition]
    if tests:
        lines.append(f"    Test: {'; '.join(tests)}")
    if f.values:
        shown = ", ".join(f"{k.replace('_', ' ')} = {show_value(v)}" for k, v in f.values.items())
        lines.append(f"    Facts: {shown}")
    for fact, evidence in f.evidence.items():
        for e in evidence[:2]:
            quote = " ".join(e.quote.split())
            lines.append(
                fill(
                    f'Letter ({fact.replace("_", " ")}, chars {e.start}-{e.end}): "{quote}"',
                    96,
                    initial_indent="    ",
                    subsequent_indent="      ",
                )
            )
    if f.missing:
        lines.append(f"    Not stated in the letter: {', '.join(f.missing).replace('_', ' ')}")
    return "\n".join(lines)


def explain_item(
    letter: LetterFacts,
    item: ItemFacts,
    v: Verdict,
    counterfactuals: list[Counterfactual] | None = None,
) -> str:
    who = letter.case_number or letter.source
    out = [f"{who}, item {item.index}: {item.title}"]
    recorded = v.recorded.value if v.recorded else "not stated"
    out.append(
        f"  Recorded outcome: {recorded}. Expected from the guidelines: {v.expected.value}"
        f" -> {v.consistency.value}."
    )
    for r in v.reasons:
        out.append(f"  Why ({r.code.replace('_', ' ')}): {r.message}")
    if counterfactuals:
        out.append("  What would have changed the expected outcome:")
        out.extend(f"    - {c.message}" for c in counterfactuals)
    if v.deciding_source:
        used = [u for u in v.guidelines if u.source == v.deciding_source]
        for u in used:
            cited = "cited by the letter" if u.cited else "not cited by the letter"
            out.append(f"  Decided under {u.source} {u.section} ({u.id}; {cited}).")
    elif v.expected is Expected.INDETERMINATE and not v.guidelines:
        out.append("  No encoded guideline governs this request.")
    deciding_ids = {c for r in v.reasons for c in r.criteria}
    deciding = [f for f in v.findings if f"{f.guideline}/{f.criterion}" in deciding_ids]
    if deciding:
        out.append("  Deciding criteria:")
        out.extend(indent(finding_text(f), "    ") for f in deciding)
    others = [f for f in v.findings if f not in deciding and f.status is not Status.NOT_APPLICABLE]
    if others:
        out.append("  Other criteria evaluated:")
        out.extend(indent(finding_text(f), "    ") for f in others)
    return "\n".join(out)
