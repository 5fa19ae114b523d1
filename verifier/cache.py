"""Content-addressed file store with a small named index, under the data dir.

Blobs live at ``<root>/blobs/<sha[:2]>/<sha>`` and are written atomically, so a reader
never sees half a file and the same bytes are stored once. Named entries
(``<root>/index/<name>.json``) map a stable name such as ``arxiv/2005.13013v2/pdf`` to a
blob and what is known about it; an entry can also record that something does not exist
(e.g. no HTML for that version), so the network is not asked twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SHA256 = re.compile(r"[0-9a-f]{64}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class CacheError(RuntimeError):
    """The cache holds something it should not (a corrupt blob, a bad entry name)."""


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ContentCache:
    """Blobs addressed by sha256 plus named JSON entries, rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._blobs = root / "blobs"
        self._index = root / "index"

    # Blobs -----------------------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise CacheError(f"not a sha256 hex digest: {sha256!r}")
        return self._blobs / sha256[:2] / sha256

    def put(self, data: bytes) -> StoredBlob:
        """Store ``data`` (once) and return its address."""
        digest = sha256_hex(data)
        path = self.blob_path(digest)
        if not path.exists():
            _atomic_write(path, data)
        return StoredBlob(digest, len(data), path)

    def has(self, sha256: str) -> bool:
        return self.blob_path(sha256).is_file()

    def read(self, sha256: str) -> bytes:
        """The bytes stored under ``sha256``; a blob whose content does not match is an error."""
        path = self.blob_path(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise CacheError(f"blob {sha256} is not in the cache ({path})") from None
        if sha256_hex(data) != sha256:
            raise CacheError(f"blob {path} is corrupt: its content does not hash to its name")
        return data

    # Named entries ---------------------------------------------------------------------
    def entry_path(self, name: str) -> Path:
        parts = [p for p in name.split("/") if p]
        if not parts or any(p in {".", ".."} for p in parts):
            raise CacheError(f"bad cache entry name: {name!r}")
        safe = [_UNSAFE.sub("_", p) for p in parts]
        return self._index.joinpath(*safe[:-1], f"{safe[-1]}.json")

    def get_entry(self, name: str) -> dict[str, Any] | None:
        """The entry ``name``, or ``None``; an entry pointing at a lost blob counts as absent."""
        path = self.entry_path(name)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise CacheError(f"unreadable cache entry {path}: {exc}") from exc
        sha = entry.get("sha256")
        if sha is not None and not self.has(sha):
            return None
        return entry

    def set_entry(self, name: str, entry: dict[str, Any]) -> None:
        payload = json.dumps(entry, sort_keys=True, default=str).encode("utf-8")
        _atomic_write(self.entry_path(name), payload)
