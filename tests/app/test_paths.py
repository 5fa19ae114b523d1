"""Server paths in responses: named by the setting of their root, never the server's layout."""

from __future__ import annotations

from pathlib import Path

from app.jobs.joblog import one_line_error
from app.paths import redact_paths, shown_path
from app.settings import Settings


def _settings(tmp_path: Path) -> Settings:
    return Settings(database_url="sqlite://", data_dir=tmp_path / "data", xtreme_data_dir=tmp_path / "data" / "xtreme")


def test_paths_under_a_configured_root_are_named_by_its_setting(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert shown_path(tmp_path / "data" / "xtreme" / "xnli" / "test-de.tsv", settings) == "XTREME_DATA_DIR/xnli/test-de.tsv"
    assert shown_path(tmp_path / "data" / "runs" / "job-3", settings) == "DATA_DIR/runs/job-3"
    assert shown_path(tmp_path / "data", settings) == "DATA_DIR"
    assert shown_path("/srv/secret/corpus.tsv", settings) == ".../corpus.tsv"
    assert shown_path("/srv/secret", settings, "a root in REPLICATION_DATA_ROOTS") == "a root in REPLICATION_DATA_ROOTS"


def test_error_text_loses_every_server_path(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    inner = tmp_path / "data" / "xtreme" / "xnli" / "dev-en.tsv"
    text = redact_paths(f"cannot read {inner} or /opt/app/replication/data.py", settings)
    assert text == "cannot read XTREME_DATA_DIR/xnli/dev-en.tsv or .../data.py"
    error = one_line_error(FileNotFoundError(f"{tmp_path}/data/runs/job-1/last.pt missing\nsecond line"), settings)
    assert error == "FileNotFoundError: DATA_DIR/runs/job-1/last.pt missing"
    assert str(tmp_path) not in error
