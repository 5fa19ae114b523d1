"""Job kind → handler. A handler takes a ``JobContext`` and returns a JSON-able result."""

from __future__ import annotations

from collections.abc import Callable

from app.jobs.context import JobContext

Handler = Callable[[JobContext], dict | None]

HANDLERS: dict[str, Handler] = {}
