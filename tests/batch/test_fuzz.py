"""Fuzzing the reader and the YAML loader through the audit: random bytes, truncated letters,
very long lines, other encodings. Never an uncaught exception; every input gives rows, and an
input that cannot be read gives exactly one error row."""

from __future__ import annotations

import hashlib
import tempfile
from functools import cache
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.audit import Auditor, AuditRow
from engine.batch import BatchOptions, Library, run_batch
from engine.criteria.load import guideline_files, load_bundle
from engine.errors import RecheckError
from engine.options import DEFAULT_GUIDELINES, DEFAULT_RULES
from tests.batch.conftest import letters

FUZZ = settings(
    max_examples=40,
    deadline=None,  # a long-line example can take a few hundred ms on a loaded CI machine
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-be", "cp1252", "latin-1", "mac-roman"]


@cache
def _auditor() -> Auditor:  # not a fixture: hypothesis would print it in every failure report
    return Auditor.load()


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in letters()[:20]]


def _check(rows: list[AuditRow], data: bytes) -> None:
    assert rows, "every input gives at least one row"
    if any(r.error for r in rows):
        assert len(rows) == 1, "an unreadable input gives exactly one row"
        assert rows[0].error and "\n" not in rows[0].error
    assert {r.input_sha256 for r in rows} == {hashlib.sha256(data).hexdigest()}


def _rows(data: bytes, suffix: str) -> list[AuditRow]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        return _auditor().rows(path)


@FUZZ
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".pdf", ".json", ".yaml"]))
def test_random_bytes(data: bytes, suffix: str) -> None:
    _check(_rows(data, suffix), data)


@st.composite
def mangled_letters(draw: st.DrawFn, texts: list[str]) -> bytes:
    """A real letter truncated, given a very long line, and/or in another encoding."""
    text = draw(st.sampled_from(texts))
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    if draw(st.booleans()):
        at = draw(st.integers(0, len(text)))
        word = draw(st.sampled_from(["x", "physical therapy ", "12 ", "Upheld: ", "\u00e9\u2019 "]))
        text = text[:at] + word * draw(st.integers(1_000, 20_000)) + text[at:]
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.text(max_size=200)) + text[cut:]
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=st.data())
def test_mangled_letters(texts: list[str], data: st.DataObject) -> None:
    raw = data.draw(mangled_letters(texts))
    _check(_rows(raw, ".txt"), raw)


@FUZZ
@given(
    inputs=st.lists(
        st.tuples(st.sampled_from([".txt", ".pdf", ".yaml"]), st.binary(max_size=500)),
        min_size=1,
        max_size=5,
    )
)
def test_batch_one_block_per_input(inputs: list[tuple[str, bytes]]) -> None:
    class Blocks:
        def __init__(self) -> None:
            self.blocks: list[list[bytes]] = []

        def write(self, encoded: list[bytes]) -> None:
            self.blocks.append(encoded)

        def close(self) -> None: ...

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, (suffix, data) in enumerate(inputs):
            paths.append(Path(tmp) / f"{i:02d}{suffix}")
            paths[-1].write_bytes(data)
        out = Blocks()
        library = Library((str(DEFAULT_GUIDELINES),), str(DEFAULT_RULES))
        summary = run_batch(paths, library, "jsonl", out, BatchOptions(workers=1))
    assert len(out.blocks) == len(inputs) == summary.inputs
    for block in out.blocks:
        rows = [AuditRow.model_validate_json(e) for e in block]
        assert rows and (len(rows) == 1 or not any(r.error for r in rows))


# --- the YAML loader ----------------------------------------------------------------------------

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


def _load(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "g.yaml"
        path.write_bytes(data)
        try:
            load_bundle([path])
        except RecheckError as exc:
            assert "\n" not in str(exc).strip()
            assert str(exc).startswith(str(path))


@FUZZ
@given(st.binary(max_size=2000))
def test_yaml_loader_random_bytes(data: bytes) -> None:
    _load(data)


@FUZZ
@given(yaml_values)
def test_yaml_loader_random_documents(value: object) -> None:
    _load(yaml.safe_dump(value, allow_unicode=True).encode())


@FUZZ
@given(data=st.data())
def test_yaml_loader_mangled_guidelines(data: st.DataObject) -> None:
    files = guideline_files([DEFAULT_GUIDELINES])
    text = data.draw(st.sampled_from(files)).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    how = data.draw(st.sampled_from(["truncate", "drop line", "dedent", "encoding"]))
    if how == "truncate":
        text = text[: data.draw(st.integers(0, len(text)))]
    elif how == "drop line" and lines:
        del lines[data.draw(st.integers(0, len(lines) - 1))]
        text = "".join(lines)
    elif how == "dedent" and lines:
        i = data.draw(st.integers(0, len(lines) - 1))
        lines[i] = lines[i].lstrip()
        text = "".join(lines)
    raw = text.encode(data.draw(st.sampled_from(ENCODINGS)), errors="replace")
    _load(raw)
