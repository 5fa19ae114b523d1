"""`claimtrace xtreme check` on a partial data folder, and a spec's missing data named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from replication.inputs import MissingDataError, check_data
from replication.spec import ReplicationSpec

TINY_DATA = Path(__file__).resolve().parents[2] / "examples" / "replication" / "data"


@pytest.fixture
def partial(tmp_path: Path) -> Path:
    """XNLI (train, dev, test en/de) and Tatoeba de only."""
    root = tmp_path / "xtreme"
    shutil.copytree(TINY_DATA / "xnli", root / "xnli")
    shutil.copytree(TINY_DATA / "tatoeba", root / "tatoeba")
    return root


def test_check_lists_present_languages_and_the_exact_missing_paths(cli, partial: Path) -> None:
    result = cli("xtreme", "check", "--data-dir", str(partial))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"XTREME data in {partial} (test split)"
    assert "xnli       present: de, en" in lines
    assert f"  missing fr: {partial}/xnli/test-fr.tsv" in lines
    assert "pawsx      present: none" in lines
    assert f"  missing training data: {partial}/pawsx/train-en.tsv" in lines
    tatoeba = next(line for line in lines if line.startswith("tatoeba "))
    assert "de" in tatoeba.split("present:")[1].strip().split(", ")
    assert f"  missing fr: {partial}/tatoeba/fr-en.fr, {partial}/tatoeba/fr-en.en" in lines
    assert f"{partial}/bucc2018/de-en.test.gold" in result.stdout
    assert "a replication can run on the present ones" in result.stderr


def test_check_defaults_to_the_setting(cli, partial: Path) -> None:
    result = cli("xtreme", "check", env={"CLAIMTRACE_XTREME_DATA_DIR": str(partial)})
    assert result.stdout.startswith(f"XTREME data in {partial}")


def test_a_spec_over_present_data_passes_and_one_beyond_it_names_every_missing_file(partial: Path) -> None:
    ok = ReplicationSpec.model_validate({"targets": [{"task": "xnli", "languages": ["de"]}, {"task": "tatoeba", "languages": ["de"]}],
                                         "data_dir": str(partial)})
    check_data(ok)
    wider = ReplicationSpec.model_validate({"targets": [{"task": "xnli", "languages": ["de"]}, {"task": "panx", "languages": ["de"]}],
                                            "data_dir": str(partial)})
    with pytest.raises(MissingDataError) as caught:
        check_data(wider)
    message = str(caught.value)
    assert message.startswith(f"missing XTREME data: {partial}/panx/train-en.tsv and 1 more file(s).")
    assert "CLAIMTRACE_XTREME_DATA_DIR" in message and "claimtrace xtreme check --data-dir DIR" in message
    assert caught.value.missing == [partial / "panx" / "train-en.tsv", partial / "panx" / "test-de.tsv"]
