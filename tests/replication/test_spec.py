"""ReplicationSpec: published defaults, YAML/JSON round-trip, field-naming errors, path resolution."""

from __future__ import annotations

from pathlib import Path

import pytest

from replication.spec import DEFAULT_MODEL, ReplicationSpec, SamplingScheme, SpecError

MINIMAL = "targets: [xnli]\nintermediate: {tasks: [mnli]}\nclaimed_effect: {delta: 7.5}\n"


def test_defaults_follow_the_published_recipe() -> None:
    spec = ReplicationSpec.from_yaml(MINIMAL)
    hp = spec.hyperparams
    assert spec.model == DEFAULT_MODEL == "FacebookAI/xlm-roberta-large"
    assert (hp.learning_rate, hp.warmup_ratio, hp.max_length, hp.qa_max_length) == (1e-5, 0.1, 256, 384)
    assert hp.for_task("xquad", is_qa=True).max_length == 384
    assert hp.for_task("xnli").max_length == 256
    assert hp.for_task("xnli").batch_size == 32 and hp.for_task("panx").epochs == 10
    assert hp.for_task("unknown-task").batch_size == hp.batch_size  # falls back to the spec-wide value
    assert spec.evaluation.dev_language == "en" and spec.evaluation.early_stopping_patience > 0
    assert spec.claimed_effect is not None and spec.claimed_effect.metric == "overall.all_task"
    assert spec.seeds == [1, 2, 3]


def test_yaml_and_json_round_trip(tmp_path: Path) -> None:
    spec = ReplicationSpec.from_yaml(MINIMAL).model_copy(
        update={"seeds": [7, 8], "intermediate": ReplicationSpec.from_yaml(
            "targets: [xnli]\nintermediate: {tasks: [mnli, squad, hellaswag], sampling: capped_proportional, cap: 500}"
        ).intermediate}
    )
    assert ReplicationSpec.from_yaml(spec.to_yaml()) == spec
    assert ReplicationSpec.from_json(spec.to_json()) == spec
    for name in ("spec.yaml", "spec.json"):
        path = spec.save(tmp_path / name)
        loaded = ReplicationSpec.load(path)
        assert loaded.intermediate == spec.intermediate
        assert loaded.intermediate.sampling is SamplingScheme.capped_proportional
        assert loaded.hyperparams == spec.hyperparams


def test_task_aliases_become_canonical_names() -> None:
    spec = ReplicationSpec.from_yaml("targets: [PAWS-X, {task: wikiann, languages: [de]}]\nintermediate: {tasks: [SQuAD, csqa]}")
    assert [t.task for t in spec.targets] == ["pawsx", "panx"]
    assert spec.intermediate.tasks == ["squad_v1", "commonsenseqa"]
    assert spec.targets[0].resolved_languages()[:3] == ["de", "en", "es"]


@pytest.mark.parametrize(
    ("yaml_text", "field", "message"),
    [
        ("targets: [xnli]\nhyperparams: {learning_rate: -1}", "hyperparams.learning_rate", "greater than 0"),
        ("targets: [xnly]", "targets.0.task", "unknown task 'xnly'"),
        ("targets: [xnli]\nintermediate: {tasks: [xnli]}", "intermediate.tasks", "is a target task"),
        ("targets: [mnli]", "targets.0.task", "is an intermediate task"),
        ("targets: [{task: xnli, languages: [de, xx]}]", "targets.0", "not evaluation languages"),
        ("targets: [xnli]\nseeds: [1, 1]", "seeds", "duplicate seeds"),
        ("targets: [xnli]\nclaimed_effect: {metric: xtreme, delta: 1}", "claimed_effect.metric", "must start with"),
        ("targets: [xnli]\nlearning_rate: 0.1", "learning_rate", "Extra inputs are not permitted"),
        ("intermediate: {tasks: [mnli]}", "targets", "Field required"),
        ("targets: [xnli]\nhyperparams: {doc_stride: 400}", "hyperparams", "doc_stride must be smaller"),
    ],
)
def test_validation_errors_name_the_field(yaml_text: str, field: str, message: str) -> None:
    with pytest.raises(SpecError) as err:
        ReplicationSpec.from_yaml(yaml_text, source="bad.yaml")
    text = str(err.value)
    assert text.startswith("bad.yaml: ")
    assert f"field {field!r}" in text and message in text


def test_syntax_errors_give_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("targets: [xnli]\nseeds: [1, 2\nname: x\n")
    with pytest.raises(SpecError, match=r"broken\.yaml: line \d+: invalid YAML"):
        ReplicationSpec.load(path)
    with pytest.raises(SpecError, match="line 1: invalid JSON"):
        ReplicationSpec.from_json("{targets: 1}")
    with pytest.raises(SpecError, match="cannot read spec"):
        ReplicationSpec.load(tmp_path / "absent.yaml")


def test_relative_paths_resolve_against_the_spec_folder(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    (folder / "model").mkdir(parents=True)
    (folder / "spec.yaml").write_text("model: model\ndata_dir: ../xtreme\ntargets: [xnli]\n")
    spec = ReplicationSpec.load(folder / "spec.yaml")
    assert spec.model == str((folder / "model").resolve())
    assert spec.data_dir == (tmp_path / "xtreme").resolve()
    assert spec.intermediate_root == spec.data_dir
    hub = ReplicationSpec.load(_write(folder / "hub.yaml", "model: FacebookAI/xlm-roberta-base\ntargets: [xnli]\n"))
    assert hub.model == "FacebookAI/xlm-roberta-base"  # a hub id is left alone


def test_data_dir_defaults_to_the_download_folder_and_can_be_given(tmp_path: Path) -> None:
    assert ReplicationSpec.from_yaml("targets: [xnli]").data_dir.parts[-2:] == ("data", "xtreme")
    assert ReplicationSpec.from_yaml(f"targets: [xnli]\ndata_dir: {tmp_path}").data_dir == tmp_path


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_the_spec_module_does_not_import_the_claim_parser() -> None:
    """`replication.claims` builds specs; `replication.spec` must not need it (no import cycle)."""
    import subprocess
    import sys

    code = "import sys, replication.spec; assert 'replication.claims' not in sys.modules; assert not hasattr(replication.spec, 'derive_spec')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
