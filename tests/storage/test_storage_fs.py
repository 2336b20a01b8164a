"""Filesystem backend: content addressing, crash safety, persistence and memory use."""
import hashlib
import io
import os
import stat as stat_mode
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest

from app.errors import StorageError, WriteOnceViolation
from app.storage import make_store
from app.storage.fs import FilesystemStore
from tests.storage.helpers import GeneratedStream

DATA = b"recording bytes " * 1000


def sha(data):
    return hashlib.sha256(data).hexdigest()


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def test_content_addressed_put_is_idempotent(fs_store):
    first = fs_store.put(io.BytesIO(DATA), content_type="video/mp4", metadata={"name": "第一次"})
    blob = fs_store._blob_path(first.key)
    inode, mtime = os.stat(blob).st_ino, os.stat(blob).st_mtime_ns

    second = fs_store.put(io.BytesIO(DATA), content_type="text/plain", metadata={"name": "第二次"})

    assert first.key == second.key == f"sha256/{sha(DATA)[:2]}/{sha(DATA)}"
    # The first upload's description stands; the blob was not rewritten.
    assert (second.content_type, second.metadata) == ("video/mp4", {"name": "第一次"})
    assert (os.stat(blob).st_ino, os.stat(blob).st_mtime_ns) == (inode, mtime)
    assert [o.key for o in fs_store.list()] == [first.key]


def test_stored_blob_is_read_only(fs_store):
    obj = fs_store.put(io.BytesIO(DATA), key="evidence.mp4")
    assert stat_mode.S_IMODE(os.stat(fs_store._blob_path(obj.key)).st_mode) == 0o444

    fs_store.set_retention("evidence.mp4", datetime.now(timezone.utc) + timedelta(days=1))
    assert stat_mode.S_IMODE(os.stat(fs_store._blob_path(obj.key)).st_mode) == 0o444


def test_retention_and_hold_survive_a_restart(fs_store):
    until = datetime.now(timezone.utc) + timedelta(days=3650)
    fs_store.put(io.BytesIO(DATA), key="evidence.mp4", metadata={"name": "执法记录"})
    fs_store.set_retention("evidence.mp4", until)
    fs_store.set_legal_hold("evidence.mp4", True)

    reopened = FilesystemStore(fs_store.root)

    obj = reopened.stat("evidence.mp4")
    assert (obj.retain_until, obj.legal_hold, obj.metadata) == (until, True, {"name": "执法记录"})
    with pytest.raises(WriteOnceViolation):
        reopened.delete("evidence.mp4")


def test_failed_publish_leaves_nothing_and_frees_the_key(fs_store, monkeypatch):
    real_link = os.link
    calls = []

    def link_then_fail(src, dst, *args, **kwargs):
        calls.append(dst)
        if dst.endswith(".blob"):  # the sidecar claim succeeded, the blob link does not
            raise OSError(28, "No space left on device")
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link_then_fail)
    with pytest.raises(StorageError) as exc:
        fs_store.put(io.BytesIO(DATA), key="cases/1/a.mp4")
    monkeypatch.setattr(os, "link", real_link)

    assert exc.value.status == 503
    assert len(calls) == 2
    assert not fs_store.exists("cases/1/a.mp4")
    assert list(fs_store.list()) == []
    assert files_under(fs_store.root) == []  # no temp files, no claim left behind
    assert fs_store.put(io.BytesIO(DATA), key="cases/1/a.mp4").sha256 == sha(DATA)


def test_interrupted_upload_leaves_nothing(fs_store):
    class Broken:
        def __init__(self):
            self.sent = 0

        def read(self, n):
            if self.sent > 3 * 1024 * 1024:
                raise OSError("connection reset by client")
            self.sent += 1024 * 1024
            return b"x" * (1024 * 1024)

    with pytest.raises(StorageError):
        fs_store.put(Broken(), key="cases/1/a.mp4")

    assert not fs_store.exists("cases/1/a.mp4")
    assert files_under(fs_store.root) == []


def test_a_crash_between_claim_and_blob_reads_as_absent_and_keeps_the_key(fs_store):
    fs_store.put(io.BytesIO(DATA), key="cases/1/a.mp4")
    os.unlink(fs_store._blob_path("cases/1/a.mp4"))  # what a crash after the sidecar link leaves

    assert not fs_store.exists("cases/1/a.mp4")
    assert list(fs_store.list()) == []
    # Write-once errs on the side of refusing: the key stays claimed until an operator clears it.
    with pytest.raises(WriteOnceViolation):
        fs_store.put(io.BytesIO(b"other"), key="cases/1/a.mp4")


def test_a_crashed_content_addressed_put_is_completed_by_the_next_one(fs_store):
    obj = fs_store.put(io.BytesIO(DATA))
    os.unlink(fs_store._blob_path(obj.key))

    again = fs_store.put(io.BytesIO(DATA))

    assert again.key == obj.key
    assert fs_store.rehash(obj.key) == sha(DATA)


def test_sha256_mismatch_leaves_no_file(fs_store):
    with pytest.raises(Exception):
        fs_store.put(io.BytesIO(DATA), expected_sha256=sha(b"else"))

    assert files_under(fs_store.root) == []


def test_put_streams_without_holding_the_file_in_memory(fs_store):
    size = 40 * 1024 * 1024
    stream = GeneratedStream(size)
    tracemalloc.start()
    try:
        obj = fs_store.put(stream, key="long.mp4")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert obj.sha256 == stream.sha256.hexdigest()
    assert peak < 8 * 1024 * 1024, f"peak Python allocation {peak} bytes for a {size}-byte upload"


def test_open_streams_in_chunks(fs_store):
    fs_store.put(GeneratedStream(5 * 1024 * 1024 + 1), key="v.mp4")

    chunks = list(fs_store.open("v.mp4"))

    assert max(len(c) for c in chunks) <= 1024 * 1024
    assert sum(len(c) for c in chunks) == 5 * 1024 * 1024 + 1


def test_check_refuses_an_unwritable_root(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")

    with pytest.raises(StorageError) as exc:
        make_store({"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": str(blocker / "objects")}).check()
    assert exc.value.status == 503
