"""A real HTTP server on 127.0.0.1 that behaves like the parts of arXiv Claimtrace uses.

- ``GET /api/query?id_list=...`` answers Atom XML in the arXiv API's format (versioned ids
  give that version; a bare id gives the latest);
- ``GET /pdf/{id}`` serves a real PDF made with fpdf2 from the version's page texts;
- ``GET /html/{id}`` serves the version's HTML page, or 404 when it has none.

Faults are configured per request kind (``api``, ``pdf``, ``html``) and optionally per id:
a status (e.g. 503, n times, with ``Retry-After``), a delay before answering, an oversized
body, a different body (HTML instead of a PDF) or a redirect. Every request is recorded with
its arrival time, so tests can check the client's spacing and count its requests.

Usage::

    with FakeArxiv(SAMPLE_PAPERS) as server:
        settings = Settings(arxiv_api_url=server.api_url, arxiv_pdf_url=server.pdf_url, ...)
        server.fail("pdf", 503, times=2)
"""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

ATOM = "http://www.w3.org/2005/Atom"
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ET.register_namespace("", ATOM)
ET.register_namespace("arxiv", ARXIV_NS)
ET.register_namespace("opensearch", OPENSEARCH)


@dataclass(frozen=True)
class FakeVersion:
    """One version of a paper: its metadata, PDF pages and optional HTML page."""

    version: int
    title: str
    abstract: str
    pages: tuple[str, ...]
    updated: datetime
    html: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class FakePaper:
    base: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    versions: tuple[FakeVersion, ...]

    @property
    def latest(self) -> FakeVersion:
        return max(self.versions, key=lambda v: v.version)

    def version(self, number: int | None) -> FakeVersion | None:
        if number is None:
            return self.latest
        return next((v for v in self.versions if v.version == number), None)

    @property
    def published(self) -> datetime:
        return min(v.updated for v in self.versions)


@lru_cache(maxsize=256)
def make_pdf(pages: tuple[str, ...], title: str = "") -> bytes:
    """A real PDF with one page per text (paragraphs split on blank lines)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime(2020, 1, 1, tzinfo=timezone.utc))
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=False)
    for text in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        for paragraph in text.split("\n\n"):
            pdf.multi_cell(0, 5, paragraph.strip(), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


@dataclass
class Fault:
    kind: str  # "api" | "pdf" | "html"
    key: str | None  # the id in the path (pdf/html) or None for any
    times: int | None  # None: every time
    status: int | None = None
    retry_after: str | None = None
    delay_s: float = 0.0
    body: bytes | None = None
    content_type: str = "text/html; charset=utf-8"
    oversize: int | None = None
    declare_length: bool = True
    location: str | None = None

    def matches(self, kind: str, key: str | None) -> bool:
        return self.kind == kind and (self.key is None or self.key == key) and self.times != 0


@dataclass(frozen=True)
class RecordedRequest:
    time: float  # time.time() at arrival
    method: str
    path: str
    kind: str
    key: str | None
    query: dict[str, list[str]] = field(default_factory=dict)


class FakeArxiv:
    """The fake server; start with ``with FakeArxiv(papers) as server:``."""

    def __init__(self, papers: Iterable[FakePaper] = (), *, host: str = "127.0.0.1") -> None:
        self.papers: dict[str, FakePaper] = {p.base: p for p in papers}
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server = _QuietServer((host, 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-arxiv", daemon=True)

    # Lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> FakeArxiv:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/query"

    @property
    def pdf_url(self) -> str:
        return f"{self.base_url}/pdf/{{id}}"

    @property
    def html_url(self) -> str:
        return f"{self.base_url}/html/{{id}}"

    def settings_overrides(self) -> dict[str, str]:
        """The ``Settings`` fields that point Claimtrace at this server."""
        return {"arxiv_api_url": self.api_url, "arxiv_pdf_url": self.pdf_url, "arxiv_html_url": self.html_url}

    # Configuration ---------------------------------------------------------------------
    def add(self, paper: FakePaper) -> None:
        self.papers[paper.base] = paper

    def _add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def fail(self, kind: str, status: int = 503, *, times: int | None = 1, key: str | None = None,
             retry_after: str | None = None) -> Fault:
        """Answer ``status`` (with an optional ``Retry-After``) ``times`` times."""
        return self._add_fault(Fault(kind, key, times, status=status, retry_after=retry_after,
                                     body=f"error {status}".encode()))

    def slow(self, kind: str, delay_s: float, *, times: int | None = 1, key: str | None = None) -> Fault:
        """Wait ``delay_s`` before answering normally."""
        return self._add_fault(Fault(kind, key, times, delay_s=delay_s))

    def oversize(self, kind: str, size: int, *, times: int | None = None, key: str | None = None,
                 declare_length: bool = True) -> Fault:
        """Send a body of ``size`` bytes (a PDF header and padding), with or without its length."""
        return self._add_fault(Fault(kind, key, times, oversize=size, declare_length=declare_length,
                                     content_type="application/pdf"))

    def respond(self, kind: str, body: bytes, content_type: str, *, times: int | None = None,
                key: str | None = None, status: int = 200) -> Fault:
        """Answer with this body instead (e.g. an HTML page where a PDF was asked for)."""
        return self._add_fault(Fault(kind, key, times, status=status, body=body, content_type=content_type))

    def redirect(self, kind: str, location: str, *, times: int | None = None, key: str | None = None,
                 status: int = 302) -> Fault:
        return self._add_fault(Fault(kind, key, times, status=status, location=location))

    def clear(self) -> None:
        """Forget faults and recorded requests."""
        with self._lock:
            self.faults.clear()
            self.requests.clear()

    # Inspection ------------------------------------------------------------------------
    def requests_of(self, kind: str | None = None) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if kind is None or r.kind == kind]

    def pdf_bytes(self, base: str, version: int) -> bytes:
        v = self.papers[base].version(version)
        assert v is not None
        return make_pdf(v.pages, v.title)

    # Serving ---------------------------------------------------------------------------
    def _take_fault(self, kind: str, key: str | None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(kind, key):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _lookup(self, key: str) -> tuple[FakePaper, FakeVersion] | None:
        base, _, version = key.rpartition("v") if _has_version(key) else (key, "", "")
        paper = self.papers.get(base)
        if paper is None:
            return None
        found = paper.version(int(version) if version else None)
        return (paper, found) if found else None

    def atom_feed(self, ids: list[str], start: int, max_results: int) -> bytes:
        entries = [hit for key in ids if (hit := self._lookup(key))]
        page = entries[start:start + max_results]
        feed = ET.Element(f"{{{ATOM}}}feed")
        ET.SubElement(feed, f"{{{ATOM}}}id").text = "https://arxiv.org/api/fake"
        ET.SubElement(feed, f"{{{ATOM}}}title").text = f"arXiv Query: id_list={','.join(ids)}"
        ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(datetime.now(timezone.utc))
        ET.SubElement(feed, f"{{{OPENSEARCH}}}itemsPerPage").text = str(max_results)
        ET.SubElement(feed, f"{{{OPENSEARCH}}}totalResults").text = str(len(entries))
        ET.SubElement(feed, f"{{{OPENSEARCH}}}startIndex").text = str(start)
        for paper, version in page:
            vid = f"{paper.base}v{version.version}"
            entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
            ET.SubElement(entry, f"{{{ATOM}}}id").text = f"http://arxiv.org/abs/{vid}"
            ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(version.updated)
            ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(paper.published)
            ET.SubElement(entry, f"{{{ATOM}}}title").text = version.title
            ET.SubElement(entry, f"{{{ATOM}}}summary").text = f"  {version.abstract}\n"
            for name in paper.authors:
                author = ET.SubElement(entry, f"{{{ATOM}}}author")
                ET.SubElement(author, f"{{{ATOM}}}name").text = name
            if version.comment:
                ET.SubElement(entry, f"{{{ARXIV_NS}}}comment").text = version.comment
            ET.SubElement(entry, f"{{{ATOM}}}link", href=f"http://arxiv.org/abs/{vid}", rel="alternate",
                          type="text/html")
            ET.SubElement(entry, f"{{{ATOM}}}link", title="pdf", href=f"http://arxiv.org/pdf/{vid}",
                          rel="related", type="application/pdf")
            ET.SubElement(entry, f"{{{ARXIV_NS}}}primary_category", term=paper.categories[0],
                          scheme="http://arxiv.org/schemas/atom")
            for category in paper.categories:
                ET.SubElement(entry, f"{{{ATOM}}}category", term=category,
                              scheme="http://arxiv.org/schemas/atom")
        return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


class _QuietServer(ThreadingHTTPServer):
    """Threads per request; a client hanging up early (timeouts, size caps) is not an error."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            super().handle_error(request, client_address)


def _has_version(key: str) -> bool:
    head, sep, tail = key.rpartition("v")
    return bool(sep and head and tail.isdigit())


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _handler_for(fake: FakeArxiv) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeArxiv/1.0"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            arrived = time.time()
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            kind, key = "other", None
            if parts.path == "/api/query":
                kind = "api"
            elif parts.path.startswith(("/pdf/", "/html/")):
                kind, _, key = parts.path[1:].partition("/")
                key = unquote(key)
            fake._record(RecordedRequest(arrived, "GET", self.path, kind, key, query))
            fault = fake._take_fault(kind, key)
            if fault is not None and self._serve_fault(fault):
                return
            if kind == "api":
                ids = [i for i in ",".join(query.get("id_list", [""])).split(",") if i]
                start = int(query.get("start", ["0"])[0])
                max_results = int(query.get("max_results", ["10"])[0])
                self._send(200, fake.atom_feed(ids, start, max_results), "application/atom+xml; charset=utf-8")
                return
            hit = fake._lookup(key) if key and _has_version(key) else None
            if kind == "pdf" and hit:
                self._send(200, make_pdf(hit[1].pages, hit[1].title), "application/pdf")
            elif kind == "html" and hit and hit[1].html is not None:
                self._send(200, hit[1].html.encode("utf-8"), "text/html; charset=utf-8")
            else:
                self._send(404, f"No {kind} for {key!r}".encode(), "text/plain")

        def _serve_fault(self, fault: Fault) -> bool:
            """Serve the fault; False when it only delays a normal answer."""
            if fault.delay_s:
                time.sleep(fault.delay_s)
            if fault.location:
                self.send_response(fault.status or 302)
                self.send_header("Location", fault.location)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return True
            if fault.oversize is not None:
                self._send_oversize(fault)
                return True
            if fault.body is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                self._send(fault.status or 200, fault.body, fault.content_type, headers)
                return True
            return False

        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _send_oversize(self, fault: Fault) -> None:
            assert fault.oversize is not None
            self.send_response(200)
            self.send_header("Content-Type", fault.content_type)
            if fault.declare_length:
                self.send_header("Content-Length", str(fault.oversize))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            chunk = b"%PDF-1.4\n" + b"0" * 65527
            sent = 0
            try:
                while sent < fault.oversize:
                    piece = chunk[: fault.oversize - sent]
                    self.wfile.write(piece)
                    sent += len(piece)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
