"""Shapes of a parsed IMR letter. Offsets are character offsets into `Letter.text`."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Layout(StrEnum):
    SEED = "seed"  # no case header; citations as "Page(s): 58-60"
    DWC_2016 = "dwc_2016"  # Case Number header, "Section(s):" citations
    NOTICE_2013 = "notice_2013"  # "Notice of Independent Medical Review Determination"
    PROFESSIONAL_REVIEW = "professional_review"  # "MEDICAL PROFESSIONAL REVIEW"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Source(StrEnum):
    MTUS = "MTUS"
    ODG = "ODG"
    ACOEM = "ACOEM"
    OTHER = "other"


class Span(BaseModel):
    """A stretch of the letter text: [start, end)."""

    start: int
    end: int


class Citation(BaseModel):
    """One guideline the letter relied on, e.g. MTUS Chronic Pain 2016, Manual therapy, p. 58-59.
    Frozen: the letters citing the same clause share its Citations (see citations.py)."""

    model_config = ConfigDict(frozen=True)

    source: Source
    document: str | None = None
    edition: str | None = None
    chapter: int | None = None  # "MTUS ACOEM Chapter 12 Low Back Complaints" -> 12
    sections: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    text: str = ""  # the citation as written, whitespace folded


class PartialCertification(BaseModel):
    """UR authorised part of the request; IMR decided only the remaining portion."""

    original_request: str
    authorized: str
    remaining: str


class Item(BaseModel):
    """One disputed item/service and the reviewer's decision on it."""

    index: int  # 1-based position in the letter
    title: str  # the decided request (for partial certification: the remaining portion)
    outcome: Outcome | None  # recorded outcome; None when the letter does not say
    partial_certification: PartialCertification | None = None
    claims_administrator_guideline: str = ""
    maximus_guideline: str = ""
    citations: list[Citation] = Field(default_factory=list)  # of the MAXIMUS (IMR) guideline
    claims_administrator_citations: list[Citation] = Field(default_factory=list)
    rationale: str = ""  # exactly Letter.text[rationale_span]
    title_span: Span | None = None
    rationale_span: Span | None = None
    claims_administrator_guideline_span: Span | None = None
    maximus_guideline_span: Span | None = None
    span: Span | None = None  # the whole item block


class Reviewer(BaseModel):
    licensure: list[str] = Field(default_factory=list)
    specialty: str | None = None


class Letter(BaseModel):
    """A parsed IMR final determination letter."""

    source: str  # the file it came from
    layout: Layout
    text: str  # normalised text every offset refers to
    case_number: str | None = None
    date_assigned: date | None = None
    date_of_injury: date | None = None
    decision_date: date | None = None
    ur_denial_date: date | None = None
    priority: str | None = None  # "Standard" / "Expedited"
    application_received: date | None = None
    reviewer: Reviewer = Field(default_factory=Reviewer)
    case_summary: str = ""  # exactly Letter.text[case_summary_span]
    case_summary_span: Span | None = None
    items: list[Item] = Field(default_factory=list)
