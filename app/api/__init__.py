"""The JSON API under /api: one router per domain, all behind the access policy of
``app.security.deps.authorize`` (reads open unless AUTH=on; writes need an editor token)."""

from fastapi import APIRouter, Depends

from app.api import claims, jobs, replications, reports, sources, tokens, verification
from app.security.deps import authorize

api_router = APIRouter(prefix="/api", dependencies=[Depends(authorize)])
api_router.include_router(reports.router)
api_router.include_router(claims.router)
api_router.include_router(sources.router)
api_router.include_router(jobs.router)
api_router.include_router(verification.router)
api_router.include_router(replications.router)
api_router.include_router(tokens.router)
