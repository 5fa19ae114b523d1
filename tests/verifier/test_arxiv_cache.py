"""The content-addressed cache under the data dir."""

from __future__ import annotations

import pytest

from verifier.cache import CacheError, ContentCache, sha256_hex


def test_blobs_are_stored_once_by_content(tmp_path):
    cache = ContentCache(tmp_path)
    first = cache.put(b"%PDF-1.4 same bytes")
    second = cache.put(b"%PDF-1.4 same bytes")
    assert first == second and first.sha256 == sha256_hex(b"%PDF-1.4 same bytes")
    assert first.path == tmp_path / "blobs" / first.sha256[:2] / first.sha256
    assert len(list((tmp_path / "blobs").rglob("*"))) == 2  # one folder, one file
    assert cache.read(first.sha256) == b"%PDF-1.4 same bytes"


def test_a_corrupt_blob_is_detected(tmp_path):
    cache = ContentCache(tmp_path)
    blob = cache.put(b"original")
    blob.path.write_bytes(b"tampered")
    with pytest.raises(CacheError, match="is corrupt"):
        cache.read(blob.sha256)


def test_entries_name_blobs_and_absences(tmp_path):
    cache = ContentCache(tmp_path)
    blob = cache.put(b"pdf")
    cache.set_entry("arxiv/hep-th/9901001v1/pdf", {"sha256": blob.sha256, "size": 3})
    cache.set_entry("arxiv/2005.13013v1/html", {"absent": True})
    assert cache.get_entry("arxiv/hep-th/9901001v1/pdf") == {"sha256": blob.sha256, "size": 3}
    assert cache.get_entry("arxiv/2005.13013v1/html") == {"absent": True}
    assert cache.get_entry("arxiv/2005.13013v2/pdf") is None
    blob.path.unlink()  # an entry whose blob was lost does not count
    assert cache.get_entry("arxiv/hep-th/9901001v1/pdf") is None


@pytest.mark.parametrize("name", ["", "a/../b", "./x"])
def test_bad_entry_names_are_refused(tmp_path, name):
    with pytest.raises(CacheError, match="bad cache entry name"):
        ContentCache(tmp_path).entry_path(name)


def test_a_non_digest_is_not_an_address(tmp_path):
    with pytest.raises(CacheError, match="not a sha256 hex digest"):
        ContentCache(tmp_path).read("../../etc/passwd")
