"""`recheck lint`: every problem of the guideline library as `file:line: message`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from engine.criteria.load import guideline_files
from engine.criteria.schema import Guideline
from engine.errors import RecheckError
from engine.verdict import DecisionPolicy
from engine.yamlio import M, load_yaml, node_line, problems


def _check(
    model: type[M], path: Path
) -> tuple[list[RecheckError], tuple[M, yaml.Node | None] | None]:
    """All problems of one file, or the validated model and its YAML nodes."""
    try:
        data, node = load_yaml(path)
    except RecheckError as exc:
        return [exc], None
    try:
        return [], (model.model_validate(data), node)
    except ValidationError as exc:
        return problems(exc, node, path), None


def lint(paths: Iterable[Path], rules: Path | None = None) -> list[RecheckError]:
    found: list[RecheckError] = []
    seen: dict[str, str] = {}
    files = guideline_files(paths)
    if not files:
        found.append(RecheckError("no guideline files found", ", ".join(map(str, paths))))
    for path in files:
        errors, loaded = _check(Guideline, path)
        found.extend(errors)
        if loaded is None:
            continue
        g, node = loaded
        if g.id in seen:
            found.append(
                RecheckError(
                    f"duplicate guideline id {g.id!r} (also in {seen[g.id]})",
                    str(path),
                    node_line(node, ("id",)),
                )
            )
        seen.setdefault(g.id, str(path))
    if rules is not None:
        found.extend(_check(DecisionPolicy, rules)[0])
    return found
