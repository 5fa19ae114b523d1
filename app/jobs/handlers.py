"""Job kind → handler. A handler takes a ``JobContext`` and returns a JSON-able result."""

from __future__ import annotations

from collections.abc import Callable

from app.jobs.context import JobContext
from app.services.replicate import JOB_KIND as REPLICATE_JOB
from app.services.replicate import handle_replicate_job
from app.services.sources import FETCH_JOB, run_fetch_job
from app.services.verify import JOB_KIND as VERIFY_JOB
from app.services.verify import handle_verify_job

Handler = Callable[[JobContext], dict | None]

HANDLERS: dict[str, Handler] = {
    FETCH_JOB: run_fetch_job,
    VERIFY_JOB: handle_verify_job,
    REPLICATE_JOB: handle_replicate_job,
}
