"""The `claimtrace` command as a subprocess: ingest, export, db upgrade, up."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from app.models import Claim, ClaimMention, Report
from tests.conftest import EXAMPLE_REPORTS
from tests.malformed import cases

EXPORT_FIELDS = {"claim_id", "report_id", "text", "stated_verified", "stated_confidence", "verdict",
                 "confidence", "evidence"}


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_ingest_samples_then_again_changes_nothing(cli, session) -> None:
    first = cli("ingest", *map(str, EXAMPLE_REPORTS))
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("ingested as report") == 5
    second = cli("ingest", str(EXAMPLE_REPORTS[0].parent))
    assert second.returncode == 0 and second.stdout.count("already ingested") == 5
    assert (count(session, Report), count(session, Claim), count(session, ClaimMention)) == (5, 18, 51)


def test_malformed_files_report_file_line_and_write_nothing(cli, session, tmp_path) -> None:
    bad_files = {}
    for number, case in enumerate(cases(max_claims=20, max_bytes=50_000)):
        path = tmp_path / f"bad{number:02d}.txt"
        path.write_bytes(case.data)
        bad_files[path] = case
    result = cli("ingest", *map(str, bad_files), str(EXAMPLE_REPORTS[1]),
                 env={"CLAIMTRACE_MAX_REPORT_CLAIMS": "20", "CLAIMTRACE_MAX_REPORT_BYTES": "50000"})
    assert result.returncode == 1
    errors = result.stderr.splitlines()
    assert len(errors) == len(bad_files)
    for (path, case), line in zip(bad_files.items(), errors):
        assert line.startswith(f"{path}:{case.line}: ") and case.message in line, (case.name, line)
    # The good file given after them is ingested; nothing of the bad ones is.
    assert count(session, Report) == 1 and count(session, ClaimMention) == 9


def test_bulk_ingest_stores_a_repeated_file_once_and_matches_one_by_one(cli, session, tmp_path) -> None:
    """Files are stored in batches (one transaction each): the same report twice in a batch is
    stored once, and a batch stores exactly what ingesting the files one at a time stores."""
    text = EXAMPLE_REPORTS[0].read_bytes()
    (tmp_path / "a.txt").write_bytes(text)
    (tmp_path / "b.txt").write_bytes(text)
    result = cli("ingest", str(tmp_path), *map(str, EXAMPLE_REPORTS[1:]))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'a.txt'}: ingested as report ")
    assert lines[1] == lines[0].replace("a.txt: ingested", "b.txt: already ingested")
    assert (count(session, Report), count(session, Claim), count(session, ClaimMention)) == (5, 18, 51)
    groups = session.execute(select(func.min(Claim.group_id), func.max(Claim.group_id), func.min(Claim.id))
                             .group_by(Claim.group_key)).all()
    assert all(low == high == first for low, high, first in groups)  # a group is named by its first claim


def test_missing_path_is_an_error(cli, tmp_path) -> None:
    result = cli("ingest", str(tmp_path / "nope.txt"))
    assert result.returncode == 1 and "no such file" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_export_claims_one_row_per_mention(cli, ingested, fmt) -> None:
    result = cli("export", "claims", "--format", fmt)
    assert result.returncode == 0, result.stderr
    if fmt == "json":
        rows = json.loads(result.stdout)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 51 and EXPORT_FIELDS <= set(rows[0])
    first = rows[0]
    assert str(first["stated_confidence"]) == "0.27" and str(first["report_id"]) == str(ingested[0])


def test_export_rejects_unknown_format(cli) -> None:
    result = cli("export", "claims", "--format", "xml")
    assert result.returncode == 1 and "unknown format" in result.stderr


def test_every_command_has_help(cli) -> None:
    for args in (["--help"], ["ingest", "--help"], ["export", "claims", "--help"], ["db", "upgrade", "--help"],
                 ["up", "--help"], ["serve", "--help"], ["worker", "--help"], ["tokens", "create", "--help"],
                 ["tokens", "list", "--help"], ["tokens", "revoke", "--help"], ["export", "--help"],
                 ["import", "--help"]):
        result = cli(*args)
        assert result.returncode == 0 and "Usage" in result.stdout, args


def test_up_without_serving_migrates_and_ingests_examples(cli, tmp_path) -> None:
    env = {"CLAIMTRACE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    result = cli("up", "--no-serve", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ingested as report") == 5
    again = cli("up", "--no-serve", env=env)
    assert again.stdout.count("already ingested") == 5
