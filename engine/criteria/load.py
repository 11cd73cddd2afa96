"""Loading guideline YAML: safe loading only, every error as `file:line: message`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel

from engine.criteria.schema import Guideline
from engine.errors import RecheckError
from engine.yamlio import load_model, load_yaml, node_line


def load_guideline(path: Path) -> Guideline:
    return load_model(Guideline, path)


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
                node_line(node, ("id",)),
            )
        where[g.id] = str(path)
        guidelines.append(g)
        sha.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    if not guidelines:
        raise RecheckError("no guideline files found", ", ".join(str(p) for p in paths))
    return Bundle(guidelines=guidelines, paths=where, digest=sha.hexdigest()[:16])
