"""Arbitrary text never crashes extraction, and evidence always quotes the text."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.facts import extract_facts
from engine.letters.model import Item, Layout, Letter, Span

_WORDS = st.sampled_from(
    [
        "the",
        "patient",
        "has",
        "had",
        "no",
        "prior",
        "chiropractic",
        "physical",
        "therapy",
        "acupuncture",
        "8",
        "sessions",
        "of",
        "twice",
        "a",
        "week",
        "for",
        "4",
        "weeks",
        "MTUS",
        "recommends",
        "if",
        "not",
        "functional",
        "improvement",
        "documented",
        "Flexeril",
        "7.5",
        "mg",
        "#60",
        "lumbar",
        "neck",
        "knee",
        "x",
        "2x4",
        "(",
        ")",
        '"',
        ".",
        ";",
        ":",
        ",",
        "-",
        "/",
        "off",
        "work",
        "returned",
        "to",
        "work",
        "since",
        "10/14/2016",
        "none",
        "of",
        "the",
        "reports",
        "discuss",
        "lack",
        "of",
        "evidence",
        "that",
        "medically",
        "necessary",
        "Upheld",
        "Overturned",
        "1",
        "to",
        "2",
        "times",
        "per",
        "week",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(_WORDS, max_size=120).map(" ".join),
    st.lists(st.one_of(_WORDS, st.text(max_size=6)), max_size=80).map(lambda ws: "\n".join(ws)),
)


@st.composite
def letters(draw: st.DrawFn) -> Letter:
    text = draw(_TEXT)
    n = len(text)
    cuts = sorted(draw(st.lists(st.integers(0, n), min_size=4, max_size=4)))
    a, b, c, d = cuts
    item = Item(
        index=1,
        title=text[a:b],
        outcome=None,
        title_span=Span(start=a, end=b),
        rationale_span=Span(start=c, end=d),
        rationale=text[c:d],
        span=Span(start=a, end=d),
    )
    return Letter(
        source="fuzz",
        layout=Layout.DWC_2016,
        text=text,
        case_summary_span=Span(start=0, end=a),
        items=[item],
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(letters())
def test_random_letters_never_crash(letter: Letter) -> None:
    facts = extract_facts(letter, letter.items[0])
    for quotes in facts.evidence.values():
        for q in quotes:
            assert letter.text[q.start : q.end] == q.quote
    for name, value in facts.values().items():
        if value is not None and value != []:
            assert facts.evidence.get(name), name
