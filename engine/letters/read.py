"""Read a letter file (.txt or .pdf) to text, and expand command-line inputs to letter files."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import pypdfium2 as pdfium

from engine.errors import RecheckError

LETTER_SUFFIXES = (".txt", ".pdf")


def read_text(path: Path, data: bytes | None = None) -> str:
    """The text of a letter file; RecheckError (naming the file) when it cannot be had.
    `data`: the file's bytes when the caller has read them already (to hash them)."""
    suffix = path.suffix.lower()
    if suffix not in LETTER_SUFFIXES:
        raise RecheckError(
            f"unsupported file type {path.suffix or '(none)'!r}: expected .txt or .pdf",
            path=str(path),
        )
    if data is None:
        data = _read_bytes(path)
    # isspace, not strip: no copy of the file (both mean ASCII whitespace only)
    if not data or data.isspace():
        raise RecheckError("empty file", path=str(path))
    text = _pdf_text(path, data) if suffix == ".pdf" else _decode(data)
    text = text.replace("\x00", "")
    if not text or text.isspace():
        raise RecheckError("no text in file (a scanned PDF needs OCR first)", path=str(path))
    return text


def iter_inputs(
    paths: Iterable[Path | str], suffixes: tuple[str, ...] = LETTER_SUFFIXES
) -> list[Path]:
    """Input files named by `paths`: a directory gives its files with `suffixes` (recursively,
    sorted as paths sort); a file is kept whatever its suffix, so read_text can say why it is
    unsupported.

    A path that does not exist is kept too: the caller reports it as an error row for that path
    instead of failing the whole batch (read_text raises "no such file" for it).
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(_files_under(str(path), (), suffixes))
            out.extend(path.joinpath(*parts) for parts in found)
        else:
            out.append(path)
    return out


def _files_under(
    folder: str, parts: tuple[str, ...], suffixes: tuple[str, ...]
) -> Iterator[tuple[str, ...]]:
    """The path parts (below the top folder) of the files under `folder`, as Path.rglob("*")
    and is_file find them (symbolic links to files kept, to folders not followed), from the
    types the directory listing gives: rglob with a stat per file took 0.4 s over 20,000 letters
    before a batch could start."""
    with os.scandir(folder) as entries:
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                yield from _files_under(e.path, (*parts, e.name), suffixes)
            elif os.path.splitext(e.name)[1].lower() in suffixes and e.is_file():
                yield (*parts, e.name)


def file_bytes(path: Path) -> bytes:
    """A file's bytes in four system calls (open, fstat, read, close). Path.read_bytes makes nine
    (isatty, two seeks, a second fstat, a read for end of file), and on these machines system
    calls are most of what reading a letter costs: 5% of a batch worker's time went to it."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        first = os.read(fd, info.st_size + 1)
        if stat.S_ISREG(info.st_mode) and len(first) <= info.st_size:
            return first  # a regular file's short read is its end
        chunks = [first]  # a pipe or device, or a file that grew since fstat
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_bytes(path: Path) -> bytes:
    try:
        return file_bytes(path)
    except FileNotFoundError:
        raise RecheckError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise RecheckError("is a directory, not a letter file", path=str(path)) from None
    except OSError as exc:
        raise RecheckError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from None


def _decode(data: bytes) -> str:
    """UTF-8 (a leading BOM dropped), else cp1252, else latin-1, which decodes any byte."""
    try:
        # What "utf-8-sig" does, without that codec's Python wrapper (half the decode's time).
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _pdf_text(path: Path, data: bytes) -> str:
    """Pages joined by "\\n". pypdfium2 opens the corpus' AES-encrypted (empty password) PDFs."""
    try:
        doc = pdfium.PdfDocument(data)
    except (pdfium.PdfiumError, ValueError, OSError) as exc:
        raise RecheckError(f"unreadable or corrupt PDF ({exc})", path=str(path)) from None
    try:
        pages: list[str] = []
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            try:
                pages.append(textpage.get_text_range())
            finally:
                textpage.close()
                page.close()
        return "\n".join(pages)
    except (pdfium.PdfiumError, ValueError, OSError) as exc:
        raise RecheckError(f"unreadable PDF page ({exc})", path=str(path)) from None
    finally:
        doc.close()
