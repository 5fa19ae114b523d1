"""The OpenAPI document: every operation lists each status and content type it can answer with.

Routes declare what is particular to them (``responses=`` on the decorator); the errors every
route shares (auth, validation, size, Host, database) are added here, all with our error body.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.security.deps import reads_need_token
from app.security.sessions import SESSION_COOKIE
from app.settings import Settings

ERROR_SCHEMA_NAME = "ErrorBody"
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {"code": {"type": "string", "description": "stable, machine-readable"},
                       "message": {"type": "string", "description": "what went wrong and what to do next"},
                       "details": {"description": "e.g. the report line, or the invalid fields"}},
    }},
}
ERROR_DESCRIPTIONS = {
    400: "bad request: invalid cursor, Host not allowed, malformed Content-Length",
    401: "no API token, or an invalid or revoked one",
    403: "the token's role does not allow this, or a signed-in request lacks its CSRF token",
    404: "no such resource",
    413: "request body over the size limit",
    422: "invalid parameters or body",
    500: "unexpected error (logged with the request id)",
    503: "database unavailable; retry after Retry-After seconds",
}
SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "description": "an API token (claimtrace tokens create)"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                      "description": "web sign-in (POST /auth/signin); writes also need the CSRF token"},
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    503: {"Retry-After": {"schema": {"type": "integer"}}},
}


def _error(status: int, description: str | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or ERROR_DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    statuses = {400, 500, 503}
    if path.startswith("/api/"):
        statuses |= {401, 403}
    if path.startswith("/auth/"):
        statuses |= {401, 403} if path.endswith("signin") else {403}
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation or method in WRITE_METHODS:
        statuses |= {413, 422}
    return statuses


def complete_schema(schema: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Add the shared error responses and security requirements to every operation."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = SECURITY_SCHEMES
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(path, method, operation)):
                given = responses.get(str(status), {})
                description = given.get("description") if status != 422 else None
                responses[str(status)] = {**_error(status, description), **{
                    k: v for k, v in given.items() if k not in ("description", "content")}}
            if path.startswith("/api/"):
                security: list[dict[str, list[str]]] = [{"bearerAuth": []}, {"sessionCookie": []}]
                if method not in WRITE_METHODS and not reads_need_token(settings) and "/tokens" not in path:
                    security.append({})  # anonymous reads are allowed while AUTH is off
                operation["security"] = security
    return schema


def install_openapi(app: FastAPI, settings: Settings) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes, tags=app.openapi_tags)
            app.openapi_schema = complete_schema(schema, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
