"""Every gold item of the 74 real letters, from both the text and the PDF version; the seeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from engine.letters.model import Layout, Letter, Span
from engine.letters.normalize import fold

from .conftest import item_summary, title_matches

KINDS = ["txt_letters", "pdf_letters"]


@pytest.fixture(params=KINDS)
def letters(request: pytest.FixtureRequest) -> dict[str, Letter]:
    return request.getfixturevalue(request.param)


def test_every_gold_item_found(letters: dict[str, Letter], dev_gold: dict[str, Any]) -> None:
    problems: list[str] = []
    for case, gold in dev_gold.items():
        items = letters[case].items
        if len(items) != len(gold["items"]):
            problems.append(f"{case}: {len(items)} items, gold has {len(gold['items'])}")
            continue
        for item, want in zip(items, gold["items"], strict=True):
            got = (
                item.outcome.value if item.outcome else None,
                item.partial_certification is not None,
            )
            if not title_matches(item.title, want["title"]):
                problems.append(f"{case} #{item.index}: title {item.title!r} != {want['title']!r}")
            if got != (want["outcome"], want["partial_certification"]):
                problems.append(f"{case} #{item.index}: outcome/partial {got} != gold")
    assert not problems, "\n".join(problems)


def test_decision_dates(letters: dict[str, Letter], dev_gold: dict[str, Any]) -> None:
    for case, gold in dev_gold.items():
        want = datetime.strptime(gold["decision_date"], "%m/%d/%Y").date()
        assert letters[case].decision_date == want, case


def test_header_and_reviewer(letters: dict[str, Letter]) -> None:
    for case, letter in letters.items():
        assert letter.layout is Layout.DWC_2016, case
        assert letter.case_number == case  # the file is named after its case number
        dates = [letter.date_assigned, letter.date_of_injury, letter.ur_denial_date]
        assert all(dates), case
        assert letter.date_of_injury <= letter.decision_date, case
        assert letter.application_received is not None, case
        assert letter.priority in {"Standard", "Expedited"}, case
        assert letter.reviewer.licensure and letter.reviewer.specialty, case
        assert "\n" not in letter.reviewer.specialty
        assert "developed the following clinical case summary" not in letter.case_summary
        assert len(letter.case_summary) > 100, case


def _sliced(letter: Letter, span: Span | None) -> str:
    assert span is not None
    return letter.text[span.start : span.end]


def test_spans_point_into_text(letters: dict[str, Letter]) -> None:
    for case, letter in letters.items():
        assert _sliced(letter, letter.case_summary_span) == letter.case_summary, case
        for item in letter.items:
            assert fold(_sliced(letter, item.title_span)) == item.title, case
            assert _sliced(letter, item.rationale_span) == item.rationale, case
            assert item.rationale.strip(), case
            block = _sliced(letter, item.span)
            assert block.count("Decision rationale:") == 1, case
            assert fold(_sliced(letter, item.maximus_guideline_span)) == item.maximus_guideline
            assert item.span is not None and item.rationale_span is not None
            assert item.span.start <= item.rationale_span.start <= item.span.end, case


def test_maximus_citations_read(letters: dict[str, Letter]) -> None:
    for case, letter in letters.items():
        for item in letter.items:
            cites = "Decision based on" in item.maximus_guideline
            assert bool(item.citations) == cites, (case, item.maximus_guideline)


def test_pdf_and_text_agree(txt_letters: dict[str, Letter], pdf_letters: dict[str, Letter]) -> None:
    for case, letter in txt_letters.items():
        other = pdf_letters[case]
        assert [item_summary(i) for i in other.items] == [item_summary(i) for i in letter.items]
        assert other.reviewer == letter.reviewer
        assert fold(other.case_summary) == fold(letter.case_summary)


def test_seeds(seed_letters: dict[str, Letter], seeds_gold: dict[str, Any]) -> None:
    for name, gold in seeds_gold.items():
        letter = seed_letters[name]
        assert letter.layout is Layout.SEED, name
        assert letter.case_number is None and letter.decision_date is None
        assert letter.reviewer.specialty and letter.reviewer.licensure, name
        assert len(letter.items) == len(gold["items"]), name
        for item, want in zip(letter.items, gold["items"], strict=True):
            assert title_matches(item.title, want["title"]), (name, item.title)
            assert item.outcome is not None and item.outcome.value == want["outcome"]
            assert sorted({c.source.value for c in item.citations}) == sorted(want["cited_sources"])
            assert sorted({p for c in item.citations for p in c.pages}) == want["cited_pages"]
