"""Metric functions on in-memory data, checked against hand-computed values."""

import numpy as np
import pytest

from replication.scoring import (
    accuracy,
    average_precision_at_k,
    bucc_best_threshold,
    bucc_f1,
    map_at_k,
    margin_scores,
    mine_pairs,
    mlqa_em_f1,
    normalize_mlqa_answer,
    normalize_squad_answer,
    seqeval_f1,
    squad_em_f1,
    tatoeba_accuracy_from_embeddings,
)


def squad(*qas):
    return [{"paragraphs": [{"context": "", "qas": [{"id": i, "answers": [{"text": t} for t in golds]} for i, golds in qas]}]}]


def test_accuracy_and_length_check():
    assert accuracy(["a", "b", "c", "d"], ["a", "x", "c", "d"]) == {"accuracy": 75.0}
    with pytest.raises(ValueError):
        accuracy(["a"], ["a", "b"])


def test_seqeval_f1_counts_entities_not_tokens():
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["B-PER", "O", "O", "B-LOC"]]  # PER span broken: 1 of 2 entities right, 1 of 2 predicted right
    scores = seqeval_f1(gold, pred)
    assert scores == pytest.approx({"f1": 50.0, "precision": 50.0, "recall": 50.0})


def test_seqeval_f1_treats_pos_tags_as_chunks():
    # Without B-/I- prefixes consecutive equal tags form one chunk (seqeval's behaviour).
    scores = seqeval_f1([["NOUN", "VERB", "NOUN"]], [["NOUN", "NOUN", "NOUN"]])
    assert scores["precision"] == 0.0 and scores["recall"] == 0.0


def test_squad_normalisation_and_scores():
    assert normalize_squad_answer("The  Eiffel-Tower!") == "eiffeltower"
    result = squad_em_f1(squad(("q1", ["the cat"]), ("q2", ["big red dog", "dog"]), ("q3", ["x"])),
                         {"q1": "Cat.", "q2": "red dog"})
    # q1 exact; q2 F1 max(0.8, 2/3) = 0.8; q3 unanswered counts as 0.
    assert result["exact_match"] == pytest.approx(100 / 3)
    assert result["f1"] == pytest.approx(100 * 1.8 / 3)


def test_mlqa_normalisation_is_per_language():
    assert normalize_mlqa_answer("Der Hund", "de") == "hund"
    assert normalize_mlqa_answer("Der Hund", "en") == "der hund"
    assert normalize_mlqa_answer("el perro", "es") == "perro"
    assert normalize_mlqa_answer("北京大学。", "zh") == "北 京 大 学"
    assert normalize_mlqa_answer("الكتاب", "ar") == "كتاب"
    assert normalize_mlqa_answer("¿Qué?", "es") == "qué"  # Unicode punctuation, not only ASCII
    # Chinese F1 works on characters: 2 of 3 characters shared.
    result = mlqa_em_f1(squad(("q", ["北京大"])), {"q": "北京"}, "zh")
    assert result["exact_match"] == 0.0 and result["f1"] == pytest.approx(100 * 0.8)
    with pytest.raises(ValueError, match="no rules for language 'fr'"):
        mlqa_em_f1(squad(("q", ["a"])), {"q": "a"}, "fr")


def test_bucc_f1_over_pair_sets():
    gold = [("de-1", "en-1"), ("de-2", "en-2")]
    # 1 correct of 3 predicted and of 2 gold: P = 1/3, R = 1/2, F1 = 0.4.
    predicted = [("de-1", "en-1"), ("de-3", "en-3"), ("de-4", "en-4")]
    assert bucc_f1(gold, predicted) == pytest.approx({"f1": 40.0, "precision": 100 / 3, "recall": 50.0})
    assert bucc_f1(gold, [("de-9", "en-9")]) == {"f1": 0.0, "precision": 0.0, "recall": 0.0}


def test_map_at_k_single_and_multiple_relevant():
    assert average_precision_at_k(["e"], ["a", "b", "e"], k=20) == pytest.approx(1 / 3)
    assert average_precision_at_k(["e"], ["a", "b", "e"], k=2) == 0.0
    assert average_precision_at_k(["a", "c"], ["a", "b", "c"], k=20) == pytest.approx((1 + 2 / 3) / 2)
    assert map_at_k({"q1": ["a"], "q2": ["b"]}, {"q1": ["a"]}, k=20) == {"map_at_20": 50.0}


def test_tatoeba_accuracy_from_embeddings_uses_cosine():
    src = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    # tgt[0] is long but points the same way as src[0]: cosine, not dot product, must pick it.
    tgt = np.array([[10.0, 0.1], [0.1, 1.0], [0.9, 1.0]])
    assert tatoeba_accuracy_from_embeddings(src, tgt) == pytest.approx({"accuracy": 100.0})
    assert tatoeba_accuracy_from_embeddings(src, tgt, gold=[0, 2, 2]) == pytest.approx({"accuracy": 200 / 3})
    with pytest.raises(ValueError, match="all-zero row"):
        tatoeba_accuracy_from_embeddings(np.zeros((1, 2)), tgt)


def test_margin_scores_ratio_matches_definition():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 8)), rng.normal(size=(6, 8))
    scores = margin_scores(x, y, k=2)
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    sim = xn @ yn.T
    fwd = np.sort(sim, axis=1)[:, -2:].mean(axis=1)
    bwd = np.sort(sim, axis=0)[-2:, :].mean(axis=0)
    assert scores[3, 4] == pytest.approx(sim[3, 4] / ((fwd[3] + bwd[4]) / 2))
    assert scores.shape == (5, 6)


def test_bucc_threshold_search_and_mining():
    scores = {("s1", "t1"): 1.30, ("s2", "t2"): 1.20, ("s3", "t9"): 1.10, ("s4", "t4"): 1.05, ("s5", "t8"): 0.90}
    gold = [("s1", "t1"), ("s2", "t2"), ("s4", "t4")]
    best = bucc_best_threshold(scores, gold)
    # F1 by cut: 1 → .5, 2 → .8, 3 → .667, 4 → .857 (best), 5 → .75; threshold half-way to the next.
    assert best.threshold == pytest.approx((1.05 + 0.90) / 2)
    assert best.pairs == frozenset(list(scores)[:4])
    assert best.f1 == pytest.approx(100 * 6 / 7)
    assert best.precision == pytest.approx(75.0) and best.recall == pytest.approx(100.0)

    # Parallel embeddings: mining recovers the diagonal.
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 16))
    y = x + 0.01 * rng.normal(size=(6, 16))
    mined = mine_pairs(margin_scores(x, y, k=3), [f"s{i}" for i in range(6)], [f"t{i}" for i in range(6)])
    assert set(mined) == {(f"s{i}", f"t{i}") for i in range(6)}
