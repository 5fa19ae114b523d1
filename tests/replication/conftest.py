"""Fixtures for the replication pipeline tests: a tiny XTREME-layout data root and a tiny
XLM-R-shaped model with a tokenizer trained locally on that data (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from replication.spec import ReplicationSpec
from replication.tiny import build_tiny_model, write_tiny_data


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``data/`` (XNLI, PAN-X, XQuAD, Tatoeba, BUCC, MNLI, HellaSwag) and ``model/``."""
    root = tmp_path_factory.mktemp("tiny")
    corpus = write_tiny_data(root / "data", n_train=120, n_eval=16, seed=3)
    build_tiny_model(root / "model", corpus, vocab_size=300, seed=0)
    return root


@pytest.fixture(autouse=True)
def _one_cpu_thread():
    """Tiny models train fastest on one thread (and do not fight parallel test workers)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def tiny_spec(root: Path, **overrides) -> ReplicationSpec:
    """A fast spec over the tiny assets; ``overrides`` replace top-level fields."""
    data = {
        "name": "tiny",
        "model": str(root / "model"),
        "data_dir": str(root / "data"),
        "intermediate": {"tasks": ["mnli", "hellaswag"], "sampling": "temperature"},
        "targets": [
            {"task": "xnli", "languages": ["en", "de"]},
            {"task": "panx", "languages": ["en", "de"]},
            {"task": "xquad", "languages": ["en", "de"]},
            {"task": "tatoeba", "languages": ["de"]},
            {"task": "bucc2018", "languages": ["de"]},
        ],
        "seeds": [1, 2],
        "hyperparams": {
            "learning_rate": 3e-3, "max_length": 48, "qa_max_length": 64, "doc_stride": 16,
            "batch_size": 16, "epochs": 3, "per_task": {},
        },
        "evaluation": {"early_stopping_patience": 0, "retrieval_layer": -1},
        "claimed_effect": {"metric": "overall.all_task", "delta": 8.7, "tolerance": 1.0},
        "device": "cpu",
        "cpu_threads": 1,
    }
    data.update(overrides)
    return ReplicationSpec.model_validate(data)


@pytest.fixture
def make_spec(tiny_root: Path):
    """``make_spec(**overrides)`` → a `ReplicationSpec` over the tiny assets."""
    return lambda **overrides: tiny_spec(tiny_root, **overrides)
