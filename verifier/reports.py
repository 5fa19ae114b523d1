"""Parsing literature-synthesis reports (plain or markdown headings) into plain dataclasses.

The parser is strict: a malformed report is rejected whole with a ``ReportParseError`` naming
the (1-based) line and the problem, so nothing half-parsed is ever stored.

It runs in time linear in the input, whatever the input: line-level patterns only look at lines
short enough to be what they match (headings, the table header, dates); patterns over the whole
text start at a literal or at the start of a run (look-behind) and consume runs possessively,
so no run is scanned more than a bounded number of times; numbers are length-checked before
conversion.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from verifier.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id

DEFAULT_MAX_BYTES = 2_000_000
DEFAULT_MAX_CLAIMS = 2_000
# The reports we see cut claims at 120 characters, mid-word (a cut before a space leaves 119).
TRUNCATION_LENGTH = 120
TRUNCATION_SLACK = 5

VERIFIED_MARKS = {"✓": True, "✔": True, "☑": True, "yes": True, "true": True,
                  "×": False, "✗": False, "✘": False, "x": False, "no": False, "false": False}
TERMINAL_PUNCTUATION = ('.', '!', '?', '…', ')', '"', "'", '”', '’', ']')

# Line-level patterns are applied only to lines up to these lengths (a heading, the table header
# and a date are short), which bounds their cost whatever their backtracking.
MAX_HEADING_LENGTH = 120
MAX_DATE_LENGTH = 40
MAX_CLAIM_LENGTH = 5_000
MAX_REFERENCE_LENGTH = 2_000
MAX_CONFIDENCE_LENGTH = 32
MAX_FIGURE_DIGITS = 15  # stated counts beyond 10^15 are not counts of papers or claims
QUESTION_WINDOW = 2_000  # a research question ends within this many characters of its label

_HEADING = re.compile(r"^(?:#{1,6}\s+)?(?:\d+(?:\.\d+)*\.?\s+)?(?P<name>[A-Za-z][A-Za-z ]{2,60})\s*$")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(?P<name>.+?)\s*$")
_KNOWN_SECTIONS = {"abstract", "introduction", "methodology", "methods", "results", "limitations",
                   "extracted claims", "claims", "references", "discussion", "conclusion"}
_TABLE_HEADER = re.compile(r"^\s*claims?\s*\t\s*verified\s*\t\s*confidence\s*$", re.I)
_RESEARCH_QUESTION_LABEL = "Research question:"
_QUESTION_END = re.compile(r"\?(?:\.|\s|$)")
# A stated figure is a number just before a keyword ("12 papers retrieved"). The keyword is found
# first (a literal: fast), then the number in a short window before it; runs are matched
# possessively (*+, ++) so each character is looked at a bounded number of times.
FIGURE_LOOKBACK = 64
FIGURE_CANDIDATES = 1_000  # keyword occurrences examined per figure (reports state figures early)
_NUMBER_BEFORE = re.compile(r"(?<![\d,])(?P<n>\d[\d,]*+)\s++(?:independently\s++)?\Z", re.I)
_PAPERS = re.compile(r"papers\s++retrieved", re.I)
_EXTRACTED = re.compile(r"claims\s++extracted", re.I)
_VERIFIED = re.compile(r"verified", re.I)
_PAPERS_ALT = re.compile(r"yielded\s++(?P<n>\d[\d,]*+)\s++papers", re.I)
_QUALITY = re.compile(r"quality (?:review )?score(?: of|:)?\s*+(?P<n>\d++(?:\.\d++)?+)\s*+/\s*+10(?!\d)", re.I)
_ARXIV_PREFIX = re.compile(r"arxiv\.org/(?:abs|pdf|html)/|arxiv:\s*+", re.I)
_ARXIV_RUN = re.compile(r"[\w.\-/]++")
_ARXIV_END = frozenset(">)],;")  # or whitespace, or the end of the line
_BULLET = re.compile(r"^\s*+(?:[-*•]|\[\d++\]|\d++[.)])\s*+")
_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y-%m-%d", "%B %Y")


class ReportParseError(ValueError):
    """A report that cannot be ingested; ``line`` is 1-based (0 when not about one line)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message


class ReportTooLargeError(ReportParseError):
    """The report exceeds a configured size limit (bytes or claims)."""


@dataclass(frozen=True, slots=True)
class ParsedClaim:
    text: str
    verified: bool
    confidence: float
    line: int
    truncated: bool
    key: str  # the wording's identity (``claim_key``)
    group_key: str  # its near-duplicate group (``claim_group_key``)


@dataclass(frozen=True, slots=True)
class ParsedReference:
    raw: str
    line: int
    arxiv: ArxivId | None
    warning: str | None = None


@dataclass(slots=True)
class ParsedReport:
    title: str
    sha256: str
    text: str
    author: str | None = None
    date: date | None = None
    research_question: str | None = None
    papers_retrieved: int | None = None
    claims_extracted: int | None = None
    claims_verified: int | None = None
    quality_score: float | None = None
    claims: list[ParsedClaim] = field(default_factory=list)
    references: list[ParsedReference] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, no trailing spaces, no leading/trailing blank lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n") + "\n"


def claim_key(text: str) -> str:
    """The identity of a claim wording: case and whitespace do not matter."""
    folded = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def is_truncated(text: str) -> bool:
    """Whether a claim looks cut off: at the cut length with no sentence-final punctuation."""
    stripped = text.rstrip()
    if stripped.endswith(("...", "…")):
        return True
    return len(stripped) >= TRUNCATION_LENGTH - TRUNCATION_SLACK and not stripped.endswith(TERMINAL_PUNCTUATION)


def decode_report(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Bytes → text, rejecting oversized and non-UTF-8 input with the offending line."""
    if len(data) > max_bytes:
        raise ReportTooLargeError(0, f"report is {len(data):,} bytes, over the size limit of {max_bytes:,}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReportParseError(line, f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x})") from None


def parse_report(text: str, *, max_bytes: int = DEFAULT_MAX_BYTES,
                 max_claims: int = DEFAULT_MAX_CLAIMS) -> ParsedReport:
    """Parse one report; raise ``ReportParseError`` naming the line of the first problem."""
    if len(text.encode("utf-8")) > max_bytes:
        raise ReportTooLargeError(0, f"report is over the size limit of {max_bytes:,} bytes")
    if "\x00" in text:
        raise ReportParseError(text[: text.index("\x00")].count("\n") + 1, "not text (NUL byte)")
    normalised = normalise_text(text)
    if not normalised.strip():
        raise ReportParseError(1, "the report is empty")
    # Parse the lines as given (only line ends and trailing spaces unified) so that line numbers
    # in errors match the file; the hash is over the normalised text.
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n")
             .replace("\r", "\n").split("\n")]
    sections = _find_sections(lines)
    report = ParsedReport(title="", sha256=hashlib.sha256(normalised.encode()).hexdigest(),
                          text="\n".join(lines))
    _parse_front_matter(lines, sections, report)
    body = "\n".join(lines)
    report.research_question = _research_question(body)
    _parse_stated_figures(body, report)
    report.claims = _parse_claims_table(lines, sections, max_claims)
    report.references = _parse_references(lines, sections)
    report.warnings = [f"line {r.line}: {r.warning}" for r in report.references if r.warning]
    return report


def _section_name(line: str) -> str | None:
    if len(line) > MAX_HEADING_LENGTH:
        return None
    match = _HEADING.match(line)
    if match and match["name"].strip().lower() in _KNOWN_SECTIONS:
        return match["name"].strip().lower()
    if line.startswith("##") and (md := _MARKDOWN_HEADING.match(line)):  # "# " is the title
        return md["name"].strip().lower()
    return None


def _find_sections(lines: list[str]) -> dict[str, int]:
    """Section name → index of its heading line (first occurrence)."""
    sections: dict[str, int] = {}
    for index, line in enumerate(lines):
        name = _section_name(line)
        if name and index > 0 and name not in sections:
            sections[name] = index
    return sections


def _parse_front_matter(lines: list[str], sections: dict[str, int], report: ParsedReport) -> None:
    end = min(sections.values(), default=len(lines))
    front = [(i, line.strip()) for i, line in enumerate(lines[:end]) if line.strip()]
    if not front:
        raise ReportParseError(1, "no title before the first section")
    report.title = front[0][1].lstrip("#").strip()
    for _, line in front[1:]:
        parsed = _parse_date(line)
        if parsed and report.date is None:
            report.date = parsed
        elif report.author is None:
            report.author = line


def _parse_date(text: str) -> date | None:
    if len(text) > MAX_DATE_LENGTH:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _research_question(body: str) -> str | None:
    """The question after the first "Research question:" label, up to its "?" (bounded window)."""
    start = body.find(_RESEARCH_QUESTION_LABEL)
    if start < 0:
        return None
    start += len(_RESEARCH_QUESTION_LABEL)
    window = body[start:start + QUESTION_WINDOW]
    end = _QUESTION_END.search(window)
    question = " ".join(window[:end.start() + 1].split()) if end else ""
    return question if len(question) > 1 else None


def _line_of(body: str, index: int) -> int:
    return body.count("\n", 0, index) + 1


def _figure(body: str, match: re.Match[str], digits: str) -> int:
    if len(digits) > MAX_FIGURE_DIGITS:
        raise ReportParseError(_line_of(body, match.start()), f"stated figure {digits[:20]}… has more than "
                               f"{MAX_FIGURE_DIGITS} digits; a count of papers or claims has fewer")
    return int(digits)


def _number_before(body: str, keyword: re.Match[str]) -> int | None:
    """The number right before ``keyword`` (spaces between), or None."""
    start = max(0, keyword.start() - FIGURE_LOOKBACK)
    match = _NUMBER_BEFORE.search(body[start:keyword.start()])
    if match is None:
        return None
    digits = match["n"].replace(",", "")
    if match.start() == 0 and start > 0 and body[start - 1] in "0123456789,":
        digits = "9" * (MAX_FIGURE_DIGITS + 1)  # the run goes on before the window: far too long
    return _figure(body, keyword, digits)


def _first_figure(body: str, keyword: re.Pattern[str]) -> int | None:
    for match in itertools.islice(keyword.finditer(body), FIGURE_CANDIDATES):
        if (value := _number_before(body, match)) is not None:
            return value
    return None


def _parse_stated_figures(body: str, report: ParsedReport) -> None:
    report.papers_retrieved = _first_figure(body, _PAPERS)
    if report.papers_retrieved is None and (match := _PAPERS_ALT.search(body)):
        report.papers_retrieved = _figure(body, match, match["n"].replace(",", ""))
    report.claims_extracted = _first_figure(body, _EXTRACTED)
    report.claims_verified = _first_figure(body, _VERIFIED)
    if match := _QUALITY.search(body):
        text = match["n"]
        score = float(text) if len(text) <= MAX_CONFIDENCE_LENGTH else math.inf
        if not 0.0 <= score <= 10.0:
            raise ReportParseError(_line_of(body, match.start()),
                                   f"quality score {text[:20]} is outside [0, 10]")
        report.quality_score = score


def _parse_claims_table(lines: list[str], sections: dict[str, int], max_claims: int) -> list[ParsedClaim]:
    header = next((i for i, line in enumerate(lines)
                   if len(line) <= MAX_HEADING_LENGTH and _TABLE_HEADER.match(line)), None)
    if header is None:
        where = sections.get("extracted claims", sections.get("claims"))
        line = where + 1 if where is not None else max(i + 1 for i, text in enumerate(lines) if text.strip())
        raise ReportParseError(line, "no claims table: expected a header row 'Claim<TAB>Verified<TAB>Confidence'")
    claims: list[ParsedClaim] = []
    for index in range(header + 1, len(lines)):
        raw = lines[index]
        if not raw.strip() or _section_name(raw):
            break
        if len(claims) >= max_claims:
            raise ReportTooLargeError(index + 1, f"more than {max_claims:,} claims (the limit)")
        claims.append(_parse_claim_row(raw, index + 1))
    if not claims:
        raise ReportParseError(header + 1, "the claims table has no rows")
    return claims


def _parse_claim_row(raw: str, line: int) -> ParsedClaim:
    cells = raw.split("\t")
    if len(cells) != 3:
        raise ReportParseError(line, f"claims table row has {len(cells)} columns; expected 3 (claim, verified, confidence)")
    text, mark, confidence_text = (cell.strip() for cell in cells)
    if not text:
        raise ReportParseError(line, "empty claim text")
    if len(text) > MAX_CLAIM_LENGTH:
        raise ReportParseError(line, f"claim text is {len(text):,} characters; a claim has at most "
                                     f"{MAX_CLAIM_LENGTH:,}")
    verified = VERIFIED_MARKS.get(mark.lower())
    if verified is None:
        raise ReportParseError(line, f"unknown verified mark {mark!r}; expected ✓ or ×")
    try:
        if len(confidence_text) > MAX_CONFIDENCE_LENGTH:
            raise ValueError
        confidence = float(confidence_text)
    except ValueError:
        raise ReportParseError(line, f"confidence {confidence_text!r} is not a number") from None
    if not 0.0 <= confidence <= 1.0:  # also rejects NaN
        raise ReportParseError(line, f"confidence {confidence_text} is outside [0, 1]")
    single_spaced = " ".join(text.split())
    return ParsedClaim(text=single_spaced, verified=verified, confidence=confidence, line=line,
                       truncated=is_truncated(text), key=claim_key(single_spaced),
                       group_key=claim_group_key(single_spaced))


def _parse_references(lines: list[str], sections: dict[str, int]) -> list[ParsedReference]:
    start = sections.get("references")
    if start is None:
        return []
    references: list[ParsedReference] = []
    for index in range(start + 1, len(lines)):
        raw = lines[index].strip()
        if not raw:
            continue
        if _section_name(raw):
            break
        if len(raw) > MAX_REFERENCE_LENGTH:
            raise ReportParseError(index + 1, f"reference is {len(raw):,} characters; a reference has at most "
                                              f"{MAX_REFERENCE_LENGTH:,}")
        references.append(_parse_reference(raw, index + 1))
    return references


def _arxiv_in_text(text: str) -> str | None:
    """The id after the first arXiv URL or ``arXiv:`` prefix whose run ends the id properly.

    Prefixes inside an already-scanned run share its end, so each run is scanned once.
    """
    scanned = 0
    for prefix in _ARXIV_PREFIX.finditer(text):
        if prefix.end() <= scanned:  # inside a run already scanned: same end, same outcome
            continue
        run = _ARXIV_RUN.match(text, prefix.end())
        if run is None:
            continue
        scanned = run.end()
        after = text[run.end():run.end() + 1]
        if after and after not in _ARXIV_END and not after.isspace():
            continue
        candidate = run.group()
        if candidate.lower().endswith(".pdf") and len(candidate) > 4:
            candidate = candidate[:-4]
        return candidate
    return None


def _parse_reference(raw: str, line: int) -> ParsedReference:
    text = _BULLET.sub("", raw, count=1).strip()
    candidate = _arxiv_in_text(text) or text.strip("<>").strip()
    try:
        return ParsedReference(raw=text, line=line, arxiv=parse_arxiv_id(candidate))
    except InvalidArxivId:
        return ParsedReference(raw=text, line=line, arxiv=None,
                               warning=f"reference {text!r} is not a valid arXiv id; kept, not fetched")


_STOPWORDS = frozenset(
    "a an the our their its this that these those we they it is are was were be been of on in to "
    "for with by and or as at from".split()
)


def claim_group_key(text: str) -> str:
    """Near-duplicate wordings ("Evaluating our best…" / "Evaluating the best…") share this key."""
    tokens = re.findall(r"\w+(?:[.\-]\w+)*", unicodedata.normalize("NFKC", text).casefold())
    content = sorted({token for token in tokens if token not in _STOPWORDS})
    return hashlib.sha256(" ".join(content).encode()).hexdigest()
