"""The task registry: names, aliases, benchmark membership and languages."""

import pytest

from replication.tasks import (
    PAPER_INTERMEDIATE_TASKS,
    Head,
    TaskFormat,
    UnknownTaskError,
    benchmark_tasks,
    get_benchmark,
    get_task,
    intermediate_tasks,
)


def test_xtreme_has_the_nine_official_tasks_in_four_categories():
    names = [t.name for t in benchmark_tasks("xtreme")]
    assert names == ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba"]
    assert get_benchmark("xtreme").categories() == {
        "classification": ("xnli", "pawsx"),
        "tagging": ("udpos", "panx"),
        "qa": ("xquad", "mlqa", "tydiqa"),
        "retrieval": ("bucc2018", "tatoeba"),
    }


def test_xtreme_r_drops_pawsx_and_bucc_and_adds_three_tasks():
    names = {t.name for t in benchmark_tasks("xtreme-r")}
    assert "pawsx" not in names and "bucc2018" not in names
    assert {"xcopa", "mewslix", "lareqa"} <= names
    assert len(names) == 10
    assert get_benchmark("xtreme-r").categories()["retrieval"] == ("tatoeba", "mewslix", "lareqa")


def test_languages_differ_per_benchmark():
    assert len(get_task("panx").languages) == 40
    panx_r = get_task("panx", benchmark="xtreme-r")
    assert len(panx_r.languages) == 48 and {"qu", "gu", "pa"} <= set(panx_r.languages)
    assert "wo" in get_task("udpos", benchmark="xtreme-r").languages
    assert "wo" not in get_task("udpos").languages
    assert get_task("mlqa").languages == ("en", "es", "de", "ar", "hi", "vi", "zh")
    all_r = set().union(*(t.languages for t in benchmark_tasks("xtreme-r")))
    all_x = set().union(*(t.languages for t in benchmark_tasks("xtreme")))
    assert len(all_x) == 40
    assert all_r - all_x == {"az", "gu", "ht", "lt", "pa", "pl", "qu", "ro", "uk", "wo"}


@pytest.mark.parametrize(
    ("alias", "name"),
    [("pan-x", "panx"), ("WikiANN", "panx"), ("squad", "squad_v1"), ("SQuAD v2.0", "squad_v2"),
     ("PAWS-X", "pawsx"), ("csqa", "commonsenseqa"), ("Mewsli-X", "mewslix"), ("bucc", "bucc2018")],
)
def test_aliases_resolve(alias, name):
    assert get_task(alias).name == name


def test_unknown_task_lists_known_names():
    with pytest.raises(UnknownTaskError) as err:
        get_task("xglue")
    message = str(err.value)
    assert "xglue" in message and "xnli" in message and "hellaswag" in message
    with pytest.raises(UnknownTaskError, match="unknown benchmark 'glue'"):
        benchmark_tasks("glue")
    with pytest.raises(UnknownTaskError):
        get_task("pawsx", benchmark="xtreme-r")  # not part of XTREME-R


def test_task_records_carry_format_head_metrics_and_labels():
    xnli = get_task("xnli")
    assert xnli.format is TaskFormat.pair_classification and xnli.head is Head.sequence_classification
    assert xnli.num_labels == 3 and xnli.main_metric == "accuracy"
    assert get_task("panx").num_labels == 7 and get_task("udpos").num_labels == 17
    assert get_task("xquad").head is Head.question_answering
    assert get_task("xquad").layout.pattern("test") == "xquad/xquad.{lang}.json"
    assert get_task("tatoeba").layout.pattern("train") is None
    assert get_task("hellaswag").num_choices == 4 and get_task("hellaswag").head is Head.multiple_choice
    assert get_task("mewslix").prediction_suffix == "json" and get_task("xnli").prediction_suffix == "tsv"


def test_intermediate_tasks_are_english_and_include_the_papers_nine():
    tasks = {t.name: t for t in intermediate_tasks()}
    assert set(PAPER_INTERMEDIATE_TASKS) <= set(tasks)
    assert len(PAPER_INTERMEDIATE_TASKS) == 9
    assert all(t.is_intermediate and t.languages == ("en",) for t in tasks.values())
    assert not any(t.is_intermediate for t in benchmark_tasks("xtreme"))
    assert "not among the paper" in tasks["sst2"].note.lower()
