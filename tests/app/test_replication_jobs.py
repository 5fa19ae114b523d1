"""Replications through the API and real worker processes: the result lands on the claim, a
killed worker's replication resumes from its checkpoint, a verify does not wait behind it."""

from __future__ import annotations

import json
import shutil
import signal
import time

import pytest
import yaml

from tests.app.test_replications_api import TINY, claim_id
from tests.app.workers import fast_jobs, job_row, start_worker, stop_worker, wait_for
from tests.conftest import EXAMPLE_REPORTS

pytestmark = pytest.mark.slow


def tiny_spec(settings) -> dict:
    shutil.copytree(TINY.parent / "model", settings.data_dir / "models" / "tiny")
    spec = yaml.safe_load(TINY.read_text())
    spec.update(model="tiny", data_dir=str(TINY.parent / "data"), seeds=[1, 2, 3],
                targets=[{"task": "xnli", "languages": ["en", "de"]}], checkpoint_every=2)
    spec["hyperparams"]["epochs"] = 8
    return spec


def test_killed_worker_mid_replication_resumes_and_the_result_is_on_the_claim(settings, client_for, ingested,
                                                                              tmp_path) -> None:
    settings = fast_jobs(settings, replication_data_roots=[TINY.parent / "data"])
    client = client_for("editor", settings)
    target = claim_id(settings, "Multi-task intermediate-task training")
    job_id = client.post(f"/api/claims/{target}/replications", json={"spec": tiny_spec(settings)}).json()["id"]
    logs = lambda: client.get(f"/api/jobs/{job_id}/logs").text  # noqa: E731
    first = start_worker(settings, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: "checkpoint at step" in logs(), 300, "a checkpoint")
        # a verify posted now runs beside the replication, in seconds
        report = client.post("/api/reports", content=EXAMPLE_REPORTS[1].read_bytes()).json()["id"]
        posted = time.monotonic()
        verify = client.post(f"/api/reports/{report}/verify").json()["id"]
        wait_for(lambda: job_row(settings, verify).status == "succeeded", 60, "the verify job")
        verify_s = time.monotonic() - posted
        replication_running = job_row(settings, job_id).status == "running"
        first.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        second = start_worker(settings, tmp_path / "second.log")
        wait_for(lambda: job_row(settings, job_id).attempts == 2, 60, "the replication to be taken over")
        recovered_s = time.monotonic() - killed
        with client.stream("GET", f"/api/jobs/{job_id}/events") as response:
            events = "".join(response.iter_text())
    finally:
        first.kill()
        if second is not None:
            stop_worker(second)
    assert replication_running
    end = [b for b in events.split("\n\n") if b.startswith("event: end")]
    assert end and json.loads(end[0].split("data: ", 1)[1])["status"] == "succeeded", logs()
    assert "resumed from checkpoint at step" in logs()
    claim = client.get(f"/api/claims/{target}").json()
    assert claim["replications"][0]["job_id"] == job_id
    latest = claim["latest_replication"]
    assert latest["job_id"] == job_id and latest["verdict"] in {"replicated", "not_replicated", "inconclusive"}
    assert latest["claimed_delta"] == 8.7 and latest["n_seeds"] == 3
    print(f"\nverify beside a replication: {verify_s:.1f} s; killed worker's replication taken over in "
          f"{recovered_s:.1f} s")
    assert verify_s < 30


def test_cancelling_a_running_replication_stops_it(settings, client_for, ingested, tmp_path) -> None:
    settings = fast_jobs(settings, replication_data_roots=[TINY.parent / "data"])
    client = client_for("editor", settings)
    target = claim_id(settings, "Multi-task intermediate-task training")
    job_id = client.post(f"/api/claims/{target}/replications", json={"spec": tiny_spec(settings)}).json()["id"]
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        wait_for(lambda: job_row(settings, job_id).phase, 300, "training to start")
        pid = job_row(settings, job_id).pid
        cancelled = time.monotonic()
        assert client.post(f"/api/jobs/{job_id}/cancel").json()["status"] == "cancelled"
        from tests.app.workers import alive

        wait_for(lambda: not alive(pid), 15, "the replication process to stop")
        stopped_s = time.monotonic() - cancelled
    finally:
        stop_worker(worker)
    print(f"\ncancel: replication process group stopped {stopped_s:.2f} s after the request")
    assert job_row(settings, job_id).status == "cancelled" and stopped_s < 10
