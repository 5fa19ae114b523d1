"""How server paths are shown to users: by the setting that names their root, never the layout.

``DATA_DIR/runs/job-3`` or ``XTREME_DATA_DIR/xnli/test-de.tsv`` tell an API user which setting
to look at without exposing where the server keeps its files.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.settings import Settings

_ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)*([\w.@+-]+)")
_INSTALLED = re.compile(r"(?<![\w.])/(?:[\w.@+-]+/)*((?:site|dist)-packages)/")
PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _named_roots(settings: Settings) -> list[tuple[Path, str]]:
    """The configured folders and the names users know them by, inner (longer) roots first."""
    roots = [(Path(settings.xtreme_data_dir).resolve(), "XTREME_DATA_DIR"), (settings.data_dir.resolve(), "DATA_DIR")]
    return sorted(roots, key=lambda pair: -len(str(pair[0])))


def shown_path(path: str | Path, settings: Settings, otherwise: str | None = None) -> str:
    """``path`` relative to the configured root it lies in; else ``otherwise`` (default: its last part)."""
    full = Path(path).resolve()
    for root, name in _named_roots(settings):
        if full.is_relative_to(root):
            inner = full.relative_to(root).as_posix()
            return name if inner == "." else f"{name}/{inner}"
    return otherwise if otherwise is not None else f".../{full.name}"


def redact_paths(text: str, settings: Settings) -> str:
    """Free text with configured roots named by their setting, the project's own files and
    installed packages by their relative path (a traceback stays readable), and other absolute
    paths cut to their last part."""
    for root, name in _named_roots(settings):
        text = text.replace(str(root), name)
    text = _INSTALLED.sub(lambda m: f"{m.group(1)}/", text)
    text = text.replace(f"{PROJECT_ROOT}/", "")
    return _ABSOLUTE_PATH.sub(lambda m: f".../{m.group(1)}", text)
