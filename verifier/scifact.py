"""SciFact-format data and the official abstract-level and sentence-level metrics.

Claims: ``{"id", "claim", "evidence": {doc_id: [{"sentences", "label"}]}, "cited_doc_ids"}``;
corpus: ``{"doc_id", "abstract": [sentences]}`` or ``{"doc_id", "text": str}`` (doc ids int or
str, normalised to str). Predictions: ``{"id", "evidence": {doc_id: {"sentences", "label"}}}``.
The metrics follow the SciFact evaluator: a predicted abstract is label-correct when the gold
cites evidence in it and the labels agree; rationalised-correct when, in addition, one gold
rationale is contained in the first three predicted sentences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from verifier.calibration import confidence_auroc, confidence_ece
from verifier.passages import Passage

SUPPORT, CONTRADICT, NEI = "SUPPORT", "CONTRADICT", "NEI"
CLASSES = (SUPPORT, CONTRADICT, NEI)
MAX_ABSTRACT_SENTS = 3
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\[])")


class SciFactFormatError(ValueError):
    """A malformed SciFact line, named by file and line number."""


@dataclass(frozen=True, slots=True)
class Rationale:
    sentences: tuple[int, ...]
    label: str


@dataclass(frozen=True, slots=True)
class SciFactClaim:
    id: str
    claim: str
    evidence: dict[str, tuple[Rationale, ...]]
    cited_doc_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        """The claim-level gold label: its evidence's label, or NEI when there is none."""
        for rationales in self.evidence.values():
            if rationales:
                return rationales[0].label
        return NEI

    def doc_label(self, doc_id: str) -> str:
        rationales = self.evidence.get(doc_id)
        return rationales[0].label if rationales else NEI


@dataclass(frozen=True, slots=True)
class Abstract:
    doc_id: str
    sentences: tuple[str, ...]
    title: str = ""

    def passages(self) -> list[Passage]:
        out, offset = [], 0
        for i, sentence in enumerate(self.sentences):
            out.append(Passage(i, sentence, offset, offset + len(sentence)))
            offset += len(sentence) + 1
        return out


@dataclass(frozen=True, slots=True)
class DocPrediction:
    label: str
    sentences: tuple[int, ...] = ()
    confidence: float | None = None


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SciFactFormatError(f"{path}:{number}: invalid JSON: {exc.msg}") from exc
            if not isinstance(row, dict):
                raise SciFactFormatError(f"{path}:{number}: expected a JSON object")
            yield number, row


def _require(row: dict, key: str, path: Path, number: int):
    if key not in row:
        raise SciFactFormatError(f"{path}:{number}: missing field {key!r}")
    return row[key]


def split_sentences(text: str) -> tuple[str, ...]:
    """A plain abstract string split into sentences."""
    return tuple(s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip())


def load_claims(path: str | Path) -> list[SciFactClaim]:
    path = Path(path)
    claims = []
    for number, row in _read_jsonl(path):
        evidence_raw = row.get("evidence") or {}
        if not isinstance(evidence_raw, dict):
            raise SciFactFormatError(f"{path}:{number}: field 'evidence' must be an object")
        evidence = {}
        for doc_id, rationales in evidence_raw.items():
            if isinstance(rationales, dict):
                rationales = [rationales]
            evidence[str(doc_id)] = tuple(
                Rationale(tuple(int(s) for s in r.get("sentences", [])),
                          str(_require(r, "label", path, number)).upper())
                for r in rationales
            )
        claims.append(SciFactClaim(
            id=str(_require(row, "id", path, number)),
            claim=str(row.get("claim", "")),
            evidence=evidence,
            cited_doc_ids=tuple(str(d) for d in row.get("cited_doc_ids", evidence.keys())),
        ))
    return claims


def load_corpus(path: str | Path) -> dict[str, Abstract]:
    path = Path(path)
    corpus = {}
    for number, row in _read_jsonl(path):
        doc_id = str(_require(row, "doc_id", path, number))
        body = row.get("abstract", row.get("text"))
        if isinstance(body, str):
            sentences = split_sentences(body)
        elif isinstance(body, list) and all(isinstance(s, str) for s in body):
            sentences = tuple(s.strip() for s in body)
        else:
            raise SciFactFormatError(
                f"{path}:{number}: 'abstract' must be a list of sentences or 'text' a string")
        corpus[doc_id] = Abstract(doc_id, sentences, str(row.get("title", "")))
    return corpus


def load_predictions(path: str | Path) -> dict[str, dict[str, DocPrediction]]:
    path = Path(path)
    predictions: dict[str, dict[str, DocPrediction]] = {}
    for number, row in _read_jsonl(path):
        docs = {}
        for doc_id, pred in (row.get("evidence") or {}).items():
            docs[str(doc_id)] = DocPrediction(str(_require(pred, "label", path, number)).upper(),
                                              tuple(int(s) for s in pred.get("sentences", [])))
        predictions[str(_require(row, "id", path, number))] = docs
    return predictions


def _prf(correct: float, n_pred: float, n_gold: float) -> tuple[float, float, float]:
    precision = correct / n_pred if n_pred else 0.0
    recall = correct / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def scifact_metrics(claims: Sequence[SciFactClaim],
                    predictions: dict[str, dict[str, DocPrediction]]) -> dict[str, float]:
    """The official abstract- and sentence-level metrics (NEI predictions are not counted)."""
    c = dict(abstract_label=0, abstract_rat=0, abstract_gold=0, abstract_pred=0,
             sent_sel=0, sent_label=0, sent_gold=0, sent_pred=0)
    for claim in claims:
        docs = {d: p for d, p in predictions.get(claim.id, {}).items() if p.label != NEI}
        c["abstract_gold"] += len(claim.evidence)
        c["sent_gold"] += sum(len(r.sentences) for rs in claim.evidence.values() for r in rs)
        for doc_id, pred in docs.items():
            c["abstract_pred"] += 1
            c["sent_pred"] += len(pred.sentences)
            gold = claim.evidence.get(doc_id)
            if not gold:
                continue
            label_ok = pred.label == gold[0].label
            chosen = set(pred.sentences[:MAX_ABSTRACT_SENTS])
            if label_ok:
                c["abstract_label"] += 1
                if any(set(r.sentences) <= chosen for r in gold):
                    c["abstract_rat"] += 1
            predicted = set(pred.sentences)
            for rationale in gold:
                if set(rationale.sentences) <= predicted:
                    c["sent_sel"] += len(rationale.sentences)
                    c["sent_label"] += len(rationale.sentences) if label_ok else 0
    out: dict[str, float] = {}
    for name, correct, n_pred, n_gold in (
        ("abstract_label_only", c["abstract_label"], c["abstract_pred"], c["abstract_gold"]),
        ("abstract_rationalized", c["abstract_rat"], c["abstract_pred"], c["abstract_gold"]),
        ("sentence_selection", c["sent_sel"], c["sent_pred"], c["sent_gold"]),
        ("sentence_label", c["sent_label"], c["sent_pred"], c["sent_gold"]),
    ):
        p, r, f = _prf(correct, n_pred, n_gold)
        out[f"{name}_precision"], out[f"{name}_recall"], out[f"{name}_f1"] = p, r, f
    return out


@dataclass(slots=True)
class ThreeWayReport:
    """Claim-level three-way accuracy, macro-F1, confusion matrix (rows gold) and ECE."""

    accuracy: float
    macro_f1: float
    per_class_f1: dict[str, float]
    confusion: list[list[int]]
    ece: float
    n: int
    classes: tuple[str, ...] = field(default=CLASSES)
    auroc: float | None = None  # of confidence for right-versus-wrong verdicts


def three_way_report(gold: Sequence[str], predicted: Sequence[str],
                     confidence: Sequence[float]) -> ThreeWayReport:
    index = {label: i for i, label in enumerate(CLASSES)}
    matrix = np.zeros((3, 3), dtype=int)
    for g, p in zip(gold, predicted):
        matrix[index[g], index[p]] += 1
    per_class = {}
    for label, i in index.items():
        _, _, f1 = _prf(matrix[i, i], matrix[:, i].sum(), matrix[i, :].sum())
        per_class[label] = f1
    n = len(gold)
    correct = np.array([g == p for g, p in zip(gold, predicted)], dtype=float)
    return ThreeWayReport(
        accuracy=float(np.trace(matrix) / n) if n else 0.0,
        macro_f1=float(np.mean(list(per_class.values()))),
        per_class_f1=per_class,
        confusion=matrix.tolist(),
        ece=confidence_ece(np.asarray(confidence, dtype=float), correct),
        n=n,
        auroc=confidence_auroc(np.asarray(confidence, dtype=float), correct),
    )
