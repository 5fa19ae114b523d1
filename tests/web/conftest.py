"""A live Claimtrace (``claimtrace serve``: real uvicorn and job worker) on 127.0.0.1 with its own
data dir and SQLite database holding verified sample data, and Chromium driven by Playwright.

Every page a test opens goes through ``guarded_page``: requests to any host but the server are
aborted and recorded, as are console errors (a CSP violation is one), script dialogs and page
errors; the test fails if any happened.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from app.db import dispose_engine
from app.settings import Settings
from tests.browser import CHROMIUM, CHROMIUM_ARGS, HAVE_CHROMIUM, NO_CHROMIUM
from tests.conftest import ROOT, make_token, settings_env
from tests.web.data import populate

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}



@dataclass
class LiveServer:
    base: str
    settings: Settings
    ids: dict[str, int]
    editor_token: str
    viewer_token: str

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[LiveServer]:
    if not HAVE_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    pytest.importorskip("playwright")
    root = tmp_path_factory.mktemp("live")
    database = root / "claimtrace.db"
    shutil.copy(sqlite_template, database)
    settings = Settings(database_url=f"sqlite:///{database}", data_dir=root / "data", embedding_model="none",
                        arxiv_api_url="http://127.0.0.1:9/api/query", arxiv_pdf_url="http://127.0.0.1:9/pdf/{id}",
                        arxiv_html_url="http://127.0.0.1:9/html/{id}", http_retries=0, http_timeout_s=2.0,
                        worker_poll_s=0.2, offline=True)
    ids = populate(settings, root)
    editor, viewer = make_token(settings, "editor", "web editor"), make_token(settings, "viewer", "web viewer")
    dispose_engine(settings.sqlalchemy_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (root / "serve.log").open("w")
    server = subprocess.Popen([str(Path(sys.executable).parent / "claimtrace"), "serve", "--host", "127.0.0.1",
                               "--port", str(port)], cwd=ROOT, env=settings_env(settings), stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                break
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            pytest.fail(f"claimtrace serve exited: {(root / 'serve.log').read_text()[-2000:]}")
        time.sleep(0.2)
    yield LiveServer(base, settings, ids, editor, viewer)
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser(live: LiveServer):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did that it must not: leave 127.0.0.1, log errors, run injected script."""

    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    expected_errors: tuple[str, ...] = ()

    def check(self) -> None:
        errors = [e for e in self.console_errors if not any(x in e for x in self.expected_errors)]
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not errors, f"console errors: {errors}"
        assert not self.page_errors, f"page errors: {self.page_errors}"
        assert not self.dialogs, f"script dialogs: {self.dialogs}"


def open_page(browser, live: LiveServer, viewport: dict | None = None):
    """A fresh browser context and page, with every request checked against the server's origin."""
    context = browser.new_context(viewport=viewport or DESKTOP, service_workers="block")
    watch = Watch()

    def route(r) -> None:
        url = r.request.url
        if url.startswith(live.base + "/") or url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            watch.outside.append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: watch.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: None if r.url.startswith((live.base + "/", "data:", "blob:"))
            else watch.outside.append(r.url))
    return context, page, watch


@pytest.fixture
def guarded_page(browser, live):
    """``(page, watch)`` at desktop size; the watch is checked after the test."""
    context, page, watch = open_page(browser, live)
    yield page, watch
    try:
        watch.check()
    finally:
        context.close()


def sign_in(page, live: LiveServer, token: str, next_path: str = "/") -> None:
    page.goto(live.url(f"/signin?next={next_path}"))
    page.fill("#token", token)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(live.url(next_path))


def no_horizontal_overflow(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
