"""The manifest saved beside a trained stance model: what it was trained on and how it fared.

``manifest.json`` records the data (name and content hash), the fingerprints of the claims it
was trained on and of those its calibration was fitted on, the settings, and, when
cross-validation ran, the held-out figures of the learned path beside checks-only. The model in
the data dir is used by default only when it beat checks-only on those held-out folds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from verifier.scifact import Abstract, SciFactClaim

MANIFEST_FILE = "manifest.json"
KIND = "claimtrace-stance-model"


def default_model_dir(data_dir: Path) -> Path:
    """Where `verifier train` writes by default and where the verifier looks for a model."""
    return Path(data_dir) / "models" / "verifier-stance"


def default_head_dir(data_dir: Path) -> Path:
    """Where `verifier train-head` writes by default and where the verifier looks for a head."""
    return Path(data_dir) / "models" / "verifier-head"


def data_digest(claims: Sequence[SciFactClaim], corpus: dict[str, Abstract]) -> str:
    """Content hash of the claims and of the abstracts they cite."""
    digest = hashlib.sha256()
    for claim in sorted(claims, key=lambda c: c.id):
        digest.update(json.dumps([claim.id, claim.claim, claim.label, list(claim.cited_doc_ids)]).encode())
        for doc in claim.cited_doc_ids:
            if doc in corpus:
                digest.update(json.dumps([doc, list(corpus[doc].sentences)]).encode())
    return digest.hexdigest()


def save_manifest(folder: Path, manifest: dict) -> Path:
    path = Path(folder) / MANIFEST_FILE
    path.write_text(json.dumps({"kind": KIND, **manifest}, indent=2) + "\n", encoding="utf-8")
    return path


def load_manifest(folder: Path) -> dict | None:
    """The manifest of a model folder, or ``None`` (a model trained elsewhere has none)."""
    path = Path(folder) / MANIFEST_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if data.get("kind") == KIND else None


def usable_by_default(folder: Path) -> bool:
    """A trained model is switched on without being asked for only when its held-out
    cross-validation beat checks-only (the learned path must never make verdicts worse)."""
    manifest = load_manifest(folder)
    return bool(manifest and manifest.get("beats_checks_only") is True)


def beats_checks_only(learned: dict, checks_only: dict) -> bool:
    """The rule for switching a learned stance on by default, from `evaluation.score` results of
    the same held-out folds: a higher macro-F1 and no lower label-only F1."""
    return bool(learned["three_way"]["macro_f1"] > checks_only["three_way"]["macro_f1"]
                and learned["abstract_label_only_f1"] >= checks_only["abstract_label_only_f1"])
