"""The Ray Jobs executor against a real local Ray head (started for the session, stopped after)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.workers import free_port
from tests.app.workers import fast_jobs, job_row, start_worker, stop_worker, wait_for
from tests.conftest import EXAMPLE_REPORTS

RAY = Path(sys.executable).parent / "ray"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def ray_head(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`ray start --head --num-cpus 2 --num-gpus 0`; its Jobs API address."""
    if not RAY.exists():
        pytest.skip("ray is not installed (pip install 'claimtrace[ray]')")
    port, dashboard = free_port(), free_port()
    temp = tmp_path_factory.mktemp("ray")
    started = subprocess.run([str(RAY), "start", "--head", "--num-cpus", "2", "--num-gpus", "0",
                              "--port", str(port), "--dashboard-host", "127.0.0.1",
                              "--dashboard-port", str(dashboard), "--include-dashboard", "true",
                              "--temp-dir", str(temp), "--disable-usage-stats"],
                             capture_output=True, text=True, timeout=240)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield f"http://127.0.0.1:{dashboard}"
    finally:
        subprocess.run([str(RAY), "stop", "--force"], capture_output=True, timeout=120)
        shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_verify_job_runs_as_a_ray_job(settings, client, ray_head, tmp_path) -> None:
    settings = fast_jobs(settings, executor="ray", ray_address=ray_head, job_heartbeat_timeout_s=60.0)
    report = client.post("/api/reports", content=EXAMPLE_REPORTS[0].read_bytes()).json()["id"]
    job_id = client.post(f"/api/reports/{report}/verify").json()["id"]
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        done = wait_for(lambda: (j := job_row(settings, job_id)).status in ("succeeded", "failed") and j, 240,
                        "the Ray job")
        assert done.status == "succeeded", client.get(f"/api/jobs/{job_id}/logs").text
        assert (done.executor, done.external_id) == ("ray", f"claimtrace-job-{job_id}-attempt-1")
        wait_for(lambda: "Ray job output" in client.get(f"/api/jobs/{job_id}/logs").text, 30, "Ray's log")
        claim = client.get("/api/claims", params={"report": report}).json()["items"][0]
        assert claim["status"]["verified_mentions"] >= 1
    finally:
        stop_worker(worker)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_replication_runs_on_ray_to_the_claim_and_cancel_stops_it(settings, client_for, ingested, ray_head,
                                                                  tmp_path) -> None:
    from tests.app.test_replication_jobs import tiny_spec
    from tests.app.test_replications_api import TINY, claim_id

    settings = fast_jobs(settings, executor="ray", ray_address=ray_head, job_heartbeat_timeout_s=60.0,
                         replication_data_roots=[TINY.parent / "data"], job_cpu_threads=1)
    client = client_for("editor", settings)
    target = claim_id(settings, "Multi-task intermediate-task training")
    spec = tiny_spec(settings)
    spec.update(seeds=[1])
    spec["hyperparams"]["epochs"] = 2
    job_id = client.post(f"/api/claims/{target}/replications", json={"spec": spec}).json()["id"]
    worker = start_worker(settings, tmp_path / "worker.log")
    try:
        done = wait_for(lambda: (j := job_row(settings, job_id)).status in ("succeeded", "failed") and j, 300,
                        "the Ray replication")
        assert done.status == "succeeded", client.get(f"/api/jobs/{job_id}/logs").text
        latest = client.get(f"/api/claims/{target}").json()["latest_replication"]
        assert latest["job_id"] == job_id and latest["verdict"]
        spec["hyperparams"]["epochs"] = 30  # long enough to be cancelled while it trains
        second = client.post(f"/api/claims/{target}/replications", json={"spec": spec}).json()["id"]
        wait_for(lambda: job_row(settings, second).phase, 240, "the second replication to train")
        assert client.post(f"/api/jobs/{second}/cancel").json()["status"] == "cancelled"
        from ray.job_submission import JobSubmissionClient

        # Either the worker's stop_job (STOPPED) or the job's own heartbeat thread, which kills
        # the attempt once it sees the cancel (FAILED), ends it: 30 epochs would take minutes.
        ray = JobSubmissionClient(ray_head)
        ended = wait_for(lambda: (s := str(ray.get_job_status(f"claimtrace-job-{second}-attempt-1").value))
                         in ("STOPPED", "FAILED") and s, 60, "Ray to stop the job")
        assert ended in ("STOPPED", "FAILED")
        assert job_row(settings, second).status == "cancelled"
        assert client.get(f"/api/claims/{target}").json()["latest_replication"]["job_id"] == job_id
    finally:
        stop_worker(worker)
