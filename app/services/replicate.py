"""Replication use cases: queue a replication of a claim, run it as a job with progress."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import NotFoundError, UnprocessableError
from app.jobs.context import JobContext
from app.jobs.queue import enqueue
from app.paths import shown_path
from app.models import Claim, Job
from app.services.replication_policy import enforce_spec_policy
from app.settings import Settings
from replication.availability import CHECK_COMMAND, DATA_SETTING, missing_data_message
from replication.claims import derive_spec
from replication.inputs import MissingDataError, check_data
from replication.presets import apply_preset
from replication.spec import NotReplicableError, ReplicationSpec, SpecError

JOB_KIND = "replicate"
PROGRESS_EVERY_S = 2.0


def enqueue_replication(session: Session, settings: Settings, claim_id: int,
                        spec: dict[str, Any] | None = None) -> Job:
    """Queue a replication of a claim with ``spec``, or with the spec derived from its text.

    Relative paths in a given spec resolve against the server's working directory.
    The caller commits; the worker picks the job up after the commit.
    """
    claim = session.get(Claim, claim_id)
    if claim is None:
        raise NotFoundError(f"claim {claim_id} does not exist")
    try:
        if spec is None:
            derived = derive_spec(claim.completed_text or claim.text, data_dir=settings.xtreme_data_dir)
            replication = apply_preset(derived, settings.replication_preset)
        else:
            replication = ReplicationSpec.from_dict(spec, source="request body", base_dir=Path.cwd())
    except NotReplicableError as exc:
        raise UnprocessableError(f"claim {claim_id} is not replicable: {exc.reason}", code="not_replicable") from None
    except SpecError as exc:
        raise UnprocessableError(str(exc), code="invalid_spec") from None
    replication = enforce_spec_policy(replication, settings, requested=spec)  # paths, models, caps
    try:
        check_data(replication)  # before queueing: a run without its data would only fail later
    except MissingDataError as exc:
        raise UnprocessableError(
            missing_data_message([shown_path(p, settings) for p in exc.missing], shown_path(exc.root, settings)),
            code="missing_data",
            details={"missing": [shown_path(p, settings) for p in exc.missing[:50]], "command": CHECK_COMMAND,
                     "setting": DATA_SETTING},
        ) from None
    spec_dict = replication.to_dict()
    digest = hashlib.sha256(json.dumps(spec_dict, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return enqueue(session, JOB_KIND, {"claim_id": claim_id, "spec": spec_dict}, claim_id=claim_id,
                   dedupe_key=f"{JOB_KIND}:{claim_id}:{digest}")


def handle_replicate_job(context: JobContext) -> dict:
    """Run the experiment of a queued replication; its result JSON becomes the job's result.

    Every attempt works in the job's own run folder, so an attempt after a crash resumes from
    the last checkpoint (the job log says from which step). CPU threads are capped by the
    setting ``JOB_CPU_THREADS``.
    """
    from replication.pipeline import run_experiment

    spec = ReplicationSpec.from_dict(context.payload["spec"], source=f"job {context.job_id}")
    threads = min(spec.cpu_threads or context.settings.job_cpu_threads, context.settings.job_cpu_threads)
    spec = spec.model_copy(update={"cpu_threads": threads})
    out_dir = context.run_dir
    events = TrainingEvents(out_dir / "train.jsonl", context.log)
    if (out_dir / "spec.yaml").exists():
        context.log("run folder of an earlier attempt found: finished phases are kept, an interrupted one "
                    "resumes from its checkpoint")
    last = 0.0

    def progress(phase: str, fraction: float, _info: dict) -> None:
        nonlocal last
        if fraction >= 1.0 or time.monotonic() - last >= PROGRESS_EVERY_S:  # throttled DB writes
            last = time.monotonic()
            events.copy_new()
            context.progress(fraction, phase[:64])

    result = run_experiment(spec, out_dir, progress=progress)
    events.copy_new()
    return json.loads(result.model_dump_json())


class TrainingEvents:
    """Copies the training log's resume and checkpoint events into the job log as they appear."""

    SHOWN = ("resume", "checkpoint")

    def __init__(self, path: Path, write) -> None:
        self.path, self.write = path, write
        self.offset = path.stat().st_size if path.exists() else 0

    def copy_new(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            data = handle.read()
        complete = data[:data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode("utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("event") == "resume":
                self.write(f"phase {event.get('phase')}: resumed from checkpoint at step {event.get('step')}")
            elif event.get("event") == "checkpoint":
                self.write(f"phase {event.get('phase')}: checkpoint at step {event.get('step')}")


REPLICATIONS_SHOWN = 20
"""Replications listed in a claim's detail (newest first); the rest are paged by
``GET /api/claims/{id}/replications``."""


def replications_of(session: Session, claim_id: int, *, offset: int = 0,
                    limit: int = REPLICATIONS_SHOWN) -> tuple[list[dict], int]:
    """A page of the claim's replication jobs, newest first, with verdicts of the finished
    ones, and how many there are in all."""
    where = (Job.kind == JOB_KIND, Job.claim_id == claim_id)
    total = session.scalar(select(func.count()).select_from(Job).where(*where)) or 0
    jobs = session.scalars(select(Job).where(*where).order_by(Job.id.desc()).offset(offset).limit(limit))
    return [_replication_fields(job) for job in jobs], total


def latest_replication(session: Session, claim_id: int) -> dict | None:
    """The claim's newest replication that reached a verdict (None: none yet)."""
    finished = session.scalars(select(Job).where(Job.kind == JOB_KIND, Job.claim_id == claim_id,
                                                 Job.status == "succeeded").order_by(Job.id.desc()))
    return next((fields for job in finished if (fields := _replication_fields(job))["verdict"]), None)


def _replication_fields(job: Job) -> dict:
    result = job.result or {}
    effect = result.get("effect") or {}
    claimed = ((job.payload or {}).get("spec") or {}).get("claimed_effect") or {}
    return dict(job_id=job.id, status=job.status, progress=job.progress, verdict=result.get("verdict"),
                claimed_delta=claimed.get("delta"), measured_delta=effect.get("mean"),
                ci_low=effect.get("ci_low"), ci_high=effect.get("ci_high"), n_seeds=effect.get("n_seeds"),
                error=job.error if job.status == "failed" else None, created_at=job.created_at,
                finished_at=job.finished_at)
