"""`recheck report`: a self-contained page whose charts render in headless Chromium."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from engine.cli import main
from engine.html_report import COLORS
from tests.conftest import CORPUS

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory, corpus_letters: list[Path]) -> Path:
    """The corpus audit, plus a copy of an assessed item with the other recorded outcome: the
    two then share every deciding fact but not their outcome (a split group)."""
    out = tmp_path_factory.mktemp("report") / "audit.jsonl"
    assert main(["audit", str(CORPUS / "letters"), "-o", str(out), "--workers", "1"]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    twin = next(r for r in rows if r["consistency"] == "consistent" and r["findings"])
    twin = twin | {
        "source": "synthetic/CM99-0000001.txt",
        "case_number": "CM99-0000001",
        "outcome": "overturned" if twin["outcome"] == "upheld" else "upheld",
        "consistency": "inconsistent",
        "input_sha256": "0" * 64,
    }
    with out.open("a") as f:
        f.write(json.dumps(twin) + "\n")
    return out


@pytest.fixture(scope="module")
def page(audit: Path) -> Path:
    html = audit.with_name("report.html")
    assert main(["report", str(audit), "-o", str(html)]) == 0
    return html


def test_page_is_self_contained(page: Path) -> None:
    text = page.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "fetches something"
    assert "<link" not in text and "@import" not in text and "url(" not in text
    for chart in ("by-service", "by-section", "by-specialty", "by-month"):
        assert f'id="{chart}"' in text


def test_page_explains_inconsistent_items_and_split_groups(page: Path, audit: Path) -> None:
    text = page.read_text()
    assert "CM99-0000001" in text  # the synthetic twin: inconsistent, and in a split group
    groups = text.split("Same deciding facts, different recorded outcomes")[1]
    assert re.search(r"[1-9]\d* groups? of items", groups)
    assert "CM99-0000001" in groups.split("Inconsistent")[0]
    rows = [json.loads(line) for line in audit.read_text().splitlines()]
    inconsistent = [
        r for r in rows if r["consistency"] == "inconsistent" and r["case_number"] != "CM99-0000001"
    ]
    assert inconsistent
    for row in inconsistent:
        item = text.split(f"{row['case_number']} item {row['item']}")[1].split("</details>")[0]
        deciding = {i for r in row["reasons"] for i in r["criteria"]}
        for reason in row["reasons"]:
            assert reason["code"] in item
        for f in row["findings"]:
            if f"{f['guideline']}/{f['criterion']}" not in deciding:
                continue
            assert html.escape(f["citation"]["document"], quote=False) in item
            for spans in f["evidence"].values():  # the letter's own words, two per fact
                for span in spans[:2]:
                    assert html.escape(" ".join(span["quote"].split())) in item


def test_torn_and_malformed_lines(
    tmp_path: Path, audit: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torn = tmp_path / "torn.jsonl"
    torn.write_bytes(audit.read_bytes() + b'{"source": "x", "ite')
    assert main(["report", str(torn), "-o", str(tmp_path / "a.html")]) == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"{}\n" + audit.read_bytes())
    assert main(["report", str(bad), "-o", str(tmp_path / "b.html")]) == 1
    assert f"{bad}:1: not an audit row" in capsys.readouterr().err
    assert not (tmp_path / "b.html").exists()


# --- in a browser -------------------------------------------------------------------------------


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB(A) rows of an 8-bit, non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    height = bpp = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6)
            bpp = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytes(width * bpp)
    for y in range(height):
        filt, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if filt == 1:
                line[i] = (line[i] + a) & 255
            elif filt == 2:
                line[i] = (line[i] + b) & 255
            elif filt == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run installs it)")
    return found


def test_charts_render_in_headless_chromium(tmp_path: Path, page: Path) -> None:
    chromium = _chromium()
    shot = tmp_path / "page.png"
    common = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    run = subprocess.run(
        [*common, f"--screenshot={shot}", "--window-size=1200,2600", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0 and shot.exists(), run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, f"console messages (errors) from the page: {console}"

    width, _, rows = png_pixels(shot.read_bytes())
    bpp = len(rows[0]) // width
    colors: Counter[bytes] = Counter(
        row[x : x + 3] for row in rows[::2] for x in range(0, len(row), bpp * 2)
    )
    assert len(colors) > 20, "the screenshot is blank"
    for name in ("consistent", "indeterminate"):
        rgb = bytes.fromhex(COLORS[name][1:])
        assert colors[rgb] > 200, f"no {name} bars drawn"

    dom = subprocess.run(
        [*common, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert 'data-ready="1"' in dom.stdout, "the page script did not run to its end"
    assert re.search(r'id="shown"[^>]*>\d+ shown<', dom.stdout)
