"""pytest plugin (entry point `recheck` in pyproject): guideline test suites as pytest items.

Any YAML file with top-level `guideline:` and `cases:` keys that pytest visits becomes one item
per case plus a `coverage` item (the suite makes each criterion of its guideline take every
status it can take and tries each threshold on both sides of its edge), so the suites run inside
an existing pytest CI with pytest's selection, reporting and JUnit output. `--recheck-guidelines`
and `--recheck-rules` test another library; `-p no:recheck` turns the plugin off.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the engine is imported only once a suite is collected
    from engine.testing.runner import Runner
    from engine.testing.suite import LoadedSuite

_RUNNER = pytest.StashKey["Runner"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("recheck", "recheck guideline test suites")
    group.addoption(
        "--recheck-guidelines",
        action="append",
        type=Path,
        help="guideline directory or file to test the suites against (repeatable)",
    )
    group.addoption("--recheck-rules", type=Path, help="decision rules YAML")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    from engine.testing.suite import looks_like_suite

    if looks_like_suite(file_path):
        return SuiteFile.from_parent(parent, path=file_path)
    return None


def _runner(config: pytest.Config) -> Runner:
    """One runner (one bundle, one letter cache) per pytest session."""
    if _RUNNER not in config.stash:
        from engine.audit import Auditor
        from engine.options import DEFAULT_GUIDELINES, DEFAULT_RULES
        from engine.testing.runner import Runner

        guidelines = config.getoption("recheck_guidelines") or [DEFAULT_GUIDELINES]
        rules = config.getoption("recheck_rules") or DEFAULT_RULES
        config.stash[_RUNNER] = Runner(Auditor.load(guidelines, rules))
    return config.stash[_RUNNER]


class SuiteFailure(Exception):
    """A case or coverage check failed; the message is the diff to show."""


class SuiteFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from engine.testing.suite import load_suite

        loaded, errors = load_suite(self.path)
        if loaded is None:
            yield ProblemItem.from_parent(self, name="suite", problems=[str(e) for e in errors])
            return
        problems = _runner(self.config).check(loaded)
        if problems:
            yield ProblemItem.from_parent(self, name="suite", problems=[str(e) for e in problems])
            return
        names: set[str] = set()
        for i, case in enumerate(loaded.suite.cases):
            name = case.name.replace("::", ":")
            if name in names:  # node ids must be unique within the file
                name = f"{name} [{i}]"
            names.add(name)
            yield CaseItem.from_parent(self, name=name, loaded=loaded, index=i)
        yield CoverageItem.from_parent(self, name="coverage", loaded=loaded)


class _Item(pytest.Item):
    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, SuiteFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ProblemItem(_Item):
    def __init__(self, *, problems: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self) -> None:
        raise SuiteFailure("\n".join(self.problems))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.path.name}: invalid suite"


class CaseItem(_Item):
    def __init__(self, *, loaded: LoadedSuite, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded
        self.index = index

    def runtest(self) -> None:
        result = _runner(self.config).run_case(self.loaded, self.index)
        if not result.passed:
            raise SuiteFailure(result.diff())

    def reportinfo(self) -> tuple[Path, int | None, str]:
        line = self.loaded.line("cases", self.index)
        return (
            self.path,
            (line - 1 if line else None),
            f"{self.loaded.suite.guideline}: {self.name}",
        )


class CoverageItem(_Item):
    """The suite covers its guideline: every reachable status, every threshold edge."""

    def __init__(self, *, loaded: LoadedSuite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loaded = loaded

    def runtest(self) -> None:
        from engine.testing.coverage import coverage

        runner = _runner(self.config)
        results = [runner.run_case(self.loaded, i) for i in range(len(self.loaded.suite.cases))]
        g = runner.guidelines[self.loaded.suite.guideline]
        missing = [
            f"  {c.guideline}/{c.criterion}: {p}"
            for c in coverage([g], results).criteria
            for p in c.problems()
        ]
        if missing:
            raise SuiteFailure(f"{self.path}: {g.id} is not fully covered:\n" + "\n".join(missing))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.loaded.suite.guideline}: coverage"
