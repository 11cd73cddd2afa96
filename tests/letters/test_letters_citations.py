"""Guideline blocks -> Citations, on the citation forms the letters use."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from engine.letters.citations import expand_pages, pages_of, parse_citations
from engine.letters.model import Source


def test_mtus_2016_with_odg() -> None:
    cites = parse_citations(
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Manual therapy"
        " & manipulation. Decision based on Non-MTUS Citation Official Disability Guidelines"
        " (ODG) Neck and Upper Back."
    )
    assert [c.source for c in cites] == [Source.MTUS, Source.ODG]
    mtus, odg = cites
    assert (mtus.document, mtus.edition) == ("Chronic Pain Medical Treatment", "2016")
    assert mtus.sections == ["Manual therapy & manipulation"]
    assert mtus.text.startswith("MTUS Chronic Pain Medical Treatment 2016")
    assert odg.sections == ["Neck and Upper Back"]


def test_older_form_with_regulation_number() -> None:
    (c,) = parse_citations(
        "Decision based on MTUS Chronic Pain Treatment Guidelines 9792.24.1, Acupuncture"
        " Medical Treatment Guidelines Page(s): 13."
    )
    assert c.source is Source.MTUS
    assert c.document == "Chronic Pain Treatment Guidelines"
    assert c.pages == [13]


def test_mtus_acoem_chapter_is_mtus() -> None:
    (c,) = parse_citations(
        "Decision based on MTUS ACOEM Chapter 12 Low Back Complaints Page(s): 298"
    )
    assert (c.source, c.document, c.chapter, c.pages) == (
        Source.MTUS,
        "Low Back Complaints",
        12,
        [298],
    )


def test_glued_sections_and_page_list() -> None:
    (c,) = parse_citations(
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines Manual"
        " therapy & manipulationPain Outcomes and Endpoints Page(s): 58-59, 8."
    )
    assert c.sections == ["Manual therapy & manipulation", "Pain Outcomes and Endpoints"]
    assert c.pages == [8, 58, 59]


def test_acoem_based_mtus_chapter_with_edition() -> None:
    (c,) = parse_citations("Decision based on MTUS Neck and Upper Back Complaints 2004.")
    assert (c.source, c.document, c.edition) == (
        Source.MTUS,
        "Neck and Upper Back Complaints",
        "2004",
    )


def test_several_mtus_documents_in_one_clause() -> None:
    cites = parse_citations(
        "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies,"
        " and Forearm, Wrist, and Hand Complaints 2004, Section(s): Special Studies, Summary."
    )
    assert [(c.document, c.sections) for c in cites] == [
        ("Neck and Upper Back Complaints", ["Special Studies"]),
        ("Forearm, Wrist, and Hand Complaints", ["Special Studies", "Summary"]),
    ]


def test_documents_without_sections() -> None:
    cites = parse_citations(
        "Decision based on MTUS Shoulder Complaints 2004, Section(s): Initial Care, and Elbow"
        " Complaints 2007, and Forearm, Wrist, and Hand Complaints 2004."
    )
    assert [(c.document, c.edition) for c in cites] == [
        ("Shoulder Complaints", "2004"),
        ("Elbow Complaints", "2007"),
        ("Forearm, Wrist, and Hand Complaints", "2004"),
    ]


def test_section_names_with_commas_stay_whole() -> None:
    (c,) = parse_citations(
        "Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): TENS, chronic"
        " pain (transcutaneous electrical nerve stimulation), Ultrasound, therapeutic."
    )
    assert c.sections == [
        "TENS, chronic pain (transcutaneous electrical nerve stimulation)",
        "Ultrasound, therapeutic",
    ]


def test_non_mtus_sources() -> None:
    cites = parse_citations(
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS"
        " Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines (ODG)"
        " Hips and Pelvis (Acute and Chronic), MRI and Other Medical Treatment Guidelines ACOEM"
        " Hip and Groin Disorders, Diagnostic Testing. Decision based on Non-MTUS Citation"
        " ACOEM Occupational Medicine Practice Guidelines, 3rd ed., Low Back Disorders, pg. 607."
        " Decision based on Non-MTUS Citation Sildenafil: Drug information, UpToDate.com."
    )
    assert [c.source for c in cites] == [Source.ODG, Source.ACOEM, Source.ACOEM, Source.OTHER]
    assert cites[0].sections == ["Hips and Pelvis (Acute and Chronic)", "MRI"]
    assert (cites[2].edition, cites[2].pages) == ("3rd ed.", [607])


def test_no_citation() -> None:
    assert (
        parse_citations("The Expert Reviewer did not cite any medical evidence for its decision.")
        == []
    )
    assert (
        parse_citations("The Claims Administrator did not base their decision on the MTUS.") == []
    )
    assert parse_citations("") == []


def test_text_is_folded() -> None:
    (c,) = parse_citations(
        "Decision based on MTUS Low Back\nComplaints 2004,  Section(s):\nSummary."
    )
    assert c.text == "MTUS Low Back Complaints 2004, Section(s): Summary"
    assert c.document == "Low Back Complaints"


@pytest.mark.parametrize(
    ("spec", "pages"),
    [
        ("58-60", [58, 59, 60]),
        ("58-59, 8", [8, 58, 59]),
        ("63-66", [63, 64, 65, 66]),
        ("58-9", [58, 59]),
        ("12 and 14", [12, 14]),
        ("60, 60", [60]),
        ("1-99999", [1, 99999]),  # not a range anyone cites: kept as two pages
    ],
)
def test_expand_pages(spec: str, pages: list[int]) -> None:
    assert expand_pages(spec) == pages


def test_pages_of_forms() -> None:
    assert pages_of("Page(s): 58-59, 8.") == [8, 58, 59]
    assert pages_of("Page(s) 13") == [13]
    assert pages_of("Low Back Disorders, pg. 607") == [607]
    assert pages_of("Section(s): Summary") == []


def test_a_repeated_clause_shares_its_frozen_citations() -> None:
    first = parse_citations("Decision based on MTUS Low Back Complaints 2004, Section(s): Summary.")
    again = parse_citations(
        "Decision based on MTUS Low Back\nComplaints 2004,  Section(s): Summary."
    )
    assert again == first and again[0] is first[0]  # parsed once, however the clause wraps
    with pytest.raises(ValidationError):
        first[0].edition = "2016"


@pytest.mark.parametrize(
    ("text", "edition", "sections"),
    [
        ("ODG (14th Edition) Low Back", "14th Edition", ["Low Back"]),
        ("ODG 3rd ed., Low Back", "3rd ed.", ["Low Back"]),
        ("ODG Low Back, x3rd ed.", None, ["Low Back, x3rd ed"]),  # no word boundary: no edition
    ],
)
def test_edition_is_cut_with_its_parentheses(
    text: str, edition: str | None, sections: list[str]
) -> None:
    (c,) = parse_citations(f"Decision based on Non-MTUS Citation {text}")
    assert (c.edition, c.sections) == (edition, sections)
