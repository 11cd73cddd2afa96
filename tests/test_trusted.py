"""`trusted` builds the same models as pydantic's model_construct, and refuses partial input."""

from __future__ import annotations

import pytest

from engine.audit import Auditor, read_facts
from engine.findings import Finding
from engine.trusted import trusted
from tests.conftest import EXAMPLES


def test_trusted_findings_equal_model_construct() -> None:
    auditor = Auditor.load()
    findings = [
        f
        for path in sorted(EXAMPLES.glob("*.txt"))
        for letter in read_facts(path)
        for item in letter.items
        for f in auditor.verdict(letter, item).findings
    ]
    assert len(findings) > 20
    for f in findings:
        fields = {name: getattr(f, name) for name in Finding.model_fields}
        built = Finding.model_construct(**fields)
        assert f == built
        assert f.model_dump_json() == built.model_dump_json()
        assert f.model_fields_set == built.model_fields_set


def test_trusted_needs_every_field() -> None:
    with pytest.raises(AssertionError, match="every field"):
        trusted(Finding, guideline="g")
