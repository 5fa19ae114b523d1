"""After `verify --all` on sources attached from files, every exported row has a verdict and evidence."""

from __future__ import annotations

import json
from pathlib import Path

from tests.app.test_verify import FAST, attach_versions


def test_every_sample_claim_exports_a_verdict_with_evidence(settings, ingested, cli, client, tmp_path: Path) -> None:
    attach_versions(settings, tmp_path)
    assert cli("verify", "--all", env=FAST).returncode == 0
    result = cli("export", "claims", "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 51
    for row in rows:
        assert row["verdict"] in {"supported", "contradicted", "not_enough_info"}, row
        assert 0.0 <= row["confidence"] <= 1.0
        assert row["evidence"], row["text"]
        top = row["evidence"][0]
        assert top["source"].startswith("2005.13013v") and top["version"] in (1, 2) and top["text"]
    # The ✓ column said 50 of 51 mentions were verified; our verdicts are more careful.
    assert sum(r["stated_verified"] for r in rows) == 50
    assert sum(r["verdict"] == "supported" for r in rows) < 50

    # The claims API carries the same status and filters on it.
    supported = client.get("/api/claims", params={"verdict": "supported", "limit": 200}).json()["items"]
    assert supported and all(c["status"]["verdict"] in ("supported", "mixed") for c in supported)
    unsettled = client.get("/api/claims", params={"verdict": "not_enough_info", "limit": 200}).json()["items"]
    assert {c["id"] for c in supported}.isdisjoint({c["id"] for c in unsettled if c["status"]["verdict"] != "mixed"})
    assert client.get("/api/claims", params={"verdict": "unverified"}).json()["items"] == []
    detail = client.get(f"/api/claims/{supported[0]['id']}").json()
    assert all(m["verdict"] for m in detail["mentions"])


def test_unverified_filter_and_source_filter(client, ingested) -> None:
    everything = client.get("/api/claims", params={"verdict": "unverified", "limit": 200}).json()["items"]
    assert len(everything) == 18 and all(c["status"]["verdict"] is None for c in everything)
    sources = {s["key"]: s["id"] for s in client.get("/api/sources", params={"limit": 200}).json()["items"]}
    # Only report 000 cites 2104.07412v2: its 14 claims.
    citing = client.get("/api/claims", params={"source": sources["2104.07412v2"], "limit": 200}).json()["items"]
    assert len(citing) == 14
