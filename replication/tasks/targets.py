"""XTREME and XTREME-R target tasks.

Languages follow the official google-research/xtreme code: ``evaluate.py``
(``TASK2LANGS``) for XTREME, and for XTREME-R the extended lists of the same
repository (``utils_preprocess.py`` ``PANX_LANGUAGES`` / ``UDPOS_LANGUAGES``, the
Tatoeba language table, ``scripts/train_xcopa.sh``, ``utils_mewslix.py``
``MENTION_LANGUAGES``) and the XQuAD-R languages for LAReQA. XTREME-R adds ten
languages to XTREME's forty: az, gu, ht, lt, pa, pl, qu, ro, uk, wo.
"""

from __future__ import annotations

from dataclasses import replace

from .model import FileLayout, Task, TaskFormat


def _langs(spec: str) -> tuple[str, ...]:
    return tuple(spec.split(","))


XNLI_LABELS = ("contradiction", "entailment", "neutral")
PAWSX_LABELS = ("0", "1")
PANX_LABELS = ("B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER", "O")
UPOS_LABELS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)

# Language lists in the official order (the order of the per-language scores).
XTREME_LANGUAGES: dict[str, tuple[str, ...]] = {
    "pawsx": _langs("de,en,es,fr,ja,ko,zh"),
    "xnli": _langs("ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh"),
    "panx": _langs(
        "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,"
        "it,pt,es,bg,ru,ja,ka,ko,th,sw,yo,my,zh,kk,tr,et,fi,hu"
    ),
    "udpos": _langs(
        "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,"
        "nl,pt,ru,ta,te,th,tl,tr,ur,vi,yo,zh"
    ),
    "bucc2018": _langs("de,fr,ru,zh"),
    "tatoeba": _langs(
        "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,"
        "pt,es,bg,ru,ja,ka,ko,th,sw,zh,kk,tr,et,fi,hu"
    ),
    "xquad": _langs("en,es,de,el,ru,tr,ar,vi,th,zh,hi"),
    "mlqa": _langs("en,es,de,ar,hi,vi,zh"),
    "tydiqa": _langs("en,ar,bn,fi,id,ko,ru,sw,te"),
}

XTREME_R_EXTRA_LANGUAGES: dict[str, tuple[str, ...]] = {
    "panx": _langs("qu,pl,uk,az,lt,pa,gu,ro"),
    "udpos": _langs("lt,pl,uk,wo,ro"),
    "tatoeba": _langs("az,lt,pl,uk,ro"),
}

_SQUAD_TRAIN = "squad/train-v1.1.json"
_SQUAD_DEV = "squad/dev-v1.1.json"


def _tsv_layout(folder: str, train: bool = True) -> FileLayout:
    return FileLayout(
        train=f"{folder}/train-en.tsv" if train else None,
        dev=f"{folder}/dev-{{lang}}.tsv",
        test=f"{folder}/test-{{lang}}.tsv",
    )


_XTREME_TARGETS: tuple[Task, ...] = (
    Task(
        name="xnli", display_name="XNLI", format=TaskFormat.pair_classification,
        category="classification", metrics=("accuracy",), labels=XNLI_LABELS,
        languages=XTREME_LANGUAGES["xnli"], layout=_tsv_layout("xnli"),
        max_seq_length=128, benchmarks=("xtreme", "xtreme-r"),
        note="Trained on English MNLI (XTREME's xnli/train-en.tsv).",
    ),
    Task(
        name="pawsx", display_name="PAWS-X", format=TaskFormat.pair_classification,
        category="classification", metrics=("accuracy",), labels=PAWSX_LABELS,
        languages=XTREME_LANGUAGES["pawsx"], layout=_tsv_layout("pawsx"),
        aliases=("paws-x",), max_seq_length=128, benchmarks=("xtreme",),
    ),
    Task(
        name="udpos", display_name="UD-POS", format=TaskFormat.tagging,
        category="tagging", metrics=("f1", "precision", "recall"), labels=UPOS_LABELS,
        languages=XTREME_LANGUAGES["udpos"], layout=_tsv_layout("udpos"),
        aliases=("ud-pos", "pos"), max_seq_length=128, benchmarks=("xtreme", "xtreme-r"),
    ),
    Task(
        name="panx", display_name="PAN-X (WikiANN NER)", format=TaskFormat.tagging,
        category="tagging", metrics=("f1", "precision", "recall"), labels=PANX_LABELS,
        languages=XTREME_LANGUAGES["panx"], layout=_tsv_layout("panx"),
        aliases=("pan-x", "wikiann", "ner"), max_seq_length=128,
        benchmarks=("xtreme", "xtreme-r"),
    ),
    Task(
        name="xquad", display_name="XQuAD", format=TaskFormat.span_qa, category="qa",
        metrics=("f1", "exact_match"), languages=XTREME_LANGUAGES["xquad"],
        layout=FileLayout(train=_SQUAD_TRAIN, dev=_SQUAD_DEV, test="xquad/xquad.{lang}.json"),
        max_seq_length=384, benchmarks=("xtreme", "xtreme-r"),
        note="Trained on English SQuAD v1.1; scored with the SQuAD v1.1 script.",
    ),
    Task(
        name="mlqa", display_name="MLQA", format=TaskFormat.span_qa, category="qa",
        metrics=("f1", "exact_match"), languages=XTREME_LANGUAGES["mlqa"],
        layout=FileLayout(
            train=_SQUAD_TRAIN,
            dev="mlqa/MLQA_V1/dev/dev-context-{lang}-question-{lang}.json",
            test="mlqa/MLQA_V1/test/test-context-{lang}-question-{lang}.json",
        ),
        max_seq_length=384, benchmarks=("xtreme", "xtreme-r"),
        note="Scored with the MLQA script's per-language answer normalisation.",
    ),
    Task(
        name="tydiqa", display_name="TyDiQA-GoldP", format=TaskFormat.span_qa, category="qa",
        metrics=("f1", "exact_match"), languages=XTREME_LANGUAGES["tydiqa"],
        layout=FileLayout(
            train="tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.en.train.json",
            dev=None,
            test="tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{lang}.dev.json",
        ),
        aliases=("tydiqa-goldp", "tydi"), max_seq_length=384,
        benchmarks=("xtreme", "xtreme-r"),
        note="XTREME uses the GoldP dev set as test set.",
    ),
    Task(
        name="bucc2018", display_name="BUCC 2018", format=TaskFormat.retrieval,
        category="retrieval", metrics=("f1", "precision", "recall"),
        languages=XTREME_LANGUAGES["bucc2018"],
        layout=FileLayout(dev="bucc2018/{lang}-en.dev", test="bucc2018/{lang}-en.test"),
        aliases=("bucc",), max_seq_length=512, benchmarks=("xtreme",),
        note="Files <stem>.<lang>, <stem>.en (id<TAB>sentence) and <stem>.gold.",
    ),
    Task(
        name="tatoeba", display_name="Tatoeba", format=TaskFormat.retrieval,
        category="retrieval", metrics=("accuracy",), languages=XTREME_LANGUAGES["tatoeba"],
        layout=FileLayout(test="tatoeba/{lang}-en"),
        max_seq_length=512, benchmarks=("xtreme", "xtreme-r"),
        note="Files <stem>.<lang> and <stem>.en, line-aligned in the LASER originals.",
    ),
)

_XTREME_R_ONLY: tuple[Task, ...] = (
    Task(
        name="xcopa", display_name="XCOPA", format=TaskFormat.multiple_choice,
        category="classification", metrics=("accuracy",), num_choices=2,
        languages=_langs("et,ht,id,it,qu,sw,ta,th,tr,vi,zh"),
        layout=FileLayout(
            train="xcopa/train-en.jsonl", dev="xcopa/val-{lang}.jsonl",
            test="xcopa/test-{lang}.jsonl",
        ),
        max_seq_length=128, benchmarks=("xtreme-r",),
        note="Official recipe trains on SIQa then English COPA; predictions are 0/1 per line.",
    ),
    Task(
        name="mewslix", display_name="Mewsli-X", format=TaskFormat.retrieval,
        category="retrieval", metrics=("map_at_20",),
        languages=_langs("ar,de,en,es,fa,ja,pl,ro,ta,tr,uk"),
        layout=FileLayout(
            dev="mewslix/wikinews_mentions/dev-{lang}.jsonl",
            test="mewslix/wikinews_mentions/test-{lang}.jsonl",
        ),
        aliases=("mewsli-x",), max_seq_length=64, benchmarks=("xtreme-r",),
        note="Labels {example_id: [entity_id]}, predictions {example_id: [ranked ids]}.",
    ),
    Task(
        name="lareqa", display_name="LAReQA (XQuAD-R)", format=TaskFormat.retrieval,
        category="retrieval", metrics=("map_at_20",),
        languages=_langs("ar,de,el,en,es,hi,ru,th,tr,vi,zh"),
        layout=FileLayout(train=_SQUAD_TRAIN, test="lareqa/xquad-r/{lang}.json"),
        aliases=("xquad-r",), max_seq_length=352, benchmarks=("xtreme-r",),
        note="Labels {question_id: [relevant ids]}, predictions {question_id: [ranked ids]}.",
    ),
)


def xtreme_targets() -> tuple[Task, ...]:
    """XTREME's nine tasks with XTREME's language sets."""
    return _XTREME_TARGETS


def xtreme_r_targets() -> tuple[Task, ...]:
    """XTREME-R's ten tasks: PAWS-X and BUCC dropped, XCOPA/Mewsli-X/LAReQA added,
    extra languages for PAN-X, UD-POS and Tatoeba."""
    kept = []
    for task in _XTREME_TARGETS:
        if "xtreme-r" not in task.benchmarks:
            continue
        extra = XTREME_R_EXTRA_LANGUAGES.get(task.name, ())
        kept.append(replace(task, languages=task.languages + extra))
    return tuple(kept) + _XTREME_R_ONLY
