"""arXiv identifiers: parsing and normalising new-style and old-style ids, with versions."""

from __future__ import annotations

import re
from dataclasses import dataclass

# New style (since 2007-04): YYMM.NNNN (to 1412) or YYMM.NNNNN (from 1501), optional vN.
_NEW = re.compile(r"(?P<base>\d{4}\.\d{4,5})(?:v(?P<version>[1-9]\d*))?")
# Old style: archive(.SUBJ)/YYMMNNN, optional vN, e.g. hep-th/9901001v1, math.GT/0309136.
_OLD = re.compile(r"(?P<base>[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>[1-9]\d*))?")
_URL_PREFIX = re.compile(r"^(?:https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/|arxiv:)", re.I)


class InvalidArxivId(ValueError):
    """The text is not an arXiv identifier."""


@dataclass(frozen=True, slots=True, order=True)
class ArxivId:
    """An arXiv id: ``base`` without version (``2005.13013``), ``version`` or ``None``."""

    base: str
    version: int | None = None

    @property
    def key(self) -> str:
        """The cited form: ``2005.13013v2``, or ``2005.13013`` when no version is cited."""
        return f"{self.base}v{self.version}" if self.version else self.base

    def with_version(self, version: int | None) -> "ArxivId":
        return ArxivId(self.base, version)

    def __str__(self) -> str:
        return self.key


def _valid_new_style(base: str) -> bool:
    yymm, number = base.split(".")
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        return False
    # Five-digit numbers started in January 2015; before that there were four.
    return len(number) == (5 if int(yymm) >= 1501 else 4)


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an id or an arxiv.org abs/pdf/html URL; raise ``InvalidArxivId`` otherwise."""
    raw = text.strip().strip("<>").strip()
    candidate = _URL_PREFIX.sub("", raw).removesuffix(".pdf").rstrip("/")
    match = _NEW.fullmatch(candidate)
    if match and _valid_new_style(match["base"]):
        return ArxivId(match["base"], int(match["version"]) if match["version"] else None)
    match = _OLD.fullmatch(candidate)
    if match:
        return ArxivId(match["base"], int(match["version"]) if match["version"] else None)
    raise InvalidArxivId(f"not an arXiv id: {text.strip()!r}")
