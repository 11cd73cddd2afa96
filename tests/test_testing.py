"""`recheck test`, its coverage and JUnit output, and the pytest plugin, on copies of a shipped
guideline: a policy edit must fail a case by name, never flip verdicts silently."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from engine.cli import main
from engine.testing.suite import Suite, load_suite

ROOT = Path(__file__).resolve().parents[1]
GUIDELINE = ROOT / "guidelines" / "mtus" / "cpmtg-2009" / "manual-therapy-manipulation.yaml"
SUITE = ROOT / "tests" / "guideline_suites" / "mtus-cpmtg.manual-therapy.yaml"
EXAMPLE_SUITE = ROOT / "examples" / "my-guideline-suite.yaml"
EDGE = "      - {fact: total_visits, op: le, value: 6}"


def _library(tmp_path: Path, edit: tuple[str, str] | None = None) -> tuple[Path, Path]:
    """A copy of one guideline (optionally edited) and of its suite."""
    text = GUIDELINE.read_text()
    if edit:
        assert text.count(edit[0]) == 1
        text = text.replace(*edit)
    guideline = tmp_path / "manual-therapy.yaml"
    guideline.write_text(text)
    suite = tmp_path / "suites" / SUITE.name
    suite.parent.mkdir()
    shutil.copy(SUITE, suite)
    return guideline, suite


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_unchanged_copy_passes_with_full_coverage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guideline, suite = _library(tmp_path)
    args = ["test", str(suite), "--guidelines", str(guideline), "--coverage", "--fail-under", "100"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "criteria coverage: 100.0%" in out
    assert "thresholds at their edges: 100.0%" in out


def test_changed_threshold_fails_naming_criterion_and_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guideline, suite = _library(tmp_path, (EDGE, EDGE.replace("6}", "7}")))
    junit = tmp_path / "junit.xml"
    assert main(["test", str(suite), "--guidelines", str(guideline), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    # the case 7 visits used to fail now passes the trial criterion: its diff names both
    name = "low back, first 7 visits, beyond the trial"
    line = _line_of(suite, f"name: {name}")
    assert f"FAIL {suite}:{line} [mtus-cpmtg.manual-therapy] {name}" in out
    assert "criteria.low-back-trial-6-visits: expected not_met, got met" in out
    assert "test: body regions contains lumbar; prior treatment = false; total visits <= 7" in out
    assert "FAIL: " in out
    report = ET.parse(junit).getroot()
    assert int(report.get("failures", "0")) >= 1
    failure = report.find(f".//testcase[@name='{name}']/failure")
    assert failure is not None and "low-back-trial-6-visits" in (failure.text or "")


def test_verdict_expectations_and_letter_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(EXAMPLE_SUITE), "-v"]) == 0
    assert capsys.readouterr().out.count("PASS ") == 5
    wrong = yaml.safe_load(EXAMPLE_SUITE.read_text())
    wrong["cases"][4]["letter"] = str(ROOT / "examples" / wrong["cases"][4]["letter"])
    wrong["cases"][4]["expected"] = "overturned"
    wrong["cases"][1]["consistency"] = "consistent"
    wrong["cases"][0]["reasons"] = ["not_supported"]
    path = tmp_path / "wrong.yaml"
    path.write_text(yaml.safe_dump(wrong, sort_keys=False))
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert "expected: expected overturned, got upheld" in out
    assert "consistency: expected consistent, got inconsistent" in out
    assert "reasons: expected ['not_supported'], got ['supported']" in out
    assert "FAIL: 3/5" in out


def test_coverage_names_what_is_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    guideline, suite = _library(tmp_path)
    data = yaml.safe_load(suite.read_text())
    # drop every case putting total_visits at 7 for the trial criterion
    data["cases"] = [
        c
        for c in data["cases"]
        if not (
            c["criteria"].get("low-back-trial-6-visits") == "not_met"
            and c["facts"].get("quantity", 0) + c["facts"].get("authorized_quantity", 0) == 7
        )
    ]
    suite.write_text(yaml.safe_dump(data, sort_keys=False))
    args = ["test", str(suite), "--guidelines", str(guideline), "--coverage", "--fail-under", "100"]
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "mtus-cpmtg.manual-therapy/low-back-trial-6-visits" in out
    assert "total visits <= 6: no case at total_visits = 7" in out
    assert "FAIL: coverage under 100%" in out


def test_invalid_suite_reported_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "guideline: mtus-cpmtg.massage-therapy\ncases:\n  - name: no request\n"
        "    criteria: {limited-to-6-visits: met}\n  - name: typo\n"
        "    facts: {service: massage, quantty: 3}\n    expected: upheld\n"
    )
    loaded, errors = load_suite(path)
    assert loaded is None
    assert [e.line for e in errors] == [3, 6]
    assert "either `facts` or `letter`" in str(errors[0])
    assert main(["test", str(path)]) == 1
    assert f"ERROR {path}:3:" in capsys.readouterr().out


def test_suite_schema_is_exported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "suite"]) == 0
    schema = yaml.safe_load(capsys.readouterr().out)
    assert schema["title"] == "Suite"
    assert Suite.model_json_schema() == schema


def test_pytest_plugin_collects_suites_as_items(tmp_path: Path) -> None:
    guideline, suite = _library(tmp_path, (EDGE, EDGE.replace("6}", "7}")))
    n_cases = len(yaml.safe_load(suite.read_text())["cases"])
    run = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", str(suite.parent), "-q", "-p", "no:cacheprovider"),
            *("--recheck-guidelines", str(guideline), "--rootdir", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    out = run.stdout
    assert run.returncode == 1, out
    assert f"1 failed, {n_cases} passed" in out  # every case, plus the coverage item
    assert "criteria.low-back-trial-6-visits: expected not_met, got met" in out
    assert "low back, first 7 visits, beyond the trial" in out


def test_repo_collects_each_suite_case_once() -> None:
    run = subprocess.run(
        # pyproject's addopts already has -q: node ids, one a line
        [
            *(sys.executable, "-m", "pytest", "--collect-only", "tests/guideline_suites"),
            *("tests/test_guideline_suites.py", "-p", "no:cacheprovider"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    ids = [line for line in run.stdout.splitlines() if "::" in line]
    suite_ids = [i for i in ids if i.startswith("tests/guideline_suites/")]
    assert len(ids) == len(set(ids))
    cases = len(yaml.safe_load(SUITE.read_text())["cases"])
    assert (
        sum(i.startswith(f"tests/guideline_suites/{SUITE.name}::") for i in suite_ids) == cases + 1
    )
    assert not [i for i in ids if "test_guideline_suites.py::test_case" in i]
