"""Read-side query helpers the pages need beyond app/services: counts, per-report verdicts,
the mentions of a page of claims, a claim's replications, and replication results as chart rows.

Job logs and job cancelling live in one small function each (``job_log_tail``, ``cancel_job``)
so they can follow the jobs service when it grows them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from scipy import stats
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.jobs import queue
from app.jobs.joblog import read_job_log
from app.models import Claim, ClaimMention, Job, Report, Source, Verification
from app.security.deps import Principal
from app.services import jobs as jobs_service
from app.settings import Settings
from app.web.charts import ConfidencePoint, TaskDelta, VerdictRow

LOG_TAIL_BYTES = 20_000
ACTIVE = ("queued", "running")


def _latest_ids():
    return select(func.max(Verification.id)).group_by(Verification.mention_id)


def verdict_counts(session: Session) -> dict[str, int]:
    """Claim mentions by their latest verdict; ``unverified``: never verified."""
    counts = dict(session.execute(
        select(Verification.verdict, func.count()).where(Verification.id.in_(_latest_ids()))
        .group_by(Verification.verdict)).all())
    total = session.scalar(select(func.count(ClaimMention.id))) or 0
    checked = sum(counts.values())
    if total - checked:
        counts["unverified"] = total - checked
    return counts


def verdicts_per_report(session: Session, limit: int = 30) -> list[VerdictRow]:
    """The latest verdict counts of each report's mentions (most recent reports first)."""
    reports = list(session.execute(select(Report.id, Report.title).order_by(Report.id.desc()).limit(limit)))
    if not reports:
        return []
    ids = [r.id for r in reports]
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    latest = select(Verification.mention_id, Verification.verdict).where(Verification.id.in_(_latest_ids()))
    latest = latest.subquery()
    rows = session.execute(
        select(ClaimMention.report_id, latest.c.verdict, func.count())
        .join(latest, latest.c.mention_id == ClaimMention.id, isouter=True)
        .where(ClaimMention.report_id.in_(ids)).group_by(ClaimMention.report_id, latest.c.verdict))
    for report_id, verdict, count in rows:
        counts[report_id][verdict or "unverified"] += count
    return [VerdictRow(f"#{r.id} {r.title}", dict(counts[r.id]), f"/reports/{r.id}") for r in reports]


def source_counts(session: Session) -> dict[str, int]:
    """Sources by fetch status, plus ``no_text``: fetched but without a single passage."""
    counts = dict(session.execute(select(Source.status, func.count()).group_by(Source.status)).all())
    counts["no_text"] = session.scalar(
        select(func.count()).where(Source.status == "fetched", Source.passage_count == 0)) or 0
    return counts


def job_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())


def report_count(session: Session) -> int:
    return session.scalar(select(func.count(Report.id))) or 0


@dataclass(frozen=True, slots=True)
class MentionRow:
    report_id: int
    report_title: str
    stated_verified: bool
    stated_confidence: float


def mentions_of(session: Session, claim_ids: list[int]) -> dict[int, list[MentionRow]]:
    """Each claim's mentions with the citing report's title and its stated ✓ and confidence."""
    out: dict[int, list[MentionRow]] = {cid: [] for cid in claim_ids}
    if not claim_ids:
        return out
    rows = session.execute(
        select(ClaimMention.claim_id, ClaimMention.report_id, Report.title, ClaimMention.stated_verified,
               ClaimMention.stated_confidence).join(Report, Report.id == ClaimMention.report_id)
        .where(ClaimMention.claim_id.in_(claim_ids)).order_by(ClaimMention.report_id))
    for claim_id, report_id, title, verified, confidence in rows:
        out[claim_id].append(MentionRow(report_id, title, verified, confidence))
    return out


def report_options(session: Session) -> list[tuple[int, str]]:
    return [(r.id, r.title) for r in session.execute(select(Report.id, Report.title).order_by(Report.id))]


def source_options(session: Session) -> list[tuple[int, str]]:
    return [(s.id, s.key) for s in session.execute(select(Source.id, Source.key).order_by(Source.key))]


def confidence_points(session: Session, report: Report, runs: dict[int, Verification]) -> list[ConfidencePoint]:
    return [ConfidencePoint(f"claim {m.claim_id}", m.stated_confidence,
                            runs[m.id].verdict if m.id in runs else None) for m in report.mentions]


def replications_of(session: Session, claim_id: int) -> list[Job]:
    return list(session.scalars(select(Job).where(Job.claim_id == claim_id, Job.kind == "replicate")
                                .order_by(Job.id.desc()).limit(20)))


def jobs_page(session: Session, *, status: str | None, offset: int, limit: int) -> tuple[list[Job], int]:
    return queue.list_jobs(session, status=status, offset=offset, limit=limit)


def claim_titles(session: Session, claim_ids: set[int]) -> dict[int, str]:
    if not claim_ids:
        return {}
    return dict(session.execute(select(Claim.id, Claim.text).where(Claim.id.in_(claim_ids))).all())


# ---- jobs: log and cancel (one function each, to follow the jobs service) -----------------

def job_log_tail(settings: Settings, job: Job, max_bytes: int = LOG_TAIL_BYTES) -> str | None:
    """The end of a job's log (as ``GET /api/jobs/{id}/logs?tail=``); None: nothing logged yet."""
    chunk = read_job_log(settings, job.id, tail=max_bytes)
    if not chunk.text:
        return None
    return chunk.text if chunk.offset == 0 else "…" + chunk.text.split("\n", 1)[-1]


def cancel_job(session: Session, principal: Principal, job_id: int) -> Job:
    """Cancel a job: editors their own, admins anyone's (the rule of ``POST /api/jobs/{id}/cancel``)."""
    return jobs_service.cancel_job(session, job_id, principal)


# ---- replication results as chart rows --------------------------------------------------

def _interval(deltas: list[float], confidence: float) -> tuple[float | None, float | None]:
    if len(deltas) < 2:
        return None, None
    mean = sum(deltas) / len(deltas)
    std = math.sqrt(sum((d - mean) ** 2 for d in deltas) / (len(deltas) - 1))
    half = float(stats.t.ppf((1 + confidence) / 2, df=len(deltas) - 1)) * std / math.sqrt(len(deltas))
    return mean - half, mean + half


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else None


def task_deltas(result: dict[str, Any]) -> list[TaskDelta]:
    """Per-task measured deltas with intervals: ``task_effects`` when the result has them, else
    paired per-seed deltas of each task's ``avg_metric`` with a Student-t interval."""
    effects = result.get("task_effects")
    if isinstance(effects, dict) and effects:
        return [TaskDelta(str(task), _number(e.get("mean")), _number(e.get("ci_low")), _number(e.get("ci_high")),
                          bool(e.get("included", True)), e.get("n_seeds") if isinstance(e.get("n_seeds"), int) else None)
                for task, e in effects.items() if isinstance(e, dict)]
    confidence = (result.get("effect") or {}).get("confidence") or 0.95
    rows = []
    for task, entry in (result.get("deltas") or {}).items():
        if task == "overall" or not isinstance(entry, dict):
            continue
        per_seed = []
        for seed in result.get("seeds") or []:
            arms = seed.get("arms") or {}
            try:
                per_seed.append(float(arms["treatment"]["tasks"][task]["avg_metric"])
                                - float(arms["baseline"]["tasks"][task]["avg_metric"]))
            except (KeyError, TypeError, ValueError):
                continue
        low, high = _interval(per_seed, confidence)
        rows.append(TaskDelta(task, _number(entry.get("avg_metric")), low, high, True, len(per_seed) or None))
    return rows


def overall_delta(result: dict[str, Any]) -> TaskDelta | None:
    effect = result.get("effect")
    if not isinstance(effect, dict):
        return None
    return TaskDelta(f"overall ({effect.get('metric', 'claimed metric')})", _number(effect.get("mean")),
                     _number(effect.get("ci_low")), _number(effect.get("ci_high")), True, effect.get("n_seeds"))
