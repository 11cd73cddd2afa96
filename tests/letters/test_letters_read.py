"""Reading files: every input problem is one RecheckError naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import RecheckError
from engine.letters.model import Letter
from engine.letters.parse import load_letter, load_letters
from engine.letters.read import iter_inputs, read_text

from .conftest import CORPUS


def _error(path: Path, match: str) -> RecheckError:
    with pytest.raises(RecheckError, match=match) as err:
        load_letter(path)
    assert err.value.path == str(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    return err.value


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "blank.txt"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"" if name.startswith("empty") else b" \n\r\n\t ")
    _error(path, "empty file")


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF")
    _error(path, "corrupt PDF")


def test_truncated_real_pdf(tmp_path: Path) -> None:
    source = CORPUS / "pdf"
    if not source.exists():
        pytest.skip(f"real letters not available: {source} is absent")
    data = sorted(source.glob("*.pdf"))[0].read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(RecheckError) as err:
        load_letter(path)
    assert err.value.path == str(path)


def test_not_a_letter(tmp_path: Path) -> None:
    path = tmp_path / "recipe.txt"
    path.write_text("Banana bread\nMix the flour with two ripe bananas and bake.\n")
    _error(path, "not an IMR letter")


def test_missing_file(tmp_path: Path) -> None:
    _error(tmp_path / "nowhere.pdf", "no such file")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "letter.docx"
    path.write_bytes(b"PK\x03\x04")
    _error(path, "unsupported file type")


def test_directory_as_file(tmp_path: Path) -> None:
    folder = tmp_path / "letters.txt"
    folder.mkdir()
    with pytest.raises(RecheckError, match="directory"):
        read_text(folder)


def test_text_encodings(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("caf\u00e9 \u2013 x\x00y".encode("cp1252"))
    assert read_text(path) == "caf\u00e9 \u2013 xy"
    path.write_bytes("\ufeffcaf\u00e9".encode())
    assert read_text(path) == "caf\u00e9"
    path.write_bytes(b"\x81\x8d\x8f")  # undefined in cp1252: latin-1 still decodes
    assert read_text(path) == "\x81\x8d\x8f"


def test_iter_inputs(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ["b.txt", "a.PDF", "notes.md", "sub/c.txt"]:
        (tmp_path / name).write_text("x")
    missing = tmp_path / "gone.txt"
    other = tmp_path / "notes.md"
    got = iter_inputs([tmp_path, missing, str(other)])
    assert got == [
        tmp_path / "a.PDF",
        tmp_path / "b.txt",
        tmp_path / "sub" / "c.txt",
        missing,  # kept: the caller turns it into an error row
        other,
    ]


def test_load_letters_keeps_going(tmp_path: Path) -> None:
    good = CORPUS / "letters"
    if not good.exists():
        pytest.skip(f"real letters not available: {good} is absent")
    first = sorted(good.glob("*.txt"))[0]
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    rows = list(load_letters([bad, tmp_path / "missing.pdf", first]))
    assert [type(r) for _, r in rows] == [RecheckError, RecheckError, Letter]
    assert [p for p, _ in rows] == [bad, tmp_path / "missing.pdf", first]
