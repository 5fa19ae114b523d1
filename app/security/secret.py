"""The installation's signing key: the ``SECRET_KEY`` setting, or a file made once in the data dir."""

from __future__ import annotations

import os
import secrets
import threading
from pathlib import Path

from app.settings import Settings

SECRET_FILE = "secret_key"
_CACHE: dict[Path, bytes] = {}
_LOCK = threading.Lock()


def write_private(path: Path, text: str) -> bool:
    """Create ``path`` readable by its owner only (0600); False when it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return True


def signing_key(settings: Settings) -> bytes:
    """Bytes that sign session cookies and CSRF tokens (stable across restarts and processes)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = (settings.data_dir / SECRET_FILE).resolve()
    with _LOCK:
        if path not in _CACHE:
            write_private(path, secrets.token_hex(32))  # the first process wins; others read it
            key = path.read_text(encoding="utf-8").strip()
            if len(key) < 32:
                raise RuntimeError(f"{SECRET_FILE} in the data dir is too short; delete it to make a new one")
            _CACHE[path] = key.encode()
        return _CACHE[path]
