"""`recheck lint` finds contradictory and gapped criteria, each with facts that show it, and says
nothing about requirements on different facts (conjunctive by design: the denial wins)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.criteria.lint import lint
from engine.criteria.load import load_guideline
from engine.criteria.overlap import analyse
from engine.criteria.schema import Guideline
from engine.facts.derive import derive
from engine.facts.model import Facts
from engine.verdict import load_policy

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules" / "decision.yaml"
POLICY = load_policy(RULES)
CPMTG = ROOT / "guidelines" / "mtus" / "cpmtg-2009"
MASSAGE = CPMTG / "massage-therapy.yaml"
MANUAL = CPMTG / "manual-therapy-manipulation.yaml"
CONTRADICTION = """
  - id: low-back-trial-4-visits
    paraphrase: An injected clause that denies a first low-back course over 4 visits.
    when:
      - {fact: body_regions, op: contains, value: lumbar}
      - {fact: prior_treatment, op: eq, value: false}
    condition:
      - {fact: total_visits, op: gt, value: 4}
    effect: {met: does_not_support}
    citation:
      source: MTUS
      document: Chronic Pain Medical Treatment Guidelines
      edition: "2009"
      section: Manual therapy & manipulation
      pages: [58]
"""


def _copy(tmp_path: Path, source: Path, old: str = "", new: str = "", append: str = "") -> Path:
    text = source.read_text()
    if old:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text + append)
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize("source", [MASSAGE, MANUAL], ids=lambda p: p.stem)
def test_shipped_criteria_are_neither_contradictory_nor_gapped(source: Path) -> None:
    assert analyse(load_guideline(source), POLICY) == []


def test_injected_contradiction_fails_lint_with_a_counterexample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _copy(tmp_path, MANUAL, append=CONTRADICTION)
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out
    line = _line_of(path, "id: low-back-trial-4-visits")
    assert f"{path}:{line}: criteria low-back-trial-6-visits (supports) and" in out
    assert "low-back-trial-4-visits (does not support) contradict each other on total_visits" in out
    example = yaml.safe_load(out.split("counterexample: ")[1].splitlines()[0])
    # the counterexample is a real request on which both criteria fire
    values = derive(Facts(**example))
    assert 4 < values["total_visits"] <= 6
    assert "lumbar" in example["body_regions"] and example["prior_treatment"] is False


def test_injected_gap_fails_lint_with_the_uncovered_value(tmp_path: Path) -> None:
    path = _copy(
        tmp_path,
        MASSAGE,
        "      - {fact: total_visits_min, op: gt, value: 6}",
        "      - {fact: total_visits_min, op: gt, value: 7}",
    )
    problems = lint([path], RULES)
    assert len(problems) == 1
    message = problems[0].message
    assert message.startswith("gap: total_visits 7 is decided by no criterion")
    assert "limited-to-6-visits decides overturned at 6" in message
    assert "exceeds-6-visits decides upheld at 8" in message
    assert problems[0].line == _line_of(path, "id: exceeds-6-visits")
    example = yaml.safe_load(message.split("counterexample: ")[1])
    assert derive(Facts(**example))["total_visits"] == 7


def test_accepted_gap_is_not_reported(tmp_path: Path) -> None:
    path = _copy(
        tmp_path,
        MASSAGE,
        "      - {fact: total_visits_min, op: gt, value: 6}",
        "      - {fact: total_visits_min, op: gt, value: 7}",
        append="lint_allow:\n  - {check: gap, criteria: [exceeds-6-visits, limited-to-6-visits],"
        " why: seven visits are left to the reviewer on purpose}\n",
    )
    assert lint([path], RULES) == []


def test_requirements_on_different_facts_are_not_contradictions() -> None:
    """Continuation needs improvement (denies without it) while the total is within 18
    (supports): both fire on one request, but they test different facts."""
    g = load_guideline(MANUAL)
    ids = {c.id for c in g.criteria}
    assert {"continuation-needs-functional-improvement", "low-back-total-18-visits"} <= ids
    assert [p for p in analyse(g, POLICY) if p.check == "contradiction"] == []


def test_same_fact_yes_no_contradiction() -> None:
    data = yaml.safe_load((CPMTG / "tens.yaml").read_text())
    flipped = dict(data["criteria"][2], id="benefit-denies", effect={"met": "does_not_support"})
    data["criteria"].append(flipped)
    problems = analyse(Guideline.model_validate(data), POLICY)
    assert [p.criteria for p in problems] == [
        ("continued-use-needs-documented-benefit", "benefit-denies")
    ]
    assert problems[0].counterexample["functional_improvement"] is True


def test_lint_allow_names_known_criteria(tmp_path: Path) -> None:
    allow = "lint_allow:\n  - {check: gap, criteria: [a, b], why: a reason long enough}\n"
    path = _copy(tmp_path, MASSAGE, append=allow)
    problems = lint([path], RULES)
    assert any("lint_allow names unknown criteria a, b" in p.message for p in problems)
