"""Parsing does not depend on whitespace, and never fails other than with RecheckError."""

from __future__ import annotations

import re
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import RecheckError
from engine.letters.model import Letter, Span
from engine.letters.parse import load_letter, parse_letter
from engine.letters.read import read_text

from .conftest import CORPUS, SEEDS, item_summary

# A word wrapped at its hyphen ("11-21-\n2016") is one word: joining the lines with a space
# would change the text, not just its flow.
_HYPHEN_WRAP = re.compile(r"(?<=\w-)[ \t]*\r?\n\s*(?=\w)")


def _words(text: str) -> list[str]:
    return _HYPHEN_WRAP.sub("", text).split()


REFLOWS: dict[str, Callable[[str], str]] = {
    "blank lines between lines": lambda t: t.replace("\n", " \n\n"),
    "one line": lambda t: " ".join(_words(t)),
    "wrapped at 50": lambda t: textwrap.fill(" ".join(_words(t)), 50),
    "wrapped at 130": lambda t: textwrap.fill(" ".join(_words(t)), 130),
    "CRLF and double spaces": lambda t: t.replace("\n", "\r\n").replace(" ", "  "),
    "non-breaking spaces": lambda t: t.replace(" ", "\u00a0"),
}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    files = sorted((CORPUS / "letters").glob("*.txt")) + sorted(SEEDS.glob("*.txt"))
    if not files:
        pytest.skip(f"real letters not available: {CORPUS} and {SEEDS} are absent")
    return {p.name: read_text(p) for p in files}


@pytest.mark.parametrize("reflow", list(REFLOWS))
def test_reflowed_letters_parse_the_same(texts: dict[str, str], reflow: str) -> None:
    for name, text in texts.items():
        base = parse_letter(text, name)
        other = parse_letter(REFLOWS[reflow](text), name)
        assert [item_summary(i) for i in other.items] == [item_summary(i) for i in base.items]
        assert (other.layout, other.case_number, other.decision_date, other.reviewer) == (
            base.layout,
            base.case_number,
            base.decision_date,
            base.reviewer,
        ), name
        assert other.case_summary.split() == base.case_summary.split(), name


# Fragments of real letter structure, so random documents reach the deeper parsers too.
FRAGMENTS = [
    "HOW THE IMR FINAL DETERMINATION WAS MADE",
    "IMR ISSUES, DECISIONS AND RATIONALES",
    "The Final Determination was based on decisions for the disputed items/services set forth "
    "below:",
    "Case Number: CM16-0000001",
    "Decision Date: 13/45/2016",
    "Decision Date: 01/02/2017",
    "CLINICAL CASE SUMMARY",
    "State(s) of Licensure: California",
    "Certification(s)/Specialty:",
    "Claims Administrator guideline:",
    "MAXIMUS guideline:",
    "Decision rationale:",
    "Decision based on MTUS",
    "Decision based on Non-MTUS Citation",
    "Official Disability Guidelines (ODG)",
    "ACOEM Chapter 99999999999",
    "Low Back Complaints 2004, Section(s):",
    ", and",
    "Page(s): 58-9, 1-99999, 7",
    " was the original request. ",
    " was authorized by the Claims Administrator. ",
    "The remaining IMR eligible portion of the original request, ",
    " is: Upheld",
    ": Overturned",
    "Notice of Independent Medical Review Determination",
    "1) MAXIMUS Federal Services, Inc. has determined the request for x is not medically "
    "necessary and appropriate.",
    "1) Regarding the request for x:",
    "Rationale Used by Expert Reviewer:",
    "MEDICAL PROFESSIONAL REVIEW",
    "ISSUE AT DISPUTE:",
    "MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:",
    "DETERMINATION: UPHOLD",
    "Board Certified in x and is licensed to practice in y.",
    ". ",
    ":",
    "\n",
    "\ufffe",
]

letter_like = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40
).map("".join)


def _check(letter: Letter) -> None:
    """A parsed letter's spans lie in its text, and sliced fields are exactly their spans."""
    spans: list[Span | None] = [letter.case_summary_span]
    for item in letter.items:
        spans += [item.span, item.title_span, item.rationale_span]
        if item.rationale_span is not None:
            start, end = item.rationale_span.start, item.rationale_span.end
            assert letter.text[start:end] == item.rationale
    for span in spans:
        if span is not None:
            assert 0 <= span.start <= span.end <= len(letter.text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), letter_like))
def test_random_text_only_recheck_errors(text: str) -> None:
    try:
        letter = parse_letter(text, "random.txt")
    except RecheckError as exc:
        assert exc.path == "random.txt"
    else:
        _check(letter)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([".txt", ".pdf"]))
def test_random_bytes_only_recheck_errors(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"random{suffix}"
        path.write_bytes(data)
        try:
            _check(load_letter(path))
        except RecheckError as exc:
            assert exc.path == str(path)
