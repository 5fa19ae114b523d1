"""Jinja2 templates of the web view: autoescaped, with the helpers every page uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from app import __version__
from app.security.sessions import CSRF_FIELD, csrf_token
from app.web.charts import verdict_class, verdict_label

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
env = templates.env
env.globals.update(verdict_label=verdict_label, verdict_class=verdict_class, csrf_field=CSRF_FIELD,
                   version=__version__)


def _percent(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _signed(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:+.{digits}f}"


def _when(value: Any) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


env.filters.update(percent=_percent, signed=_signed, when=_when)


def url_with(request: Request, **changes: Any) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + (f"?{query}" if query else "")


FLASH = {"verify": "Verification queued as job {job}: this page shows the new verdicts once it is done.",
         "replicate": "Replication queued as job {job}: its progress is shown below.",
         "cancel": "Job {job} cancelled."}


def flash_message(request: Request) -> str | None:
    """The message of a redirect after a form (``?done=verify&job=12``); fixed texts only."""
    template, job = FLASH.get(request.query_params.get("done", "")), request.query_params.get("job", "")
    return template.format(job=job) if template and job.isdigit() and len(job) < 12 else None


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200) -> HTMLResponse:
    """Render ``name`` with the request, the signed-in user, the CSRF token and ``context``."""
    values = {"principal": getattr(request.state, "principal", None), "csrf": csrf_token(request),
              "url_with": lambda **kw: url_with(request, **kw), "flash": flash_message(request)}
    values.update(context or {})
    return templates.TemplateResponse(request, name, values, status_code=status_code)
