"""The browser the tests drive: Debian's Chromium through Playwright, launched quietly."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-default-apps", "--disable-sync", "--no-first-run", "--disable-domain-reliability",
                 "--disable-client-side-phishing-detection", "--metrics-recording-only", "--no-pings"]
HAVE_CHROMIUM = Path(CHROMIUM).exists()
NO_CHROMIUM = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
