"""Verify use cases: run the verifier on claim mentions, persist every run, summarise verdicts.

A mention is checked against the sources its report cites (the cited versions) and, when the
database holds other fetched versions of the same papers, against those too; disagreement is
recorded in the verification's version notes.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFoundError
from app.jobs.queue import enqueue
from app.models import Citation, Claim, ClaimMention, Evidence, Job, Passage, Report, Source, Verification
from app.settings import Settings
from verifier.passages import Passage as DomainPassage
from verifier.pipeline import VERIFIER_VERSION, SourcePassages, VerifierModels, embedding_choice, verify_claim
from verifier.verdict import LABELS, UNCHECKED, unchecked_reason

JOB_KIND = "verify"
_MODELS: dict[tuple, VerifierModels] = {}
_MODELS_LOCK = threading.Lock()


def get_models(settings: Settings) -> VerifierModels:
    """The verifier models of these settings, loaded once per process.

    ``embedding_model`` unset means the packaged all-MiniLM-L6-v2; ``none`` disables dense
    retrieval. ``nli_model`` unset means the stance model trained into the data dir when it
    beat checks-only on held-out folds, else checks + retrieval only.
    """
    embedding = embedding_choice(settings.embedding_model)
    key = (settings.nli_model, embedding, str(settings.data_dir))
    with _MODELS_LOCK:
        if key not in _MODELS:
            _MODELS[key] = VerifierModels.load(
                cache_dir=Path(settings.data_dir) / "indexes", nli_model=settings.nli_model,
                embedding_model=embedding, data_dir=Path(settings.data_dir))
        return _MODELS[key]


def _passages(session: Session, source_id: int) -> list[DomainPassage]:
    rows = session.scalars(select(Passage).where(Passage.source_id == source_id).order_by(Passage.index))
    return [DomainPassage(p.index, p.text, p.char_start, p.char_end, p.page) for p in rows]


def _version_of(source: Source) -> int | None:
    return source.version or source.fetched_version


def sources_for_report(session: Session, report_id: int) -> list[SourcePassages]:
    """The cited source versions of a report, then other fetched versions of the same papers."""
    cited = list(session.scalars(
        select(Source).join(Citation, Citation.source_id == Source.id)
        .where(Citation.report_id == report_id).order_by(Citation.position)
    ))
    seen = {s.id for s in cited}
    result = [
        SourcePassages(s.key, _passages(session, s.id), s.id, s.arxiv_id, _version_of(s), True, s.title)
        for s in cited
    ]
    cited_versions = {(s.arxiv_id, _version_of(s)) for s in cited}
    papers = sorted({s.arxiv_id for s in cited})
    if papers:
        others = session.scalars(
            select(Source).where(Source.arxiv_id.in_(papers), Source.status == "fetched")
            .order_by(Source.arxiv_id, Source.id)
        )
        for s in others:
            if s.id in seen or (s.arxiv_id, _version_of(s)) in cited_versions:
                continue
            seen.add(s.id)
            cited_versions.add((s.arxiv_id, _version_of(s)))
            result.append(SourcePassages(s.key, _passages(session, s.id), s.id, s.arxiv_id,
                                         _version_of(s), False, s.title))
    return result


def verify_mention(session: Session, mention: ClaimMention, models: VerifierModels,
                   sources: list[SourcePassages], *, job_id: int | None = None) -> Verification:
    """Verify one mention and store the run with its evidence (the caller commits)."""
    return store_verdict(session, mention, verify_claim(mention.claim.text, sources, models), sources,
                         job_id=job_id)


def store_verdict(session: Session, mention: ClaimMention, verdict, sources: list[SourcePassages], *,
                  job_id: int | None = None) -> Verification:
    """Store a verifier verdict on one mention with its evidence (the caller commits)."""
    claim = mention.claim
    verification = Verification(
        mention_id=mention.id, claim_id=claim.id, job_id=job_id, verdict=verdict.label,
        confidence=verdict.confidence,
        probabilities=dict(zip(LABELS, verdict.probs)),  # empty when unchecked
        unread_sources=list(verdict.unread_sources), cited_sources=verdict.cited_sources,
        explanation=verdict.explanation, version_notes=list(verdict.version_notes),
        completed_text=verdict.completed_text, verifier_version=VERIFIER_VERSION,
        model_ids=verdict.model_ids,
    )
    for rank, item in enumerate(verdict.evidence):
        verification.evidence.append(Evidence(
            rank=rank, source_id=item.source_id if isinstance(item.source_id, int) else None,
            source_key=item.source_key, source_version=item.version,
            cited=any(s.cited and s.key == item.source_key for s in sources),
            passage_index=item.passage_index, page=item.page, char_start=item.char_start,
            char_end=item.char_end, text=item.text, retrieval_score=item.retrieval_score,
            stance=item.stance, stance_prob=item.stance_prob,
        ))
    if verdict.completed_text and claim.truncated and not claim.completed_text:
        claim.completed_text = verdict.completed_text
    session.add(verification)
    session.flush()
    return verification


def require_claim(session: Session, claim_id: int) -> Claim:
    """The claim, or a ``NotFoundError`` naming it."""
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(f"claim {claim_id} does not exist")
    return claim


@dataclass(frozen=True, slots=True)
class VerifyTarget:
    """What to verify: one report's mentions, one claim's mentions, or everything."""

    report_id: int | None = None
    claim_id: int | None = None

    def describe(self) -> str:
        if self.report_id is not None:
            return f"report {self.report_id}"
        return f"claim {self.claim_id}" if self.claim_id is not None else "all claims"


def mentions_by_report(session: Session, target: VerifyTarget) -> dict[int, list[int]]:
    """The mention ids a target covers, grouped by report; a missing report or claim is a
    ``NotFoundError``."""
    query = (select(ClaimMention.report_id, ClaimMention.id)
             .order_by(ClaimMention.report_id, ClaimMention.position))
    if target.report_id is not None:
        if session.get(Report, target.report_id) is None:
            raise NotFoundError(f"report {target.report_id} does not exist")
        query = query.where(ClaimMention.report_id == target.report_id)
    if target.claim_id is not None:
        require_claim(session, target.claim_id)
        query = query.where(ClaimMention.claim_id == target.claim_id)
    grouped: dict[int, list[int]] = {}
    for report_id, mention_id in session.execute(query):
        grouped.setdefault(report_id, []).append(mention_id)
    return grouped


def verified_by_job(session: Session, job_id: int) -> dict[int, str]:
    """Mention id → verdict of the verifications a job already stored (an earlier attempt)."""
    rows = session.execute(select(Verification.mention_id, Verification.verdict).where(Verification.job_id == job_id))
    return {mention_id: verdict for mention_id, verdict in rows}


def run_verification(settings: Settings, session_factory: Callable, target: VerifyTarget, *,
                     job_id: int | None = None,
                     progress: Callable[[float, str], None] | None = None) -> dict:
    """Verify every mention of ``target``; returns a summary.

    Mentions go in batches of ``VERIFY_BATCH_SIZE``: each batch is read, verified outside any
    transaction, then stored in one short transaction, so a long run never holds the database
    for long and what it stored survives a crash. A job run again (a re-queued attempt) skips
    the mentions it already verified: every mention ends with exactly one verification of it.
    """
    models = get_models(settings)
    with session_factory() as session:
        by_report = mentions_by_report(session, target)
        earlier = verified_by_job(session, job_id) if job_id is not None else {}
    total = sum(map(len, by_report.values()))
    counts: Counter[str] = Counter(v for m, v in earlier.items() if any(m in ms for ms in by_report.values()))
    done = resumed = sum(counts.values())
    size = settings.verify_batch_size
    for report_id, mentions in by_report.items():
        todo = [m for m in mentions if m not in earlier]
        if not todo:
            continue
        with session_factory() as session:
            sources = sources_for_report(session, report_id)
        for start in range(0, len(todo), size):
            with session_factory() as session:  # read the batch; verify after the session closed
                batch = list(session.scalars(
                    select(ClaimMention).where(ClaimMention.id.in_(todo[start:start + size]))
                    .options(selectinload(ClaimMention.claim)).order_by(ClaimMention.position)))
            verdicts = [(mention.id, verify_claim(mention.claim.text, sources, models)) for mention in batch]
            with session_factory() as session:  # one short write transaction per batch
                for mention_id, verdict in verdicts:
                    mention = session.get(ClaimMention, mention_id, options=[selectinload(ClaimMention.claim)])
                    counts[store_verdict(session, mention, verdict, sources, job_id=job_id).verdict] += 1
                    done += 1
            if progress:
                progress(done / max(1, total), f"verified {done}/{total} mentions")
    summary = {"target": target.describe(), "verified": done, "verdicts": dict(counts),
               "model_ids": models.model_ids(), **unchecked_summary(session_factory, target, counts)}
    if resumed:
        summary["resumed_after"] = resumed
    return summary


def unchecked_summary(session_factory: Callable, target: VerifyTarget, counts: Counter[str]) -> dict:
    """For a run with ``unchecked`` mentions: how many cited sources lack text and the fix."""
    if not counts.get(UNCHECKED):
        return {}
    with session_factory() as session:
        by_report = mentions_by_report(session, target)
        cited = {s.id: s for s in session.scalars(
            select(Source).join(Citation, Citation.source_id == Source.id)
            .where(Citation.report_id.in_(list(by_report))))}
        unread = sorted(s.key for s in cited.values() if not s.passage_count)
    return {"unchecked": {"mentions": counts[UNCHECKED], "cited_sources": len(cited),
                          "unread_sources": unread,
                          "reason": unchecked_reason(len(cited), len(unread))}}


def enqueue_verification(session: Session, target: VerifyTarget) -> Job:
    """Queue a verify job for ``target`` (checked to exist now); the caller commits.

    A verify job already queued or running for the same target *and the same source texts*
    is returned instead; once a cited source gains (or changes) its text, a new job is queued,
    so a running job that read the old texts is never taken for the new request."""
    by_report = mentions_by_report(session, target)
    evidence = evidence_fingerprint(session, list(by_report))
    return enqueue(session, JOB_KIND, {"report_id": target.report_id, "claim_id": target.claim_id},
                   claim_id=target.claim_id,
                   dedupe_key=f"{JOB_KIND}:report={target.report_id}:claim={target.claim_id}:texts={evidence}")


def evidence_fingerprint(session: Session, report_ids: list[int]) -> str:
    """A short digest of the texts the reports' cited sources have now (id, text hash, passages)."""
    rows = session.execute(
        select(Source.id, Source.text_sha256, Source.passage_count).distinct()
        .join(Citation, Citation.source_id == Source.id).where(Citation.report_id.in_(report_ids))
        .order_by(Source.id))
    digest = hashlib.sha256(";".join(f"{i}:{sha or ''}:{n}" for i, sha, n in rows).encode())
    return digest.hexdigest()[:16]


def handle_verify_job(ctx) -> dict:
    """Job handler for ``verify`` jobs (registered in ``app.jobs.handlers``)."""
    target = VerifyTarget(ctx.payload.get("report_id"), ctx.payload.get("claim_id"))
    return run_verification(ctx.settings, ctx.session_scope, target, job_id=ctx.job_id,
                            progress=ctx.progress)


def verification_history(session: Session, claim_id: int) -> list[Verification]:
    """Every run on a claim's mentions, newest first."""
    require_claim(session, claim_id)
    return list(session.scalars(
        select(Verification).where(Verification.claim_id == claim_id)
        .options(selectinload(Verification.evidence)).order_by(Verification.id.desc())
    ))
