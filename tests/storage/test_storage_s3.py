"""S3 backend specifics, against moto's standalone server (a real HTTP endpoint on loopback)."""
import io
import re
import socket
import time

import pytest
from minio import Minio

from app.errors import StorageError
from app.storage import IntegrityMismatch, WriteOnceViolation, make_store
from tests.storage.helpers import s3_config

DATA = b"recording bytes " * 1000

pytestmark = pytest.mark.s3


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def versions(store, key=None):
    return [o for o in store.client.list_objects(store.bucket, prefix=key, recursive=True,
                                                 include_version=True)]


def test_generated_keys_are_dated_and_unique(s3_store):
    a = s3_store.put(io.BytesIO(DATA))
    b = s3_store.put(io.BytesIO(DATA))

    assert re.fullmatch(r"objects/\d{4}/\d{2}/[0-9a-f]{32}", a.key)
    assert a.key != b.key
    assert a.version_id and a.sha256 == b.sha256


def test_bucket_is_created_with_object_lock(s3_store):
    s3_store.put(io.BytesIO(DATA), key="k")

    assert s3_store.client.get_object_lock_config(s3_store.bucket) is not None


def test_a_bucket_without_object_lock_is_refused(s3_server):
    config = s3_config(s3_server)
    Minio(s3_server, "testing", "testing", secure=False).make_bucket(config["S3_BUCKET"])
    store = make_store(config)

    with pytest.raises(StorageError) as exc:
        store.put(io.BytesIO(DATA), key="k")
    assert "对象锁定" in exc.value.message
    with pytest.raises(StorageError):
        store.check()


def test_sha256_mismatch_leaves_no_version_behind(s3_store):
    with pytest.raises(IntegrityMismatch):
        s3_store.put(io.BytesIO(DATA), key="k", expected_sha256="0" * 64)

    assert versions(s3_store) == []


def test_delete_removes_every_version_rather_than_hiding_it(s3_store):
    s3_store.put(io.BytesIO(DATA), key="k")

    s3_store.delete("k")

    assert versions(s3_store) == []  # no delete marker over a surviving version


def test_a_concurrent_writer_that_won_the_race_is_kept(s3_store, monkeypatch):
    # Simulate the race: the other writer's version lands between our existence check and our upload.
    first = s3_store.put(io.BytesIO(b"first writer"), key="k")
    monkeypatch.setattr(s3_store, "_head", lambda key: None)

    with pytest.raises(WriteOnceViolation):
        s3_store.put(io.BytesIO(b"second writer"), key="k")

    monkeypatch.undo()
    assert [v.version_id for v in versions(s3_store, "k")] == [first.version_id]
    assert b"".join(s3_store.open("k")) == b"first writer"


def test_legal_hold_is_enforced_by_the_server_too(s3_store):
    obj = s3_store.put(io.BytesIO(DATA), key="k")
    s3_store.set_legal_hold("k", True)

    from minio.error import S3Error

    with pytest.raises(S3Error):
        s3_store.client.remove_object(s3_store.bucket, "k", version_id=obj.version_id)
    assert s3_store.exists("k")


def test_unreachable_endpoint_is_a_storage_error(tmp_path):
    store = make_store(s3_config(f"127.0.0.1:{closed_port()}", S3_RETRIES=1))
    started = time.monotonic()

    for call in (store.check, lambda: store.stat("k"), lambda: store.exists("k"),
                 lambda: store.put(io.BytesIO(DATA), key="k"), lambda: list(store.list())):
        with pytest.raises(StorageError) as exc:
            call()
        assert exc.value.status == 503
        assert "暂时不可用" in exc.value.message

    assert time.monotonic() - started < 30
