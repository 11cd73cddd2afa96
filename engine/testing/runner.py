"""`recheck test`: run guideline test suites like `opa test`, pass/fail per case with a diff.

A case's request is judged exactly as `recheck audit` judges an item (same bundle, decision
rules, engine and surgery linking). `criteria` are checked against each criterion's own
three-valued status (direct evaluation, before `unstated` is applied, so a suite can tell
"unknown" from "does not apply"); `expected`, `consistency` and `reasons` against the verdict.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.audit import Auditor, read_facts
from engine.criteria.evaluate import describe, status
from engine.criteria.schema import Guideline
from engine.criteria.select import governs
from engine.errors import RecheckError
from engine.explain import show_value
from engine.facts.derive import derive
from engine.facts.inputs import ItemFacts, LetterFacts
from engine.findings import Status
from engine.testing.suite import LoadedSuite, load_suite


@dataclass
class Mismatch:
    what: str  # criteria.<id> | expected | consistency | reasons | governs | request
    want: str
    got: str
    line: int | None
    detail: list[str] = field(default_factory=list)


@dataclass
class CaseResult:
    path: Path
    guideline: str
    index: int
    name: str
    line: int | None
    mismatches: list[Mismatch] = field(default_factory=list)
    statuses: dict[str, Status] = field(default_factory=dict)  # asserted criteria, as evaluated
    values: dict[str, Any] = field(default_factory=dict)  # the request's facts, derived
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.mismatches

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def diff(self) -> str:
        """What differs, one line per field, each at its own file:line, with the facts."""
        out = [f"FAIL {self.where} [{self.guideline}] {self.name}"]
        for m in self.mismatches:
            at = f"{self.path}:{m.line}: " if m.line else ""
            if m.want:
                out.append(f"  {at}{m.what}: expected {m.want}, got {m.got}")
            else:
                out.append(f"  {at}{m.what}: {m.got}")
            out.extend(f"      {d}" for d in m.detail)
        return "\n".join(out)


@dataclass
class SuiteResult:
    path: Path
    guideline: str | None
    cases: list[CaseResult] = field(default_factory=list)
    errors: list[RecheckError] = field(default_factory=list)  # the file itself is invalid

    @property
    def passed(self) -> bool:
        return not self.errors and all(c.passed for c in self.cases)


class Runner:
    """Runs cases against one guideline library; letters read once per run."""

    def __init__(self, auditor: Auditor) -> None:
        self.auditor = auditor
        self.guidelines = auditor.bundle.by_id()
        self._letters: dict[Path, list[LetterFacts]] = {}
        self._results: dict[tuple[Path, int], CaseResult] = {}

    def run_file(self, path: Path) -> SuiteResult:
        loaded, errors = load_suite(path)
        if loaded is None:
            return SuiteResult(path, None, errors=errors)
        result = SuiteResult(path, loaded.suite.guideline, errors=self.check(loaded))
        if not result.errors:
            result.cases = [self.run_case(loaded, i) for i in range(len(loaded.suite.cases))]
        return result

    def check(self, loaded: LoadedSuite) -> list[RecheckError]:
        """Problems that make every case of the suite meaningless."""
        if loaded.suite.guideline in self.guidelines:
            return []
        return [
            RecheckError(
                f"no guideline {loaded.suite.guideline!r} in the library",
                str(loaded.path),
                loaded.line("guideline"),
            )
        ]

    def run_case(self, loaded: LoadedSuite, index: int) -> CaseResult:
        key = (loaded.path, index)
        if key not in self._results:
            start = time.perf_counter()
            result = self._run(loaded, index)
            result.seconds = time.perf_counter() - start
            self._results[key] = result
        return self._results[key]

    def _run(self, loaded: LoadedSuite, index: int) -> CaseResult:
        case = loaded.suite.cases[index]
        g = self.guidelines[loaded.suite.guideline]
        result = CaseResult(loaded.path, g.id, index, case.name, loaded.line("cases", index))
        try:
            letter, item = self._request(loaded, index)
            judged, _ = self.auditor.prepared(letter, item)
        except RecheckError as exc:
            result.mismatches.append(
                Mismatch("request", "", str(exc), loaded.line("cases", index, "letter"))
            )
            return result
        values = result.values = derive(judged.facts)
        on = letter.decision_date
        if not governs(g, judged.facts, on):
            when = f" on {on.isoformat()}" if on else ""
            result.mismatches.append(
                Mismatch(
                    "governs",
                    "",
                    f"{g.id} does not govern this request{when}",
                    result.line,
                    [f"governs: {g.governs.model_dump(mode='json', exclude_defaults=True)}"],
                )
            )
        result.mismatches.extend(self._criteria(loaded, index, g, values, result))
        if case.expected or case.consistency or case.reasons is not None:
            result.mismatches.extend(self._verdict(loaded, index, letter, item))
        return result

    def _request(self, loaded: LoadedSuite, index: int) -> tuple[LetterFacts, ItemFacts]:
        case = loaded.suite.cases[index]
        if case.facts is not None:
            item = ItemFacts(
                index=1,
                title=case.name,
                outcome=case.outcome,
                citations=case.citations,
                guidelines=case.guidelines,
                facts=case.facts,
            )
            source = f"{loaded.path}:{loaded.line('cases', index)}"
            return LetterFacts(source=source, decision_date=case.decision_date, items=[item]), item
        assert case.letter is not None
        path = (loaded.path.parent / case.letter).resolve()
        if path not in self._letters:
            self._letters[path] = read_facts(path)
        letter = self._letters[path][0]
        items = {i.index: i for i in letter.items}
        if case.item is None and len(items) != 1:
            raise RecheckError(f"{path} has {len(items)} items: say which with `item`")
        item = items.get(case.item) if case.item is not None else letter.items[0]
        if item is None:
            raise RecheckError(f"{path} has no item {case.item} (items: {sorted(items)})")
        update: dict[str, Any] = {}
        if case.outcome is not None:
            update["outcome"] = case.outcome
        if case.guidelines is not None:
            update["guidelines"] = case.guidelines
        if case.citations:
            update["citations"] = case.citations
        item = item.model_copy(update=update)
        if case.decision_date is not None:
            letter = letter.model_copy(update={"decision_date": case.decision_date})
        # surgery linking looks the item up among the letter's items: keep the copy there
        letter = letter.model_copy(
            update={"items": [item if i.index == item.index else i for i in letter.items]}
        )
        return letter, item

    def _criteria(
        self,
        loaded: LoadedSuite,
        index: int,
        g: Guideline,
        values: dict[str, Any],
        result: CaseResult,
    ) -> list[Mismatch]:
        out = []
        by_id = {c.id: c for c in g.criteria}
        for cid, want in loaded.suite.cases[index].criteria.items():
            line = loaded.line("cases", index, "criteria", cid)
            c = by_id.get(cid)
            if c is None:
                out.append(Mismatch(f"criteria.{cid}", "", f"no criterion {cid!r} in {g.id}", line))
                continue
            got = result.statuses[cid] = status(c, values)
            if got is not want:
                facts = ", ".join(
                    f"{f.replace('_', ' ')} = {show_value(values.get(f))}"
                    for f in sorted(c.facts())
                )
                tests = [*(describe(t) for t in c.when), *(describe(t) for t in c.condition)]
                detail = [f"facts: {facts}"] if facts else []
                if tests:
                    detail.append(f"test: {'; '.join(tests)}")
                out.append(Mismatch(f"criteria.{cid}", want.value, got.value, line, detail))
        return out

    def _verdict(
        self, loaded: LoadedSuite, index: int, letter: LetterFacts, item: ItemFacts
    ) -> list[Mismatch]:
        case = loaded.suite.cases[index]
        v = self.auditor.verdict(letter, item)
        why = [f"{r.code}: {r.message} [{', '.join(r.criteria)}]" for r in v.reasons]
        out = []
        if case.expected is not None and case.expected is not v.expected:
            line = loaded.line("cases", index, "expected")
            out.append(Mismatch("expected", case.expected.value, v.expected.value, line, why))
        if case.consistency is not None and case.consistency is not v.consistency:
            recorded = v.recorded.value if v.recorded else "not stated"
            out.append(
                Mismatch(
                    "consistency",
                    case.consistency.value,
                    v.consistency.value,
                    loaded.line("cases", index, "consistency"),
                    [f"recorded {recorded}, expected {v.expected.value}"],
                )
            )
        if case.reasons is not None:
            want, got = sorted(set(case.reasons)), sorted({r.code for r in v.reasons})
            if want != got:
                line = loaded.line("cases", index, "reasons")
                out.append(Mismatch("reasons", str(want), str(got), line, why))
        return out


def junit(results: list[SuiteResult]) -> ET.ElementTree:
    """JUnit XML: a testsuite per suite file, a testcase per case, failures with their diff."""
    root = ET.Element("testsuites", name="recheck test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for s in results:
        failures = sum(not c.passed for c in s.cases)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=s.guideline or str(s.path),
            file=str(s.path),
            tests=str(len(s.cases) or len(s.errors)),
            failures=str(failures),
            errors=str(len(s.errors)),
            time=f"{sum(c.seconds for c in s.cases):.4f}",
        )
        for err in s.errors:
            case = ET.SubElement(suite, "testcase", name="suite", classname=str(s.path))
            ET.SubElement(case, "error", message=err.message).text = str(err)
        for c in s.cases:
            case = ET.SubElement(
                suite,
                "testcase",
                name=c.name,
                classname=c.guideline,
                file=str(c.path),
                line=str(c.line or 0),
                time=f"{c.seconds:.4f}",
            )
            if not c.passed:
                first = c.mismatches[0]
                said = f"expected {first.want}, got {first.got}" if first.want else first.got
                message = f"{first.what}: {said}"
                ET.SubElement(case, "failure", message=message).text = c.diff()
        totals["tests"] += len(s.cases) or len(s.errors)
        totals["failures"] += failures
        totals["errors"] += len(s.errors)
    for k, v in totals.items():
        root.set(k, str(v))
    ET.indent(root)
    return ET.ElementTree(root)
