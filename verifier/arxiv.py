"""arXiv papers at the exact version cited: metadata, PDF and HTML, cached and polite.

Metadata comes through the ``arxiv`` package (query building, Atom parsing), whose HTTP goes
through :class:`verifier.arxiv_http.PoliteHttp` like every other request, so the package's
own missing timeouts and per-client rate limit do not matter. Full text is downloaded
version-pinned (``{id}`` in the URL templates is always a versioned id) and stored
content-addressed; a version is never downloaded twice, and offline mode answers from the
cache or says what is missing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import arxiv
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from verifier.arxiv_http import (
    ArxivFetchError,
    ContentRejected,
    GaveUp,
    HttpPolicy,
    HttpStatusError,
    NetworkUnreachable,
    OfflineMiss,
    PoliteHttp,
    RequestRefused,
)
from verifier.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id
from verifier.cache import ContentCache

__all__ = [
    "ArxivConfig", "ArxivFetchError", "ArxivFetcher", "ArxivId", "ContentRejected", "FetchedFile",
    "FetchedPaper", "GaveUp", "HttpStatusError", "InvalidArxivId", "NetworkUnreachable", "NotOnArxiv",
    "OfflineMiss",
    "PaperMetadata", "RequestRefused", "parse_arxiv_id", "store_local_copy",
]

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


class NotOnArxiv(ArxivFetchError):
    """arXiv has no such paper, or no such version of it."""


@dataclass(frozen=True, slots=True)
class ArxivConfig:
    """Where arXiv is and how to treat it; built from the app settings by the service."""

    data_dir: Path
    api_url: str = "https://export.arxiv.org/api/query"
    pdf_url: str = "https://arxiv.org/pdf/{id}"
    html_url: str | None = "https://arxiv.org/html/{id}"
    min_interval_s: float = 3.0
    timeout_s: float = 30.0
    retries: int = 4
    backoff_s: float = 1.0
    max_download_bytes: int = 50_000_000
    offline: bool = False

    def __post_init__(self) -> None:
        for name in ("pdf_url", "html_url"):
            template = getattr(self, name)
            if template is not None and "{id}" not in template:
                raise ValueError(f"{name} must contain '{{id}}': {template!r}")

    def http_policy(self) -> HttpPolicy:
        urls = tuple(u for u in (self.api_url, self.pdf_url, self.html_url) if u)
        return HttpPolicy(
            allowed_urls=urls,
            state_dir=self.data_dir / "locks",
            min_interval_s=self.min_interval_s,
            timeout_s=self.timeout_s,
            retries=self.retries,
            backoff_s=self.backoff_s,
            max_download_bytes=self.max_download_bytes,
            offline=self.offline,
        )


@dataclass(frozen=True, slots=True)
class PaperMetadata:
    """What the arXiv API says about one version of a paper."""

    id: ArxivId  # always versioned
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    primary_category: str
    published: datetime
    updated: datetime
    latest_version: int
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    @property
    def version(self) -> int:
        assert self.id.version is not None
        return self.id.version

    @property
    def is_latest(self) -> bool:
        return self.version >= self.latest_version

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["id"] = self.id.key
        data["published"] = self.published.isoformat()
        data["updated"] = self.updated.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaperMetadata:
        values = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        values["id"] = parse_arxiv_id(data["id"])
        values["published"] = datetime.fromisoformat(data["published"])
        values["updated"] = datetime.fromisoformat(data["updated"])
        return cls(**values)


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """A full-text file of one version, stored in the cache."""

    kind: str  # "pdf" | "html"
    sha256: str
    size: int
    url: str
    media_type: str


@dataclass(frozen=True, slots=True)
class FetchedPaper:
    """The outcome of fetching a cited id: its metadata and whatever full text exists."""

    cited: ArxivId
    metadata: PaperMetadata | None  # None only offline, for a versioned id with cached files
    pdf: FetchedFile | None
    html: FetchedFile | None
    warnings: list[str] = field(default_factory=list)

    @property
    def version(self) -> int:
        """The version the files belong to: the cited one, or the current one if unversioned."""
        if self.cited.version is not None:
            return self.cited.version
        assert self.metadata is not None
        return self.metadata.version


class _PoliteAdapter(BaseAdapter):
    """A ``requests`` transport that sends every request through :class:`PoliteHttp`."""

    def __init__(self, http: PoliteHttp) -> None:
        super().__init__()
        self._http = http

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):  # noqa: ANN001
        result = self._http.get(request.url)
        response = requests.Response()
        response.status_code = result.status
        response.headers = CaseInsensitiveDict(result.headers)
        response._content = result.content  # the body is already read (and size-capped)
        response.url = result.url
        response.request = request
        response.reason = "OK"
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self) -> None:
        pass


def _metadata_client(http: PoliteHttp, api_url: str) -> arxiv.Client:
    """An ``arxiv.Client`` whose HTTP is ours: retries, spacing and timeouts are done below it."""
    client = arxiv.Client(page_size=10, delay_seconds=0.0, num_retries=0)
    client.query_url_format = api_url + ("&{}" if "?" in api_url else "?{}")
    session = getattr(client, "_session", None)
    if not isinstance(session, requests.Session):  # pragma: no cover - guards package upgrades
        raise RuntimeError(f"unsupported arxiv package {arxiv.__version__}: no requests session")
    session.trust_env = False
    adapter = _PoliteAdapter(http)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return client


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _to_metadata(result: arxiv.Result, latest_version: int) -> PaperMetadata:
    return PaperMetadata(
        id=parse_arxiv_id(result.get_short_id()),
        title=_clean(result.title),
        authors=[a.name for a in result.authors],
        abstract=_clean(result.summary),
        categories=list(result.categories),
        primary_category=result.primary_category or "",
        published=result.published,
        updated=result.updated,
        latest_version=latest_version,
        comment=result.comment or None,
        journal_ref=result.journal_ref or None,
        doi=result.doi or None,
    )


class ArxivFetcher:
    """Fetches cited arXiv papers into a :class:`ContentCache`. Use as a context manager."""

    def __init__(self, config: ArxivConfig, cache: ContentCache | None = None) -> None:
        self.config = config
        self.cache = cache or ContentCache(config.data_dir / "cache")
        self.http = PoliteHttp(config.http_policy())
        self._client = _metadata_client(self.http, config.api_url)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ArxivFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Metadata ----------------------------------------------------------------------------
    def metadata(self, aid: ArxivId, *, refresh: bool = False) -> PaperMetadata:
        """Metadata of the cited version, or of the current version when none is cited.

        A versioned id's metadata is cached (a version does not change); an unversioned id
        asks arXiv which version is current, unless offline, where the last answer is used.
        Every version an answer describes is cached under its versioned id.
        """
        cached = self.cache.get_entry(_meta_name(aid))
        if cached and (aid.version is not None or self.config.offline) and not refresh:
            return PaperMetadata.from_json(cached)
        if self.config.offline:
            raise OfflineMiss(f"offline mode: no cached metadata for {aid.key}")
        found = self._query(aid)
        latest = max(found, key=lambda m: m.version)
        for meta in found:
            self.cache.set_entry(_meta_name(meta.id), meta.to_json() | {"fetched_at": _now()})
        self.cache.set_entry(_meta_name(aid.with_version(None)), latest.to_json() | {"fetched_at": _now()})
        wanted = aid.version or latest.version
        for meta in found:
            if meta.version == wanted:
                return meta
        raise NotOnArxiv(f"arXiv has no version v{wanted} of {aid.base} (latest is v{latest.version})",
                         url=self.config.api_url)

    def _query(self, aid: ArxivId) -> list[PaperMetadata]:
        """The entries arXiv returns for the cited id and its bare id, latest version filled in."""
        # One request answers both questions: the cited version, and (via the bare id) the latest.
        id_list = [aid.key, aid.base] if aid.version else [aid.base]
        search = arxiv.Search(id_list=id_list, max_results=len(id_list))
        found: dict[int, PaperMetadata] = {}
        for result in self._client.results(search):
            try:
                meta = _to_metadata(result, 0)
            except InvalidArxivId:
                log.warning("arXiv returned an entry with an unparseable id: %s", result.entry_id)
                continue
            if meta.id.base == aid.base and meta.id.version:
                found[meta.version] = meta
        if not found:
            raise NotOnArxiv(f"arXiv knows no paper {aid.base}", url=self.config.api_url)
        latest = max(found)
        return [replace(meta, latest_version=latest) for meta in found.values()]

    # Full text ---------------------------------------------------------------------------
    def fetch(self, aid: ArxivId, *, refresh_metadata: bool = False) -> FetchedPaper:
        """Metadata plus the version-pinned PDF and HTML (each from the cache when there).

        A missing or unusable file is a warning as long as the other one exists; with neither,
        the PDF's error is raised. ``refresh_metadata`` asks arXiv again (e.g. for a newer
        latest version); files are immutable per version and always come from the cache.
        """
        warnings: list[str] = []
        meta: PaperMetadata | None
        try:
            meta = self.metadata(aid, refresh=refresh_metadata)
        except OfflineMiss:
            if aid.version is None:
                raise  # without metadata there is no knowing which version is current
            meta = None
            warnings.append("metadata not cached (offline mode)")
        version_id = aid.with_version(aid.version or (meta.version if meta else None))
        pdf = html = None
        pdf_error: ArxivFetchError | None = None
        try:
            pdf = self._file(version_id, "pdf")
        except OfflineMiss as exc:
            pdf_error = exc
        except ArxivFetchError as exc:
            pdf_error = exc
            warnings.append(f"PDF: {exc}")
        if self.config.html_url:
            try:
                html = self._file(version_id, "html")
            except OfflineMiss:
                pass
            except ArxivFetchError as exc:
                warnings.append(f"HTML: {exc}")
        if pdf is None and html is None:
            assert pdf_error is not None
            raise pdf_error
        return FetchedPaper(aid, meta, pdf, html, warnings)

    def read(self, file: FetchedFile) -> bytes:
        return self.cache.read(file.sha256)

    def _file(self, version_id: ArxivId, kind: str) -> FetchedFile | None:
        """One file of one version; ``None`` when arXiv has none (e.g. no HTML). Cached both ways."""
        name = f"arxiv/{version_id.key}/{kind}"
        entry = self.cache.get_entry(name)
        if entry is not None:
            if entry.get("absent"):
                return None
            return FetchedFile(kind, entry["sha256"], entry["size"], entry["url"], entry["media_type"])
        template = self.config.pdf_url if kind == "pdf" else self.config.html_url
        assert template is not None
        url = template.format(id=version_id.key)
        if self.config.offline:
            raise OfflineMiss(f"offline mode: {kind.upper()} of {version_id.key} is not cached", url=url)
        try:
            result = self.http.get(url)
        except HttpStatusError as exc:
            if kind == "html" and exc.status == 404:
                self.cache.set_entry(name, {"absent": True, "url": url, "checked_at": _now()})
                return None
            raise
        _check_body(kind, result.content, result.media_type, url)
        blob = self.cache.put(result.content)
        file = FetchedFile(kind, blob.sha256, blob.size, result.url, result.media_type or kind)
        self.cache.set_entry(name, asdict(file) | {"fetched_at": _now()})
        return file


def store_local_copy(cache: ContentCache, version_id: ArxivId, kind: str, data: bytes,
                     origin: str) -> FetchedFile:
    """Put a local copy of one version's PDF or HTML where a fetch would look for it."""
    if version_id.version is None:
        raise ValueError(f"a local copy needs a versioned id, got {version_id.key}")
    if kind not in ("pdf", "html"):
        raise ValueError(f"only PDF and HTML copies stand in for arXiv files, got {kind!r}")
    media_type = "application/pdf" if kind == "pdf" else "text/html"
    _check_body(kind, data, media_type, origin)
    blob = cache.put(data)
    file = FetchedFile(kind, blob.sha256, blob.size, origin, media_type)
    cache.set_entry(f"arxiv/{version_id.key}/{kind}", asdict(file) | {"fetched_at": _now(), "local": True})
    return file


def _check_body(kind: str, content: bytes, media_type: str, url: str) -> None:
    if kind == "pdf" and not content.startswith(PDF_MAGIC):
        head = content[:40].decode("latin-1", "replace")
        raise ContentRejected(
            f"not a PDF (Content-Type {media_type or 'missing'}, starts with {head!r})", url=url
        )
    if kind == "html":
        head = content[:1024].lstrip().lower()
        if content.startswith(PDF_MAGIC) or not (head.startswith(b"<") or "html" in media_type):
            raise ContentRejected(f"not an HTML page (Content-Type {media_type or 'missing'})", url=url)


def _meta_name(aid: ArxivId) -> str:
    return f"arxiv/{aid.key}/meta"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
