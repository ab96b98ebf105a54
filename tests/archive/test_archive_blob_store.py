import hashlib
import os
import threading

import pytest
from nianbao.archive.blob_store import BlobError, BlobStore


def test_put_get_round_trip_and_layout(tmp_path):
    store = BlobStore(tmp_path / "blobs")
    data = "政府信息公开工作年度报告".encode()
    sha = store.put(data)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.path(sha) == tmp_path / "blobs" / "sha256" / sha[:2] / sha[2:4] / sha
    assert store.has(sha) and store.get(sha) == data
    assert store.hash_of(sha) == sha
    assert list(store) == [sha]
    # the stored blob is read-only and no temp file is left
    assert not os.stat(store.path(sha)).st_mode & 0o222
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []


def test_put_is_idempotent_and_never_overwrites(tmp_path):
    store = BlobStore(tmp_path)
    sha = store.put(b"first")
    path = store.path(sha)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")  # whatever is there stays: put never rewrites a blob
    assert store.put(b"first") == sha
    assert path.read_bytes() == b"tampered"
    assert store.hash_of(sha) != sha  # ... and verification is what finds it


def test_put_file_streams_and_matches_put(tmp_path):
    store = BlobStore(tmp_path / "s")
    src = tmp_path / "big.bin"
    data = os.urandom(3 * (1 << 20) + 17)
    src.write_bytes(data)
    sha = store.put_file(src)
    assert sha == hashlib.sha256(data).hexdigest()
    assert store.get(sha) == data
    assert store.put_file(src) == sha  # again: same blob, temp removed
    assert list((tmp_path / "s" / "tmp").iterdir()) == []


def test_concurrent_puts_of_the_same_body(tmp_path):
    store = BlobStore(tmp_path)
    data = os.urandom(1 << 20)
    results = []
    threads = [threading.Thread(target=lambda: results.append(store.put(data))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert store.get(results[0]) == data


def test_bad_names_and_missing_blobs(tmp_path):
    store = BlobStore(tmp_path)
    with pytest.raises(BlobError, match="not a SHA-256"):
        store.path("../../etc/passwd")
    with pytest.raises(BlobError, match="no blob"):
        store.open("0" * 64)
    assert not store.has("0" * 64)


def test_clean_tmp_removes_leftovers(tmp_path):
    store = BlobStore(tmp_path)
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "123-abc.part").write_bytes(b"half a bl")
    assert store.clean_tmp() == 1
    assert list(store) == []
