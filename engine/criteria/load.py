"""Loading guideline YAML: safe loading only, every error as `file:line: message`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from engine.criteria.schema import Guideline
from engine.errors import RecheckError

M = TypeVar("M", bound=BaseModel)


def _node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at a pydantic error location (deepest node found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if key < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML file safely; return the data and its node tree (for line numbers)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecheckError("no such file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecheckError(f"cannot read: {exc}", str(path)) from None
    if not text.strip():
        raise RecheckError("empty file", str(path))
    try:
        data = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RecheckError(f"malformed YAML: {exc.problem or exc}", str(path), line) from None
    except yaml.YAMLError as exc:
        raise RecheckError(f"malformed YAML: {exc}", str(path)) from None
    return data, node


def validate(model: type[M], data: Any, node: yaml.Node | None, path: Path) -> M:
    """Validate data as `model`; the first error becomes a file:line RecheckError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        text = f"{where}: {msg}{more}" if where else f"{msg}{more}"
        raise RecheckError(text, str(path), _node_line(node, loc)) from None


def load_guideline(path: Path) -> Guideline:
    data, node = load_yaml(path)
    return validate(Guideline, data, node, path)


class Bundle(BaseModel):
    """The guideline library in force: every guideline file plus a hash of their contents."""

    guidelines: list[Guideline]
    paths: dict[str, str]  # guideline id -> file it came from
    digest: str  # sha256 over file names and bytes: identifies the bundle in decision logs

    def by_id(self) -> dict[str, Guideline]:
        return {g.id: g for g in self.guidelines}


def guideline_files(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml")))
        else:
            files.append(p)
    return files


def load_bundle(paths: Iterable[Path]) -> Bundle:
    """Load every guideline file; duplicate ids are an error naming both files."""
    paths = list(paths)
    guidelines: list[Guideline] = []
    where: dict[str, str] = {}
    sha = hashlib.sha256()
    for path in guideline_files(paths):
        g = load_guideline(path)
        if g.id in where:
            _, node = load_yaml(path)
            raise RecheckError(
                f"duplicate guideline id {g.id!r} (also in {where[g.id]})",
                str(path),
                _node_line(node, ("id",)),
            )
        where[g.id] = str(path)
        guidelines.append(g)
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if not guidelines:
        raise RecheckError("no guideline files found", ", ".join(str(p) for p in paths))
    return Bundle(guidelines=guidelines, paths=where, digest=sha.hexdigest()[:16])
