"""Safe YAML/JSON loading into pydantic models, with errors as `file:line: message`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from engine.errors import RecheckError

M = TypeVar("M", bound=BaseModel)

# libyaml's safe loader when PyYAML was built with it (several times faster), else the Python one
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def node_line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
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


def safe_load(text: str) -> Any:
    """Data of trusted package YAML (vocabularies, ConText rules): safe loading only."""
    return yaml.load(text, Loader=SAFE_LOADER)


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse a YAML (or JSON) file safely; return the data and its node tree for line numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecheckError("no such file", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecheckError(f"cannot read: {exc}", str(path)) from None
    if not text.strip():
        raise RecheckError("empty file", str(path))
    try:
        # one parse: the node tree (for line numbers) and the data constructed from it
        loader = SAFE_LOADER(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RecheckError(f"malformed YAML: {exc.problem or exc}", str(path), line) from None
    except yaml.YAMLError as exc:  # e.g. ReaderError, whose text spans lines: fold it to one
        raise RecheckError(f"malformed YAML: {' '.join(str(exc).split())}", str(path)) from None
    return data, node


def problems(exc: ValidationError, node: yaml.Node | None, path: Path) -> list[RecheckError]:
    """Every validation error of a file as a file:line RecheckError."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        out.append(
            RecheckError(f"{where}: {msg}" if where else msg, str(path), node_line(node, loc))
        )
    return out


def validate(model: type[M], data: Any, node: yaml.Node | None, path: Path) -> M:
    """Validate data as `model`; the first error becomes a file:line RecheckError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = problems(exc, node, path)[0]
        if exc.error_count() > 1:
            first.message += f" (+{exc.error_count() - 1} more)"
        raise first from None


def load_model(model: type[M], path: Path) -> M:
    data, node = load_yaml(path)
    return validate(model, data, node, path)
