"""Job kind → handler. A handler takes a ``JobContext`` and returns a JSON-able result."""

from __future__ import annotations

from collections.abc import Callable

from app.jobs.context import JobContext

Handler = Callable[[JobContext], dict | None]

HANDLERS: dict[str, Handler] = {}

from app.services.sources import FETCH_JOB, run_fetch_job  # noqa: E402

HANDLERS[FETCH_JOB] = run_fetch_job

from app.services.verify import JOB_KIND as VERIFY_JOB, handle_verify_job  # noqa: E402

HANDLERS[VERIFY_JOB] = handle_verify_job
