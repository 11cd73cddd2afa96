"""Guideline test suites: the format (suite.py), the runner behind `recheck test` (runner.py),
criterion and threshold coverage (coverage.py) and the pytest plugin (plugin.py)."""
