"""Batch audits: letters (or facts files) in, one row per item out; a bad input is one error row."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from engine import __version__
from engine.criteria.load import Bundle, load_bundle
from engine.durable import get_engine
from engine.errors import RecheckError
from engine.facts.extract import extract_facts
from engine.facts.inputs import FACTS_SUFFIXES, ItemFacts, LetterFacts, load_facts_file
from engine.findings import Finding
from engine.letters.model import Layout, Letter, Outcome
from engine.letters.parse import load_letter
from engine.letters.read import iter_inputs
from engine.verdict import (
    Consistency,
    DecisionPolicy,
    Evaluator,
    Expected,
    GuidelineUse,
    Reason,
    Verdict,
    judge,
    load_policy,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_GUIDELINES = ROOT / "guidelines"
DEFAULT_RULES = ROOT / "rules" / "decision.yaml"

_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b")


def letter_date(letter: Letter) -> date | None:
    """The date that picks the guideline edition: the decision date, else the latest date the
    letter mentions (older layouts carry no header)."""
    if letter.decision_date:
        return letter.decision_date
    found = []
    for m, d, y in _DATE.findall(letter.text):
        year = int(y) + (2000 if len(y) == 2 else 0)
        try:
            found.append(date(year, int(m), int(d)))
        except ValueError:
            continue
    today = date.today()
    return max((d for d in found if d <= today), default=None)


def letter_facts(letter: Letter) -> LetterFacts:
    """letter -> items -> facts."""
    if letter.layout is Layout.UNKNOWN:
        # reported, never guessed: an IMR letter in a layout this version cannot read
        raise RecheckError("unrecognised IMR letter layout: items not read", letter.source)
    return LetterFacts(
        source=letter.source,
        case_number=letter.case_number,
        decision_date=letter_date(letter),
        items=[
            ItemFacts(
                index=item.index,
                title=item.title,
                outcome=item.outcome,
                partial_certification=item.partial_certification,
                citations=item.citations,
                facts=extract_facts(letter, item),
            )
            for item in letter.items
        ],
    )


def read_facts(path: Path) -> list[LetterFacts]:
    """Facts of every letter in one input: a letter (.txt/.pdf) or a facts file (.json/.yaml)."""
    if path.suffix.lower() in FACTS_SUFFIXES:
        return load_facts_file(path)
    return [letter_facts(load_letter(path))]


class AuditRow(BaseModel):
    """One audited item, or one unreadable input (then `error` is set and item is None)."""

    source: str
    case_number: str | None = None
    decision_date: date | None = None
    item: int | None = None
    title: str | None = None
    outcome: Outcome | None = None
    partial_certification: bool | None = None
    expected: Expected | None = None
    consistency: Consistency | None = None
    guidelines: list[GuidelineUse] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    flags: list[Reason] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None
    bundle: str = ""  # digest of the guideline bundle the verdict came from
    version: str = __version__


@dataclass
class Auditor:
    """Holds what every item is judged with: the guideline bundle, the policy, the engine."""

    bundle: Bundle
    policy: DecisionPolicy
    evaluator: Evaluator

    @classmethod
    def load(
        cls,
        guidelines: Iterable[Path] = (DEFAULT_GUIDELINES,),
        rules: Path = DEFAULT_RULES,
        evaluator: Evaluator | None = None,
    ) -> Auditor:
        return cls(load_bundle(guidelines), load_policy(rules), evaluator or get_engine())

    def verdict(self, letter: LetterFacts, item: ItemFacts) -> Verdict:
        bundle = self.bundle
        if item.guidelines is not None:
            known = bundle.by_id()
            unknown = [g for g in item.guidelines if g not in known]
            if unknown:
                raise RecheckError(f"item {item.index}: unknown guideline {', '.join(unknown)}")
            bundle = bundle.model_copy(update={"guidelines": [known[g] for g in item.guidelines]})
        return judge(
            item.facts,
            letter.decision_date,
            item.citations,
            item.outcome,
            bundle,
            self.policy,
            self.evaluator,
        )

    def rows(self, path: Path) -> list[AuditRow]:
        """Rows of one input. Never raises: a problem becomes a single row with `error` set."""
        try:
            rows = [self.row(letter, item) for letter in read_facts(path) for item in letter.items]
        except RecheckError as exc:
            if exc.path is None:
                exc.path = str(path)
            return [self.error_row(path, str(exc))]
        except Exception as exc:  # a bug must not lose the input: report it on its row
            return [self.error_row(path, f"{path}: internal error: {type(exc).__name__}: {exc}")]
        return rows or [self.error_row(path, f"{path}: no disputed items found")]

    def row(self, letter: LetterFacts, item: ItemFacts) -> AuditRow:
        v = self.verdict(letter, item)
        return AuditRow(
            source=letter.source,
            case_number=letter.case_number,
            decision_date=letter.decision_date,
            item=item.index,
            title=item.title,
            outcome=item.outcome,
            partial_certification=item.partial_certification is not None,
            expected=v.expected,
            consistency=v.consistency,
            guidelines=v.guidelines,
            reasons=v.reasons,
            flags=v.flags,
            findings=v.findings,
            facts=item.facts.values(),
            bundle=self.bundle.digest,
        )

    def error_row(self, path: Path, message: str) -> AuditRow:
        return AuditRow(source=str(path), error=message, bundle=self.bundle.digest)

    def audit(self, paths: Iterable[Path]) -> Iterator[AuditRow]:
        for path in iter_inputs(paths):
            yield from self.rows(path)
