"""Read-side query helpers the pages need beyond app/services: counts, per-report verdicts,
the mentions of a page of claims, a claim's replications, and replication results as chart rows.

Listing and cancelling jobs go straight to the jobs queue and service; the job page's log tail
is ``job_log_tail``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.jobs.joblog import read_job_log
from app.models import Claim, ClaimMention, Job, Report, Source, Verification
from app.settings import Settings
from app.web.charts import ConfidencePoint, TaskDelta, VerdictRow
from replication.verdict import t_interval

LOG_TAIL_BYTES = 20_000
ACTIVE = ("queued", "running")


def verdict_counts(session: Session) -> dict[str, int]:
    """Claim mentions by their latest verdict (kept on each mention); ``unverified``: never verified."""
    rows = session.execute(select(ClaimMention.latest_verdict, func.count()).group_by(ClaimMention.latest_verdict))
    return {verdict or "unverified": count for verdict, count in rows}


def verdicts_per_report(session: Session, limit: int = 30) -> list[VerdictRow]:
    """The latest verdict counts of each report's mentions (most recent reports first)."""
    reports = list(session.execute(select(Report.id, Report.title).order_by(Report.id.desc()).limit(limit)))
    if not reports:
        return []
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    rows = session.execute(
        select(ClaimMention.report_id, ClaimMention.latest_verdict, func.count())
        .where(ClaimMention.report_id.in_([r.id for r in reports]))
        .group_by(ClaimMention.report_id, ClaimMention.latest_verdict))
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


def claim_titles(session: Session, claim_ids: set[int]) -> dict[int, str]:
    if not claim_ids:
        return {}
    return dict(session.execute(select(Claim.id, Claim.text).where(Claim.id.in_(claim_ids))).all())


# ---- jobs: the log tail of the job page ---------------------------------------------------

def job_log_tail(settings: Settings, job: Job, max_bytes: int = LOG_TAIL_BYTES) -> str | None:
    """The end of a job's log (as ``GET /api/jobs/{id}/logs?tail=``); None: nothing logged yet."""
    chunk = read_job_log(settings, job.id, tail=max_bytes)
    if not chunk.text:
        return None
    return chunk.text if chunk.offset == 0 else "…" + chunk.text.split("\n", 1)[-1]


# ---- replication results as chart rows --------------------------------------------------

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
        _, _, low, high = t_interval(per_seed, confidence)
        rows.append(TaskDelta(task, _number(entry.get("avg_metric")), low, high, True, len(per_seed) or None))
    return rows


def overall_delta(result: dict[str, Any]) -> TaskDelta | None:
    effect = result.get("effect")
    if not isinstance(effect, dict):
        return None
    return TaskDelta(f"overall ({effect.get('metric', 'claimed metric')})", _number(effect.get("mean")),
                     _number(effect.get("ci_low")), _number(effect.get("ci_high")), True, effect.get("n_seeds"))
