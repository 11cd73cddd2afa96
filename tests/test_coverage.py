"""The coverage view reads audit rows back and counts what the library assesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli import main
from engine.coverage import coverage
from engine.errors import RecheckError
from engine.report import read_rows
from tests.conftest import EXAMPLES


def test_coverage_counts_seed_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit = tmp_path / "audit.jsonl"
    assert main(["audit", str(EXAMPLES), "-o", str(audit)]) == 0
    cov = coverage(read_rows(audit))
    assert cov.total.items == 8
    assert cov.total.assessed == cov.total.consistent + cov.total.inconsistent
    assert sum(g.items for g in cov.by_service.values()) == 8
    assert main(["coverage", str(audit)]) == 0
    assert "by guideline section" in capsys.readouterr().out


def test_coverage_rejects_a_non_audit_file_naming_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.jsonl"
    bad.write_text('{"source": "a"}\nnot json\n')
    with pytest.raises(RecheckError) as err:
        list(read_rows(bad))
    assert err.value.line == 2 and err.value.path == str(bad)
