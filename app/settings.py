"""Settings read from the environment (prefix ``CLAIMTRACE_``), one object passed around."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable about one Claimtrace installation."""

    model_config = SettingsConfigDict(env_prefix="CLAIMTRACE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="Cache, SQLite file, indexes, job logs.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")

    # Report ingestion limits.
    max_report_bytes: int = 2_000_000
    max_report_claims: int = 2_000

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
    job_heartbeat_timeout_s: float = 900.0  # a running job silent this long is failed as "worker lost"

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL in force: the setting, or a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'claimtrace.db').resolve()}"

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
