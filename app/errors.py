"""Application errors and the one JSON shape every error response has.

``{"error": {"code": "not_found", "message": "...", "details": {...}}}``

Responses never carry tracebacks or server paths: unexpected errors are logged (with the
request id) and answered with a generic message; database outages become 503s.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("app.errors")

DB_RETRY_AFTER_S = 5


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    headers: dict[str, str] | None = None

    def __init__(self, message: str, *, details: Any = None, code: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code
        if headers:
            self.headers = headers


class BadRequestError(AppError):
    pass


class UnauthorizedError(AppError):
    status_code = 401
    code = "unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="claimtrace"'}


class ForbiddenError(AppError):
    status_code = 403
    code = "forbidden"


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class PayloadTooLargeError(AppError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(AppError):
    status_code = 415
    code = "unsupported_media_type"


class UnprocessableError(AppError):
    status_code = 422
    code = "unprocessable"


class ServiceUnavailableError(AppError):
    status_code = 503
    code = "unavailable"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(status_code: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, details), status_code=status_code, headers=headers)


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}
_HTTP_MESSAGES = {404: "no such route; see /docs for the API", 405: "method not allowed on this route"}


def allowed_methods(request: Request, routed: str | None) -> list[str]:
    """Every method some operation accepts at this path, for the ``Allow`` of a 405.

    The router names only the first route it matched (``routed``); the OpenAPI paths name all.
    """
    methods = {m.strip().upper() for m in (routed or "").split(",") if m.strip()}
    for template, item in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, request.url.path):
            methods |= {m.upper() for m in item}
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """Route every error (ours, HTTP, validation, database) through the stable JSON shape."""

    @app.exception_handler(AppError)
    async def _app_error(_: Request, exc: AppError) -> JSONResponse:
        return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = _HTTP_MESSAGES.get(exc.status_code, str(exc.detail))
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request, headers.get("Allow")))
        return error_response(exc.status_code, code, message, headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]
        fields = ", ".join(d["field"] for d in details[:5])
        return error_response(422, "validation_error", f"invalid request ({fields}); see details and /docs",
                              details)

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable during %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(503, "database_unavailable",
                              f"the database is not answering; retry in {DB_RETRY_AFTER_S} s",
                              headers={"Retry-After": str(DB_RETRY_AFTER_S)})

    for db_error in (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError):
        app.add_exception_handler(db_error, _database_unavailable)

    @app.exception_handler(sa_exc.DataError)
    async def _data_error(request: Request, exc: sa_exc.DataError) -> JSONResponse:
        log.warning("database refused a value during %s %s", request.method, request.url.path, exc_info=exc)
        return error_response(422, "invalid_value",
                              "a value in the request cannot be stored (out of range or not text); fix it and retry")
