"""Source use cases: list and show, fetch from arXiv, attach a local copy, list passages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import timezone
from pathlib import Path

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from app.errors import BadRequestError, NotFoundError, PayloadTooLargeError
from app.jobs.context import JobContext
from app.jobs.queue import enqueue
from app.models import Citation, Job, Passage, Source
from app.models.base import utcnow
from app.settings import Settings
from verifier.arxiv import (
    ArxivConfig,
    ArxivFetcher,
    ArxivFetchError,
    FetchedPaper,
    NetworkUnreachable,
    OfflineMiss,
    PaperMetadata,
    store_local_copy,
)
from verifier.arxiv_ids import ArxivId, InvalidArxivId, parse_arxiv_id
from verifier.cache import ContentCache
from verifier.claims import content_terms
from verifier.text import (
    Document,
    TextExtractionError,
    combine_pdf_and_html,
    extract_document,
    sniff_kind,
    split_passages,
)

log = logging.getLogger(__name__)

FETCH_JOB = "fetch_source"
UNREACHABLE = ("arXiv unreachable (no network?) — attach a local copy: "
               "`claimtrace sources add {key} --file PATH`")
_INSERT_BATCH = 500


# Reading ---------------------------------------------------------------------------------

def list_sources(session: Session, *, status: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[Source], int]:
    query = select(Source)
    if status:
        query = query.where(Source.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return list(session.scalars(query.order_by(Source.id).offset(offset).limit(limit))), total


def get_source(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"source {source_id} does not exist")
    return source


def list_passages(session: Session, source_id: int, *, page: int | None = None, offset: int = 0,
                  limit: int = 100) -> tuple[list[Passage], int]:
    get_source(session, source_id)
    query = select(Passage).where(Passage.source_id == source_id)
    if page is not None:
        query = query.where(Passage.page == page)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Passage.index).offset(offset).limit(limit))
    return list(rows), total


def version_notice(source: Source) -> str | None:
    """"cited version v1 is not the latest (v2)" when that is so; None otherwise."""
    if source.is_latest is False:
        return f"cited version v{source.effective_version} is not the latest (v{source.latest_version})"
    return None


def versions_known(source: Source) -> list[str]:
    """Every versioned id arXiv has for this paper, as far as the last answer told."""
    latest = source.latest_version or source.effective_version
    return [f"{source.arxiv_id}v{n}" for n in range(1, latest + 1)] if latest else []


# Fetching --------------------------------------------------------------------------------

def arxiv_config(settings: Settings) -> ArxivConfig:
    return ArxivConfig(
        data_dir=settings.data_dir,
        api_url=settings.arxiv_api_url,
        pdf_url=settings.arxiv_pdf_url,
        html_url=settings.arxiv_html_url or None,
        min_interval_s=settings.arxiv_min_interval_s,
        timeout_s=settings.http_timeout_s,
        retries=settings.http_retries,
        backoff_s=settings.http_backoff_s,
        max_download_bytes=settings.max_download_bytes,
        offline=settings.offline,
    )


def content_cache(settings: Settings) -> ContentCache:
    return ContentCache(settings.data_dir / "cache")


def fetch_source(session: Session, settings: Settings, source_id: int, *, refresh: bool = False,
                 fetcher: ArxivFetcher | None = None) -> Source:
    """Fetch one source's metadata and text and store its passages (synchronously).

    The source ends ``fetched`` (with passages), ``failed`` (with the reason in ``error``) or
    ``missing`` (offline and not cached). An already fetched source is left as it is unless
    ``refresh``; the files of a version are never downloaded twice either way.
    """
    source = get_source(session, source_id)
    if not _needs_fetch(source, refresh):
        return source
    try:
        aid = parse_arxiv_id(source.key)
    except InvalidArxivId as exc:
        return _mark(source, "failed", str(exc))
    own_fetcher = fetcher is None
    active = fetcher or ArxivFetcher(arxiv_config(settings), content_cache(settings))
    try:
        paper = active.fetch(aid, refresh_metadata=refresh)
        document = _document_of(active, paper)
    except OfflineMiss as exc:
        return _mark(source, "missing", f"{exc}; attach a copy with `claimtrace sources add {aid.key} --file PATH`")
    except NetworkUnreachable:
        return _mark(source, "failed", UNREACHABLE.format(key=aid.key))
    except (ArxivFetchError, TextExtractionError) as exc:
        return _mark(source, "failed", str(exc))
    finally:
        if own_fetcher:
            active.close()
    if paper.metadata is not None:
        _apply_metadata(source, paper.metadata)
    source.fetched_version = paper.version
    source.files = [asdict(f) for f in (paper.pdf, paper.html) if f is not None]
    _store_text(session, settings, source, document, warnings=list(paper.warnings))
    return source


def fetch_sources(session: Session, settings: Settings, *, report_id: int | None = None,
                  refresh: bool = False, on_done: Callable[[Source], None] | None = None) -> list[Source]:
    """Fetch every source (or those a report cites), one after another, committing each."""
    query = select(Source).order_by(Source.id)
    if report_id is not None:
        query = query.where(Source.id.in_(select(Citation.source_id).where(Citation.report_id == report_id)))
    ids = list(session.scalars(query.with_only_columns(Source.id)))
    done: list[Source] = []
    with ArxivFetcher(arxiv_config(settings), content_cache(settings)) as fetcher:
        for source_id in ids:
            source = fetch_source(session, settings, source_id, refresh=refresh, fetcher=fetcher)
            session.commit()
            done.append(source)
            if on_done is not None:
                on_done(source)
    return done


def attach_source_file(session: Session, settings: Settings, arxiv_key: str, path: Path) -> Source:
    """Use a local PDF, HTML or text copy as the text of ``arxiv_key`` (no network).

    A PDF or HTML copy of a versioned id is also put in the cache where a later fetch looks,
    so arXiv is not asked for that file again.
    """
    try:
        aid = parse_arxiv_id(arxiv_key)
    except InvalidArxivId as exc:
        raise BadRequestError(str(exc), details={"field": "arxiv_id"}) from None
    try:
        size = path.stat().st_size
        if size > settings.max_download_bytes:
            raise PayloadTooLargeError(f"{path}: {size} bytes exceeds the {settings.max_download_bytes}-byte cap")
        data = path.read_bytes()
    except OSError as exc:
        raise BadRequestError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        kind = sniff_kind(data, path.name)
        document = extract_document(data, kind)
    except TextExtractionError as exc:
        raise BadRequestError(f"{path}: {exc}") from None
    source = _get_or_create(session, aid)
    cache = content_cache(settings)
    if kind in ("pdf", "html") and aid.version is not None:
        file = store_local_copy(cache, aid, kind, data, str(path.resolve()))
        record = asdict(file)
    else:
        blob = cache.put(data)
        record = {"kind": kind, "sha256": blob.sha256, "size": blob.size, "url": str(path.resolve()),
                  "media_type": kind}
    source.fetched_version = aid.version
    source.files = [record | {"local": True}]
    warnings = [f"text from local file {path.name}"]
    if mismatch := attachment_mismatch(known_metadata(cache, source, aid), document.text):
        warnings.append(mismatch)
    _store_text(session, settings, source, document, warnings=warnings)
    return source


# Below these shares of the known title's (abstract's) content words in an attached text, the
# file is probably another paper.
TITLE_MATCH = 0.5
ABSTRACT_MATCH = 0.3
MISMATCH_PREFIX = "attached text does not match"


def known_metadata(cache: ContentCache, source: Source, aid: ArxivId) -> tuple[str, str]:
    """(title, abstract) known for the paper: stored on the source, else in the metadata cache."""
    if source.title:
        return source.title, source.abstract or ""
    for key in (aid.key, aid.with_version(None).key):
        entry = cache.get_entry(f"arxiv/{key}/meta")
        if entry and entry.get("title"):
            return str(entry["title"]), str(entry.get("abstract") or "")
    return "", ""


def attachment_mismatch(known: tuple[str, str], text: str) -> str | None:
    """A warning when ``text`` shares too little with the paper's known title and abstract."""
    title, abstract = known
    if not title:
        return None
    words = content_terms(text)
    def share(terms: frozenset[str]) -> float:
        return len(terms & words) / len(terms) if terms else 1.0
    title_share, abstract_share = share(content_terms(title)), share(content_terms(abstract))
    if title_share >= TITLE_MATCH or (abstract and abstract_share >= ABSTRACT_MATCH):
        return None
    return (f"{MISMATCH_PREFIX} the paper's known title {title!r} ({title_share:.0%} of its words"
            + (f", {abstract_share:.0%} of the abstract's" if abstract else "")
            + "): is it the right file?")


def fetch_deadline_s(settings: Settings) -> float:
    """The longest one fetch can run without a heartbeat: metadata, PDF and HTML, each with
    every retry, its timeout, the rate-limit spacing and the back-off; plus a minute."""
    attempts = settings.http_retries + 1
    backoff = settings.http_backoff_s * (2 ** attempts - 1)
    per_file = attempts * (settings.http_timeout_s + settings.arxiv_min_interval_s) + backoff
    return 3 * per_file + 60.0


def enqueue_fetch(session: Session, source_id: int, *, refresh: bool = False,
                  settings: Settings | None = None) -> Job:
    """Queue a fetch of one source, or return the fetch already queued or running for it.

    A running fetch silent for longer than :func:`fetch_deadline_s` lost its worker (killed,
    machine restarted): it is failed, the source released from ``fetching``, and a new fetch
    is queued, so nothing stays stuck.
    """
    source = get_source(session, source_id)
    key = f"{FETCH_JOB}:{source_id}"
    pending = session.scalars(select(Job).where(Job.dedupe_key == key, Job.status.in_(("queued", "running"))))
    deadline = fetch_deadline_s(settings or Settings())
    for job in pending:  # at most one (a partial unique index on pending dedupe keys)
        silent = _silent_for(job)
        if job.status == "running" and silent is not None and silent > deadline:
            reason = f"worker lost: fetch job {job.id} silent for {silent:.0f} s (limit {deadline:.0f} s)"
            job.status, job.error, job.finished_at = "failed", reason, utcnow()
            if source.status == "fetching":
                _mark(source, "failed", reason)
            continue
        return job
    return enqueue(session, FETCH_JOB, {"source_id": source_id, "refresh": refresh}, dedupe_key=key)


def _silent_for(job: Job) -> float | None:
    """Seconds since the job's last heartbeat (or start)."""
    last = job.heartbeat_at or job.started_at
    if last is None:
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    return (utcnow() - last).total_seconds()


class SourceNotFetched(RuntimeError):
    """A fetch job ended with its source failed or missing (the reason is on the source)."""


def run_fetch_job(ctx: JobContext) -> dict:
    """Job handler for ``fetch_source``: fetch one source, fail the job if the source failed."""
    source_id = int(ctx.payload["source_id"])
    refresh = bool(ctx.payload.get("refresh"))
    with ctx.session_scope() as session:
        source = get_source(session, source_id)
        if _needs_fetch(source, refresh):
            source.status = "fetching"
    ctx.progress(0.05, "fetching")
    try:
        with ctx.session_scope() as session:
            source = fetch_source(session, ctx.settings, source_id, refresh=refresh)
            result = {"source_id": source.id, "key": source.key, "status": source.status,
                      "passage_count": source.passage_count, "error": source.error}
    except Exception as exc:
        with ctx.session_scope() as session:  # never leave the source stuck in "fetching"
            _mark(get_source(session, source_id), "failed", f"{type(exc).__name__}: {exc}")
        raise
    if result["status"] != "fetched":
        raise SourceNotFetched(f"source {result['key']} is {result['status']}: {result['error']}")
    return result


# Internals -------------------------------------------------------------------------------

def _needs_fetch(source: Source, refresh: bool) -> bool:
    """False for a source that already has its passages, unless a refresh was asked for."""
    return refresh or source.status != "fetched" or not source.passage_count


def _get_or_create(session: Session, aid: ArxivId) -> Source:
    source = session.scalar(select(Source).where(Source.key == aid.key))
    if source is None:
        source = Source(key=aid.key, arxiv_id=aid.base, version=aid.version)
        session.add(source)
        session.flush()
    return source


def _mark(source: Source, status: str, error: str) -> Source:
    """Record a failed or missing fetch; a source that already has text keeps it, warned."""
    log.info("source %s %s: %s", source.key, status, error)
    if source.passage_count and source.text_sha256:
        source.status = "fetched"
        source.warnings = [*source.warnings, f"refresh {status}: {error}"]
        return source
    source.status = status
    source.error = error
    return source


def _apply_metadata(source: Source, meta: PaperMetadata) -> None:
    source.title = meta.title
    source.authors = list(meta.authors)
    source.abstract = meta.abstract
    source.categories = list(meta.categories)
    source.published = meta.published
    source.updated = meta.updated
    source.latest_version = meta.latest_version


def _document_of(fetcher: ArxivFetcher, paper: FetchedPaper) -> Document:
    """PDF text with the HTML's tables appended; the HTML alone when there is no usable PDF."""
    html = fetcher.read(paper.html) if paper.html else None
    if paper.pdf is not None:
        try:
            pdf = extract_document(fetcher.read(paper.pdf), "pdf")
        except TextExtractionError as exc:
            if html is None:
                raise
            paper.warnings.append(f"PDF text unusable, HTML used: {exc}")
        else:
            return combine_pdf_and_html(pdf, html) if html is not None else pdf
    assert html is not None
    return extract_document(html, "html")


def _store_text(session: Session, settings: Settings, source: Source, document: Document, *,
                warnings: list[str]) -> None:
    """Replace the source's passages with those of ``document`` and mark it fetched."""
    passages = split_passages(document)
    if not passages:
        _mark(source, "failed", f"no passages in the {document.kind} text")
        return
    text_blob = content_cache(settings).put(document.text.encode("utf-8"))
    session.execute(delete(Passage).where(Passage.source_id == source.id))
    rows = [{"source_id": source.id, "index": p.index, "page": p.page, "char_start": p.start,
             "char_end": p.end, "text": p.text} for p in passages]
    for start in range(0, len(rows), _INSERT_BATCH):
        session.execute(insert(Passage), rows[start:start + _INSERT_BATCH])
    session.expire(source, ["passages"])
    source.text_sha256 = text_blob.sha256
    source.text_kind = document.kind
    source.passage_count = len(passages)
    source.warnings = warnings
    source.status = "fetched"
    source.error = None
    source.fetched_at = utcnow()
