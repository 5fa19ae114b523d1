"""Replication use cases: queue a replication of a claim, run it as a job with progress."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.errors import NotFoundError, UnprocessableError
from app.jobs.context import JobContext
from app.jobs.queue import enqueue
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
            missing_data_message([_shown(p, settings) for p in exc.missing], _shown(exc.root, settings)),
            code="missing_data",
            details={"missing": [str(_shown(p, settings)) for p in exc.missing[:50]], "command": CHECK_COMMAND,
                     "setting": DATA_SETTING},
        ) from None
    return enqueue(session, JOB_KIND, {"claim_id": claim_id, "spec": replication.to_dict()}, claim_id=claim_id)


def _shown(path: Path, settings: Settings) -> Path:
    """A path as the user configured it (under XTREME_DATA_DIR as set, or DATA_DIR/...), so that
    responses do not expose the server's layout beyond what the settings or the spec say."""
    full = Path(path).resolve()
    for root, shown in ((Path(settings.xtreme_data_dir), Path(settings.xtreme_data_dir)),
                        (settings.data_dir, Path("DATA_DIR"))):
        if full.is_relative_to(root.resolve()):
            return shown / full.relative_to(root.resolve())
    return Path(path)


def handle_replicate_job(context: JobContext) -> dict:
    """Run the experiment of a queued replication; its result JSON becomes the job's result."""
    from replication.pipeline import run_experiment

    spec = ReplicationSpec.from_dict(context.payload["spec"], source=f"job {context.job_id}")
    out_dir = context.settings.data_dir / "runs" / f"job-{context.job_id}"
    last = 0.0

    def progress(phase: str, fraction: float, _info: dict) -> None:
        nonlocal last
        if fraction >= 1.0 or time.monotonic() - last >= PROGRESS_EVERY_S:  # throttled DB writes
            last = time.monotonic()
            context.progress(fraction, phase[:64])

    result = run_experiment(spec, out_dir, progress=progress)
    return json.loads(result.model_dump_json())
