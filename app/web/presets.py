"""Replication presets offered on a claim's page.

- ``derived``: the spec derived from the claim's own text (XTREME data under XTREME_DATA_DIR).
- ``demo``: ``examples/replication/tiny.yaml`` — a 2-layer model on synthetic English/German data
  in the XTREME layouts. A synthetic demonstration of the pipeline: its numbers say nothing about
  the claim. Its model and data are copied once into ``DATA_DIR/models/demo-tiny`` and
  ``DATA_DIR/datasets/demo-tiny`` so the spec passes the same policy as any other
  (models under DATA_DIR/models, data inside the replication data roots).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from filelock import FileLock

from app.settings import Settings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "replication"
DEMO_NAME = "demo-tiny"


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    label: str
    description: str
    synthetic: bool


PRESETS = {
    "derived": Preset("derived", "Replicate on XTREME",
                      "the experiment the claim describes, derived from its text, on the XTREME data of this "
                      "installation", False),
    "demo": Preset("demo", "Synthetic demonstration",
                   "a tiny 2-layer model on synthetic English/German data (examples/replication/tiny.yaml): shows "
                   "the pipeline end to end in about a minute; its numbers say nothing about this claim", True),
}


def demo_available() -> bool:
    return (EXAMPLE / "tiny.yaml").is_file() and (EXAMPLE / "model").is_dir() and (EXAMPLE / "data").is_dir()


def _install(source: Path, target: Path) -> None:
    if target.is_dir():
        return
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source, partial)
    partial.rename(target)  # all or nothing


def demo_spec(settings: Settings, claim_text: str) -> dict[str, Any]:
    """The demo spec as a client would send it (paths relative to DATA_DIR and DATA_DIR/models),
    after copying its model and data into those folders once."""
    models, datasets = settings.data_dir / "models", settings.data_dir / "datasets"
    models.mkdir(parents=True, exist_ok=True)
    datasets.mkdir(parents=True, exist_ok=True)
    with FileLock(str(settings.data_dir / f".{DEMO_NAME}.lock")):
        _install(EXAMPLE / "model", models / DEMO_NAME)
        _install(EXAMPLE / "data", datasets / DEMO_NAME)
    spec = yaml.safe_load((EXAMPLE / "tiny.yaml").read_text(encoding="utf-8"))
    spec.update(model=DEMO_NAME, data_dir=f"datasets/{DEMO_NAME}", name=f"synthetic-demo: {spec['name']}",
                source_claim=claim_text[:2000])
    spec["notes"] = [*spec.get("notes", []), "SYNTHETIC DEMONSTRATION: tiny model and synthetic data; the "
                     "measured numbers say nothing about the claim"]
    return spec
