"""Letter text -> Letter: normalise, detect the layout, read header and items."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from engine.errors import RecheckError
from engine.letters.items import parse_items
from engine.letters.layouts import detect_layout, looks_like_imr, parse_header
from engine.letters.model import Layout, Letter
from engine.letters.normalize import normalize
from engine.letters.read import iter_inputs, read_text


def parse_letter(text: str, source: str) -> Letter:
    """A parsed letter; RecheckError when the text is not an IMR letter.

    A text that reads as an IMR letter but fits no known layout comes back as Layout.UNKNOWN with
    its labelled header fields and no items: its items are never guessed.
    """
    norm = normalize(text)
    layout = detect_layout(norm)
    if layout is Layout.UNKNOWN:
        if not looks_like_imr(norm):
            raise RecheckError(_not_a_letter(norm), path=source)
        return Letter(source=source, layout=layout, text=norm, **vars(parse_header(norm, layout)))
    items = parse_items(norm, layout)
    if items is None:
        raise RecheckError(
            f"not an IMR letter: {layout.value} layout without its disputed-items section",
            path=source,
        )
    if not items:
        raise RecheckError(
            "not an IMR letter: no disputed item found in its decisions section", path=source
        )
    return Letter(
        source=source, layout=layout, text=norm, items=items, **vars(parse_header(norm, layout))
    )


def load_letter(path: Path, data: bytes | None = None) -> Letter:
    """Read and parse one .txt or .pdf letter (`data`: its bytes, if already read)."""
    return parse_letter(read_text(path, data), str(path))


def load_letters(paths: Iterable[Path | str]) -> Iterator[tuple[Path, Letter | RecheckError]]:
    """Each input letter with its Letter or its error: one bad file never stops a batch."""
    for path in iter_inputs(paths):
        try:
            yield path, load_letter(path)
        except RecheckError as exc:
            yield path, exc


def _not_a_letter(text: str) -> str:
    start = " ".join(text.split()[:8])
    if len(start) > 60:
        start = start[:57] + "..."
    return f"not an IMR letter: no known layout or IMR wording (starts {start!r})"
