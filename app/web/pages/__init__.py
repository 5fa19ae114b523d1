"""The routers of the web view, one module per page family."""

from fastapi import APIRouter

from app.web.pages import actions, auth, claims, dashboard, jobs, reports, sources

router = APIRouter(include_in_schema=False)
for module in (dashboard, claims, reports, sources, jobs, actions, auth):
    router.include_router(module.router)
