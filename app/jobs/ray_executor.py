"""The Ray Jobs executor: each attempt a Ray Job running the same entrypoint.

Our job id (and attempt) is the ``submission_id``, so submitting again is idempotent; CPUs,
GPUs and memory are requested from settings (replications: ``JOB_GPUS``); status and logs are
read back from Ray; cancellation is ``stop_job``.
"""

from __future__ import annotations

import os
import shlex

from app.jobs.executors import PROJECT_ROOT, Attempt, settings_environ, thread_environ
from app.jobs.joblog import append_log
from app.services.replicate import JOB_KIND as REPLICATE_JOB
from app.settings import Settings

ENDED = {"SUCCEEDED", "FAILED", "STOPPED"}


def submission_id(job_id: int, attempt: int) -> str:
    return f"claimtrace-job-{job_id}-attempt-{attempt}"


class RayExecutor:
    name = "ray"

    def __init__(self, settings: Settings) -> None:
        from ray.job_submission import JobSubmissionClient

        self.settings = settings
        self.client = JobSubmissionClient(settings.ray_address)

    def start(self, job_id: int, attempt: int, kind: str, spec: dict) -> Attempt:
        sid = submission_id(job_id, attempt)
        command = f"cd {shlex.quote(str(PROJECT_ROOT))} && {shlex.quote(os.sys.executable)} -m app.jobs.entrypoint " \
                  f"{job_id} {attempt}"
        resources: dict = {"entrypoint_num_cpus": min(self.settings.job_cpu_threads, 1 if kind != REPLICATE_JOB
                                                      else self.settings.job_cpu_threads)}
        if kind == REPLICATE_JOB and self.settings.job_gpus:
            resources["entrypoint_num_gpus"] = self.settings.job_gpus
        if self.settings.job_memory_mb:
            resources["entrypoint_memory"] = self.settings.job_memory_mb * 1024 * 1024
        env = {**settings_environ(self.settings), **thread_environ(self.settings)}
        try:
            self.client.submit_job(entrypoint=command, submission_id=sid, runtime_env={"env_vars": env},
                                   metadata={"claimtrace_job": str(job_id), "attempt": str(attempt)}, **resources)
        except RuntimeError as exc:  # submitted before (e.g. by a worker that died): keep that one
            if "already exists" not in str(exc):
                raise
        append_log(self.settings, job_id, f"attempt {attempt}: submitted to Ray as {sid}")
        return Attempt(job_id, attempt, kind, sid)

    def ended(self, run: Attempt) -> str | None:
        status = str(self.client.get_job_status(run.external_id).value)
        if status not in ENDED:
            return None
        try:  # Ray keeps the job's output: copy it into our log once
            logs = self.client.get_job_logs(run.external_id)
            append_log(self.settings, run.job_id, f"attempt {run.attempt}: Ray job output:\n{logs}")
        except Exception:  # noqa: BLE001 - the log is a courtesy; the status is what counts
            pass
        return f"Ray job {run.external_id} {status.lower()}"

    def stop(self, run: Attempt, *, force: bool = False) -> None:
        try:
            self.client.stop_job(run.external_id)
        except Exception:  # noqa: BLE001 - already gone
            pass
