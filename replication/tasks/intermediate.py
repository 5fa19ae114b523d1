"""English intermediate tasks of Phang et al. (2020), arXiv 2005.13013v2.

*English Intermediate-Task Training Improves Zero-Shot Cross-Lingual Transfer
Too* trains XLM-R Large on one English intermediate task, then on each XTREME
target task. Its abstract (v2, checked from the public abstract text) states
"nine intermediate language-understanding tasks"; the nine registered here with
``in_paper`` semantics are ANLI (the paper trains on ANLI together with MNLI and
SNLI, "ANLI+"), MNLI, QQP, SQuAD v1.1, SQuAD v2.0, HellaSwag, Cosmos QA,
CommonsenseQA and CCG supertagging. The abstract names MNLI, SQuAD and HellaSwag
as the best intermediate tasks. The per-task list and the ANLI+ mix come from the
paper body as remembered, not re-read here: confirm them against the PDF before
relying on them. SST-2 is registered as an extra English task; it is *not* one of
the paper's nine (``note`` says so).
"""

from __future__ import annotations

from .model import FileLayout, Task, TaskFormat

NLI_LABELS = ("contradiction", "entailment", "neutral")

_EN = ("en",)


def _intermediate(**kwargs) -> Task:
    return Task(is_intermediate=True, languages=_EN, **kwargs)


_INTERMEDIATE: tuple[Task, ...] = (
    _intermediate(
        name="anli", display_name="ANLI", format=TaskFormat.pair_classification,
        category="classification", metrics=("accuracy",), labels=NLI_LABELS,
        layout=FileLayout(train="anli/train.jsonl", dev="anli/dev.jsonl", test="anli/test.jsonl"),
        aliases=("anli+",),
        note="In the paper: ANLI rounds 1-3 combined with MNLI and SNLI (ANLI+).",
    ),
    _intermediate(
        name="mnli", display_name="MNLI", format=TaskFormat.pair_classification,
        category="classification", metrics=("accuracy",), labels=NLI_LABELS,
        layout=FileLayout(train="mnli/train.tsv", dev="mnli/dev_matched.tsv"),
        aliases=("multinli",), note="In the paper.",
    ),
    _intermediate(
        name="qqp", display_name="QQP", format=TaskFormat.pair_classification,
        category="classification", metrics=("accuracy", "f1"), labels=("0", "1"),
        layout=FileLayout(train="qqp/train.tsv", dev="qqp/dev.tsv"), note="In the paper.",
    ),
    _intermediate(
        name="squad_v1", display_name="SQuAD v1.1", format=TaskFormat.span_qa, category="qa",
        metrics=("f1", "exact_match"),
        layout=FileLayout(train="squad/train-v1.1.json", dev="squad/dev-v1.1.json"),
        aliases=("squad", "squad1.1", "squad-v1.1", "squad_v1.1", "squadv1"),
        max_seq_length=384, note="In the paper.",
    ),
    _intermediate(
        name="squad_v2", display_name="SQuAD v2.0", format=TaskFormat.span_qa, category="qa",
        metrics=("f1", "exact_match"),
        layout=FileLayout(train="squad/train-v2.0.json", dev="squad/dev-v2.0.json"),
        aliases=("squad2.0", "squad-v2.0", "squad_v2.0", "squadv2"),
        max_seq_length=384, note="In the paper; has unanswerable questions.",
    ),
    _intermediate(
        name="hellaswag", display_name="HellaSwag", format=TaskFormat.multiple_choice,
        category="classification", metrics=("accuracy",), num_choices=4,
        layout=FileLayout(train="hellaswag/train.jsonl", dev="hellaswag/val.jsonl"),
        note="In the paper.",
    ),
    _intermediate(
        name="cosmosqa", display_name="Cosmos QA", format=TaskFormat.multiple_choice,
        category="classification", metrics=("accuracy",), num_choices=4,
        layout=FileLayout(train="cosmosqa/train.jsonl", dev="cosmosqa/valid.jsonl"),
        aliases=("cosmos-qa", "cosmos_qa"), note="In the paper.",
    ),
    _intermediate(
        name="commonsenseqa", display_name="CommonsenseQA", format=TaskFormat.multiple_choice,
        category="classification", metrics=("accuracy",), num_choices=5,
        layout=FileLayout(
            train="commonsenseqa/train_rand_split.jsonl", dev="commonsenseqa/dev_rand_split.jsonl"
        ),
        aliases=("csqa", "commonsense-qa", "commonsense_qa"), note="In the paper.",
    ),
    _intermediate(
        name="ccg", display_name="CCG supertagging", format=TaskFormat.tagging,
        category="tagging", metrics=("accuracy",),
        layout=FileLayout(train="ccg/train.tsv", dev="ccg/dev.tsv", test="ccg/test.tsv"),
        aliases=("ccgbank",), max_seq_length=128,
        note="In the paper; token accuracy over CCGbank supertags (open label set).",
    ),
    _intermediate(
        name="sst2", display_name="SST-2", format=TaskFormat.single_classification,
        category="classification", metrics=("accuracy",), labels=("0", "1"),
        layout=FileLayout(train="sst2/train.tsv", dev="sst2/dev.tsv"),
        aliases=("sst-2", "sst"), max_seq_length=128,
        note="Not among the paper's nine intermediate tasks; registered as an extra.",
    ),
)

PAPER_INTERMEDIATE_TASKS: tuple[str, ...] = (
    "anli", "mnli", "qqp", "squad_v1", "squad_v2", "hellaswag", "cosmosqa", "commonsenseqa", "ccg",
)
"""The nine intermediate tasks of arXiv 2005.13013v2 (see the module docstring)."""


def intermediate_definitions() -> tuple[Task, ...]:
    return _INTERMEDIATE
