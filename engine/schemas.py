"""JSON Schemas of the files users write, exported from the pydantic models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.criteria.schema import Guideline
from engine.facts.inputs import LetterFacts
from engine.testing.suite import Suite
from engine.verdict import DecisionPolicy

SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    "guideline": Guideline.model_json_schema,
    "facts": LetterFacts.model_json_schema,
    "rules": DecisionPolicy.model_json_schema,
    "suite": Suite.model_json_schema,
}
