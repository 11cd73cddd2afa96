"""Layouts without corpus letters (2013 notices, professional reviews), unknown layouts and the
normaliser. The letters here are short synthetic ones written from the corpus README."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import RecheckError
from engine.letters.items import _ORIGINAL_BACKWARDS, _outcome_end
from engine.letters.model import Layout, Outcome, Source
from engine.letters.normalize import _CHARS, _HYPHEN_WRAP, backwards, normalize
from engine.letters.parse import parse_letter

NOTICE_2013 = """MAXIMUS FEDERAL SERVICES, INC.
Notice of Independent Medical Review Determination Dated: 9/26/2013
IMR Case Number: CM13-0012345 Date of Injury: 08/28/2001
UR Denial Date: 08/30/2013 Priority: Standard Application Received: 09/06/2013
1) MAXIMUS Federal Services, Inc. has determined the request for a 28 day
functional restoration program is notmedically necessary and appropriate.
2) MAXIMUS Federal Services, Inc. has determined the request for Naproxen 7.5 mg #60
is medically necessary and appropriate.
INDEPENDENT MEDICAL REVIEW DECISION AND RATIONALE
A decision has been made for each of the treatment and/or services that were in dispute:
1) MAXIMUS Federal Services, Inc. has determined the request for a 28 day
functional restoration program is not medically necessary and appropriate.
2) MAXIMUS Federal Services, Inc. has determined the request for Naproxen 7.5 mg #60
is medically necessary and appropriate.
Medical Qualifications of the Expert Reviewer:
The physician reviewer is Board Certified in Occupational Medicine and is licensed to practice
in California.
Case Summary:
Disclaimer: The following case summary was taken directly from the utilization review
denial/modification dated August 30, 2013.
The patient is a 44 year-old female with chronic low back pain.
IMR ISSUES, DECISIONS AND RATIONALES
1) Regarding the request for a 28 day functional restoration program:
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
The Expert Reviewer relied on the Chronic Pain Medical Treatment Guidelines (MTUS), pages
30-32.
Rationale Used by Expert Reviewer:
No baseline functional testing was documented.
2) Regarding the request for Naproxen 7.5 mg #60:
Medical Treatment Guideline(s) Relied Upon by the Expert Reviewer:
The Expert Reviewer based his/her decision on the Official Disability Guidelines (ODG), Pain.
Rationale Used by Expert Reviewer:
NSAIDs are recommended for short-term relief.
"""

PROFESSIONAL = """MEDICAL PROFESSIONAL REVIEW
Case Number: CM14-0000007 Decision Date: 03/04/2014
The physician reviewer is Board Certified in Family Medicine and is licensed to practice in
California and Nevada.
CLINICAL SUMMARY: A 50 year old man with neck pain after a fall.
ISSUE AT DISPUTE: Chiropractic treatment for the neck, 8 sessions: Upheld
MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:
MTUS Chronic Pain Medical Treatment Guidelines, Manual therapy & manipulation, page 58.
RATIONALE: There was no functional improvement after the first six visits.
ISSUE AT DISPUTE: Urine drug screen
MEDICAL TREATMENT GUIDELINE(S) RELIED UPON BY PROFESSIONAL REVIEWER AND WHY:
The reviewer did not cite any medical evidence.
RATIONALE: Testing once a year is supported.
ISSUE AT DISPUTE: TENS unit rental
RATIONALE: A one month trial is reasonable.
DETERMINATION: OVERTURN
"""


def test_notice_2013() -> None:
    letter = parse_letter(NOTICE_2013, "notice.txt")
    assert letter.layout is Layout.NOTICE_2013
    assert letter.case_number == "CM13-0012345"
    assert letter.decision_date == date(2013, 9, 26)
    assert letter.date_of_injury == date(2001, 8, 28)
    assert letter.reviewer.specialty == "Occupational Medicine"
    assert letter.reviewer.licensure == ["California"]
    assert letter.case_summary == "The patient is a 44 year-old female with chronic low back pain."
    titles = [(i.title, i.outcome) for i in letter.items]
    assert titles == [
        ("a 28 day functional restoration program", Outcome.UPHELD),
        ("Naproxen 7.5 mg #60", Outcome.OVERTURNED),
    ]
    first, second = letter.items
    assert first.rationale == "No baseline functional testing was documented."
    assert [(c.source, c.pages) for c in first.citations] == [(Source.MTUS, [30, 31, 32])]
    assert [c.source for c in second.citations] == [Source.ODG]


def test_professional_review() -> None:
    letter = parse_letter(PROFESSIONAL, "pro.txt")
    assert letter.layout is Layout.PROFESSIONAL_REVIEW
    assert letter.case_number == "CM14-0000007"
    assert letter.reviewer.licensure == ["California", "Nevada"]
    assert letter.case_summary == "A 50 year old man with neck pain after a fall."
    got = [(i.title, i.outcome) for i in letter.items]
    assert got == [
        ("Chiropractic treatment for the neck, 8 sessions", Outcome.UPHELD),
        ("Urine drug screen", None),  # the letter does not say: never guessed
        ("TENS unit rental", Outcome.OVERTURNED),
    ]
    assert letter.items[0].citations[0].source is Source.MTUS
    assert letter.items[0].citations[0].pages == [58]
    assert letter.items[1].citations == []
    assert letter.items[2].rationale == "A one month trial is reasonable."


def test_unknown_layout_is_reported_not_guessed() -> None:
    text = (
        "Independent Medical Review Final Determination\nCase Number: CM20-0000001\n"
        "Knee MRI: Upheld\nThe reviewer found the request not medically necessary."
    )
    letter = parse_letter(text, "new.txt")
    assert letter.layout is Layout.UNKNOWN
    assert letter.items == []
    assert letter.case_number == "CM20-0000001"


def test_known_layout_without_items_section() -> None:
    text = "HOW THE IMR FINAL DETERMINATION WAS MADE\nMAXIMUS Federal Services sent the file."
    with pytest.raises(RecheckError, match="not an IMR letter") as err:
        parse_letter(text, "cut.txt")
    assert err.value.path == "cut.txt"


def test_item_without_outcome_word() -> None:
    text = (
        "HOW THE IMR FINAL DETERMINATION WAS MADE\nIMR ISSUES, DECISIONS AND RATIONALES\n"
        "Knee brace:\nClaims Administrator guideline: Decision based on MTUS Knee Complaints"
        " 2004.\nMAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.\n"
        "Decision rationale: Not supported. The request is not medically necessary."
    )
    (item,) = parse_letter(text, "x.txt").items
    assert (item.title, item.outcome) == ("Knee brace", None)


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\u00a0 \t b", "a b"),
        ("\ufb01rst o\ufb03ce", "first office"),
        ("range-of\ufffemotion", "range-of-motion"),
        ("range-of-\nmotion and L5-\n S1", "range-of-motion and L5-S1"),
        ("a - \nb", "a -\nb"),  # a dash, not a wrapped hyphenated word
        (" x \n \n\n  y \n", "x\ny"),
        ("soft\u00adhyphen\x00", "softhyphen"),
        # letters a case-insensitive regex reads as ASCII but str.lower() keeps
        (
            "phy\u017fical therapy, \u0130buprofen, L\u0131doderm",
            "physical therapy, Ibuprofen, Lidoderm",
        ),
    ],
)
def test_normalize(raw: str, norm: str) -> None:
    assert normalize(raw) == norm


@given(st.text(alphabet="ab -\n\r\t\u00a0", max_size=40))
def test_normalized_text_has_single_spaces_and_no_blank_lines(raw: str) -> None:
    norm = normalize(raw)
    for bad in ("  ", "\n\n", " \n", "\n "):
        assert bad not in norm
    assert norm == norm.strip(" \n") == normalize(norm)


@given(st.text(alphabet="ab -\n\r\t\u00a0\ufffe\u2028", max_size=60))
def test_normalize_reads_as_the_plain_substitutions(raw: str) -> None:
    # runs of whitespace holding a break, then runs of spaces, substituted by regexes over the
    # translated text: what normalize's stripped lines and split runs must give
    text = raw.translate(_CHARS)
    text = re.sub(" +", " ", re.sub(r"[ \n]*\n[ \n]*", "\n", text))
    assert normalize(raw) == _HYPHEN_WRAP.sub("-", text).strip(" \n")


_HEADING_END = re.compile(r"(?:\s+is)?\s*:\s*(?P<outcome>Upheld|Overturned)\b[\s.:]*$", re.I)
_HEADING_WORDS = ["is", "IS", "his", " ", "\n", ":", ".", "Upheld", "OVERTURNED", "x", "_"]


@given(st.lists(st.sampled_from(_HEADING_WORDS), max_size=10).map("".join))
def test_outcome_end_reads_as_the_forward_pattern(heading: str) -> None:
    # _outcome_end matches the reversed heading; it must find what this forward search finds
    m = _HEADING_END.search(heading)
    expected = (m.start(), Outcome(m.group("outcome").lower())) if m else None
    assert _outcome_end(heading, 0, len(heading)) == expected


_ORIGINAL = re.compile(r"\bwas\s+the\s+original\s+request\s*\.", re.I)
_ORIGINAL_WORDS = ["was", "WAS", "swas", " the", " original", " request", ".", " ", "\n", "x"]


@given(st.lists(st.sampled_from(_ORIGINAL_WORDS), max_size=12).map("".join), st.integers(0, 4))
def test_original_request_found_backwards_as_forwards(text: str, start: int) -> None:
    # the last "was the original request." in text[start:], found in the reversed text
    last = None
    for m in _ORIGINAL.finditer(text, start):
        last = m.start()
    found = backwards(_ORIGINAL_BACKWARDS, text, start, len(text))
    assert (found[-1].start if found else None) == last
