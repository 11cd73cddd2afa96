"""Bad guideline and rules files give one clear line naming the file and line, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.cli import main
from engine.criteria.lint import lint
from engine.criteria.load import load_bundle
from engine.errors import RecheckError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "guidelines" / "mtus" / "cpmtg-2009" / "manual-therapy-manipulation.yaml"


def _copy(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    target = tmp_path / "g.yaml"
    text = EXAMPLE.read_text()
    if edit:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1], 1)
    target.write_text(text)
    return target


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, ("criteria:\n", "criteria:\n  - {id: [unclosed\n"))
    with pytest.raises(RecheckError) as err:
        load_bundle([path])
    assert str(err.value).startswith(f"{path}:")
    assert err.value.line is not None
    assert "\n" not in str(err.value)


def test_unknown_fact_reported_at_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, ("fact: total_visits_min", "fact: total_visitz"))
    with pytest.raises(RecheckError) as err:
        load_bundle([path])
    assert err.value.line == _line_of(path, "total_visitz")
    assert "unknown fact 'total_visitz'" in str(err.value)


def test_unknown_citation_source_reported_at_its_line(tmp_path: Path) -> None:
    path = _copy(tmp_path, ("citation: {source: MTUS", "citation: {source: WIKIPEDIA"))
    problems = lint([path])
    assert problems, "an unknown citation source must be a lint problem"
    assert problems[0].path == str(path)
    assert problems[0].line == _line_of(path, "WIKIPEDIA")


def test_citation_without_pages_or_subsection(tmp_path: Path) -> None:
    path = _copy(tmp_path, ("section: Manual therapy & manipulation, pages: [58]}", "section: x}"))
    problems = lint([path])
    assert any("pages or a subsection" in p.message for p in problems)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("\n")
    with pytest.raises(RecheckError, match="empty file") as err:
        load_bundle([path])
    assert err.value.path == str(path)


def test_duplicate_guideline_id_names_both_files(tmp_path: Path) -> None:
    first = _copy(tmp_path)
    second = tmp_path / "copy.yaml"
    shutil.copy(first, second)
    dup = [p for p in lint([tmp_path]) if "duplicate guideline id" in p.message]
    assert len(dup) == 1
    named = {dup[0].path, str(first) if str(first) in dup[0].message else str(second)}
    assert named == {str(first), str(second)}


def test_lint_collects_every_problem(tmp_path: Path) -> None:
    path = _copy(tmp_path, ("fact: total_visits_min", "fact: nope"))
    text = path.read_text().replace("fact: maintenance_care", "fact: nope2")
    path.write_text(text)
    problems = lint([path])
    assert len(problems) >= 2
    assert all(p.line for p in problems)


def test_shipped_library_lints_clean() -> None:
    assert lint([ROOT / "guidelines"], ROOT / "rules" / "decision.yaml") == []


def test_cli_config_error_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _copy(tmp_path, ("fact: total_visits_min", "fact: nope"))
    code = main(["audit", str(ROOT / "examples"), "--guidelines", str(bad)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert len(err) == 1 and err[0].startswith(f"error: {bad}:")


def test_cli_lint_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint"]) == 0
    bad = _copy(tmp_path, ("fact: total_visits_min", "fact: nope"))
    assert main(["lint", str(bad)]) == 1
    assert f"{bad}:" in capsys.readouterr().out
