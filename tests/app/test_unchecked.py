"""`unchecked`: a mention none of whose cited sources has text is not a verdict about the claim.

Status, filters, export, audit, job results and the CLI summary all say so and name the fix."""

from __future__ import annotations

import json

from app.jobs.worker import drain
from app.settings import Settings
from tests.app.test_verify import FAST, fast

FIX = "run `claimtrace sources fetch`, or attach copies with `claimtrace sources add"


def test_verify_all_without_source_text_leaves_every_mention_unchecked(
        settings: Settings, ingested: list[int], cli, client) -> None:
    result = cli("verify", "--all", env=FAST)
    assert result.returncode == 0, result.stderr
    assert "0 of 51 mentions judged against source text; unchecked 51 (no source text)" in result.stdout
    assert "not_enough_info" not in result.stdout
    assert "51 mentions unchecked: 0 of " in result.stderr and FIX in result.stderr

    claims = client.get("/api/claims", params={"verdict": "unchecked", "limit": 200}).json()["items"]
    everything = client.get("/api/claims", params={"limit": 200}).json()["items"]
    assert len(claims) == len(everything) > 0
    assert all(c["status"]["verdict"] == "unchecked" and c["status"]["confidence"] is None for c in claims)
    assert client.get("/api/claims", params={"verdict": "not_enough_info"}).json()["items"] == []
    status = client.get(f"/api/claims/{claims[0]['id']}/status").json()
    assert status["verdict"] == "unchecked" and status["confidence"] is None

    history = client.get(f"/api/claims/{claims[0]['id']}/verifications").json()
    run = history[0] if isinstance(history, list) else history["items"][0]
    assert run["confidence"] is None and run["probabilities"] == {} and run["evidence"] == []
    assert run["unread_sources"] and run["cited_sources"] == len(run["unread_sources"])
    assert run["explanation"].startswith(f"unchecked: 0 of {run['cited_sources']} cited sources have text: {FIX}")

    audit = client.get(f"/api/reports/{ingested[0]}/audit").json()
    measured = audit["measured"]
    assert (measured["claims_checked"], measured["claims_unchecked"], measured["claims"]) == (0, 14, 14)
    assert measured["mean_confidence"] is None
    explanation = audit["research_question"]["explanation"]
    assert explanation.startswith("not checked: 14 of 14 claims unchecked: 0 of ") and FIX in explanation
    assert "supported by its cited sources" not in explanation

    export = cli("export", "claims", "--format", "jsonl", env=FAST)
    rows = [json.loads(line) for line in export.stdout.splitlines()]
    assert len(rows) == 51
    assert all(r["verdict"] == "unchecked" and r["confidence"] is None and r["unread_sources"] for r in rows)


def test_verify_job_result_counts_unchecked_mentions_and_names_the_fix(
        settings: Settings, ingested: list[int], client) -> None:
    job = client.post(f"/api/reports/{ingested[0]}/verify").json()
    assert drain(fast(settings)) == 1
    result = client.get(f"/api/jobs/{job['id']}").json()["result"]
    assert result["verdicts"] == {"unchecked": 14}
    unchecked = result["unchecked"]
    assert unchecked["mentions"] == 14 and unchecked["unread_sources"]
    assert unchecked["reason"].startswith(f"0 of {unchecked['cited_sources']} cited sources have text: {FIX}")
