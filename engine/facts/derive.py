"""Facts computed from other facts before evaluation.

durable-rules gets same-fact arithmetic silently wrong, so every sum a criterion compares is
computed here, in Python, and asserted as a plain value.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import Any, NamedTuple, get_args

from engine.facts.model import (
    FACT_NAMES,
    Diagnosis,
    ElectrodiagnosticStudy,
    Equipment,
    Facts,
    Formulation,
    ImagingModality,
    Modality,
    Procedure,
    Region,
    Service,
)
from engine.facts.vocab import drugs


class Kind(StrEnum):
    NUMBER = "number"
    BOOL = "bool"
    ENUM = "enum"  # one value of a vocabulary
    SET = "set"  # several values of a vocabulary
    TEXT = "text"


class Derived(NamedTuple):
    kind: Kind
    meaning: str
    # the extracted facts `derive` computes it from (in contract order): lint and counterfactuals
    # search these; tests/test_fact_space.py checks them against `derive` on random facts
    inputs: tuple[str, ...]


# Derived fact -> its kind, meaning and inputs. Criteria may name these like any extracted fact.
DERIVED: dict[str, Derived] = {
    "total_visits": Derived(
        Kind.NUMBER,
        "visits of the course including this request: prior + authorised + requested; "
        "null when prior visits happened but their number is unknown",
        ("quantity", "authorized_quantity", "prior_treatment", "prior_sessions"),
    ),
    "total_visits_min": Derived(
        Kind.NUMBER,
        "a lower bound of total_visits: counts at least one prior visit when prior "
        "treatment is documented without a number",
        ("quantity", "authorized_quantity", "prior_treatment", "prior_sessions"),
    ),
    # rest-of-domain (physical medicine, surgery)
    "requested_visits": Derived(
        Kind.NUMBER,
        "visits of this request: requested + authorised by UR from the same request (a lower "
        "bound of total_visits whatever the history)",
        ("quantity", "authorized_quantity"),
    ),
    "crps_diagnosed": Derived(
        Kind.BOOL,
        "CRPS / reflex sympathetic dystrophy is among the documented diagnoses (false when "
        "no diagnosis names it)",
        ("diagnoses",),
    ),
    "is_postsurgical": Derived(
        Kind.BOOL,
        "the item is care after surgery (postsurgical = true); false when not stated",
        ("postsurgical",),
    ),
    "red_flags_documented": Derived(
        Kind.BOOL,
        "red flags are documented (red_flags = true); false when not stated: for exception "
        'clauses ("red-flag conditions") letters name only when present',
        ("red_flags",),
    ),
    "is_perioperative": Derived(
        Kind.BOOL,
        "the item is requested for a surgery (perioperative = true: pre-op clearance, "
        "assistant surgeon, post-op care); false when not stated",
        ("perioperative",),
    ),
    "awaits_requested_surgery": Derived(
        Kind.BOOL,
        "the item is for a surgery requested in the same letter (pre-op clearance, assistant, "
        "post-op care, associated surgical service); false otherwise",
        ("surgery_requested",),
    ),
    # imaging & electrodiagnostics domain
    "invasive_procedure_documented": Derived(
        Kind.BOOL,
        "an injection or surgery is planned, requested or being considered "
        "(invasive_procedure_planned or surgery_considered = true); false when not stated",
        ("surgery_considered", "invasive_procedure_planned"),
    ),
    "significant_change_documented": Derived(
        Kind.BOOL,
        "new, worsening or progressive symptoms or findings are documented "
        "(significant_change = true); false when not stated",
        ("significant_change",),
    ),
    # Preconditions the guideline's own wording puts on the record ("recommended for patients at
    # risk for gastrointestinal events", "justification ... requires the physician's
    # documentation"): a letter that does not state them has not documented them.
    "gi_risk_documented": Derived(
        Kind.BOOL,
        "GI risk factors (ulcer, bleeding or perforation history; aspirin, corticosteroid or "
        "anticoagulant) are documented (gi_risk_factors = true); false when not stated",
        ("gi_risk_factors",),
    ),
    "gi_symptoms_documented": Derived(
        Kind.BOOL,
        "dyspepsia or other GI complaints are documented (gi_symptoms = true); false when not "
        "stated",
        ("gi_symptoms",),
    ),
    "conservative_care_failed_documented": Derived(
        Kind.BOOL,
        "conservative care is documented as tried and failed (conservative_care_failed = true); "
        "false when not stated",
        ("conservative_care_failed",),
    ),
    "lesion_suspected_documented": Derived(
        Kind.BOOL,
        "a specific structural lesion is documented as suspected (lesion_suspected = true); false "
        "when not stated",
        ("lesion_suspected",),
    ),
    "homebound_documented": Derived(
        Kind.BOOL,
        "the worker is documented as confined to the home (homebound = true); false when not "
        "stated",
        ("homebound",),
    ),
}


@cache
def _vocabularies() -> dict[str, tuple[str, ...]]:
    """Closed vocabularies: criteria naming a value outside them fail validation (typos)."""
    known = {d.generic for d in drugs().by_name.values()}
    parts = {p for g in known for p in g.split("/")}
    return {
        "service": tuple(s.value for s in Service),
        "body_regions": tuple(r.value for r in Region),
        "diagnoses": tuple(d.value for d in Diagnosis),
        "medication": tuple(sorted(known)),
        "ingredients": tuple(sorted(known | parts)),
        "drug_classes": tuple(sorted({c for d in drugs().by_name.values() for c in d.classes})),
        "procedure": tuple(p.value for p in Procedure),
        "equipment": tuple(e.value for e in Equipment),
        "modality": tuple(m.value for m in Modality),
        "formulation": tuple(f.value for f in Formulation),  # medications domain
        "imaging_modality": tuple(m.value for m in ImagingModality),  # imaging domain
        "electrodiagnostic_study": tuple(e.value for e in ElectrodiagnosticStudy),
    }


@cache
def fact_kinds() -> dict[str, Kind]:
    """Every fact name a criterion may use, with its kind."""
    kinds: dict[str, Kind] = {}
    for name in FACT_NAMES:
        annotation = Facts.model_fields[name].annotation
        args = set(get_args(annotation)) or {annotation}
        if annotation is not None and getattr(annotation, "__origin__", None) is list:
            kinds[name] = Kind.SET
        elif name in _vocabularies():
            kinds[name] = Kind.ENUM
        elif bool in args:
            kinds[name] = Kind.BOOL
        elif args & {int, float}:
            kinds[name] = Kind.NUMBER
        else:
            kinds[name] = Kind.TEXT
    kinds.update({name: spec.kind for name, spec in DERIVED.items()})
    return kinds


def vocabulary(fact: str) -> tuple[str, ...] | None:
    """The allowed values of an enum or set fact."""
    return _vocabularies().get(fact)


def derive(facts: Facts) -> dict[str, Any]:
    """Fact values plus derived facts: the flat record criteria are evaluated over."""
    return derive_record(facts.values())


def derive_record(values: dict[str, Any]) -> dict[str, Any]:
    """`derive` of a `Facts.values()` record, which gets the derived facts added and is
    returned: the counterfactual search derives edited records without building models."""
    quantity = values["quantity"]
    prior_sessions, prior_treatment = values["prior_sessions"], values["prior_treatment"]
    authorized = values["authorized_quantity"] or 0
    total = total_min = None
    if quantity is not None:
        if prior_sessions is not None:
            total = total_min = quantity + authorized + prior_sessions
        elif prior_treatment is False:
            total = total_min = quantity + authorized
        elif prior_treatment is True:
            total_min = quantity + authorized + 1
    values["total_visits"] = total
    values["total_visits_min"] = total_min
    values["requested_visits"] = None if quantity is None else quantity + authorized
    values["crps_diagnosed"] = Diagnosis.CRPS in values["diagnoses"]
    values["awaits_requested_surgery"] = bool(values["surgery_requested"])
    values["is_postsurgical"] = bool(values["postsurgical"])
    values["red_flags_documented"] = bool(values["red_flags"])
    values["is_perioperative"] = bool(values["perioperative"])
    values["invasive_procedure_documented"] = bool(
        values["invasive_procedure_planned"] or values["surgery_considered"]
    )
    values["significant_change_documented"] = bool(values["significant_change"])
    values["gi_risk_documented"] = bool(values["gi_risk_factors"])
    values["gi_symptoms_documented"] = bool(values["gi_symptoms"])
    values["homebound_documented"] = bool(values["homebound"])
    values["conservative_care_failed_documented"] = bool(values["conservative_care_failed"])
    values["lesion_suspected_documented"] = bool(values["lesion_suspected"])
    return values
