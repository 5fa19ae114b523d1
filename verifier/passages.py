"""The unit of evidence: a sentence-sized span of a source's text."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Passage:
    """A span of a source's extracted text.

    ``start``/``end`` are character offsets into the source's full extracted text (the text
    whose sha256 is stored on the source), ``page`` is 1-based or ``None`` for sources with no
    pages (HTML, plain text).
    """

    index: int
    text: str
    start: int
    end: int
    page: int | None = None
