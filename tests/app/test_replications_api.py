"""POST /api/claims/{id}/replications: derived or given specs, queued, run by the worker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.db import session_scope
from app.jobs import queue
from app.jobs.worker import drain
from app.models import Claim

TINY = Path(__file__).resolve().parents[2] / "examples" / "replication" / "tiny.yaml"


def claim_id(settings, prefix: str) -> int:
    with session_scope(settings) as db:
        return db.scalar(select(Claim.id).where(Claim.text.startswith(prefix)))


def test_claim_without_quantity_is_not_replicable(client, settings, ingested) -> None:
    response = client.post(f"/api/claims/{claim_id(settings, 'TyDiQA shows')}/replications")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "not_replicable" and "no quantity" in error["message"]


def test_invalid_spec_names_the_field_and_unknown_claim_is_404(client, settings, ingested) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    response = client.post(f"/api/claims/{target}/replications", json={"spec": {"targets": [], "seeds": [1]}})
    assert response.status_code == 422 and "targets" in response.json()["error"]["message"]
    assert client.post("/api/claims/999/replications").status_code == 404


def test_without_the_xtreme_data_nothing_is_queued_and_the_error_says_what_to_do(client, settings, ingested) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    response = client.post(f"/api/claims/{target}/replications")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "missing_data"
    assert "missing XTREME data: XTREME_DATA_DIR/xnli/train-en.tsv" in error["message"]
    assert "CLAIMTRACE_XTREME_DATA_DIR" in error["message"] and "claimtrace xtreme check" in error["message"]
    assert error["details"]["command"] == "claimtrace xtreme check --data-dir DIR"
    assert "XTREME_DATA_DIR/xnli/test-de.tsv" in error["details"]["missing"]
    assert str(settings.xtreme_data_dir) not in response.text  # no server path in a response
    assert "Traceback" not in response.text and "derive_spec" not in response.text
    assert client.get("/api/jobs").json()["items"] == []


def test_a_spec_must_be_json(client, settings, ingested) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    body = '{"spec": {"targets": ["xnli"], "seeds": [1]}}'
    response = client.post(f"/api/claims/{target}/replications", content=body, headers={"content-type": "text/plain"})
    assert response.status_code == 415
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type" and "application/json" in error["message"]
    broken = client.post(f"/api/claims/{target}/replications", content="{", headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "invalid JSON" in broken.json()["error"]["message"]


def test_messages_speak_the_users_language(client, settings, ingested) -> None:
    """A claim with several effects: the reason says what to do, not which function to call."""
    target = claim_id(settings, "Intermediate-task training on SQuAD, MNLI, and HellaSwag")
    assert target is not None
    error = client.post(f"/api/claims/{target}/replications").json()["error"]
    assert "()" not in error["message"] and "derive_specs" not in error["message"]


def test_claim_detail_shows_the_newest_replications_and_the_list_pages_the_rest(client, settings, ingested) -> None:
    """25 replication jobs: the detail lists the newest 20 (total 25) and still finds the only
    verdict, on the oldest job; the list endpoint pages all 25 newest first."""
    target = claim_id(settings, "Multi-task intermediate-task training")
    with session_scope(settings) as session:
        jobs = [queue.enqueue(session, "replicate", {"spec": {"claimed_effect": {"delta": 8.7}}}, claim_id=target)
                for _ in range(25)]
        jobs[0].status, jobs[0].result = "succeeded", {"verdict": "inconclusive", "effect": {"mean": 2.0}}
        jobs[1].status, jobs[1].result = "failed", {}
        ids = [job.id for job in jobs]
    claim = client.get(f"/api/claims/{target}").json()
    assert [r["job_id"] for r in claim["replications"]] == ids[::-1][:20] and claim["replications_total"] == 25
    latest = claim["latest_replication"]
    assert (latest["job_id"], latest["verdict"], latest["measured_delta"]) == (ids[0], "inconclusive", 2.0)
    page = client.get(f"/api/claims/{target}/replications", params={"offset": 20, "limit": 10}).json()
    assert [r["job_id"] for r in page["items"]] == ids[::-1][20:] and page["total"] == 25
    assert client.get("/api/claims/99999/replications").status_code == 404

@pytest.mark.slow
def test_tiny_spec_runs_to_a_verdict_with_progress(client_for, settings, ingested) -> None:
    # The policy lets specs use models under DATA_DIR/models and data inside the configured roots.
    shutil.copytree(TINY.parent / "model", settings.data_dir / "models" / "tiny")
    settings = settings.model_copy(update={"replication_data_roots": [TINY.parent / "data"]})
    client = client_for("editor", settings)
    spec = yaml.safe_load(TINY.read_text())
    spec.update(model="tiny", data_dir=str(TINY.parent / "data"), seeds=[1, 2],
                targets=[{"task": "xnli", "languages": ["en", "de"]}])
    spec["hyperparams"]["epochs"] = 2
    target = claim_id(settings, "Multi-task intermediate-task training")
    job = client.post(f"/api/claims/{target}/replications", json={"spec": spec}).json()
    assert drain(settings) == 1
    done = client.get(f"/api/jobs/{job['id']}").json()
    assert done["status"] == "succeeded", done["error"]
    assert done["progress"] == 1.0 and done["phase"]
    result = done["result"]
    assert result["verdict"] in {"replicated", "not_replicated", "inconclusive"}
    assert set(result["scores"]) == {"baseline", "treatment"}
    assert set(result["overall"]["baseline"]) >= {"all_task", "classification"}
    if result["excluded_tasks"]:  # two epochs of a tiny model can sit at the majority class: named, not scored
        assert result["excluded_tasks"] == ["xnli"] and result["degenerate"][0]["task"] == "xnli"
        assert result["verdict"] == "inconclusive" and result["effect"] is None
        assert any(c.startswith("xnli left out of the verdict") for c in result["caveats"])
    else:
        assert result["effect"]["n_seeds"] == 2 and len(result["effect"]["deltas"]) == 2
        assert result["effect"]["ci_low"] <= result["effect"]["mean"] <= result["effect"]["ci_high"]
    assert (settings.data_dir / "runs" / f"job-{job['id']}" / "result.json").is_file()
