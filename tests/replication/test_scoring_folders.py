"""score_folders on the official XTREME mock data, malformed files, missing tasks."""

import json
import shutil
from pathlib import Path

import pytest

from replication.scoring import ScoringError, score_folders
from replication.tasks import get_task

MOCK = Path(__file__).resolve().parents[1] / "fixtures" / "xtreme-mock"
EXPECTED = json.loads((MOCK / "expected-scores.json").read_text())


@pytest.fixture(scope="module")
def mock_scores():
    return score_folders(MOCK / "predictions", MOCK / "labels", benchmark="xtreme")


def test_reproduces_official_overall_and_category_scores(mock_scores):
    assert set(mock_scores["overall"]) == set(EXPECTED["overall"])
    for key, value in EXPECTED["overall"].items():
        assert mock_scores["overall"][key] == pytest.approx(value, abs=1e-6), key
    assert mock_scores["missing_tasks"] == []


@pytest.mark.parametrize("task", sorted(EXPECTED["tasks"]))
def test_reproduces_official_task_averages(mock_scores, task):
    got = mock_scores["tasks"][task]
    for key, value in EXPECTED["tasks"][task].items():
        assert got[key] == pytest.approx(value, abs=1e-6), key


def test_per_language_values_are_reported(mock_scores):
    xnli = mock_scores["tasks"]["xnli"]["accuracy"]
    assert list(xnli) == list(get_task("xnli").languages)
    assert sum(xnli.values()) / len(xnli) == pytest.approx(EXPECTED["tasks"]["xnli"]["avg_accuracy"])
    assert set(mock_scores["tasks"]["mlqa"]) >= {"exact_match", "f1", "avg_metric"}
    assert "mewslix" not in mock_scores["tasks"]  # not an XTREME task


@pytest.fixture
def mock_copy(tmp_path):
    shutil.copytree(MOCK / "predictions", tmp_path / "predictions")
    return tmp_path / "predictions"


def test_missing_task_is_reported_not_averaged_away(mock_copy):
    shutil.rmtree(mock_copy / "tatoeba")
    result = score_folders(mock_copy, MOCK / "labels")
    assert result["missing_tasks"] == ["tatoeba"]
    assert result["overall"]["all_task"] is None and result["overall"]["retrieval"] is None
    assert result["overall"]["qa"] == pytest.approx(EXPECTED["overall"]["qa"], abs=1e-6)
    assert "tatoeba" not in result["tasks"]


def test_missing_language_names_the_file(mock_copy):
    (mock_copy / "xnli" / "test-sw.tsv").unlink()
    with pytest.raises(ScoringError) as err:
        score_folders(mock_copy, MOCK / "labels")
    assert str(err.value).startswith(str(mock_copy / "xnli" / "test-sw.tsv") + ":")
    assert "'sw'" in str(err.value)


def test_wrong_line_count_names_the_file(mock_copy):
    f = mock_copy / "pawsx" / "test-de.tsv"
    f.write_text(f.read_text() + "1\n")
    with pytest.raises(ScoringError, match=r"pawsx/test-de.tsv: \d+ lines but the labels"):
        score_folders(mock_copy, MOCK / "labels")


def test_wrong_sentence_length_names_the_file(mock_copy):
    f = mock_copy / "panx" / "test-af.tsv"
    f.write_text("O\n" + f.read_text())
    with pytest.raises(ScoringError, match=r"panx/test-af.tsv: sentence 1 has \d+ tags but the labels"):
        score_folders(mock_copy, MOCK / "labels")


def test_bad_json_names_the_file_and_line(mock_copy):
    f = mock_copy / "mlqa" / "test-de.json"
    f.write_text('{\n  "q1": "Berlin",\n')
    with pytest.raises(ScoringError, match=r"mlqa/test-de.json:3: invalid JSON"):
        score_folders(mock_copy, MOCK / "labels")


def test_non_string_answer_is_rejected(mock_copy):
    (mock_copy / "xquad" / "test-en.json").write_text(json.dumps({"q": 3}))
    with pytest.raises(ScoringError, match=r"xquad/test-en.json: answer for question 'q' is int"):
        score_folders(mock_copy, MOCK / "labels")


def test_malformed_bucc_line(mock_copy):
    (mock_copy / "bucc2018" / "test-fr.tsv").write_text("fr-1 en-1\n")
    with pytest.raises(ScoringError, match=r"bucc2018/test-fr.tsv:1: expected 'src_id<TAB>tgt_id'"):
        score_folders(mock_copy, MOCK / "labels")


def test_missing_folders(tmp_path):
    with pytest.raises(ScoringError, match="predictions folder not found"):
        score_folders(tmp_path / "nope", MOCK / "labels")


def _write_xtreme_r(root: Path, correct: bool) -> None:
    """A complete, tiny XTREME-R submission: every task and language, one example each."""
    from replication.tasks import benchmark_tasks

    for task in benchmark_tasks("xtreme-r"):
        folder = root / task.name
        folder.mkdir(parents=True)
        for lang in task.languages:
            f = folder / f"test-{lang}.{task.prediction_suffix}"
            if task.category == "qa":
                if root.name == "labels":
                    f.write_text(json.dumps({"data": [{"paragraphs": [{"context": "x y", "qas": [
                        {"id": "q", "answers": [{"text": "x y", "answer_start": 0}]}]}]}]}))
                else:
                    f.write_text(json.dumps({"q": "x y" if correct else "x"}))
            elif task.name in ("mewslix", "lareqa"):
                ranking = ["x", "gold"] if root.name == "predictions" else ["gold"]
                f.write_text(json.dumps({"q": ranking}))
            elif task.category == "tagging":
                f.write_text("NOUN\nVERB\n" if correct or root.name == "labels" else "VERB\nNOUN\n")
            else:
                f.write_text("1\n0\n" if correct or root.name == "labels" else "0\n0\n")


def test_xtreme_r_scoring_on_a_complete_tiny_submission(tmp_path):
    _write_xtreme_r(tmp_path / "labels", correct=True)
    _write_xtreme_r(tmp_path / "predictions", correct=False)
    result = score_folders(tmp_path / "predictions", tmp_path / "labels", benchmark="xtreme-r")
    assert result["missing_tasks"] == []
    assert result["tasks"]["mewslix"]["avg_map_at_20"] == pytest.approx(50.0)
    assert result["tasks"]["lareqa"]["avg_metric"] == pytest.approx(50.0)
    assert result["tasks"]["xcopa"]["avg_accuracy"] == pytest.approx(50.0)
    assert result["tasks"]["udpos"]["avg_f1"] == 0.0
    qa = (0.0 + 100 * 2 / 3) / 2  # EM 0, F1 2/3 for "x" vs "x y"
    assert result["tasks"]["xquad"]["avg_metric"] == pytest.approx(qa)
    assert result["overall"]["retrieval"] == pytest.approx(50.0)
    assert result["overall"]["classification"] == pytest.approx(50.0)
    expected_all = (50 + 50 + 0 + 0 + qa * 3 + 50 + 50 + 50) / 10
    assert result["overall"]["all_task"] == pytest.approx(expected_all)


def test_a_task_and_language_selection_is_scored_as_a_subset(mock_scores):
    result = score_folders(MOCK / "predictions", MOCK / "labels", tasks={"xnli": ["en", "de"], "MLQA": None})
    assert result["scope"] == "subset" and result["missing_tasks"] == []
    assert list(result["tasks"]) == ["xnli", "mlqa"]  # benchmark order
    xnli = result["tasks"]["xnli"]
    assert list(xnli["accuracy"]) == ["de", "en"]  # official language order
    assert xnli["accuracy"]["de"] == pytest.approx(mock_scores["tasks"]["xnli"]["accuracy"]["de"])
    assert xnli["avg_metric"] == pytest.approx((xnli["accuracy"]["de"] + xnli["accuracy"]["en"]) / 2)
    assert result["tasks"]["mlqa"]["avg_metric"] == pytest.approx(mock_scores["tasks"]["mlqa"]["avg_metric"])
    overall = result["overall"]
    assert overall["all_task"] == pytest.approx((xnli["avg_metric"] + result["tasks"]["mlqa"]["avg_metric"]) / 2)
    assert overall["classification"] == pytest.approx(xnli["avg_metric"])  # pawsx not selected
    assert overall["qa"] == pytest.approx(result["tasks"]["mlqa"]["avg_metric"])
    assert overall["tagging"] is None and overall["retrieval"] is None


def test_selecting_every_task_and_language_is_the_benchmark(mock_scores):
    every = score_folders(MOCK / "predictions", MOCK / "labels", tasks=list(EXPECTED["tasks"]))
    assert every["scope"] == mock_scores["scope"] == "benchmark"
    assert every["overall"] == pytest.approx(mock_scores["overall"])


def test_a_selected_task_without_predictions_is_missing(mock_copy):
    shutil.rmtree(mock_copy / "tatoeba")
    result = score_folders(mock_copy, MOCK / "labels", tasks={"tatoeba": ["de"], "bucc2018": None})
    assert result["missing_tasks"] == ["tatoeba"]
    assert result["overall"]["all_task"] is None and result["overall"]["retrieval"] is None


def test_a_selection_outside_the_benchmark_is_refused():
    with pytest.raises(ValueError, match=r"languages \['xx'\] are not xtreme languages of task 'xnli'"):
        score_folders(MOCK / "predictions", MOCK / "labels", tasks={"xnli": ["en", "xx"]})
    with pytest.raises(KeyError, match="mewslix"):
        score_folders(MOCK / "predictions", MOCK / "labels", tasks=["mewslix"])
