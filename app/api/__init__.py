"""The JSON API under /api: one router per domain."""

from fastapi import APIRouter

from app.api import claims, jobs, replications, reports, sources, verification

api_router = APIRouter(prefix="/api")
api_router.include_router(reports.router)
api_router.include_router(claims.router)
api_router.include_router(sources.router)
api_router.include_router(jobs.router)
api_router.include_router(verification.router)
api_router.include_router(replications.router)
