"""End to end on real letters: seeds verdicts, the outcome swap, bad inputs in a batch."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from engine.audit import Auditor, AuditRow
from engine.cli import main
from engine.verdict import Consistency, Expected
from tests.conftest import EXAMPLES, GOLD, require_shared

_SWAP = re.compile(r"\b(upheld|overturned)\b|\bis (not )?medically necessary\b", re.IGNORECASE)


def swap_outcomes(text: str) -> str:
    """Every Upheld <-> Overturned, and each conclusion 'is (not) medically necessary' reversed."""

    def flip(m: re.Match[str]) -> str:
        word = m.group(0)
        if m.group(1):
            new = "overturned" if word.lower() == "upheld" else "upheld"
            return new.capitalize() if word[0].isupper() else new
        if m.group(2):
            return word[:2] + " " + word[len("is not ") :]
        return word[:2] + (" NOT " if word[:2].isupper() else " not ") + word[3:]

    return _SWAP.sub(flip, text)


@pytest.fixture(scope="module")
def auditor() -> Auditor:
    return Auditor.load()


def _rows(auditor: Auditor, paths: list[Path]) -> list[AuditRow]:
    return list(auditor.audit(paths))


def test_swap_helper() -> None:
    text = "X: Upheld\nthe request is not medically necessary. IS NOT medically necessary."
    assert (
        swap_outcomes(text)
        == "X: Overturned\nthe request is medically necessary. IS medically necessary."
    )
    assert swap_outcomes(swap_outcomes(text)) == text


def test_seeds_all_consistent(auditor: Auditor) -> None:
    rows = _rows(auditor, [EXAMPLES])
    assert len(rows) == 8
    assert not [r.error for r in rows if r.error]
    assert [r.consistency for r in rows] == [Consistency.CONSISTENT] * 8


def test_rows_are_what_validation_builds(auditor: Auditor) -> None:
    """Auditor.row builds rows unvalidated (engine.findings.trusted): each must equal, and
    serialise exactly as, its validated copy."""
    for row in _rows(auditor, [EXAMPLES]):
        checked = AuditRow.model_validate(row.model_dump())
        assert row == checked and row.model_dump_json() == checked.model_dump_json()
        assert row.model_fields_set == checked.model_fields_set


def test_seed_003_neck_chiropractic_overturned_by_criteria(auditor: Auditor) -> None:
    rows = _rows(auditor, [EXAMPLES / "003_f7c04554d3ec6a02.txt"])
    chiro = next(r for r in rows if r.facts["service"] == "chiropractic")
    assert chiro.expected is Expected.OVERTURNED
    supported = [r for r in chiro.reasons if r.code == "supported"]
    assert supported, "overturned must come from a supporting criterion"
    met = {f"{f.guideline}/{f.criterion}" for f in chiro.findings if f.effect == "supports"}
    assert {c for r in supported for c in r.criteria} <= met


def test_seed_expected_outcomes_match_gold(auditor: Auditor) -> None:
    require_shared()
    gold = yaml.safe_load((GOLD / "seeds.yaml").read_text())["letters"]
    for name, letter in gold.items():
        rows = _rows(auditor, [EXAMPLES / name])
        assert [r.expected.value for r in rows] == [i["expected"] for i in letter["items"]], name


def _swap_check(auditor: Auditor, letters: list[Path], tmp_path: Path) -> Counter[str]:
    swapped = []
    for path in letters:
        target = tmp_path / path.name
        target.write_text(swap_outcomes(path.read_text(encoding="utf-8")), encoding="utf-8")
        swapped.append(target)
    before, after = _rows(auditor, letters), _rows(auditor, swapped)
    assert len(before) == len(after)
    seen: Counter[str] = Counter()
    for a, b in zip(before, after, strict=True):
        assert a.error is None and b.error is None, (a.error, b.error)
        assert a.title == b.title
        assert a.outcome != b.outcome
        assert a.expected == b.expected, f"{a.source} item {a.item}: expected changed by the swap"
        assert a.facts == b.facts, f"{a.source} item {a.item}: facts changed by the swap"
        if a.expected is Expected.INDETERMINATE:
            assert a.consistency == b.consistency == Consistency.INDETERMINATE
        else:
            assert {a.consistency, b.consistency} == {
                Consistency.CONSISTENT,
                Consistency.INCONSISTENT,
            }
            seen["flipped"] += 1
        seen["items"] += 1
    return seen


def test_outcome_swap_seeds(auditor: Auditor, tmp_path: Path) -> None:
    seen = _swap_check(auditor, sorted(EXAMPLES.glob("*.txt")), tmp_path)
    assert seen["flipped"] == seen["items"] == 8


def test_outcome_swap_corpus(auditor: Auditor, corpus_txt: list[Path], tmp_path: Path) -> None:
    seen = _swap_check(auditor, corpus_txt, tmp_path)
    assert seen["items"] >= 140


def test_bad_inputs_each_yield_one_row(auditor: Auditor, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    (tmp_path / "recipe.txt").write_text("Pancakes\nMix flour, eggs and milk. Fry.\n" * 20)
    (tmp_path / "facts.yaml").write_text("items: [ {title: x, facts: {service: chiro")
    (tmp_path / "unknown-guideline.json").write_text(
        json.dumps({"items": [{"facts": {"service": "chiropractic"}, "guidelines": ["nope"]}]})
    )
    good = EXAMPLES / "001_25fdf4b73e49114f.txt"
    facts_files = [tmp_path / "facts.yaml", tmp_path / "unknown-guideline.json"]
    rows = _rows(auditor, [tmp_path, good, *facts_files, tmp_path / "missing.txt"])
    by_source = Counter(r.source for r in rows if r.error)
    bad = ["corrupt.pdf", "empty.txt", "facts.yaml", "recipe.txt", "unknown-guideline.json"]
    assert sorted(Path(s).name for s in by_source) == sorted([*bad, "missing.txt"])
    assert set(by_source.values()) == {1}
    for r in rows:
        if r.error:
            assert Path(r.source).name in r.error and "\n" not in r.error
            assert "Traceback" not in r.error
    assert len([r for r in rows if not r.error]) == 2


def test_cli_audit_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("jsonl", "csv", "json"):
        out = tmp_path / f"audit.{fmt}"
        assert main(["audit", str(EXAMPLES), "--format", fmt, "--output", str(out)]) == 0
        text = out.read_text()
        if fmt == "jsonl":
            assert len(text.splitlines()) == 8
        elif fmt == "json":
            assert len(json.loads(text)) == 8
        else:
            assert len(text.strip().splitlines()) == 9
    assert "consistent 8" in capsys.readouterr().err


def test_cli_explain_names_criteria_and_evidence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES / "003_f7c04554d3ec6a02.txt"), "--item", "1"]) == 0
    out = capsys.readouterr().out
    assert "Deciding criteria" in out and "Guideline: MTUS" in out and "Letter (" in out


def test_extract_roundtrip_through_facts_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", str(EXAMPLES)]) == 0
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(capsys.readouterr().out)
    auditor = Auditor.load()
    from_letters = _rows(auditor, [EXAMPLES])
    from_facts = _rows(auditor, [facts_file])
    assert [r.expected for r in from_letters] == [r.expected for r in from_facts]


def test_unknown_layout_is_reported_not_guessed(auditor: Auditor, tmp_path: Path) -> None:
    letter = tmp_path / "odd.txt"
    letter.write_text(
        "Independent Medical Review\nFinal Determination\nDecision Date: 01/02/2017\n" * 3
    )
    rows = _rows(auditor, [letter])
    assert len(rows) == 1 and rows[0].error and "unrecognised IMR letter layout" in rows[0].error
