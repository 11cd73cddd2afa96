"""The guideline test-suite format (one YAML file per guideline, `recheck schema suite`).

```yaml
guideline: mtus-acupuncture
cases:
  - name: first course of 7
    facts: {service: acupuncture, body_regions: [lumbar], quantity: 7, prior_treatment: false}
    decision_date: 2016-12-01
    outcome: upheld                         # the recorded outcome: needed for `consistency`
    criteria: {initial-trial-3-6-treatments: not_met}
    expected: upheld
    consistency: consistent
    reasons: [not_supported]
  - name: seed 003, acupuncture item
    letter: ../../examples/003_f7c04554d3ec6a02.txt   # relative to this file
    item: 1
    expected: upheld
```
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.errors import RecheckError
from engine.facts.model import Facts
from engine.findings import Status
from engine.letters.model import Citation, Outcome
from engine.verdict import Consistency, Expected
from engine.yamlio import load_yaml, node_line, problems


class Case(BaseModel):
    """One request and what the guideline must make of it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1)]
    # the request: its facts, or a letter (path relative to the suite file) and an item of it
    facts: Facts | None = None
    letter: str | None = None
    item: int | None = None  # 1-based; may be left out when the letter has one item
    decision_date: date | None = None  # picks the guideline edition (letters: theirs if unset)
    outcome: Outcome | None = None  # the recorded outcome (letters: theirs if unset)
    citations: list[Citation] = Field(default_factory=list)
    guidelines: list[str] | None = None  # judge with these guideline ids only
    # expectations: any of
    criteria: dict[str, Status] = Field(default_factory=dict)  # own three-valued status of each
    expected: Expected | None = None  # the verdict's expected outcome
    consistency: Consistency | None = None
    reasons: list[str] | None = None  # the set of reason codes: [not_supported], [missing_fact]

    @model_validator(mode="after")
    def _shape(self) -> Case:
        if (self.facts is None) == (self.letter is None):
            raise ValueError("a case gives either `facts` or `letter`")
        if self.item is not None and self.letter is None:
            raise ValueError("`item` picks an item of a `letter`")
        if self.consistency is not None and self.outcome is None and self.letter is None:
            raise ValueError("`consistency` needs the recorded `outcome`")
        if not (self.criteria or self.expected or self.consistency or self.reasons is not None):
            raise ValueError("a case expects something: criteria, expected, consistency or reasons")
        return self


class Suite(BaseModel):
    """Test cases of one guideline (by id)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = 1
    guideline: str
    description: str | None = None
    cases: Annotated[list[Case], Field(min_length=1)]


@dataclass
class LoadedSuite:
    path: Path
    suite: Suite
    node: yaml.Node | None

    def line(self, *loc: int | str) -> int | None:
        """Line of a node in the file, e.g. line("cases", 3, "criteria", "frequency")."""
        return node_line(self.node, loc)


_TOP = re.compile(r"^(guideline|cases)\s*:", re.MULTILINE)


def looks_like_suite(path: Path) -> bool:
    """A YAML file with top-level `guideline:` and `cases:` keys (cheap: no parsing)."""
    if path.suffix not in (".yaml", ".yml"):
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return {m.group(1) for m in _TOP.finditer(text)} == {"guideline", "cases"}


def suite_files(paths: list[Path]) -> list[Path]:
    """Suite files under some paths: files as given, directories searched recursively."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(q for q in sorted(p.rglob("*")) if q.is_file() and looks_like_suite(q))
        else:
            out.append(p)
    return out


def load_suite(path: Path) -> tuple[LoadedSuite | None, list[RecheckError]]:
    """The suite, or every problem of the file as `file:line: message`."""
    try:
        data, node = load_yaml(path)
    except RecheckError as exc:
        return None, [exc]
    try:
        return LoadedSuite(path, Suite.model_validate(data), node), []
    except ValidationError as exc:
        return None, problems(exc, node, path)
