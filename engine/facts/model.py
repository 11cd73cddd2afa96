"""The request-facts contract. JSON names here are a public contract: add, never rename."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Service(StrEnum):
    CHIROPRACTIC = "chiropractic"
    PHYSICAL_THERAPY = "physical_therapy"
    OCCUPATIONAL_THERAPY = "occupational_therapy"
    MASSAGE = "massage"
    ACUPUNCTURE = "acupuncture"
    MEDICATION = "medication"
    IMAGING = "imaging"
    ELECTRODIAGNOSTIC = "electrodiagnostic"
    INJECTION = "injection"
    SURGERY = "surgery"
    DME = "dme"
    TENS = "tens"
    LAB = "lab"
    CONSULTATION = "consultation"
    PSYCHOLOGICAL = "psychological"
    OTHER = "other"


class Region(StrEnum):
    CERVICAL = "cervical"
    THORACIC = "thoracic"
    LUMBAR = "lumbar"
    SHOULDER = "shoulder"
    ELBOW = "elbow"
    FOREARM = "forearm"
    WRIST_HAND = "wrist_hand"
    HIP = "hip"
    KNEE = "knee"
    ANKLE_FOOT = "ankle_foot"
    HEAD = "head"
    CHEST_ABDOMEN = "chest_abdomen"


class Evidence(BaseModel):
    """The letter's own words behind a fact: quote and [start, end) offsets in Letter.text."""

    quote: str
    start: int
    end: int


class Facts(BaseModel):
    """Clinical request facts of one item. null = the letter does not say.

    Facts come from the case summary and the reviewer's factual findings only: never from the
    recorded outcome or the reviewer's conclusion sentence.
    """

    model_config = ConfigDict(extra="forbid")

    service: Service | None = None
    body_regions: list[Region] = Field(default_factory=list)
    quantity: int | None = None  # units decided by IMR (remaining portion if partially certified)
    unit: str | None = None  # visits, sessions, tablets, ...
    frequency_per_week: float | None = None
    duration_weeks: float | None = None
    authorized_quantity: int | None = None  # units UR already certified from the same request
    medication: str | None = None  # generic name, lower case (cyclobenzaprine)
    brand: str | None = None  # as written (Flexeril)
    strength_mg: float | None = None
    count: int | None = None  # tablets/capsules/patches dispensed (#60)
    prior_treatment: bool | None = None  # the same service was already given
    prior_sessions: int | None = None
    functional_improvement: bool | None = None  # objective improvement documented from prior care
    medication_use_weeks: float | None = None  # how long the medication has been used already
    maintenance_care: bool | None = None  # elective/maintenance rather than therapeutic care
    adjunct_to_active_therapy: bool | None = None  # combined with exercise / active therapy
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Fact name -> value, without evidence (what criteria are evaluated over)."""
        return self.model_dump(mode="json", exclude={"evidence"})


FACT_NAMES: tuple[str, ...] = tuple(n for n in Facts.model_fields if n != "evidence")
