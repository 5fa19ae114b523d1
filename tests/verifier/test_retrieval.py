"""Retrieval: BM25 + packaged MiniLM dense embeddings fused by RRF, cached per source version."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from verifier.passages import Passage
from verifier.retrieval import Embedder, IndexCache, PassageIndex, tokenize

TEXTS = [
    "The weather in Paris was sunny throughout the week.",
    "We evaluate zero-shot cross-lingual transfer on the XTREME benchmark.",
    "Intermediate-task training on MNLI improves XNLI accuracy.",
    "A recipe for bread needs flour, water, salt and yeast.",
    "Sentence retrieval on BUCC and Tatoeba benefits the most.",
]
PASSAGES = [Passage(i, t, i * 100, i * 100 + len(t), None) for i, t in enumerate(TEXTS)]


def test_bm25_only_ranks_lexical_matches_first() -> None:
    index = PassageIndex(PASSAGES, None)
    hits = index.search("Which benchmark evaluates cross-lingual transfer? XTREME", k=2)
    assert hits[0].passage.index == 1 and hits[0].bm25 > hits[1].bm25
    assert hits[0].dense is None and hits[0].bm25 > 0
    assert tokenize("The XLM-R models improved") == ["xlm-r", "model", "improv"]
    assert PassageIndex([], None).search("anything") == []


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder.default()


def test_dense_retrieval_finds_paraphrases_and_the_index_is_cached(embedder: Embedder, tmp_path: Path) -> None:
    cache = IndexCache(tmp_path, embedder)
    index = cache.get("2005.13013v2", PASSAGES)
    query = "how to bake a loaf"  # no word in common with the bread passage
    hits = index.search(query, k=1, query_vector=cache.encode_query(query))
    assert hits[0].passage.index == 3 and hits[0].dense is not None
    stored = tmp_path / "2005.13013v2" / "embeddings.npy"
    assert stored.is_file() and np.load(stored).shape == (5, 384)
    assert cache.get("2005.13013v2", PASSAGES) is index  # built once, kept in memory
    marked = index.embeddings * 0.5  # a second process reuses the disk copy, not a re-embedding
    np.save(stored, marked)
    fresh = IndexCache(tmp_path, embedder).get("2005.13013v2", PASSAGES)
    assert np.array_equal(fresh.embeddings, marked)
    changed = PASSAGES[:4]  # another text of the same key is re-embedded, not confused
    assert len(IndexCache(tmp_path, embedder).get("2005.13013v2", changed).embeddings) == 4
