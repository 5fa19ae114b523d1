"""The unit of evidence: a sentence-sized span of a source's text."""

from __future__ import annotations

import re
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


_NUMBERED_HEADING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.|[A-Z]\.)\s+[A-Z]")
_TERMINAL = re.compile(r"[.!?:;][\"'”’)\]]*\s*$")
HEADING_MAX_WORDS = 20


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s-]", " ", text.lower()).split())


def is_heading(text: str, title: str | None = None) -> bool:
    """A title or section heading rather than a statement: the paper's known title (alone or
    followed by a byline), a numbered heading ("3.2 Results"), or a short line without
    terminal punctuation. Such a passage is never evidence on its own."""
    words = text.split()
    if title:
        own, known = _normalised(text), _normalised(title)
        if known and own.startswith(known) and len(words) <= len(title.split()) + 15:
            return True
    if len(words) > HEADING_MAX_WORDS:
        return False
    if _NUMBERED_HEADING.match(text) and len(words) <= 12:
        return True
    return not _TERMINAL.search(text)
