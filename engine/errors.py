"""The one error type users see: a one-line message naming the file (and line for YAML)."""

from __future__ import annotations


class RecheckError(Exception):
    """An input problem reported as `file[:line]: message`, never as a traceback."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.path = path
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message
