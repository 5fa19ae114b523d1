"""The web view in a real browser (Chromium via Playwright) against ``claimtrace serve`` on 127.0.0.1.

Every test runs under the guard of ``guarded_page``: nothing may leave 127.0.0.1, no console
error (CSP violations are console errors), no page error, no script dialog.
"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import PHONE, SCREENSHOTS, DESKTOP, no_horizontal_overflow, open_page, sign_in
from tests.web.data import HOSTILE_CLAIM, HOSTILE_TITLE, LONG_CLAIM

pytestmark = pytest.mark.timeout(600)


def test_dashboard_to_a_claims_evidence(guarded_page, live) -> None:
    page, _ = guarded_page
    page.goto(live.url("/"))
    assert page.title() == "Dashboard · Claimtrace"
    counts = page.locator("section.cards")
    assert "supported" in counts.inner_text() and "not enough info" in counts.inner_text()
    assert page.locator("svg.verdict-bars > title").first.text_content() == "Verdicts per report"
    page.click("section.cards a[href='/claims?verdict=supported']")
    page.wait_for_url(re.compile(r"/claims\?verdict=supported$"))
    rows = page.locator("table.claims tbody tr")
    assert rows.count() > 0
    assert all(b == "supported" for b in page.locator("table.claims tbody td .badge").evaluate_all(
        "els => els.map(e => e.firstChild.textContent.trim())"))
    first = page.locator("table.claims tbody td.text a").first
    claim_text = first.inner_text().rstrip("…")
    first.click()
    page.wait_for_url(re.compile(r"/claims/\d+$"))
    assert page.locator("blockquote.claim-text").first.inner_text().startswith(claim_text[:40])
    evidence = page.locator("ol.evidence li").first
    assert evidence.locator(".ev-meta").inner_text().count("2005.13013")  # source id shown
    assert evidence.locator("a", has_text="arXiv page").get_attribute("href").startswith("https://arxiv.org/abs/")
    assert page.locator("ol.evidence mark.term").count() > 0  # the claim's terms are highlighted
    # From the evidence to its source: metadata, status and passages.
    evidence.locator(".ev-meta a[href^='/sources/']").click()
    page.wait_for_url(re.compile(r"/sources/\d+\?offset=\d+#p\d+$"))
    assert "fetched" in page.locator("dl.meta").inner_text()
    assert page.locator("ol.passages li").count() > 0


def test_filter_and_sort_the_claims_table_with_a_shareable_url(guarded_page, live, browser) -> None:
    page, _ = guarded_page
    page.goto(live.url("/claims"))
    page.fill("#f-q", "intermediate")
    page.select_option("#f-verdict", "not_enough_info")
    page.select_option("#f-report", str(live.ids["report0"]))
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"verdict=not_enough_info"))
    url = page.url
    assert "q=intermediate" in url and f"report={live.ids['report0']}" in url
    texts = page.locator("table.claims tbody td.text a").all_inner_texts()
    assert texts and len(texts) >= 3 and all("intermediate" in t.lower() for t in texts)
    # Sort by text, then reverse it, by the column header.
    page.click("table.claims thead a:text('Claim')")
    page.wait_for_url(re.compile(r"sort=text"))
    ascending = page.locator("table.claims tbody td.text a").all_inner_texts()
    page.click("table.claims thead a:text('Claim')")
    page.wait_for_url(re.compile(r"sort=-text"))
    descending = page.locator("table.claims tbody td.text a").all_inner_texts()
    assert ascending == sorted(ascending)  # code-point order, as the API sorts text
    assert descending == list(reversed(ascending))
    assert set(descending) == set(texts)
    # The URL alone reproduces the view in a new browser context.
    shared = page.url
    context, other, watch = open_page(browser, live)
    other.goto(shared)
    assert other.locator("table.claims tbody td.text a").all_inner_texts() == descending
    assert other.locator("#f-verdict").input_value() == "not_enough_info"
    watch.check()
    context.close()
    # Pagination keeps the filters: one claim per page.
    page.goto(live.url("/claims?verdict=supported&limit=1"))
    first = page.locator("table.claims tbody td.text a").inner_text()
    page.click("a[rel=next]")
    assert "verdict=supported" in page.url and "cursor=" in page.url
    assert page.locator("table.claims tbody td.text a").inner_text() != first


def test_sign_in_then_verify_a_claim_with_csrf(guarded_page, live) -> None:
    page, watch = guarded_page
    watch.expected_errors = ("401", "403")  # the failed sign-in (401) and the post without CSRF (403)
    claim = f"/claims/{1}"
    page.goto(live.url(claim))
    assert page.locator("button", has_text="Verify this claim").count() == 0
    page.click("header .who a")
    page.wait_for_url(re.compile(r"/signin\?next="))
    page.fill("#token", "ct_wrong-token")
    page.click("form.stack button[type=submit]")
    assert "invalid or revoked API token" in page.locator("[role=alert]").inner_text()
    page.fill("#token", live.editor_token)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(live.url(claim))
    assert "web editor · editor" in page.locator("header .who").inner_text()
    page.click("button:text('Verify this claim')")
    page.wait_for_url(re.compile(r"done=verify&job=\d+"))
    assert "Verification queued as job" in page.locator(".flash").inner_text()
    # The form carried the CSRF token; the same post without it is refused.
    status = page.evaluate("""async (path) => (await fetch(path, {method: 'POST', headers:
        {'Content-Type': 'application/x-www-form-urlencoded'}, body: ''})).status""", f"{claim}/verify")
    assert status == 403
    page.click("header .who button:text('Sign out')")
    page.wait_for_url(live.url("/"))
    assert page.locator("header .who a:text('Sign in')").count() == 1


def test_a_viewer_sees_no_edit_buttons_and_script_cannot_read_the_session(guarded_page, live) -> None:
    page, _ = guarded_page
    sign_in(page, live, live.viewer_token, f"/reports/{live.ids['report0']}")
    assert "web viewer · viewer" in page.locator("header .who").inner_text()
    assert page.locator("button", has_text="Verify every claim").count() == 0
    assert "claimtrace_session" not in page.evaluate("document.cookie")  # HttpOnly


def test_open_a_report_audit(guarded_page, live) -> None:
    page, _ = guarded_page
    page.goto(live.url("/reports"))
    page.click(f"a[href='/reports/{live.ids['report1']}']")
    page.wait_for_url(live.url(f"/reports/{live.ids['report1']}"))
    audit = page.locator("table.audit").inner_text()
    assert "The report states" in audit and "We measured" in audit and "supported" in audit
    assert page.locator("svg.confidence-strip").count() == 1
    assert page.locator("h3", has_text="Claims not supported").count() == 1
    assert page.locator("h3", has_text="Research question").count() == 1
    assert page.locator("pre.synthesis").inner_text().startswith("# Synthesis:")
    with page.expect_download() as download:
        page.click("a:text('download Markdown')")
    assert download.value.suggested_filename == f"report-{live.ids['report1']}-synthesis.md"


def test_markup_in_titles_and_claims_is_inert_text(guarded_page, live) -> None:
    page, _ = guarded_page
    report = live.ids["hostile"]
    for path in ("/", "/reports", f"/reports/{report}", f"/claims?report={report}"):
        page.goto(live.url(path))
        assert page.evaluate("window.__pwned") is None, path
        assert page.locator("script").count() == 1, path  # only /static/app.js
        assert page.locator("main b, main i, main img").count() == 0, path
    assert page.locator("table.claims").inner_text().count("<img src=x") == 1
    page.goto(live.url(f"/reports/{report}"))
    assert page.locator("h1.report-title").inner_text() == HOSTILE_TITLE
    page.click("table.claims a:text-matches('^<img'), a:text-matches('^<img')")
    assert page.locator("blockquote.claim-text").first.inner_text() == HOSTILE_CLAIM
    assert page.evaluate("window.__pwned") is None


def test_keyboard_focus_and_a_2000_character_claim_on_a_phone(browser, live) -> None:
    context, page, watch = open_page(browser, live, PHONE)
    page.goto(live.url("/claims?q=Supercalifragilistic"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "f-q"  # straight to the first filter, the header skipped
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # visible focus
    width, viewport = no_horizontal_overflow(page)
    assert width <= viewport, f"claims page is {width}px wide on a {viewport}px phone"
    page.click("table.claims td.text a")
    page.wait_for_url(re.compile(r"/claims/\d+$"))
    assert page.locator("blockquote.claim-text").first.inner_text() == LONG_CLAIM
    width, viewport = no_horizontal_overflow(page)
    assert width <= viewport, f"claim page is {width}px wide on a {viewport}px phone"
    for path in ("/", "/reports", f"/reports/{live.ids['hostile']}", "/sources", "/jobs"):
        page.goto(live.url(path))
        width, viewport = no_horizontal_overflow(page)
        assert width <= viewport, f"{path} is {width}px wide on a {viewport}px phone"
    watch.check()
    context.close()


def test_error_pages_are_html_for_browsers_and_json_for_the_api(guarded_page, live) -> None:
    page, watch = guarded_page
    watch.expected_errors = ("404", "400")
    response = page.goto(live.url("/claims/999999"))
    assert response.status == 404 and "claim 999999 does not exist" in page.locator(".error-message").inner_text()
    response = page.goto(live.url("/claims?report=abc"))
    assert response.status == 400 and "report must be a positive id" in page.inner_text("main")
    response = page.goto(live.url("/api/claims/999999"))
    assert response.status == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.slow
def test_start_a_replication_and_watch_it_finish(guarded_page, live) -> None:
    page, _ = guarded_page
    claim = f"/claims/{1}"
    sign_in(page, live, live.editor_token, claim)
    page.click("button:text('Synthetic demonstration')")
    page.wait_for_url(re.compile(r"done=replicate&job=\d+"))
    job = int(re.search(r"job=(\d+)", page.url).group(1))
    card = page.locator(f"[data-job-card='{job}']")
    assert "synthetic demonstration" in card.locator(".tag.synthetic").inner_text()
    seen: set[str] = set()
    bar = page.locator(f".progress[data-job='{job}'] .pct")
    for _ in range(600):  # up to 5 minutes
        seen.add(bar.inner_text() if bar.count() else "")
        if page.locator(f"[data-job-card='{job}'] svg.delta-chart").count():
            break
        page.wait_for_timeout(500)
    card = page.locator(f"[data-job-card='{job}']")
    assert card.get_attribute("data-status") == "succeeded", card.inner_text()
    assert card.locator(".pct").inner_text() == "100%"
    assert len(seen - {""}) >= 2, seen  # the bar moved while the page watched (no reload)
    chart = card.locator("svg.delta-chart")
    assert "claimed +8.70" in chart.locator("desc").text_content()
    assert card.locator(".badge").first.inner_text() in {"replicated", "not replicated", "inconclusive"}
    assert "xnli" in card.locator("table").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SCREENSHOTS / "desktop-replication-card.png"))
    page.screenshot(path=str(SCREENSHOTS / "desktop-claim-replication.png"), full_page=True)


def test_screenshots_of_the_main_pages(browser, live) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {"dashboard": "/", "claims": "/claims?verdict=supported", "claim": f"/claims/{_supported_claim(live)}",
             "report-audit": f"/reports/{live.ids['report1']}", "sources": "/sources",
             "source": "/sources/1", "jobs": "/jobs", "signin": "/signin"}
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context, page, watch = open_page(browser, live, size)
        for name, path in pages.items():
            page.goto(live.url(path))
            path_out = SCREENSHOTS / f"{size_name}-{name}.png"
            page.screenshot(path=str(path_out), full_page=True)
            assert path_out.stat().st_size > 5_000
        watch.check()
        context.close()


def _supported_claim(live) -> int:
    import httpx

    items = httpx.get(live.url("/api/claims"), params={"verdict": "supported", "limit": 200}).json()["items"]
    return next(c["id"] for c in items if "5.4" in c["text"]) if any("5.4" in c["text"] for c in items) else items[0]["id"]
