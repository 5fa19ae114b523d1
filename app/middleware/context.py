"""Request context: an id (``X-Request-ID``), security headers, an access log line, and a JSON 500
for anything unexpected (logged with its traceback, never sent to the client)."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from html import escape

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_body
from app.logs import REQUEST_ID

log = logging.getLogger("app.requests")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
CACHEABLE_PREFIXES = ("/docs-assets/", "/static/")  # versioned public files; everything else: no-store


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        reset = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        state = {"status": 500, "sent": False}
        path = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["sent"] = message["status"], True
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                if not path.startswith(CACHEABLE_PREFIXES):
                    headers["Cache-Control"] = "no-store"
                headers[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:  # noqa: BLE001 - the last resort: log it whole, answer without details
            log.exception("unhandled error in %s %s", scope.get("method"), path)
            if not state["sent"]:
                message = f"internal error; report request id {request_id} to the operator"
                if _browser_page(scope):
                    await send_html(send_with_headers, 500, "Something went wrong", message)
                else:
                    await send_json(send_with_headers, 500, error_body("internal_error", message))
        finally:
            log.info("%s %s %s", scope.get("method"), path, state["status"], extra={
                "method": scope.get("method"), "path": path, "status": state["status"],
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
            REQUEST_ID.reset(reset)


def _browser_page(scope: Scope) -> bool:
    """A browser navigating to a web page (not the API) gets errors as HTML."""
    from app.web.errors import wants_html

    return wants_html(scope.get("path", ""), Headers(scope=scope).get("accept", ""))


async def send_html(send: Send, status: int, title: str, message: str) -> None:
    """A self-contained error page (no template: this runs when anything else may be broken)."""
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="stylesheet" href="/static/app.css"></head><body><main class="error-page">'
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p><p><a href=\"/\">Back to the dashboard</a></p>"
            f"</main></body></html>").encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    data = json.dumps(body).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})

