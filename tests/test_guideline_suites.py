"""The shipped guideline library and its suites as a whole.

The cases of tests/guideline_suites/*.yaml and their coverage checks (every status a criterion
can take, every threshold on both sides of its edge) are pytest items of their own, collected by
the recheck pytest plugin (engine/testing/plugin.py); `recheck test --coverage` runs the same.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.criteria.load import load_bundle
from engine.criteria.select import governs
from engine.facts.model import Facts
from engine.testing.suite import load_suite, suite_files

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "tests" / "guideline_suites"
BUNDLE = load_bundle([ROOT / "guidelines"])
GUIDELINES = BUNDLE.by_id()


def test_bundle_loads() -> None:
    assert len(BUNDLE.guidelines) >= 8
    assert len(BUNDLE.digest) == 16


def test_every_guideline_has_a_suite_named_after_it() -> None:
    suites = {}
    for path in suite_files([SUITES]):
        loaded, errors = load_suite(path)
        assert loaded is not None, errors
        assert loaded.suite.guideline == path.stem, f"{path.name} tests {loaded.suite.guideline}"
        suites[path.stem] = loaded
    assert set(GUIDELINES) <= set(suites), f"no suite for {sorted(set(GUIDELINES) - set(suites))}"


def test_effective_dates() -> None:
    chiro = Facts(service="chiropractic", body_regions=["lumbar"], quantity=6)
    manual = GUIDELINES["mtus-cpmtg.manual-therapy"]
    assert not governs(manual, chiro, date(2009, 7, 17))
    assert governs(manual, chiro, date(2009, 7, 18))
    assert governs(manual, chiro, date(2017, 11, 30))
    assert not governs(manual, chiro, date(2017, 12, 1))
    acu = Facts(service="acupuncture", body_regions=["cervical"], quantity=6)
    assert governs(GUIDELINES["mtus-acupuncture"], acu, date(2024, 1, 1))
    assert not governs(GUIDELINES["mtus-acupuncture"], acu, date(2007, 6, 14))
    neck = Facts(service="chiropractic", body_regions=["cervical"], quantity=8)
    assert governs(GUIDELINES["odg.neck.manipulation"], neck, date(2024, 1, 1))
    assert not governs(GUIDELINES["odg.neck.manipulation"], chiro, date(2016, 12, 1))
