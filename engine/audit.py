"""Batch audits: letters (or facts files) in, one row per item out; a bad input is one error row."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from engine import __version__
from engine.counterfactual import Counterfactual, search
from engine.criteria.load import Bundle, load_bundle
from engine.durable import get_engine
from engine.errors import RecheckError
from engine.facts.derive import derive_record
from engine.facts.extract import extract_facts
from engine.facts.inputs import FACTS_SUFFIXES, ItemFacts, LetterFacts, load_facts_file
from engine.facts.model import Service
from engine.findings import Finding, trusted
from engine.letters.model import Citation, Layout, Letter, Outcome
from engine.letters.parse import load_letter
from engine.letters.read import file_bytes, iter_inputs
from engine.options import DEFAULT_GUIDELINES, DEFAULT_RULES
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


def read_letters(path: Path, data: bytes | None = None) -> list[tuple[LetterFacts, str | None]]:
    """Facts of every letter in one input: a letter (.txt/.pdf) or a facts file (.json/.yaml),
    each with its reviewer's specialty (None for facts files, which do not carry it).
    `data`: the input's bytes, if already read."""
    if path.suffix.lower() in FACTS_SUFFIXES:
        return [(lf, None) for lf in load_facts_file(path)]
    letter = load_letter(path, data)
    return [(letter_facts(letter), letter.reviewer.specialty)]


def read_facts(path: Path) -> list[LetterFacts]:
    """Facts of every letter in one input: a letter (.txt/.pdf) or a facts file (.json/.yaml)."""
    return [lf for lf, _ in read_letters(path)]


def file_sha256(path: Path) -> str | None:
    """Content hash of an input: the key `recheck audit --resume` skips finished inputs by."""
    return _hashed(path)[1]


def _hashed(path: Path) -> tuple[bytes | None, str | None]:
    """An input's bytes and their sha256 (None, None when it cannot be read: reading it again
    then says why, naming the file)."""
    try:  # letters are small: one read beats file_digest's 256 KiB buffer per call
        data = file_bytes(path)
    except OSError:
        return None, None
    return data, hashlib.sha256(data).hexdigest()


def surgery_item(letter: LetterFacts, item: ItemFacts) -> ItemFacts | None:
    """The surgery of the letter that `item` is requested for: a surgery item that is not
    itself ancillary, on a body region the item shares (or either names none)."""
    regions = set(item.facts.body_regions)
    for other in letter.items:
        f = other.facts
        if other.index == item.index or f.service is not Service.SURGERY or f.perioperative:
            continue
        if f.postsurgical or (regions and f.body_regions and not regions & set(f.body_regions)):
            continue
        return other
    return None


class AuditRow(BaseModel):
    """One audited item, or one unreadable input (then `error` is set and item is None)."""

    source: str
    case_number: str | None = None
    decision_date: date | None = None
    reviewer_specialty: str | None = None
    item: int | None = None
    title: str | None = None
    outcome: Outcome | None = None
    partial_certification: bool | None = None
    expected: Expected | None = None
    consistency: Consistency | None = None
    guidelines: list[GuidelineUse] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)
    flags: list[Reason] = Field(default_factory=list)
    # the smallest changes of the facts that would change `expected` (upheld/overturned items)
    counterfactuals: list[Counterfactual] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    # with `facts`, `decision_date` and `outcome`: what `recheck replay` re-judges the item from
    citations: list[Citation] = Field(default_factory=list)
    only_guidelines: list[str] | None = None  # a facts file restricted the item to these
    error: str | None = None
    bundle: str = ""  # digest of the guideline bundle the verdict came from
    version: str = __version__
    input_sha256: str | None = None  # sha256 of the input file's bytes (the resume key)


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
        return self._judge(letter, *self.prepared(letter, item))

    def prepared(self, letter: LetterFacts, item: ItemFacts) -> tuple[ItemFacts, Bundle]:
        """The item as it is judged (linked to the surgery it is requested for) and the
        guidelines it is judged with (all, or those its facts file restricts it to)."""
        item = self._with_surgery(letter, item)
        bundle = self.bundle
        if item.guidelines is not None:
            known = bundle.by_id()
            unknown = [g for g in item.guidelines if g not in known]
            if unknown:
                raise RecheckError(f"item {item.index}: unknown guideline {', '.join(unknown)}")
            bundle = bundle.model_copy(update={"guidelines": [known[g] for g in item.guidelines]})
        return item, bundle

    def counterfactuals(
        self, letter: LetterFacts, item: ItemFacts, v: Verdict
    ) -> list[Counterfactual]:
        """What would have changed `v.expected` (see engine/counterfactual.py)."""
        judged, bundle = self.prepared(letter, item)
        return search(judged.facts, letter.decision_date, v, bundle, self.policy)

    def _judge(
        self,
        letter: LetterFacts,
        item: ItemFacts,
        bundle: Bundle,
        record: dict[str, Any] | None = None,
    ) -> Verdict:
        return judge(
            item.facts,
            letter.decision_date,
            item.citations,
            item.outcome,
            bundle,
            self.policy,
            self.evaluator,
            record=record,
        )

    def _with_surgery(self, letter: LetterFacts, item: ItemFacts) -> ItemFacts:
        """An item requested for a surgery the same letter asks for (pre-op clearance, assistant
        surgeon, post-op therapy, "Associated surgical service: ...") is judged knowing whether
        the guidelines support that surgery: recheck's own verdict on the surgery item, never
        the recorded outcome."""
        facts = item.facts
        if not (facts.perioperative or facts.postsurgical) or facts.surgery_requested is not None:
            return item
        parent = surgery_item(letter, item)
        if parent is None:
            return item
        expected = self.verdict(letter, parent).expected
        supported = {Expected.OVERTURNED: True, Expected.UPHELD: False}.get(expected)
        evidence = dict(facts.evidence)
        where = parent.facts.evidence.get("procedure") or parent.facts.evidence.get("service", [])
        evidence["surgery_requested"] = list(where)
        if supported is not None:
            evidence["surgery_supported"] = list(where)
        linked = facts.model_copy(
            update={
                "surgery_requested": True,
                "surgery_supported": supported,
                "evidence": evidence,
            }
        )
        return item.model_copy(update={"facts": linked})

    def rows(self, path: Path) -> list[AuditRow]:
        """Rows of one input. Never raises: a problem becomes a single row with `error` set."""
        data, digest = _hashed(path)  # one read: hashed, then parsed
        try:
            rows = [
                self.row(letter, item, specialty=specialty, digest=digest)
                for letter, specialty in read_letters(path, data)
                for item in letter.items
            ]
        except RecheckError as exc:
            if exc.path is None:
                exc.path = str(path)
            return [self.error_row(path, str(exc), digest)]
        except Exception as exc:  # a bug must not lose the input: report it on its row
            message = f"{path}: internal error: {type(exc).__name__}: {exc}"
            return [self.error_row(path, message, digest)]
        return rows or [self.error_row(path, f"{path}: no disputed items found", digest)]

    def row(
        self,
        letter: LetterFacts,
        item: ItemFacts,
        *,
        specialty: str | None = None,
        digest: str | None = None,
    ) -> AuditRow:
        """An item's row. `specialty`: its reviewer's; `digest`: its input's sha256."""
        judged, bundle = self.prepared(letter, item)
        base = judged.facts.values()  # read once for the verdict, the search and the row
        record = derive_record(dict(base))
        v = self._judge(letter, judged, bundle, record)
        counterfactuals = search(
            judged.facts, letter.decision_date, v, bundle, self.policy, record=record
        )
        # every field, of its type already: unvalidated (see `trusted`), once for every item
        return trusted(
            AuditRow,
            {
                "source": letter.source,
                "case_number": letter.case_number,
                "decision_date": letter.decision_date,
                "reviewer_specialty": specialty,
                "item": item.index,
                "title": item.title,
                "outcome": item.outcome,
                "partial_certification": item.partial_certification is not None,
                "expected": v.expected,
                "consistency": v.consistency,
                "guidelines": v.guidelines,
                "reasons": v.reasons,
                "flags": v.flags,
                "counterfactuals": counterfactuals,
                "findings": v.findings,
                # as extracted, before linking to a surgery: replay re-links with its own bundle
                "facts": base if judged is item else item.facts.values(),
                "citations": item.citations,
                "only_guidelines": item.guidelines,
                "error": None,
                "bundle": self.bundle.digest,
                "version": __version__,
                "input_sha256": digest,
            },
        )

    def error_row(self, path: Path, message: str, digest: str | None = None) -> AuditRow:
        return AuditRow(
            source=str(path), error=message, bundle=self.bundle.digest, input_sha256=digest
        )

    def audit(self, paths: Iterable[Path]) -> Iterator[AuditRow]:
        for path in iter_inputs(paths):
            yield from self.rows(path)
