"""`recheck lint`: every problem of the guideline library as `file:line: message`."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from engine.criteria.load import guideline_files
from engine.criteria.overlap import analyse, flow
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


def _overlaps(
    g: Guideline, node: yaml.Node | None, path: Path, policy: DecisionPolicy
) -> list[RecheckError]:
    """Contradictory and gapped criteria, at the line of the later criterion of each pair."""
    index = {c.id: i for i, c in enumerate(g.criteria)}
    out = []
    for p in analyse(g, policy):
        at = max(index[c] for c in p.criteria)
        out.append(
            RecheckError(
                f"{p.message}; counterexample: {flow(p.counterexample)}",
                str(path),
                node_line(node, ("criteria", at, "id")),
            )
        )
    return out


def lint(paths: Iterable[Path], rules: Path | None = None) -> list[RecheckError]:
    """Schema, ids, fact names and citations of every file; with valid decision rules, also
    contradictions and gaps between the criteria of each guideline (engine/criteria/overlap.py)."""
    found: list[RecheckError] = []
    seen: dict[str, str] = {}
    policy: DecisionPolicy | None = None
    if rules is not None:
        errors, loaded_rules = _check(DecisionPolicy, rules)
        found.extend(errors)
        policy = loaded_rules[0] if loaded_rules else None
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
        if policy is not None:
            found.extend(_overlaps(g, node, path, policy))
    return found
