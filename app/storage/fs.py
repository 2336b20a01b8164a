"""Local-filesystem object store: the embedded default.

Layout under the root: the blob of key `a/b/c.mp4` is `a/b/.c.mp4.blob` (mode 0444, never rewritten) and
its sidecar is `a/b/.c.mp4.meta.json` (sha256, size, content type, metadata, created_at, retention, legal
hold). Key segments may not start with ".", so these names, and the `.tmp` directory, never collide with
the directories of other keys: `cases/1` and `cases/1/a` can both exist, as on S3.

Publishing is crash-safe. Bytes are streamed into `.tmp/` (same filesystem), fsynced, and hashed on the
way. Then the sidecar is hard-linked into place — `os.link` fails if the name exists, so this is the
atomic, exclusive claim of the key — and after it the blob. An object exists when both are present; a
crash between the two links leaves a claimed key without a blob, which reads as absent and is refused by
a later put of that explicit key (content-addressed keys repair themselves). A partial blob is never
visible under a real key. Later sidecar changes (retention, legal hold) replace the sidecar atomically
under an flock on the blob.
"""
import errno
import fcntl
import json
import os
import uuid
from contextlib import contextmanager
from datetime import datetime

from app.errors import NotFound, StorageError, WriteOnceViolation
from app.storage.base import (
    CHUNK_SIZE,
    HashingReader,
    ObjectStore,
    StoredObject,
    check_integrity,
    check_range,
    check_retention,
    normalize_sha256,
    utcnow,
    validate_key,
    validate_metadata,
)
from app.storage.errors import InvalidKey

TMP_DIR = ".tmp"
BLOB_SUFFIX = ".blob"
SIDECAR_SUFFIX = ".meta.json"
NOT_FOUND_MESSAGE = "存储中没有该文件"
LOCKED_MESSAGE = "原始证据在保存期限内或处于法律保全状态，不得删除"


class FilesystemStore(ObjectStore):
    def __init__(self, root, chunk_size=CHUNK_SIZE):
        self.root = os.path.abspath(str(root))
        self.chunk_size = chunk_size

    def __repr__(self):
        return f"FilesystemStore({self.root!r})"

    # -- paths -------------------------------------------------------------------------------------

    def _path(self, key, suffix):
        *dirs, name = validate_key(key).split("/")
        return os.path.join(self.root, *dirs, "." + name + suffix)

    def _blob_path(self, key):
        return self._path(key, BLOB_SUFFIX)

    def _sidecar_path(self, key):
        return self._path(key, SIDECAR_SUFFIX)

    def _tmp_dir(self):
        path = os.path.join(self.root, TMP_DIR)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as exc:
            raise StorageError("对象存储目录不可写", details={"path": self.root}) from exc
        return path

    # -- reading -----------------------------------------------------------------------------------

    def _read_sidecar(self, key):
        """The sidecar of a committed object, or None (absent, or claimed but never completed)."""
        blob = self._blob_path(key)
        try:
            with open(self._sidecar_path(key), encoding="utf-8") as f:
                record = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StorageError("无法读取对象的元数据", details={"key": key}) from exc
        if not os.path.isfile(blob):
            return None
        return record

    def _to_object(self, key, record):
        return StoredObject(
            key=key,
            size=record["size"],
            sha256=record["sha256"],
            version_id=None,
            content_type=record.get("content_type") or "application/octet-stream",
            created_at=_parse_dt(record.get("created_at")),
            retain_until=_parse_dt(record.get("retain_until")),
            legal_hold=bool(record.get("legal_hold")),
            metadata=dict(record.get("metadata") or {}),
        )

    def stat(self, key):
        record = self._read_sidecar(key)
        if record is None:
            raise NotFound(NOT_FOUND_MESSAGE, details={"key": key})
        return self._to_object(key, record)

    def exists(self, key):
        return self._read_sidecar(key) is not None

    def open(self, key, offset=0, length=None):
        obj = self.stat(key)
        remaining = check_range(obj.size, offset, length)
        try:
            f = open(self._blob_path(key), "rb")
        except FileNotFoundError as exc:  # deleted between stat and open
            raise NotFound(NOT_FOUND_MESSAGE, details={"key": key}) from exc
        except OSError as exc:
            raise StorageError("无法读取存储的文件", details={"key": key}) from exc
        if offset:
            f.seek(offset)
        return self._iter_file(f, remaining)

    def _iter_file(self, f, remaining):
        with f:
            while remaining > 0:
                data = f.read(min(self.chunk_size, remaining))
                if not data:
                    raise StorageError("存储的文件比记录的短，可能已损坏")
                remaining -= len(data)
                yield data

    def list(self, prefix=""):
        # Walk only the directory the prefix fully names; filter the rest as a string prefix.
        head = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        if head:
            try:
                validate_key(head)
            except InvalidKey:  # no key can start with it (and it must not walk outside the root)
                return
        start = os.path.join(self.root, *head.split("/")) if head else self.root
        if not os.path.isdir(start):
            return
        keys = []
        for directory, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = os.path.relpath(directory, self.root)
            for filename in filenames:
                if not (filename.startswith(".") and filename.endswith(SIDECAR_SUFFIX)):
                    continue
                name = filename[1:-len(SIDECAR_SUFFIX)]
                key = name if rel == "." else rel.replace(os.sep, "/") + "/" + name
                if key.startswith(prefix):
                    keys.append(key)
        for key in sorted(keys):
            record = self._read_sidecar(key)
            if record is not None:
                yield self._to_object(key, record)

    # -- writing -----------------------------------------------------------------------------------

    def put(self, stream, *, key=None, content_type="application/octet-stream", metadata=None,
            expected_sha256=None):
        expected_sha256 = normalize_sha256(expected_sha256)
        metadata = validate_metadata(metadata)
        if key is not None:
            validate_key(key)
            # Refuse before reading what may be gigabytes; the link below is the real guard.
            self._refuse_existing(key)
        tmp_dir = self._tmp_dir()
        tmp_blob = os.path.join(tmp_dir, uuid.uuid4().hex)
        tmp_sidecar = tmp_blob + SIDECAR_SUFFIX
        try:
            reader = HashingReader(stream, self.chunk_size)
            self._write_stream(tmp_blob, reader)
            sha256 = reader.hexdigest()
            check_integrity(expected_sha256, sha256)
            content_addressed = key is None
            if content_addressed:
                key = f"sha256/{sha256[:2]}/{sha256}"
                existing = self._read_sidecar(key)
                if existing is not None:
                    return self._to_object(key, existing)
            record = {
                "sha256": sha256,
                "size": reader.size,
                "content_type": content_type or "application/octet-stream",
                "metadata": metadata,
                "created_at": utcnow().isoformat(),
                "retain_until": None,
                "retention_mode": None,
                "legal_hold": False,
            }
            _write_json(tmp_sidecar, record)
            self._publish(key, tmp_blob, tmp_sidecar, content_addressed)
            if content_addressed:
                # A concurrent put of the same bytes may have won the claim: report what is stored.
                return self.stat(key)
            return self._to_object(key, record)
        except OSError as exc:
            raise StorageError("写入对象存储失败", details={"reason": exc.strerror or str(exc)}) from exc
        finally:
            for path in (tmp_blob, tmp_sidecar):
                _unlink_quietly(path)

    def _refuse_existing(self, key):
        if os.path.lexists(self._sidecar_path(key)):
            raise WriteOnceViolation(details={"key": key})

    def _write_stream(self, path, reader):
        with open(path, "xb") as f:
            while True:
                data = reader.read(self.chunk_size)
                if not data:
                    break
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(path, 0o444)

    def _publish(self, key, tmp_blob, tmp_sidecar, content_addressed):
        blob, sidecar = self._blob_path(key), self._sidecar_path(key)
        directory = os.path.dirname(blob)
        os.makedirs(directory, exist_ok=True)
        try:
            os.link(tmp_sidecar, sidecar)
            claimed = True
        except FileExistsError:
            if not content_addressed:
                raise WriteOnceViolation(details={"key": key}) from None
            # Same key means same bytes: complete a claim left by a crashed or concurrent put.
            claimed = False
        try:
            os.link(tmp_blob, blob)
        except FileExistsError:
            if not content_addressed:
                # Only a blob left behind outside the protocol can be here; do not touch it.
                if claimed:
                    _unlink_quietly(sidecar)
                raise WriteOnceViolation(details={"key": key}) from None
        except OSError:
            if claimed:
                _unlink_quietly(sidecar)
            raise
        _fsync_dir(directory)

    def set_retention(self, key, until, mode="COMPLIANCE"):
        until = check_retention(until, mode)
        with self._locked_record(key) as record:
            current = _parse_dt(record.get("retain_until"))
            if current is not None and until < current:
                raise WriteOnceViolation(
                    f"保存期限只能延长，不能缩短（当前保存至{current.isoformat()}）",
                    details={"key": key, "retain_until": current.isoformat()})
            record["retain_until"] = until.isoformat()
            record["retention_mode"] = mode
            os.chmod(self._blob_path(key), 0o444)
        return self.stat(key)

    def set_legal_hold(self, key, on):
        with self._locked_record(key) as record:
            record["legal_hold"] = bool(on)
        return self.stat(key)

    def delete(self, key):
        with self._locked_record(key, write=False) as record:
            if self._to_object(key, record).is_locked:
                raise WriteOnceViolation(LOCKED_MESSAGE, details={"key": key})
            # Blob first: from here the key reads as absent; a crash before the sidecar goes only
            # leaves a claim, never a blob without its record.
            try:
                os.unlink(self._blob_path(key))
                os.unlink(self._sidecar_path(key))
            except OSError as exc:
                raise StorageError("删除对象失败", details={"key": key}) from exc
            _fsync_dir(os.path.dirname(self._blob_path(key)))

    def prune(self, prefix):
        path = os.path.join(self.root, *validate_key(prefix.rstrip("/")).split("/"))
        try:
            os.rmdir(path)  # only ever an empty directory
        except OSError:
            return
        _fsync_dir(os.path.dirname(path))

    @contextmanager
    def _locked_record(self, key, write=True):
        """Read-modify-write the sidecar under an exclusive flock on the (immutable) blob."""
        blob = self._blob_path(key)
        try:
            fd = os.open(blob, os.O_RDONLY)
        except FileNotFoundError:
            raise NotFound(NOT_FOUND_MESSAGE, details={"key": key}) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            record = self._read_sidecar(key)
            if record is None:
                raise NotFound(NOT_FOUND_MESSAGE, details={"key": key})
            yield record
            if write:
                sidecar = self._sidecar_path(key)
                tmp = os.path.join(self._tmp_dir(), uuid.uuid4().hex + SIDECAR_SUFFIX)
                try:
                    _write_json(tmp, record)
                    os.replace(tmp, sidecar)
                finally:
                    _unlink_quietly(tmp)
                _fsync_dir(os.path.dirname(sidecar))
        finally:
            os.close(fd)

    def check(self):
        try:
            os.makedirs(os.path.join(self.root, TMP_DIR), exist_ok=True)
        except OSError as exc:
            raise StorageError("对象存储目录不可用", details={"path": self.root}) from exc
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError("对象存储目录不可写", details={"path": self.root})


def _write_json(path, record):
    with open(path, "x", encoding="utf-8") as f:
        json.dump(record, f, ensure_ascii=False, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    except OSError as exc:  # some filesystems refuse fsync on directories
        if exc.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _parse_dt(value):
    return datetime.fromisoformat(value) if value else None
