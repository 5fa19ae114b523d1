"""`claimtrace replicate`: --spec runs the experiment, --claim derives the spec from a stored claim."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import app
from app.db import session_scope
from app.models import Claim

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "examples" / "replication" / "tiny.yaml"


def invoke(*args: str):
    return CliRunner().invoke(app, ["replicate", *args])


@pytest.mark.slow
def test_the_tiny_example_runs_and_writes_a_verdict(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = invoke("--spec", str(TINY), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert "result: " in result.stdout and "overall.all_task: measured" in result.stdout
    assert "caveat: overall.all_task here averages the run's subset of xtreme" in result.stdout
    assert "caveat: synthetic demonstration of the pipeline" in result.stdout
    assert "rule: Paired per-seed deltas" in result.stdout
    saved = json.loads((out / "result.json").read_text())
    # The demo learns: its encoder is pre-trained, so every included baseline is above chance,
    # and fine-tuning lowers the loss.
    assert saved["excluded_tasks"] == [] and saved["degenerate"] == [], saved["degenerate"]
    for seed in saved["seeds"]:
        for phase in seed["phases"]:
            assert phase["last_loss"] < phase["first_loss"], phase
    assert saved["spec"]["intermediate"]["tasks"] == ["hellaswag"]  # not the target's generator
    assert saved["verdict"] in {"replicated", "not_replicated", "inconclusive"}
    assert saved["verdict"] in result.stdout
    for arm in ("baseline", "treatment"):
        assert set(saved["scores"][arm]) == {"xnli", "panx", "xquad"}
        assert set(saved["scores"][arm]["xnli"]["accuracy"]) == {"en", "de"}
    assert saved["effect"]["ci_low"] is not None and len(saved["effect"]["deltas"]) == 3
    assert set(saved["task_effects"]) == {"xnli", "panx", "xquad"}
    assert saved["scope"] == "subset" and saved["deltas"]["overall"]["all_task"] == pytest.approx(saved["effect"]["mean"])
    xnli = saved["scores"]["treatment"]["xnli"]["avg_metric"] - saved["scores"]["baseline"]["xnli"]["avg_metric"]
    assert f"xnli       baseline {saved['scores']['baseline']['xnli']['avg_metric']:6.2f}" in result.stdout
    assert f"delta {xnli:+6.2f}" in result.stdout


@pytest.mark.parametrize("args", [(), ("--spec", "a.yaml", "--claim", "1")])
def test_exactly_one_source_is_required(args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 1
    assert "error: give exactly one of --spec FILE or --claim ID" in result.stderr


def test_a_bad_spec_names_file_and_field(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text("targets: [xnli]\nhyperparams: {learning_rate: -1}\n")
    result = invoke("--spec", str(spec))
    assert result.exit_code == 1
    assert f"error: {spec}: field 'hyperparams.learning_rate'" in result.stderr


def test_missing_data_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("targets: [{task: xnli, languages: [de]}]\ndata_dir: nowhere\nseeds: [1]\n")
    result = invoke("--spec", str(spec), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "error: missing XTREME data: " in result.stderr and "nowhere/xnli/train-en.tsv" in result.stderr
    assert "CLAIMTRACE_XTREME_DATA_DIR" in result.stderr and "claimtrace xtreme check --data-dir DIR" in result.stderr


def _claim_id(settings, prefix: str) -> int:
    with session_scope(settings) as db:
        return db.scalars(select(Claim.id).where(Claim.text.startswith(prefix))).first()


def test_claim_without_a_quantity_is_refused_with_the_reason(cli, ingested, settings) -> None:
    claim_id = _claim_id(settings, "TyDiQA shows consistent improvements")
    result = cli("replicate", "--claim", str(claim_id))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: claim {claim_id} is not replicable: no quantity")


def test_replicable_claim_derives_a_spec_and_looks_for_its_data(cli, ingested, settings, tmp_path: Path) -> None:
    claim_id = _claim_id(settings, "Multi-task intermediate-task training on all 9 tasks")
    result = cli("replicate", "--claim", str(claim_id), "--out", str(tmp_path / "out"),
                 env={"CLAIMTRACE_XTREME_DATA_DIR": str(tmp_path / "xtreme")})
    assert result.returncode == 1  # the real XTREME data is not on this machine
    assert "note: no target task named: measured on the XTREME average" in result.stderr
    assert f"missing XTREME data: {tmp_path / 'xtreme'}/xnli/train-en.tsv" in result.stderr
    assert f"derived spec: {tmp_path / 'out' / 'spec.yaml'}" in result.stderr
    assert "delta: 8.7" in (tmp_path / "out" / "spec.yaml").read_text()


def test_the_rerun_hint_names_the_preset_choices(cli, ingested, settings, tmp_path: Path) -> None:
    claim_id = _claim_id(settings, "Multi-task intermediate-task training on all 9 tasks")
    result = cli("replicate", "--claim", str(claim_id), "--preset", "cpu", "--out", str(tmp_path / "out"),
                 env={"CLAIMTRACE_XTREME_DATA_DIR": str(tmp_path / "xtreme")})
    assert result.returncode == 1
    assert "note: cpu preset: FacebookAI/xlm-roberta-base" in result.stderr
    spec = (tmp_path / "out" / "spec.yaml").read_text()
    assert "task: xnli" in spec and "task: udpos" not in spec and "max_steps: 300" in spec
    bad = cli("replicate", "--claim", str(claim_id), "--preset", "laptop", "--out", str(tmp_path / "o2"))
    assert bad.returncode == 1 and "unknown replication preset 'laptop'" in bad.stderr
