"""/docs and /redoc in a real browser, air-gapped: they render from the app's own files under its
CSP (no inline script) with no CSP violation and no request to another host completing."""

from __future__ import annotations

import pytest

from tests.app.workers import served
from tests.browser import CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, NO_CHROMIUM

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
              pytest.mark.skipif(not HAVE_CHROMIUM, reason=NO_CHROMIUM)]


@pytest.fixture
def server(settings, tmp_path):
    with served(settings, tmp_path / "serve.log") as base:
        yield base


def test_docs_render_offline_under_the_csp(server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        problems: list[str] = []
        outside: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("requestfinished", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
        page.goto(f"{server}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)  # Swagger UI drew the operations
        assert "/api/reports" in page.inner_text("#swagger-ui")
        page.goto(f"{server}/redoc")
        page.wait_for_selector("text=Claimtrace", timeout=20_000)  # ReDoc drew the API title
        page.wait_for_timeout(500)
        browser.close()
    # ReDoc's sidebar credit always tries its logo on cdn.redoc.ly: the CSP blocks it (nothing leaves
    # the machine) and ReDoc hides the image. Any other violation means a page needs something we forbid.
    blocked = [p for p in problems if ("Content Security Policy" in p or "Refused" in p)
               and "cdn.redoc.ly/redoc/logo-mini.svg" not in p]
    assert not blocked, blocked
    assert not outside, outside
