"""Guideline criteria as data: the YAML schema, loading with file:line errors, evaluation."""
