"""Without network: `sources fetch` fails at once and says what to do; `sources add --folder`
attaches copies named by arXiv id and warns when a copy is not the paper it claims to be."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from app.db import session_scope
from app.models import Source
from app.services.sources import content_cache

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# ".invalid" never resolves (RFC 2606): DNS fails the way it does on a machine without network.
NO_DNS = {
    "CLAIMTRACE_ARXIV_API_URL": "http://export.arxiv.invalid/api/query",
    "CLAIMTRACE_ARXIV_PDF_URL": "http://arxiv.invalid/pdf/{id}",
    "CLAIMTRACE_ARXIV_HTML_URL": "http://arxiv.invalid/html/{id}",
    "CLAIMTRACE_HTTP_RETRIES": "5",
    "CLAIMTRACE_HTTP_BACKOFF_S": "4",
    "CLAIMTRACE_ARXIV_MIN_INTERVAL_S": "3",
}

ABSTRACT = ("Intermediate-task training can improve zero-shot cross-lingual transfer. We fine-tune "
            "a multilingual encoder on English intermediate tasks before the target task and "
            "evaluate on a multilingual benchmark.")


def test_fetch_without_dns_fails_every_source_at_once_and_names_the_fix(cli, ingested) -> None:
    started = time.monotonic()
    result = cli("sources", "fetch", "--report", str(ingested[0]), env=NO_DNS, timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert elapsed < 20, f"no retries on a DNS failure: took {elapsed:.0f} s"
    lines = [line for line in result.stdout.splitlines() if ": failed: " in line]
    assert len(lines) >= 3
    assert all("arXiv unreachable (no network?) — attach a local copy: `claimtrace sources add "
               in line and "--file PATH`" in line for line in lines)
    assert "`claimtrace sources add --folder DIR`" in result.stderr and "CLAIMTRACE_OFFLINE=1" in result.stderr


def _copies_folder_with_known_paper(settings, tmp_path):
    """An empty folder for copies, with 2005.13013v2's title and abstract known to the cache."""
    content_cache(settings).set_entry("arxiv/2005.13013v2/meta", {
        "id": "2005.13013v2", "title": "English intermediate-task training improves zero-shot "
        "cross-lingual transfer too", "abstract": ABSTRACT})
    folder = tmp_path / "copies"
    folder.mkdir()
    return folder


def test_add_folder_attaches_copies_by_arxiv_id_and_warns_on_a_mismatch(cli, settings, tmp_path) -> None:
    folder = _copies_folder_with_known_paper(settings, tmp_path)
    (folder / "2005.13013v2.txt").write_text(
        "A study of protein folding in yeast.\n\nWe measure chaperone expression under heat stress "
        "and find that folding rates double.\n", encoding="utf-8")
    (folder / "2104.07412v2.txt").write_text(
        "XTREME-R: towards more challenging and nuanced multilingual evaluation.\n\n"
        "We introduce a benchmark of ten tasks across fifty languages.\n", encoding="utf-8")
    (folder / "notes.csv").write_text("ignored", encoding="utf-8")
    result = cli("sources", "add", "--folder", str(folder))
    assert result.returncode == 0, result.stderr
    assert "2 of 2 copies attached" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith(
        "warning: 2005.13013v2: attached text does not match the paper's known title")
    with session_scope(settings) as session:
        keys = set(session.scalars(select(Source.key).where(Source.status == "fetched")))
    assert keys == {"2005.13013v2", "2104.07412v2"}


def test_add_folder_matching_copy_has_no_warning_and_bad_usage_is_named(cli, settings, tmp_path) -> None:
    folder = _copies_folder_with_known_paper(settings, tmp_path)
    (folder / "2005.13013v2.txt").write_text(
        "English intermediate-task training improves zero-shot cross-lingual transfer too.\n\n"
        + ABSTRACT + "\n", encoding="utf-8")
    result = cli("sources", "add", "--folder", str(folder))
    assert result.returncode == 0 and "warning" not in result.stderr, result.stderr
    both = cli("sources", "add", "2005.13013v2", "--folder", str(folder))
    assert both.returncode == 2 and "not both" in both.stderr
    neither = cli("sources", "add")
    assert neither.returncode == 2 and "--folder DIR" in neither.stderr
