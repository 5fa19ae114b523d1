"""Request bodies: refused with 413 over the route's size limit before anything parses them, and
JSON bodies parsed strictly first (finite numbers, 64-bit integers, bounded nesting), so nothing
non-standard (``NaN``, ``Infinity``, ``1e999``) reaches a route or the database."""

from __future__ import annotations

import json
import math

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import error_body
from app.middleware.context import send_json
from app.settings import Settings

MULTIPART_SLACK = 64_000  # form boundaries and headers around an uploaded report
INT64 = 2**63
REPORT_UPLOAD_PATH = "/api/reports"


class BodyTooLargeError(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is over this route's limit of {limit:,} bytes")


class InvalidJSONError(ValueError):
    pass


def _constant(name: str) -> float:
    raise InvalidJSONError(f"{name} is not a JSON number; send finite numbers only")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJSONError(f"number {text[:40]} is out of range; send finite numbers only")
    return value


def _int64(text: str) -> int:
    if len(text.lstrip("-")) > 19 or not -INT64 <= (value := int(text)) < INT64:
        raise InvalidJSONError(f"integer {text[:40]} does not fit in 64 bits")
    return value


def strict_json_error(body: bytes) -> str | None:
    """Why ``body`` is not acceptable JSON, or None when it is."""
    try:
        json.loads(body, parse_constant=_constant, parse_float=_finite, parse_int=_int64)
    except json.JSONDecodeError as exc:
        return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    except InvalidJSONError as exc:
        return str(exc)
    except RecursionError:
        return "JSON nested too deeply"
    except ValueError as exc:  # e.g. not UTF-8
        return f"invalid JSON: {str(exc)[:200]}"
    return None


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit_for(self, scope: Scope) -> tuple[int, str]:
        if scope["path"].rstrip("/") == REPORT_UPLOAD_PATH:
            return self.settings.max_report_bytes + MULTIPART_SLACK, "CLAIMTRACE_MAX_REPORT_BYTES"
        return self.settings.max_json_body_bytes, "CLAIMTRACE_MAX_JSON_BODY_BYTES"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit, setting = self.limit_for(scope)
        declared = headers.get("content-length")
        if declared is not None and not declared.strip().isdigit():
            await send_json(send, 400, error_body("invalid_content_length", "Content-Length is not a number"))
            return
        if declared is not None and int(declared) > limit:
            await send_json(send, 413, error_body(
                "payload_too_large", f"request body is {int(declared):,} bytes, over this route's limit of "
                                     f"{limit:,} ({setting}); send less", {"limit": limit}))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        if not _is_json(headers.get("content-type", "")):
            await self.app(scope, counted, send)
            return
        chunks = []
        while True:
            try:
                message = await counted()
            except BodyTooLargeError:
                await send_json(send, 413, error_body(
                    "payload_too_large", f"request body is over this route's limit of {limit:,} bytes ({setting})",
                    {"limit": limit}))
                return
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body and (problem := strict_json_error(body)):
            await send_json(send, 422, error_body("invalid_json", problem))
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
