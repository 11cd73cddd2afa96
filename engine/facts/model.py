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
    # medications: baclofen/dantrolene indications (MTUS CPMTG muscle relaxants)
    SPASTICITY = "spasticity"  # spasticity / spasm of multiple sclerosis or spinal cord injury


# --- physical medicine, DME, injections, surgery, consultations (rest-of-domain) ---
class Procedure(StrEnum):
    """The kind of injection, surgery or program requested (or, for postsurgical care, the
    surgery it follows): guideline criteria differ per procedure (epidural vs facet injection,
    meniscectomy vs rotator cuff repair postsurgical visit numbers)."""

    EPIDURAL_STEROID_INJECTION = "epidural_steroid_injection"
    FACET_INJECTION = "facet_injection"  # intra-articular facet joint injection
    MEDIAL_BRANCH_BLOCK = "medial_branch_block"
    RADIOFREQUENCY_ABLATION = "radiofrequency_ablation"
    TRIGGER_POINT_INJECTION = "trigger_point_injection"
    PRP_INJECTION = "prp_injection"
    JOINT_INJECTION = "joint_injection"  # corticosteroid injection into a peripheral joint
    VISCOSUPPLEMENTATION = "viscosupplementation"
    EPIDURAL_ADHESIOLYSIS = "epidural_adhesiolysis"  # percutaneous lysis / epidural neuroplasty
    MENISCECTOMY = "meniscectomy"
    ACL_RECONSTRUCTION = "acl_reconstruction"
    KNEE_ARTHROSCOPY = "knee_arthroscopy"  # arthroscopy without a named repair
    KNEE_ARTHROPLASTY = "knee_arthroplasty"
    ROTATOR_CUFF_REPAIR = "rotator_cuff_repair"
    SHOULDER_DECOMPRESSION = "shoulder_decompression"  # subacromial decompression/acromioplasty
    SHOULDER_ARTHROSCOPY = "shoulder_arthroscopy"  # arthroscopy without a named repair
    CARPAL_TUNNEL_RELEASE = "carpal_tunnel_release"
    DISCECTOMY = "discectomy"  # discectomy / laminectomy / laminotomy (spine decompression)
    SPINAL_FUSION = "spinal_fusion"
    # programs and psychological treatment (same fact: the kind of treatment requested)
    PSYCHOTHERAPY = "psychotherapy"  # psychotherapy / cognitive behavioural therapy sessions
    BIOFEEDBACK = "biofeedback"
    PARTIAL_HOSPITALIZATION = "partial_hospitalization"
    FUNCTIONAL_RESTORATION = "functional_restoration"  # FRP / interdisciplinary pain program
    WORK_CONDITIONING = "work_conditioning"  # work conditioning / work hardening
    HOME_HEALTH = "home_health"  # home health services / home aide


class Equipment(StrEnum):
    """The kind of durable medical equipment requested."""

    LUMBAR_SUPPORT = "lumbar_support"  # lumbar/back brace, corset, LSO
    CERVICAL_COLLAR = "cervical_collar"
    KNEE_BRACE = "knee_brace"
    WRIST_SPLINT = "wrist_splint"  # wrist/hand/thumb brace or splint
    ELBOW_BRACE = "elbow_brace"
    SHOULDER_BRACE = "shoulder_brace"  # shoulder brace, sling, abduction pillow
    ANKLE_BRACE = "ankle_brace"
    COLD_THERAPY = "cold_therapy"  # cryotherapy / cold therapy unit
    HOT_COLD = "hot_cold"  # hot/cold packs or units, heating pads
    PILLOW = "pillow"  # cervical / wedge pillows
    MATTRESS = "mattress"
    CPM = "cpm"  # continuous passive motion machine
    WALKING_AID = "walking_aid"  # cane, crutches, walker
    WHEELCHAIR = "wheelchair"  # wheelchair, scooter
    HOME_EXERCISE_KIT = "home_exercise_kit"
    WORKSTATION = "workstation"  # ergonomic / sit-stand workstation, chair, desk
    ORTHOTICS = "orthotics"  # foot orthotics, shoe inserts
    COMPRESSION = "compression"  # compression garments / pneumatic compression


class Modality(StrEnum):
    """A passive physical modality named in the request ("Ultrasound 1 times 8")."""

    THERAPEUTIC_ULTRASOUND = "therapeutic_ultrasound"
    TRACTION = "traction"
    INFRARED = "infrared"
    IONTOPHORESIS = "iontophoresis"
    DIATHERMY = "diathermy"
    LASER = "laser"
    PARAFFIN = "paraffin"
    WHIRLPOOL = "whirlpool"


# --- medications domain ---
class Formulation(StrEnum):
    """The dosage form a medication request names (topical agents differ by form: MTUS recommends
    lidocaine only as a dermal patch)."""

    PATCH = "patch"
    CREAM = "cream"
    GEL = "gel"
    OINTMENT = "ointment"
    LOTION = "lotion"
    SOLUTION = "solution"  # topical solution / liquid
    SPRAY = "spray"
    SEMISOLID = "semisolid"  # a topical dispensed by weight (120 grams) without a named form
    ORAL = "oral"  # tablet, capsule, oral suspension


# --- imaging & electrodiagnostics domain ---
class ImagingModality(StrEnum):
    """The kind of imaging study a request names ("MRI of the cervical spine", "MR Arthrogram of
    the right shoulder", "Lumbar spine x-rays")."""

    MRI = "mri"
    CT = "ct"
    XRAY = "xray"
    BONE_SCAN = "bone_scan"
    ARTHROGRAM = "arthrogram"  # MR or CT arthrogram
    ULTRASOUND = "ultrasound"  # diagnostic ultrasound
    MYELOGRAM = "myelogram"


class ElectrodiagnosticStudy(StrEnum):
    """Which electrodiagnostic studies a request names: guidelines treat needle EMG and nerve
    conduction studies (NCS/NCV) separately."""

    EMG = "emg"
    NCV = "ncv"
    EMG_NCV = "emg_ncv"  # both


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
    # --- physical medicine, DME, injections, surgery, consultations (rest-of-domain) ---
    procedure: Procedure | None = None  # injection/surgery kind; postsurgical care: the surgery
    equipment: Equipment | None = None  # DME kind
    modality: Modality | None = None  # passive modality requested (therapeutic ultrasound...)
    perioperative: bool | None = None  # for a surgery: pre-op clearance, assistant, post-op care
    surgery_requested: bool | None = None  # the surgery this item is for is requested in the letter
    surgery_supported: bool | None = None  # that surgery is supported (recheck's verdict on it)
    radiculopathy_corroborated: bool | None = None  # imaging/electrodiagnostics show radiculopathy
    homebound: bool | None = None  # confined to the home (home health services)
    hours_per_week: float | None = None  # home health / program hours per week requested
    purchase: bool | None = None  # equipment bought (true) or rented / trialled (false)
    # --- medications (NSAIDs, PPIs, opioids, topicals, muscle relaxants, AEDs, antidepressants) ---
    age: int | None = None  # the worker's age in years ("a 54-year-old female")
    formulation: Formulation | None = None  # dosage form named in the request
    concurrent_nsaid: bool | None = None  # another systemic NSAID is taken or prescribed too
    gastroprotection: bool | None = None  # a PPI or misoprostol is taken or co-prescribed
    gi_risk_factors: bool | None = None  # GI risk: ulcer/bleed history, ASA/steroid/anticoagulant
    gi_symptoms: bool | None = None  # dyspepsia, reflux, epigastric pain, GI complaints
    first_line_failed: bool | None = None  # a first-line neuropathic agent (TCA/SNRI/AED) tried
    four_as_documented: bool | None = None  # opioid monitoring: the "4 A's" are documented
    morphine_equivalent_mg_day: float | None = None  # daily opioid dose, oral morphine equivalents
    urine_drug_test: bool | None = None  # the lab request is a urine drug test (drug screen)
    opioid_use: bool | None = None  # the worker takes opioids now, or they are prescribed
    # --- imaging & electrodiagnostics domain ---
    imaging_modality: ImagingModality | None = None  # MRI, CT, x-ray... named in the title
    electrodiagnostic_study: ElectrodiagnosticStudy | None = None  # EMG, NCV or both (title)
    symptom_weeks: float | None = None  # how long symptoms had lasted when the study was requested
    neurologic_symptoms: bool | None = None  # numbness, tingling, radiating/radicular limb pain
    lesion_suspected: bool | None = None  # a specific structural lesion is suspected (tear...)
    invasive_procedure_planned: bool | None = None  # injection/surgery of the region planned
    prior_imaging: bool | None = None  # the same study of the same region was already done
    significant_change: bool | None = None  # new, worsening or progressive symptoms/findings
    evidence: dict[str, list[Evidence]] = Field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Fact name -> value, without evidence (what criteria are evaluated over)."""
        # the serializer itself: model_dump's Python argument handling doubled the cost of this
        # call, made several times for every item
        return _SERIALIZE(self, mode="json", exclude=_NO_EVIDENCE)


_SERIALIZE = Facts.__pydantic_serializer__.to_python
_NO_EVIDENCE = frozenset({"evidence"})
FACT_NAMES: tuple[str, ...] = tuple(n for n in Facts.model_fields if n != "evidence")
