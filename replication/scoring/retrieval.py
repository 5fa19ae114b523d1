"""Scoring parts that start from model outputs: embeddings and margin scores.

Mirrors the LASER-derived code XTREME uses (``third_party/utils_retrieve.py``):
cosine k-NN in both directions, ratio margin ``cos(x, y) / ((fwd_k(x) + bwd_k(y)) / 2)``,
"max" bitext mining, and BUCC's threshold search that maximises F1 against the gold
pairs, placing the threshold half-way between the best-F1 score and the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .metrics import bucc_f1, tatoeba_accuracy

Margin = Literal["ratio", "distance", "absolute"]


def _normalise_rows(a: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {a.shape}")
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    if np.any(norms == 0):
        raise ValueError(f"{name} has an all-zero row; cosine similarity is undefined")
    return a / norms


def cosine_similarity(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(len(x), len(y)) cosine similarities."""
    xn, yn = _normalise_rows(x, "x"), _normalise_rows(y, "y")
    if xn.shape[1] != yn.shape[1]:
        raise ValueError(f"dimension mismatch: x has {xn.shape[1]}, y has {yn.shape[1]}")
    return xn @ yn.T


def nearest_neighbours(src: np.ndarray, tgt: np.ndarray) -> np.ndarray:
    """Index of the most cosine-similar ``tgt`` row for each ``src`` row (ties: lowest index)."""
    return np.argmax(cosine_similarity(src, tgt), axis=1)


def tatoeba_accuracy_from_embeddings(
    src: np.ndarray, tgt: np.ndarray, gold: Sequence[int] | None = None
) -> dict[str, float]:
    """Tatoeba accuracy (percent) of cosine nearest-neighbour retrieval.

    ``gold[i]`` is the index of ``src[i]``'s translation in ``tgt``; by default the
    files are line-aligned (``gold[i] == i``), as in the LASER originals.
    """
    predicted = nearest_neighbours(src, tgt)
    if gold is None:
        if len(tgt) < len(src):
            raise ValueError("line-aligned gold needs at least as many targets as sources")
        gold = range(len(src))
    if len(gold) != len(src):
        raise ValueError(f"{len(gold)} gold indices for {len(src)} source sentences")
    return tatoeba_accuracy(list(gold), predicted.tolist())


def _topk_mean(sim: np.ndarray, k: int) -> np.ndarray:
    k = min(k, sim.shape[1])
    top = -np.partition(-sim, k - 1, axis=1)[:, :k]
    return top.mean(axis=1)


def margin_scores(x: np.ndarray, y: np.ndarray, k: int = 4, margin: Margin = "ratio") -> np.ndarray:
    """(len(x), len(y)) margin scores over cosine similarity with ``k`` neighbours each way."""
    sim = cosine_similarity(x, y)
    fwd = _topk_mean(sim, k)  # x → its k nearest ys
    bwd = _topk_mean(sim.T, k)  # y → its k nearest xs
    denom = (fwd[:, None] + bwd[None, :]) / 2
    if margin == "ratio":
        return sim / denom
    if margin == "distance":
        return sim - denom
    if margin == "absolute":
        return sim
    raise ValueError(f"unknown margin {margin!r}; use ratio, distance or absolute")


def mine_pairs(
    scores: np.ndarray, src_ids: Sequence[str], tgt_ids: Sequence[str]
) -> dict[tuple[str, str], float]:
    """Candidate pairs by "max" mining: each source's best target and each target's best
    source, kept greedily by descending score so that every id is used at most once."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (len(src_ids), len(tgt_ids)):
        raise ValueError(f"scores shape {scores.shape} does not match {len(src_ids)}×{len(tgt_ids)} ids")
    fwd_best = scores.argmax(axis=1)
    bwd_best = scores.argmax(axis=0)
    cand_src = np.concatenate([np.arange(len(src_ids)), bwd_best])
    cand_tgt = np.concatenate([fwd_best, np.arange(len(tgt_ids))])
    cand_score = scores[cand_src, cand_tgt]
    seen_src: set[int] = set()
    seen_tgt: set[int] = set()
    mined: dict[tuple[str, str], float] = {}
    for c in np.argsort(-cand_score, kind="stable"):
        i, j = int(cand_src[c]), int(cand_tgt[c])
        if i in seen_src or j in seen_tgt:
            continue
        seen_src.add(i)
        seen_tgt.add(j)
        mined[(src_ids[i], tgt_ids[j])] = float(cand_score[c])
    return mined


@dataclass(frozen=True)
class BuccThreshold:
    """The chosen threshold and the scores of the pairs it keeps (percent)."""

    threshold: float
    f1: float
    precision: float
    recall: float
    pairs: frozenset[tuple[str, str]]


def bucc_best_threshold(
    scores: Mapping[tuple[str, str], float], gold_pairs: Iterable[tuple[str, str]]
) -> BuccThreshold:
    """Pick the margin threshold that maximises F1 of ``scores`` (pair → score) against
    ``gold_pairs``; pairs scoring ``>=`` the threshold are extracted."""
    gold = {tuple(p) for p in gold_pairs}
    if not gold:
        raise ValueError("BUCC threshold search needs at least one gold pair")
    items = sorted(scores.items(), key=lambda kv: -kv[1])
    extracted = correct = 0
    best_f1 = 0.0
    threshold = 0.0
    for i, (pair, score) in enumerate(items):
        extracted += 1
        correct += pair in gold
        if correct == 0:
            continue
        precision, recall = correct / extracted, correct / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[i + 1][1]) / 2 if i + 1 < len(items) else score
    kept = frozenset(pair for pair, score in scores.items() if score >= threshold)
    result = bucc_f1(gold, kept)
    return BuccThreshold(threshold, result["f1"], result["precision"], result["recall"], kept)
