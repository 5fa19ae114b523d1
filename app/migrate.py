"""Running Alembic from code (``claimtrace db upgrade``, ``claimtrace up``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    """The Alembic scripts: beside the sources (a checkout) or in the working directory (an image)."""
    for candidate in (PROJECT_ROOT / "migrations", Path.cwd() / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("Alembic migrations not found; run from the Claimtrace source folder")


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["url"] = settings.sqlalchemy_url
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.sqlalchemy_url.startswith("sqlite"):
        settings.ensure_data_dir()
    command.upgrade(alembic_config(settings), revision)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)
