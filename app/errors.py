"""Application errors and the one JSON shape every error response has.

``{"error": {"code": "not_found", "message": "...", "details": {...}}}``

Responses never carry tracebacks or server paths: unexpected errors are logged (with the
request id) and answered with a generic message; database outages become 503s
(``app.error_handlers``). This module does not load the web framework: services and the CLI
raise these errors too.
"""

from __future__ import annotations

from typing import Any

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
