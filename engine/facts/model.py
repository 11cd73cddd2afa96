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
    # Added: electrodiagnostic and imaging requests often name a whole limb, not a joint.
    UPPER_EXTREMITY = "upper_extremity"
    LOWER_EXTREMITY = "lower_extremity"


class Diagnosis(StrEnum):
    """Diagnosis categories guideline criteria branch on (e.g. MTUS physical medicine visits for
    myalgia vs. radiculitis vs. CRPS; topical agents for neuropathic pain)."""

    RADICULOPATHY = "radiculopathy"
    NEUROPATHIC_PAIN = "neuropathic_pain"
    CRPS = "crps"
    MYOFASCIAL_PAIN = "myofascial_pain"
    SPRAIN_STRAIN = "sprain_strain"
    OSTEOARTHRITIS = "osteoarthritis"
    DISC_DISORDER = "disc_disorder"
    SPINAL_STENOSIS = "spinal_stenosis"
    FACET_ARTHROPATHY = "facet_arthropathy"
    CARPAL_TUNNEL = "carpal_tunnel"
    TENDINOPATHY = "tendinopathy"
    TEAR = "tear"
    FRACTURE = "fracture"
    HEADACHE = "headache"
    PSYCHOLOGICAL = "psychological"
    SLEEP_DISORDER = "sleep_disorder"


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
    # --- added by the extractor (additive to the contract) ---
    ingredients: list[str] = Field(default_factory=list)  # generic parts of a combination/compound
    drug_classes: list[str] = Field(default_factory=list)  # nsaid, opioid, muscle_relaxant, ...
    topical: bool | None = None  # cream, gel, ointment, patch, compounded topical
    refills: int | None = None  # refills requested beside the count ("#60 with one refill")
    postsurgical: bool | None = None  # requested as care after surgery
    return_to_work: bool | None = None  # working / returned to work (false: off work, TTD)
    flare_up: bool | None = None  # a flare-up, exacerbation or re-injury is documented
    neurologic_deficit: bool | None = None  # objective neurologic deficit on examination
    red_flags: bool | None = None  # red flags (cauda equina, progressive deficit) documented
    surgery_considered: bool | None = None  # the patient is a surgical candidate / surgery planned
    conservative_care_failed: bool | None = None  # conservative care tried and failed
    diagnoses: list[Diagnosis] = Field(default_factory=list)  # diagnosis categories documented
    weeks_since_injury: float | None = None  # date of injury to decision date
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Fact name -> value, without evidence (what criteria are evaluated over)."""
        return self.model_dump(mode="json", exclude={"evidence"})


FACT_NAMES: tuple[str, ...] = tuple(n for n in Facts.model_fields if n != "evidence")
