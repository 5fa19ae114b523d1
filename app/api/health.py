"""Liveness and readiness: the database answers and the schema is at the latest revision."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.db import SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    try:
        session.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        return JSONResponse({"status": "error", "database": str(exc)}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})
