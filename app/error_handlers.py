"""The handlers that answer every error (ours, HTTP, validation, database) in the one JSON shape
of ``app.errors``."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import DB_RETRY_AFTER_S, AppError, error_body

log = logging.getLogger("app.errors")


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
