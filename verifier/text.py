"""Full text from PDF, HTML or plain text, and its split into sentence passages.

The extracted text is one string (whose sha256 identifies it); passages are spans of it, so
``text[p.start:p.end] == p.text`` always holds. Layout of the string:

- blocks (paragraphs, headings, tables, pages) are separated by ``"\\n\\n"`` and never
  joined into one passage; a table's rows are separated by ``"\\n"``;
- inside a block, wrapped lines are joined with spaces (after a line-end hyphen, without).

PDFs are read with pypdf: pure Python, permissive with the PDFs arXiv serves, and enough for
sentence-level evidence. HTML tables keep one line per row with cells joined by `` | ``, so a
number stays next to its row and column labels.
"""

from __future__ import annotations

import io
import logging
import re
from bisect import bisect_right
from dataclasses import dataclass
from html.parser import HTMLParser

from verifier.passages import Passage

log = logging.getLogger(__name__)

MAX_PASSAGE_CHARS = 1200
CELL_SEPARATOR = " | "


class TextExtractionError(ValueError):
    """The file yields no usable text; the message says which file kind and why."""


@dataclass(frozen=True, slots=True)
class PageSpan:
    page: int  # 1-based
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Document:
    """Extracted text; ``pages`` maps character ranges to PDF pages (empty without pages)."""

    text: str
    kind: str  # "pdf" | "html" | "text" (or "pdf+html")
    pages: tuple[PageSpan, ...] = ()

    def page_at(self, offset: int) -> int | None:
        at = bisect_right(self.pages, offset, key=lambda span: span.start) - 1
        if at >= 0 and offset < self.pages[at].end:
            return self.pages[at].page
        return None


# Plain-text layout ---------------------------------------------------------------------------

_TERMINAL = re.compile(r"[.!?:;)\]\"'”’]$")


def _join_lines(lines: list[str]) -> list[str]:
    """Re-flow wrapped lines into blocks: a short line ends its block (paragraph end, heading,
    table row), a long one continues into the next; a line-end hyphen joins without a space."""
    lines = [" ".join(line.split()) for line in lines]
    widths = sorted(len(line) for line in lines if line)
    if not widths:
        return []
    # Lines of a paragraph fill the column; the 80th percentile width is the column width.
    full = widths[int(0.8 * (len(widths) - 1))]
    blocks: list[str] = []
    current = ""
    for line in lines:
        if not line:
            if current:
                blocks.append(current)
                current = ""
            continue
        if current.endswith("-") and len(current) > 1 and current[-2].isalpha() and line[:1].islower():
            # Keep the hyphen: "cross-|lingual" is more common in papers than "improve-|ments",
            # and a kept hyphen never merges two words into a wrong one.
            current += line
        else:
            current = f"{current} {line}" if current else line
        if len(line) < 0.7 * full:
            blocks.append(current)
            current = ""
    if current:
        blocks.append(current)
    return blocks


def normalise_plain(raw: str) -> str:
    """Plain text with wrapped lines joined and blocks separated by blank lines."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return "\n\n".join(_join_lines(raw.split("\n")))


def text_to_document(raw: str) -> Document:
    text = normalise_plain(raw)
    if not text.strip():
        raise TextExtractionError("plain text: the file holds no text")
    return Document(text, "text")


# PDF ---------------------------------------------------------------------------------------

def pdf_to_document(data: bytes) -> Document:
    """Text of every page, pages separated by blank lines, with each page's character span."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on malformed files
        if isinstance(exc, MemoryError):
            raise
        raise TextExtractionError(f"PDF: cannot be read ({type(exc).__name__}: {exc})") from exc
    parts: list[str] = []
    spans: list[PageSpan] = []
    offset = 0
    for number, raw in enumerate(raw_pages, start=1):
        page_text = normalise_plain(raw)
        if not page_text:
            continue
        if parts:
            offset += 2  # the "\n\n" between pages
        spans.append(PageSpan(number, offset, offset + len(page_text)))
        parts.append(page_text)
        offset += len(page_text)
    text = "\n\n".join(parts)
    if not text.strip():
        raise TextExtractionError(
            f"PDF: no extractable text on any of its {len(raw_pages)} pages (scanned images?)"
        )
    return Document(text, "pdf", tuple(spans))


# HTML --------------------------------------------------------------------------------------

_SKIP = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "button", "form"}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "aside", "blockquote", "pre", "ul", "ol",
    "li", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption",
    "caption", "table", "thead", "tbody", "tfoot", "br", "hr", "title", "address", "details",
    "summary",
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


class _HtmlText(HTMLParser):
    """Collects blocks of text; table rows become ``cell | cell`` lines, captions kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str | list[str]] = []  # a table is one block: its caption and rows
        self.tables: list[list[str]] = []
        self._buffer: list[str] = []
        self._skip_depth = 0
        self._math_depth = 0
        self._table_depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._pending_caption: str | None = None
        self._table_just_closed = False

    def _flush(self) -> None:
        text = " ".join("".join(self._buffer).split())
        self._buffer.clear()
        if not text:
            return
        if self._in_caption and (self._table_depth or self._table_just_closed) and self.tables:
            self.tables[-1].insert(0, text)  # <caption>, or a figcaption after its table
        else:
            self.blocks.append(text)
            self._pending_caption = text if self._in_caption else None
        self._table_just_closed = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_depth:
            self._skip_depth += tag not in _VOID
            return
        if tag in _SKIP:
            self._skip_depth = 1
            return
        if self._math_depth:
            self._math_depth += tag not in _VOID
            return
        if tag == "math":
            # LaTeXML and MathJax pages carry the TeX source in ``alttext``; MathML is noise.
            alt = dict(attrs).get("alttext")
            self._write(f" {alt} " if alt else " ")
            self._math_depth = 1
            return
        if tag == "table":
            self._flush()
            self._table_depth += 1
            if self._table_depth == 1:
                table = [self._pending_caption] if self._pending_caption else []
                if table and self.blocks and self.blocks[-1] == table[0]:
                    self.blocks.pop()  # the caption moves into the table's block
                self.tables.append(table)
                self.blocks.append(table)
                self._pending_caption = None
        elif tag == "tr" and self._table_depth:
            self._row = []
        elif tag in {"td", "th"} and self._row is not None:
            self._cell = []
        elif tag in _BLOCK and self._cell is None:
            self._flush()
            self._in_caption = tag in {"caption", "figcaption"}

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if self._math_depth:
            self._math_depth -= 1
            return
        if tag in {"td", "th"} and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if any(self._row) and self.tables:
                self.tables[-1].append(CELL_SEPARATOR.join(self._row))
            self._row = None
        elif tag == "table" and self._table_depth:
            self._flush()
            self._table_depth -= 1
            self._table_just_closed = self._table_depth == 0
        elif tag in _BLOCK and self._cell is None:
            self._flush()
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and not self._math_depth:
            self._write(data)

    def _write(self, data: str) -> None:
        (self._cell if self._cell is not None else self._buffer).append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _parse_html(data: bytes | str) -> _HtmlText:
    source = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    return parser


def html_to_blocks(data: bytes | str) -> list[str]:
    """Blocks of an HTML page in reading order; a table is one block, one line per row."""
    return [b if isinstance(b, str) else "\n".join(b) for b in _parse_html(data).blocks if b]


def html_to_document(data: bytes | str) -> Document:
    text = "\n\n".join(html_to_blocks(data))
    if not text.strip():
        raise TextExtractionError("HTML: the page holds no text")
    return Document(text, "html")


def html_tables_text(data: bytes | str) -> str:
    """Only the tables of an HTML page (caption first), one block per table."""
    return "\n\n".join("\n".join(rows) for rows in _parse_html(data).tables if rows)


def combine_pdf_and_html(pdf: Document, html: bytes | str) -> Document:
    """The PDF's paged text followed by the HTML's tables, which PDF extraction scrambles."""
    tables = html_tables_text(html)
    if not tables:
        return pdf
    return Document(f"{pdf.text}\n\n{tables}", "pdf+html", pdf.pages)


def extract_document(data: bytes, kind: str) -> Document:
    """Dispatch on ``kind`` (``pdf``, ``html`` or ``text``)."""
    if kind == "pdf":
        return pdf_to_document(data)
    if kind == "html":
        return html_to_document(data)
    if kind == "text":
        return text_to_document(data.decode("utf-8", errors="replace"))
    raise TextExtractionError(f"unknown document kind {kind!r} (expected pdf, html or text)")


def sniff_kind(data: bytes, filename: str = "") -> str:
    """``pdf``, ``html`` or ``text`` from the content (and the file name as a hint)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or filename.lower().endswith((".html", ".htm")):
        return "html"
    if b"\x00" in data[:4096]:
        raise TextExtractionError(f"{filename or 'file'}: binary content that is not a PDF")
    return "text"


# Sentences ---------------------------------------------------------------------------------

# Words after which a period does not end a sentence.
_ABBREVIATIONS = {
    "e.g", "i.e", "al", "etc", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "no", "vs",
    "cf", "approx", "resp", "dr", "mr", "ms", "prof", "st", "jr", "ref", "refs", "app", "ch",
    "viz", "inc", "ltd", "co", "corp", "ca", "appx", "def", "thm", "lem", "prop",
}
# A boundary candidate: terminal punctuation, optional closing quotes/brackets, whitespace,
# then something that can start a sentence.
_BOUNDARY = re.compile(r"[.!?][\"')\]”’]*\s+(?=[\"'(\[“‘]?[A-Z0-9])")


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside ``text[start:end]`` (one block)."""
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _BOUNDARY.finditer(text, start, end):
        if _is_abbreviation(text, match.start()):
            continue
        stop = match.start() + len(match.group().rstrip())
        spans.append((begin, stop))
        begin = match.end()
    spans.append((begin, end))
    return spans


def _chunk(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """Split an over-long span at word boundaries into pieces of at most ``limit`` chars."""
    pieces: list[tuple[int, int]] = []
    while end - start > limit:
        cut = text.rfind(" ", start, start + limit)
        if cut <= start:
            cut = start + limit
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    pieces.append((start, end))
    return pieces


_LINE = re.compile(r"[^\n]+")
_BLOCK_RE = re.compile(r"(?:[^\n]|\n(?!\n))+")


def _row_groups(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A table block in pieces of whole rows, each at most ``limit`` chars where possible."""
    pieces: list[tuple[int, int]] = []
    begin = stop = start
    for row in _LINE.finditer(text, start, end):
        if stop > begin and row.end() - begin > limit:
            pieces.append((begin, stop))
            begin = row.start()
        stop = row.end()
    pieces.append((begin, stop))
    return pieces


def split_passages(doc: Document, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Passages of ``doc`` in reading order, with page and character offsets: a sentence of
    prose, or a table (whole rows, caption included) of up to ``max_chars``."""
    text = doc.text
    passages: list[Passage] = []
    for block in _BLOCK_RE.finditer(text):
        b_start, b_end = block.start(), block.end()
        if "\n" in block.group().strip():
            spans = _row_groups(text, b_start, b_end, max_chars)
        else:
            spans = _sentence_spans(text, b_start, b_end)
        for s_start, s_end in spans:
            for c_start, c_end in _chunk(text, s_start, s_end, max_chars):
                while c_start < c_end and text[c_start].isspace():
                    c_start += 1
                while c_end > c_start and text[c_end - 1].isspace():
                    c_end -= 1
                piece = text[c_start:c_end]
                if not any(ch.isalnum() for ch in piece):
                    continue
                passages.append(Passage(len(passages), piece, c_start, c_end, doc.page_at(c_start)))
    return passages
