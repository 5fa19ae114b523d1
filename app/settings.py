"""Settings read from the environment (prefix ``CLAIMTRACE_``), one object passed around."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1"]
REGISTERED_MODELS = ["FacebookAI/xlm-roberta-large", "FacebookAI/xlm-roberta-base"]


class Settings(BaseSettings):
    """Everything configurable about one Claimtrace installation."""

    model_config = SettingsConfigDict(env_prefix="CLAIMTRACE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Cache, SQLite file, indexes, job logs.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")

    # Report ingestion limits.
    max_report_bytes: int = 2_000_000
    max_report_claims: int = 2_000
    ingest_processes: int = Field(
        default=1, ge=0, le=16, description="child processes that parse and store reports posted over HTTP "
                                            "(0: a thread of the API process)")

    # arXiv access.
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_pdf_url: str = "https://arxiv.org/pdf/{id}"
    arxiv_html_url: str = "https://arxiv.org/html/{id}"
    arxiv_min_interval_s: float = 3.0
    http_timeout_s: float = 30.0
    http_retries: int = 4
    http_backoff_s: float = 1.0  # first retry delay; doubles each attempt (Retry-After wins)
    max_download_bytes: int = 50_000_000
    offline: bool = False

    # Models (local paths or hub ids; nothing is downloaded at run time by default).
    nli_model: str | None = None
    embedding_model: str | None = None

    # Replication: where the XTREME / intermediate-task data lives (official download layout).
    xtreme_data_dir: Path = Path("data/xtreme")

    # Jobs.
    worker_poll_s: float = 1.0
    job_heartbeat_timeout_s: float = Field(
        default=30.0, gt=0, description="a running job silent this long lost its worker: re-queued or failed")

    # Access control and hardening (docs/security.md). Lists read "a,b" or a JSON list.
    auth: Literal["on", "off", "auto"] = Field(
        default="auto", description="on: reads need a token too; off: only writes do; auto: on when serving "
                                    "on a non-loopback address")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(LOOPBACK_HOSTS), description="Host header allow-list ('*' allows any)")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed to call the API from a browser; empty: CORS off")
    secret_key: SecretStr | None = Field(
        default=None, description="signs session cookies and CSRF tokens; default: DATA_DIR/secret_key, "
                                  "generated once with 0600 permissions")
    session_ttl_s: int = Field(default=12 * 3600, gt=0, description="web sign-in lifetime")
    max_json_body_bytes: int = Field(default=1_000_000, gt=0, description="JSON request bodies over this get a 413")
    sqlite_busy_timeout_s: float = Field(default=30.0, ge=0, description="how long SQLite waits on a lock")
    db_read_threads: int | None = Field(
        default=None, ge=1, le=64, description="queries the hot read routes run at once; default 1 on SQLite, 2 on "
                                               "PostgreSQL (more threads only fight over the interpreter lock)")

    # Replication specs from the API: which models, which data folders, how much compute.
    replication_models: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(REGISTERED_MODELS),
        description="model names a spec may use; other models must be folders under DATA_DIR/models")
    replication_data_roots: Annotated[list[Path], NoDecode] = Field(
        default_factory=list, description="folders a spec's data dirs must lie in; default: XTREME_DATA_DIR "
                                          "and DATA_DIR/datasets")
    replication_max_seeds: int = Field(default=10, gt=0)
    replication_max_epochs: float = Field(default=50.0, gt=0)
    replication_max_steps: int = Field(default=1_000_000, gt=0, description="cap on max_steps / eval_every_steps")
    replication_max_cpu_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, gt=0)
    replication_max_gpus: int = Field(default=1, ge=0, description="0: specs may not ask for CUDA")
    replication_max_batch_size: int = Field(default=1024, gt=0)
    replication_max_length: int = Field(default=4096, gt=0, description="cap on token lengths and strides")
    replication_preset: Literal["published", "cpu"] = Field(
        default="published", description="specs derived from claims: the published recipe, or 'cpu' (small model, "
                                         "few tasks and languages, few steps)")

    # Job execution (docs/operations.md): worker slots, heartbeats, retries, limits, executor.
    workers: int = Field(default=1, ge=0, le=32, description="worker supervisor processes 'serve'/'up' start")
    worker_slots_fetch: int = Field(default=2, ge=0, le=64, description="fetch jobs one worker runs at once")
    worker_slots_verify: int = Field(default=2, ge=0, le=64, description="verify jobs one worker runs at once")
    worker_slots_replicate: int = Field(default=1, ge=0, le=64, description="replications one worker runs at once")
    job_heartbeat_s: float = Field(default=5.0, gt=0, description="how often a running job reports it is alive")
    job_max_attempts: int = Field(default=3, ge=1, le=20, description="starts of a job before a lost one is failed")
    job_cancel_grace_s: float = Field(default=5.0, ge=0, description="SIGTERM to SIGKILL on cancel")
    job_cpu_threads: int = Field(default_factory=lambda: os.cpu_count() or 1, gt=0,
                                 description="CPU threads one job may use (caps a spec's cpu_threads)")
    job_gpus: float = Field(default=0, ge=0, description="GPUs a replication asks the executor for")
    job_memory_mb: int | None = Field(default=None, gt=0, description="address-space limit of one job process")
    verify_batch_size: int = Field(default=20, ge=1, le=1000, description="mentions per verify transaction")
    executor: Literal["local", "ray"] = Field(default="local", description="where job processes run")
    ray_address: str = Field(default="http://127.0.0.1:8265", description="Ray dashboard (Jobs API) address")

    @field_validator("allowed_hosts", "cors_origins", "replication_models", "replication_data_roots",
                     mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        """Accept a JSON list or a comma-separated string from the environment."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL in force: the setting, or a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'claimtrace.db').resolve()}"

    @property
    def data_roots(self) -> list[Path]:
        """The folders replication data may come from (resolved)."""
        roots = self.replication_data_roots or [self.xtreme_data_dir, self.data_dir / "datasets"]
        return [root.expanduser().resolve() for root in roots]

    @property
    def models_dir(self) -> Path:
        """Where local models a spec may name live."""
        return (self.data_dir / "models").resolve()

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
