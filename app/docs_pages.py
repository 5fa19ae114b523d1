"""/docs (Swagger UI) and /redoc from files the app serves itself: no CDN, no inline script."""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from app.errors import NotFoundError

VENDOR = Path(fastapi_offline.__file__).resolve().parent / "static"  # Swagger UI 5 and ReDoc 2 dist files
OWN = Path(__file__).resolve().parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": VENDOR / "swagger-ui-bundle.js",
    "swagger-ui.css": VENDOR / "swagger-ui.css",
    "redoc.standalone.js": VENDOR / "redoc.standalone.js",
    "favicon.png": VENDOR / "favicon.png",
    "swagger-init.js": OWN / "swagger-init.js",
}
ASSET_CACHE = "public, max-age=86400"

router = APIRouter(include_in_schema=False)


def _page(title: str, head: str, body: str) -> HTMLResponse:
    return HTMLResponse(f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
                        f'</title><meta name="viewport" content="width=device-width, initial-scale=1">{head}'
                        f"</head><body>{body}</body></html>\n")


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    root = escape(request.scope.get("root_path", ""))
    return _page("Claimtrace API", f'<link rel="stylesheet" href="{root}/docs-assets/swagger-ui.css">'
                                   f'<link rel="icon" href="{root}/docs-assets/favicon.png">',
                 f'<div id="swagger-ui" data-openapi-url="{root}/openapi.json"></div>'
                 f'<script src="{root}/docs-assets/swagger-ui-bundle.js"></script>'
                 f'<script src="{root}/docs-assets/swagger-init.js"></script>')


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    root = escape(request.scope.get("root_path", ""))
    return _page("Claimtrace API reference", f'<link rel="icon" href="{root}/docs-assets/favicon.png">',
                 f'<redoc spec-url="{root}/openapi.json"></redoc>'
                 f'<script src="{root}/docs-assets/redoc.standalone.js"></script>')


@router.get("/docs-assets/{name}")
def asset(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None:
        raise NotFoundError(f"no docs asset {name[:100]!r}")
    return FileResponse(path, headers={"Cache-Control": ASSET_CACHE})
