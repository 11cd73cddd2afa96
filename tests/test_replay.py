"""`recheck replay`: an audit log re-judged with an unchanged library changes nothing; with a
threshold moved, exactly the verdicts resting on it are listed, old and new."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.audit import Auditor
from engine.cli import main
from tests.conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]
# the guidelines the seeds are judged under (a fixed library: the shipped one keeps growing)
USED = [
    "mtus/acupuncture-2007/acupuncture.yaml",
    "mtus/cpmtg-2009/manual-therapy-manipulation.yaml",
    "mtus/cpmtg-2009/massage-therapy.yaml",
    "mtus/cpmtg-2009/muscle-relaxants.yaml",
    "mtus/cpmtg-2009/cyclobenzaprine.yaml",
    "mtus/cpmtg-2009/physical-medicine.yaml",
    "odg/neck-and-upper-back/manipulation.yaml",
]
ODG_LIMIT = "      - {fact: total_visits, op: le, value: 9}"


@pytest.fixture
def logged(tmp_path: Path) -> tuple[Path, Path]:
    """A library copy and the audit log of the seeds under it."""
    library = tmp_path / "guidelines"
    for rel in USED:
        (library / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "guidelines" / rel, library / rel)
    log = tmp_path / "audit.jsonl"
    rows = Auditor.load([library]).audit([EXAMPLES])
    log.write_text("".join(r.model_dump_json() + "\n" for r in rows))
    return library, log


def test_unchanged_bundle_reports_no_change(
    logged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    library, log = logged
    assert main(["replay", str(log), "--guidelines", str(library)]) == 0
    out = capsys.readouterr().out
    assert "8 verdicts re-judged" in out and "; 0 changed" in out, out


def test_moved_threshold_lists_the_changed_verdict(
    logged: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    library, log = logged
    odg = library / USED[-1]
    text = odg.read_text()
    assert text.count(ODG_LIMIT) == 1
    odg.write_text(text.replace(ODG_LIMIT, ODG_LIMIT.replace("9}", "7}")))
    assert main(["replay", str(log), "--guidelines", str(library)]) == 1
    out = capsys.readouterr().out
    assert "003_f7c04554d3ec6a02.txt item 2 (8 chiropractic treatments" in out
    assert "  expected overturned -> upheld" in out
    assert "  consistency consistent -> inconsistent" in out
    assert (
        "  reasons supported [odg.neck.manipulation/regional-neck-pain-9-visits] ->"
        " not_supported [odg.neck.manipulation/regional-neck-pain-9-visits]"
    ) in out
    assert "; 1 changed" in out


def test_error_rows_are_skipped(
    logged: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    library, log = logged
    bad = tmp_path / "not-a-letter.txt"
    bad.write_text("hello")
    rows = Auditor.load([library]).audit([bad])
    with log.open("a") as out:
        out.writelines(r.model_dump_json() + "\n" for r in rows)
    assert main(["replay", str(log), "--guidelines", str(library)]) == 0
    assert "1 error rows skipped" in capsys.readouterr().out
