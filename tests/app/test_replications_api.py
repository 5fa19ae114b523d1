"""POST /api/claims/{id}/replications: derived or given specs, queued, run by the worker."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from app.db import session_scope
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


def test_derived_spec_is_queued_and_fails_clearly_without_the_xtreme_data(client, settings, ingested, tmp_path) -> None:
    target = claim_id(settings, "Multi-task intermediate-task training")
    job = client.post(f"/api/claims/{target}/replications").json()
    assert (job["status"], job["kind"], job["claim_id"]) == ("queued", "replicate", target)
    assert job["payload"]["spec"]["claimed_effect"]["delta"] == 8.7
    assert drain(settings) == 1
    failed = client.get(f"/api/jobs/{job['id']}").json()
    assert failed["status"] == "failed"
    assert "XTREME_DATA_DIR/" in failed["error"] and "\n" not in failed["error"]  # names the folder's setting
    assert str(settings.xtreme_data_dir.resolve()) not in failed["error"]  # no server path in the API
    log = client.get(f"/api/jobs/{job['id']}/logs")
    assert str(settings.xtreme_data_dir.resolve()) in log.text and "Traceback" in log.text  # the log has it all
    assert int(log.headers["x-next-offset"]) == len(log.content)


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
    assert result["effect"]["n_seeds"] == 2 and len(result["effect"]["deltas"]) == 2
    assert result["effect"]["ci_low"] <= result["effect"]["mean"] <= result["effect"]["ci_high"]
    assert (settings.data_dir / "runs" / f"job-{job['id']}" / "result.json").is_file()
