"""The official XTREME / XTREME-R metrics on in-memory data (percentages).

Every function mirrors google-research/xtreme ``evaluate.py`` (or the task's
official evaluation code, for Mewsli-X and LAReQA) and returns a dict of
metric name → value in percent, the shape the folder scorer stores per language.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence

from seqeval.metrics.sequence_labeling import precision_recall_fscore_support

from .qa import mlqa_em_f1, squad_em_f1

__all__ = [
    "accuracy",
    "average_precision_at_k",
    "bucc_f1",
    "map_at_k",
    "mlqa_em_f1",
    "seqeval_f1",
    "squad_em_f1",
    "tatoeba_accuracy",
]


def accuracy(labels: Sequence[object], predictions: Sequence[object]) -> dict[str, float]:
    """Share of positions where prediction equals label (XNLI, PAWS-X, XCOPA, Tatoeba)."""
    if len(labels) != len(predictions):
        raise ValueError(f"{len(predictions)} predictions for {len(labels)} labels")
    if not predictions:
        raise ValueError("accuracy of zero examples is undefined")
    correct = sum(int(p == g) for p, g in zip(predictions, labels))
    return {"accuracy": 100.0 * correct / len(predictions)}


def tatoeba_accuracy(gold_indices: Sequence[object], predicted_indices: Sequence[object]) -> dict[str, float]:
    """Tatoeba: accuracy of the retrieved target index per source sentence."""
    return accuracy(gold_indices, predicted_indices)


def seqeval_f1(labels: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]) -> dict[str, float]:
    """Entity-level micro F1 / precision / recall with seqeval (default mode), as
    XTREME scores UD-POS and PAN-X. Tags without a B-/I- prefix (POS tags) are
    each their own chunk type, which is what seqeval does with them."""
    if len(labels) != len(predictions):
        raise ValueError(f"{len(predictions)} predicted sentences for {len(labels)} gold sentences")
    for i, (gold, pred) in enumerate(zip(labels, predictions)):
        if len(gold) != len(pred):
            raise ValueError(f"sentence {i + 1}: {len(pred)} predicted tags for {len(gold)} gold tags")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "X seems not to be NE tag", zero-division
        precision, recall, f1, _ = precision_recall_fscore_support(
            [list(s) for s in labels], [list(s) for s in predictions], average="micro"
        )
    return {"f1": 100.0 * float(f1), "precision": 100.0 * float(precision), "recall": 100.0 * float(recall)}


def bucc_f1(gold_pairs: Iterable[tuple[str, ...]], predicted_pairs: Iterable[tuple[str, ...]]) -> dict[str, float]:
    """BUCC 2018: F1 / precision / recall of the predicted (src id, tgt id) pair set."""
    gold = set(map(tuple, gold_pairs))
    predicted = set(map(tuple, predicted_pairs))
    correct = len(gold & predicted)
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision = correct / len(predicted)
    recall = correct / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": 100.0 * f1, "precision": 100.0 * precision, "recall": 100.0 * recall}


def average_precision_at_k(relevant: Iterable[str], ranked: Sequence[str], k: int = 20) -> float:
    """AP@k in [0, 1]: mean of precision@i over relevant hits in the top k, divided by
    ``min(len(relevant), k)``. With one relevant item this is the reciprocal rank
    within the top k, which is how the official Mewsli-X evaluation defines mAP@20."""
    relevant_set = {r.strip() for r in relevant}
    if not relevant_set:
        return 0.0
    hits = 0
    total = 0.0
    seen: set[str] = set()
    for rank, item in enumerate(ranked[:k], start=1):
        if item in relevant_set and item not in seen:
            hits += 1
            total += hits / rank
        seen.add(item)
    return total / min(len(relevant_set), k)


def map_at_k(
    gold: Mapping[str, Sequence[str]], predictions: Mapping[str, Sequence[str]], k: int = 20
) -> dict[str, float]:
    """Mean AP@k (percent) over every gold query; a query without a prediction scores 0.
    The metric name is ``map_at_{k}`` (Mewsli-X and LAReQA use k=20)."""
    if not gold:
        raise ValueError("mAP of zero queries is undefined")
    total = sum(average_precision_at_k(rel, predictions.get(qid, ()), k) for qid, rel in gold.items())
    return {f"map_at_{k}": 100.0 * total / len(gold)}
