"""Readers for the on-disk formats of XTREME / XTREME-R and the intermediate tasks.

Formats are those the XTREME download scripts (google-research/xtreme
``utils_preprocess.py``) write, and the usual release formats of the English
intermediate tasks. Readers return plain dataclasses; any problem raises
:class:`DataFormatError` naming the file and line. ``load_split`` dispatches
on a :class:`~replication.tasks.Task`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

from replication.tasks import Split, Task, get_task

PathArg = str | PathLike[str]


class DataFormatError(ValueError):
    """A missing or malformed data file; ``str`` is ``"{path}:{line}: {message}"``
    (``line`` 0 for problems with the file as a whole)."""

    def __init__(self, path: PathArg, line: int, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class PairExample:
    """Sentence-pair classification (XNLI, PAWS-X, MNLI, ANLI, QQP); label None on unlabelled test data."""

    text_a: str
    text_b: str
    label: str | None
    guid: str = ""


@dataclass(frozen=True)
class SentenceExample:
    """Single-sentence classification (SST-2)."""

    text: str
    label: str | None
    guid: str = ""


@dataclass(frozen=True)
class TaggedSentence:
    """One sentence of token-per-line data; ``labels`` None when the file has no tags."""

    tokens: list[str]
    labels: list[str] | None


@dataclass(frozen=True)
class Answer:
    text: str
    start: int


@dataclass(frozen=True)
class QAExample:
    """One SQuAD-format question."""

    qid: str
    question: str
    context: str
    answers: list[Answer]
    is_impossible: bool = False
    title: str = ""


@dataclass(frozen=True)
class MultipleChoiceExample:
    """HellaSwag, Cosmos QA, CommonsenseQA, XCOPA: pick one of ``choices``."""

    guid: str
    context: str
    question: str
    choices: list[str]
    label: int | None


@dataclass(frozen=True)
class BuccSplit:
    """BUCC 2018 sentences by id (``src`` in the non-English language) and gold pairs."""

    src: dict[str, str]
    tgt: dict[str, str]
    gold: list[tuple[str, str]] | None = None


@dataclass(frozen=True)
class TatoebaSplit:
    """Tatoeba source sentences and English targets (same count)."""

    src: list[str]
    tgt: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


def _open_lines(path: PathArg) -> list[str]:
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DataFormatError(p, 0, "file not found") from None
    except UnicodeDecodeError as exc:
        raise DataFormatError(p, 0, f"not UTF-8 text ({exc.reason})") from None


def _iter_jsonl(path: PathArg) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(_open_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFormatError(path, number, f"invalid JSON: {exc.msg}") from None
        if not isinstance(record, dict):
            raise DataFormatError(path, number, "expected a JSON object per line")
        yield number, record


def _field(path: PathArg, line: int, record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in record:
            return record[name]
    raise DataFormatError(path, line, f"missing field {' or '.join(repr(n) for n in names)}")


def _read_tsv_rows(path: PathArg) -> list[tuple[int, list[str]]]:
    """Tab-separated rows as ``csv`` writes them (XTREME uses ``csv.writer``), with line numbers."""
    lines = _open_lines(path)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_MINIMAL)
    try:
        for row in reader:
            if row and any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataFormatError(path, reader.line_num, f"bad TSV: {exc}") from None
    return rows


def _read_headed_tsv(path: PathArg) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """GLUE-style TSV with a header row; fields are not quoted (quotes are literal)."""
    lines = _open_lines(path)
    if not lines:
        raise DataFormatError(path, 1, "empty file (expected a header row)")
    header = {name.strip(): i for i, name in enumerate(lines[0].split("\t"))}
    rows = [(n, line.split("\t")) for n, line in enumerate(lines[1:], start=2) if line.strip()]
    return header, rows


def _column(path: PathArg, header: dict[str, int], *names: str) -> int:
    for name in names:
        if name in header:
            return header[name]
    raise DataFormatError(path, 1, f"header has no column {' or '.join(repr(n) for n in names)}")


# --------------------------------------------------------------------------- XTREME formats


def read_pair_tsv(path: PathArg) -> list[PairExample]:
    """XTREME ``{split}-{lang}.tsv`` for XNLI / PAWS-X: ``text_a<TAB>text_b[<TAB>label]``."""
    examples = []
    for line, row in _read_tsv_rows(path):
        if len(row) not in (2, 3):
            raise DataFormatError(path, line, f"expected 2 or 3 tab-separated fields, got {len(row)}")
        label = row[2].strip() if len(row) == 3 else None
        examples.append(PairExample(row[0], row[1], label, guid=f"{Path(path).name}-{line}"))
    return examples


_LANG_PREFIX = re.compile(r"^([a-z]{2,3}):")


def read_tagging(path: PathArg) -> list[TaggedSentence]:
    """Token-per-line data, blank line between sentences: ``token<TAB>tag`` or ``token``.

    The raw PAN-X files prefix every token with its language (``en:London``);
    when the first token line carries such a prefix, it is stripped from every
    line (and every line must carry the same one).
    """
    sentences: list[TaggedSentence] = []
    tokens: list[str] = []
    labels: list[str] = []
    has_labels: bool | None = None
    prefix: str | None = None
    first = True

    def flush() -> None:
        nonlocal tokens, labels
        if tokens:
            sentences.append(TaggedSentence(tokens, labels if has_labels else None))
        tokens, labels = [], []

    for number, raw in enumerate(_open_lines(path), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        if len(fields) > 2:
            raise DataFormatError(path, number, f"expected 'token<TAB>tag' or 'token', got {len(fields)} fields")
        token = fields[0]
        if first:
            match = _LANG_PREFIX.match(token)
            prefix = match.group(0) if match and len(token) > len(match.group(0)) else None
            first = False
        if prefix is not None:
            if not token.startswith(prefix):
                raise DataFormatError(path, number, f"token {token!r} lacks the {prefix!r} prefix of the file")
            token = token[len(prefix):]
        this_has_label = len(fields) == 2
        if has_labels is None:
            has_labels = this_has_label
        elif has_labels != this_has_label:
            raise DataFormatError(path, number, "some lines have a tag and some do not")
        tokens.append(token)
        if this_has_label:
            labels.append(fields[1])
    flush()
    return sentences


def read_squad(path: PathArg) -> list[QAExample]:
    """SQuAD v1.1 / v2.0 JSON (also XQuAD, MLQA, TyDiQA-GoldP, XQuAD-R)."""
    lines = _open_lines(path)
    try:
        data = json.loads("\n".join(lines))
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    articles = data.get("data") if isinstance(data, dict) else None
    if not isinstance(articles, list):
        raise DataFormatError(path, 0, "expected a JSON object with a 'data' list")
    examples = []
    for a_idx, article in enumerate(articles):
        where = f"data[{a_idx}]"
        try:
            title = article.get("title", "")
            for p_idx, paragraph in enumerate(article["paragraphs"]):
                where = f"data[{a_idx}].paragraphs[{p_idx}]"
                context = paragraph["context"]
                for qa in paragraph["qas"]:
                    where = f"question {qa.get('id', '?')!r}"
                    answers = [Answer(a["text"], int(a["answer_start"])) for a in qa.get("answers", [])]
                    examples.append(
                        QAExample(
                            qid=str(qa["id"]), question=qa["question"], context=context,
                            answers=answers, is_impossible=bool(qa.get("is_impossible", False)),
                            title=title,
                        )
                    )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataFormatError(path, 0, f"{where}: malformed SQuAD record ({exc!r})") from None
    return examples


def _read_id_sentences(path: Path) -> dict[str, str]:
    sentences = {}
    for number, line in enumerate(_open_lines(path), start=1):
        if not line.strip():
            continue
        sid, sep, text = line.partition("\t")
        if not sep:
            raise DataFormatError(path, number, "expected 'id<TAB>sentence'")
        sentences[sid.strip()] = text.strip()
    return sentences


def read_bucc(stem: PathArg, lang: str) -> BuccSplit:
    """BUCC 2018 split ``<stem>.<lang>``, ``<stem>.en`` and optional ``<stem>.gold``
    (e.g. stem ``download/bucc2018/de-en.test``; test gold is removed by XTREME)."""
    base = Path(stem)
    src = _read_id_sentences(base.with_name(f"{base.name}.{lang}"))
    tgt = _read_id_sentences(base.with_name(f"{base.name}.en"))
    gold_path = base.with_name(f"{base.name}.gold")
    gold = None
    if gold_path.exists():
        gold = []
        for number, line in enumerate(_open_lines(gold_path), start=1):
            if not line.strip():
                continue
            fields = line.strip().split("\t")
            if len(fields) != 2:
                raise DataFormatError(gold_path, number, "expected 'src_id<TAB>tgt_id'")
            if fields[0] not in src or fields[1] not in tgt:
                raise DataFormatError(gold_path, number, f"gold pair {fields} names an unknown sentence id")
            gold.append((fields[0], fields[1]))
    return BuccSplit(src, tgt, gold)


def read_tatoeba(src_path: PathArg, tgt_path: PathArg) -> TatoebaSplit:
    """Tatoeba source and English target files, one sentence a line, equal counts."""
    src = [line.strip() for line in _open_lines(src_path)]
    tgt = [line.strip() for line in _open_lines(tgt_path)]
    while src and not src[-1]:
        src.pop()
    while tgt and not tgt[-1]:
        tgt.pop()
    if len(src) != len(tgt):
        raise DataFormatError(tgt_path, len(tgt), f"{len(tgt)} lines but {src_path} has {len(src)}")
    return TatoebaSplit(src, tgt)


def read_copa(path: PathArg) -> list[MultipleChoiceExample]:
    """(X)COPA jsonl: premise, choice1, choice2, question (cause|effect), label."""
    out = []
    for line, r in _iter_jsonl(path):
        out.append(
            MultipleChoiceExample(
                guid=str(r.get("idx", line)),
                context=_field(path, line, r, "premise"),
                question=_field(path, line, r, "question"),
                choices=[_field(path, line, r, "choice1"), _field(path, line, r, "choice2")],
                label=_int_label(path, line, r.get("label"), 2),
            )
        )
    return out


def _int_label(path: PathArg, line: int, value: Any, n: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        label = int(value)
    except (TypeError, ValueError):
        raise DataFormatError(path, line, f"label {value!r} is not an integer") from None
    if not 0 <= label < n:
        raise DataFormatError(path, line, f"label {label} out of range 0..{n - 1}")
    return label


# --------------------------------------------------------------------------- intermediate tasks

_ANLI_LABELS = {"e": "entailment", "n": "neutral", "c": "contradiction"}
_NLI_LABELS = {"entailment", "neutral", "contradiction"}


def read_nli(path: PathArg) -> list[PairExample]:
    """MNLI / ANLI / SNLI: jsonl (``sentence1/sentence2/gold_label``, ``premise/hypothesis/label``
    or ANLI's ``context/hypothesis/label`` with e/n/c) or GLUE TSV with a header.
    Examples without annotator consensus (label ``-``) are skipped."""
    examples = []

    def add(line: int, a: str, b: str, label: Any, guid: str) -> None:
        if label in (None, ""):
            examples.append(PairExample(a, b, None, guid))
            return
        label = _ANLI_LABELS.get(str(label), str(label))
        if label == "-":
            return
        if label not in _NLI_LABELS:
            raise DataFormatError(path, line, f"unknown NLI label {label!r}")
        examples.append(PairExample(a, b, label, guid))

    if str(path).endswith((".jsonl", ".json")):
        for line, r in _iter_jsonl(path):
            add(
                line,
                _field(path, line, r, "sentence1", "premise", "context"),
                _field(path, line, r, "sentence2", "hypothesis"),
                r.get("gold_label", r.get("label")),
                str(r.get("uid", r.get("pairID", line))),
            )
        return examples
    header, rows = _read_headed_tsv(path)
    ia, ib = _column(path, header, "sentence1", "premise"), _column(path, header, "sentence2", "hypothesis")
    il = header.get("gold_label", header.get("label"))
    for line, row in rows:
        if len(row) <= max(ia, ib):
            raise DataFormatError(path, line, f"expected at least {max(ia, ib) + 1} fields, got {len(row)}")
        label = row[il].strip() if il is not None and il < len(row) else None
        add(line, row[ia], row[ib], label, str(line))
    return examples


def read_qqp(path: PathArg) -> list[PairExample]:
    """GLUE QQP TSV: ``id qid1 qid2 question1 question2 is_duplicate`` (test: no label)."""
    header, rows = _read_headed_tsv(path)
    ia, ib = _column(path, header, "question1"), _column(path, header, "question2")
    il = header.get("is_duplicate")
    out = []
    for line, row in rows:
        if len(row) <= max(ia, ib):
            raise DataFormatError(path, line, f"expected {len(header)} fields, got {len(row)}")
        label = row[il].strip() if il is not None and il < len(row) else None
        if label not in (None, "0", "1"):
            raise DataFormatError(path, line, f"is_duplicate must be 0 or 1, got {label!r}")
        out.append(PairExample(row[ia], row[ib], label, guid=str(line)))
    return out


def read_sst2(path: PathArg) -> list[SentenceExample]:
    """GLUE SST-2 TSV: ``sentence<TAB>label`` with a header (test: ``index<TAB>sentence``)."""
    header, rows = _read_headed_tsv(path)
    it = _column(path, header, "sentence")
    il = header.get("label")
    out = []
    for line, row in rows:
        if len(row) <= it:
            raise DataFormatError(path, line, f"expected {len(header)} fields, got {len(row)}")
        label = row[il].strip() if il is not None and il < len(row) else None
        if label not in (None, "0", "1"):
            raise DataFormatError(path, line, f"label must be 0 or 1, got {label!r}")
        out.append(SentenceExample(row[it], label, guid=str(line)))
    return out


def read_hellaswag(path: PathArg) -> list[MultipleChoiceExample]:
    """HellaSwag jsonl: ``ctx`` (or ``ctx_a``/``ctx_b``), four ``endings``, ``label``."""
    out = []
    for line, r in _iter_jsonl(path):
        ctx = r.get("ctx") or f"{r.get('ctx_a', '')} {r.get('ctx_b', '')}".strip()
        endings = _field(path, line, r, "endings")
        if not isinstance(endings, list) or len(endings) != 4:
            raise DataFormatError(path, line, "'endings' must be a list of 4 strings")
        out.append(
            MultipleChoiceExample(str(r.get("ind", line)), ctx, "", endings, _int_label(path, line, r.get("label"), 4))
        )
    return out


def read_cosmosqa(path: PathArg) -> list[MultipleChoiceExample]:
    """Cosmos QA jsonl: ``context``, ``question``, ``answer0``..``answer3``, ``label``."""
    out = []
    for line, r in _iter_jsonl(path):
        choices = [_field(path, line, r, f"answer{i}") for i in range(4)]
        out.append(
            MultipleChoiceExample(
                str(r.get("id", line)), _field(path, line, r, "context"),
                _field(path, line, r, "question"), choices, _int_label(path, line, r.get("label"), 4),
            )
        )
    return out


def read_commonsenseqa(path: PathArg) -> list[MultipleChoiceExample]:
    """CommonsenseQA jsonl: ``question.stem``, ``question.choices[{label, text}]``, ``answerKey``."""
    out = []
    for line, r in _iter_jsonl(path):
        q = _field(path, line, r, "question")
        try:
            stem = q["stem"]
            keys = [c["label"] for c in q["choices"]]
            choices = [c["text"] for c in q["choices"]]
        except (KeyError, TypeError):
            raise DataFormatError(path, line, "'question' needs 'stem' and 'choices' [{label, text}]") from None
        key = r.get("answerKey")
        if key is not None and key not in keys:
            raise DataFormatError(path, line, f"answerKey {key!r} is not one of {keys}")
        out.append(
            MultipleChoiceExample(str(r.get("id", line)), "", stem, choices, keys.index(key) if key else None)
        )
    return out


def read_mewslix(path: PathArg) -> list[dict[str, Any]]:
    """Mewsli-X mention jsonl as XTREME writes it: ``{context, mentions}`` records."""
    out = []
    for line, r in _iter_jsonl(path):
        _field(path, line, r, "context")
        _field(path, line, r, "mentions")
        out.append(r)
    return out


# --------------------------------------------------------------------------- dispatcher

_READERS = {
    "xnli": read_pair_tsv,
    "pawsx": read_pair_tsv,
    "udpos": read_tagging,
    "panx": read_tagging,
    "ccg": read_tagging,
    "xquad": read_squad,
    "mlqa": read_squad,
    "tydiqa": read_squad,
    "lareqa": read_squad,
    "squad_v1": read_squad,
    "squad_v2": read_squad,
    "xcopa": read_copa,
    "mewslix": read_mewslix,
    "mnli": read_nli,
    "anli": read_nli,
    "qqp": read_qqp,
    "sst2": read_sst2,
    "hellaswag": read_hellaswag,
    "cosmosqa": read_cosmosqa,
    "commonsenseqa": read_commonsenseqa,
}


def split_path(task: Task, split: Split, lang: str, data_dir: PathArg) -> Path:
    """The file (or, for BUCC / Tatoeba, the file stem) of ``task``'s ``split`` in ``lang``."""
    pattern = task.layout.pattern(split)
    if pattern is None:
        raise DataFormatError(Path(data_dir), 0, f"task {task.name!r} has no {split} split")
    if lang not in task.languages and lang != task.train_language:
        raise DataFormatError(Path(data_dir), 0, f"task {task.name!r} has no language {lang!r}")
    return Path(data_dir) / pattern.format(lang=lang)


def load_split(task: Task | str, split: Split, lang: str, data_dir: PathArg) -> Any:
    """Read ``task``'s ``split`` in ``lang`` from an XTREME-style ``data_dir``.

    Returns a list of records (``PairExample``, ``TaggedSentence``, ``QAExample``,
    ``MultipleChoiceExample``, ``SentenceExample``, Mewsli-X dicts), a
    ``BuccSplit`` or a ``TatoebaSplit``.
    """
    task = get_task(task) if isinstance(task, str) else task
    path = split_path(task, split, lang, data_dir)
    if task.name == "bucc2018":
        return read_bucc(path, lang)
    if task.name == "tatoeba":
        return read_tatoeba(path.with_name(f"{path.name}.{lang}"), path.with_name(f"{path.name}.en"))
    try:
        reader = _READERS[task.name]
    except KeyError:
        raise DataFormatError(path, 0, f"no reader for task {task.name!r}") from None
    if not path.is_file():
        raise DataFormatError(path, 0, f"missing {split} file for {task.name} ({lang})")
    return reader(path)
