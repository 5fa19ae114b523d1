"""`claimtrace ingest` of many files: parsed ahead in child processes, stored and reported in order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from app.cli import bulk_ingest as ingest
from app.models import Claim, ClaimMention, Report
from tests.malformed import SAMPLE, cases
from verifier.reports import parse_report

SAMPLE_TITLE = SAMPLE.split(b"\n")[2]
SAMPLE_CLAIMS = len(parse_report(SAMPLE.decode()).claims)


def _report(number: int) -> bytes:
    """The sample report under another title: a report of its own whose claims it shares."""
    return SAMPLE.replace(SAMPLE_TITLE, SAMPLE_TITLE + f" (copy {number})".encode(), 1)


def test_many_files_are_parsed_ahead_and_reported_in_file_order(cli, session, tmp_path) -> None:
    """More files than several parse tasks hold (children parse them on a multi-CPU machine):
    every file is reported in order, the malformed ones by FILE:LINE, and the rest stored."""
    bad = cases(max_claims=20, max_bytes=50_000)[:6]
    good, errors = [], []
    for number in range(4 * ingest.PARSE_CHUNK + 3):
        path = tmp_path / f"r{number:03d}.txt"
        if number % 11 == 5:
            case = bad[len(errors) % len(bad)]
            path.write_bytes(case.data)
            errors.append((path, case))
        else:
            path.write_bytes(_report(number))
            good.append(path)
    result = cli("ingest", str(tmp_path),
                 env={"CLAIMTRACE_MAX_REPORT_CLAIMS": "20", "CLAIMTRACE_MAX_REPORT_BYTES": "50000"})
    assert result.returncode == 1
    stored = result.stdout.splitlines()
    assert [line.split(":")[0] for line in stored] == [str(path) for path in good]
    assert all(": ingested as report " in line for line in stored)
    ids = [int(line.split("as report ")[1].split()[0]) for line in stored]
    assert ids == sorted(ids) and len(set(ids)) == len(good)
    failures = result.stderr.splitlines()
    assert len(failures) == len(errors)
    for (path, case), line in zip(errors, failures):
        assert line.startswith(f"{path}:{case.line}: ") and case.message in line, (case.name, line)
    session.expire_all()
    counts = [session.scalar(select(func.count()).select_from(model)) for model in (Report, Claim, ClaimMention)]
    assert counts == [len(good), SAMPLE_CLAIMS, SAMPLE_CLAIMS * len(good)]


def test_parsing_ahead_keeps_order_and_its_byte_bound(settings, tmp_path, monkeypatch) -> None:
    paths = []
    for number in range(9):
        paths.append(tmp_path / f"r{number}.txt")
        paths[-1].write_bytes(_report(number))
    bound = 3 * len(_report(0)) + 10  # three files' worth
    monkeypatch.setattr(ingest, "PARSE_AHEAD_BYTES", bound)
    chunks = [paths[i:i + 2] for i in range(0, len(paths), 2)]
    submitted, taken, widest = [], 0, 0

    class CountingPool(ThreadPoolExecutor):
        def submit(self, fn, chunk, *args):
            submitted.append(chunk)
            return super().submit(fn, chunk, *args)

    with CountingPool(2) as pool:
        results = []
        for result in ingest._ahead(pool, chunks, settings):
            widest = max(widest, sum(len(chunk) for chunk in submitted[taken:]))
            taken += 1
            results.append(result)
    assert widest == 3  # never over three files' worth (two chunks of two, or two and the last one); unbounded: 9
    assert [parsed.title for chunk in results for parsed in chunk] == [
        f"{SAMPLE_TITLE.decode()} (copy {number})" for number in range(9)]


def test_a_file_that_cannot_be_read_is_a_failure_naming_why(settings, tmp_path) -> None:
    folder = tmp_path / "report.txt"
    folder.mkdir()
    failure = ingest.parse_file(folder, settings)
    assert failure == ingest.ParseFailure(None, "cannot read the file (Is a directory)")
    assert ingest.parse_file(Path(tmp_path / "gone.txt"), settings).message.startswith("cannot read the file")
