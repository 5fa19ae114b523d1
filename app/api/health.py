"""Liveness and readiness: the database answers (details go to the log, not the response)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.deps import SessionDep
from app.error_handlers import error_response
from app.errors import DB_RETRY_AFTER_S

router = APIRouter(tags=["health"])
log = logging.getLogger(__name__)


@router.get("/healthz", responses={200: {"content": {"application/json": {"schema": {
    "type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"}}}}}}})
def healthz(session: SessionDep) -> JSONResponse:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: database unavailable", exc_info=True)
        return error_response(503, "database_unavailable", f"the database is not answering; retry in "
                                                           f"{DB_RETRY_AFTER_S} s",
                              headers={"Retry-After": str(DB_RETRY_AFTER_S)})
    return JSONResponse({"status": "ok", "database": "ok"})
