"""The one error the scorer raises."""

from __future__ import annotations

from os import PathLike


class ScoringError(Exception):
    """A prediction or label file that cannot be scored; ``str`` names the file."""

    def __init__(self, path: str | PathLike[str], message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"
