"""The object store interface shared by the filesystem and the S3 backends.

Evidence is write-once: an object, once stored under a key, is never overwritten or modified. Callers
stream bytes in; the store computes the SHA-256 itself while streaming (the client's claim is only
compared against it), never holds a whole file in memory, and never leaves a partial object under a real
key.
"""
import abc
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import BinaryIO, Iterator

from app.errors import InvalidInput
from app.storage.errors import IntegrityMismatch, InvalidKey, RangeNotSatisfiable
from app.timeutil import utcnow  # noqa: F401  (re-exported for the backends)

CHUNK_SIZE = 1024 * 1024
MAX_KEY_LENGTH = 1024
RETENTION_MODES = ("COMPLIANCE", "GOVERNANCE")

# Metadata travels as S3 user-metadata headers: case-insensitive, ASCII, and silently dropped by many
# servers and proxies when they contain "_". Keys are kept to what survives, on both backends alike.
# Values may be any text (the S3 backend percent-encodes them).
_META_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class StoredObject:
    key: str
    size: int
    #: hex SHA-256 computed by the store; None only for an S3 object whose upload was interrupted before
    #: the hash tag was written.
    sha256: str | None
    version_id: str | None = None
    content_type: str = "application/octet-stream"
    created_at: datetime | None = None
    retain_until: datetime | None = None
    legal_hold: bool = False
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def is_locked(self) -> bool:
        """True while the object may not be deleted (retention in the future or legal hold on)."""
        return self.legal_hold or (self.retain_until is not None and self.retain_until > utcnow())


class ObjectStore(abc.ABC):
    """Write-once object storage. Every method raises `StorageError` when the store is unreachable."""

    @abc.abstractmethod
    def put(self, stream: BinaryIO, *, key: str | None = None,
            content_type: str = "application/octet-stream", metadata: dict[str, str] | None = None,
            expected_sha256: str | None = None) -> StoredObject:
        """Store everything `stream.read(n)` yields and return what was stored.

        key=None lets the store choose the key. An explicit key that already exists raises
        `WriteOnceViolation`. If `expected_sha256` differs from the bytes received, raises
        `IntegrityMismatch` and nothing is stored.
        """

    @abc.abstractmethod
    def open(self, key: str, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """Yield the object's bytes [offset, offset+length) in chunks.

        Unknown key → `NotFound`, raised by this call (not on first iteration); a range outside the
        object → `RangeNotSatisfiable` (416). HTTP Range headers must be clamped by the caller first.
        """

    @abc.abstractmethod
    def stat(self, key: str) -> StoredObject:
        """Describe the object; unknown key → `NotFound`."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool:
        ...

    @abc.abstractmethod
    def set_retention(self, key: str, until: datetime, mode: str = "COMPLIANCE") -> StoredObject:
        """Keep the object undeletable until `until` (aware datetime). Shortening → `WriteOnceViolation`."""

    @abc.abstractmethod
    def set_legal_hold(self, key: str, on: bool) -> StoredObject:
        ...

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove an object that is neither under retention nor legal hold (e.g. a refused upload)."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Objects whose key starts with `prefix` (a plain string prefix, as in S3), in key order."""

    def prune(self, prefix: str) -> None:
        """Remove the empty directory a key prefix (ending in "/") names, if the store has directories at
        all (the filesystem store); a no-op elsewhere and when it still holds anything."""

    def rehash(self, key: str) -> str:
        """Re-read the stored bytes and return their SHA-256 (for integrity scans)."""
        digest = hashlib.sha256()
        for chunk in self.open(key):
            digest.update(chunk)
        return digest.hexdigest()

    @abc.abstractmethod
    def check(self) -> None:
        """Raise `StorageError` if the store cannot be used (for /healthz)."""


class HashingReader:
    """Wraps a stream: hashes and counts bytes as they are read, in order.

    `read(n)` keeps reading the underlying stream until it has n bytes or the stream ends, so that a
    consumer asking for a whole part (the MinIO SDK) gets it in one buffer instead of concatenating
    many small ones.
    """

    def __init__(self, stream, chunk_size=CHUNK_SIZE):
        if not callable(getattr(stream, "read", None)):
            raise TypeError("stream must have a read() method")
        self._stream = stream
        self._chunk_size = chunk_size
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, n=-1):
        if n is None or n < 0:
            n = self._chunk_size
        buf = bytearray()
        while len(buf) < n:
            data = self._stream.read(n - len(buf))
            if not data:
                break
            buf += data
        data = bytes(buf)
        self._hash.update(data)
        self.size += len(data)
        return data

    def hexdigest(self):
        return self._hash.hexdigest()


def validate_key(key: str) -> str:
    """Refuse keys that could escape the store or mean different things on the two backends."""
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise InvalidKey("对象键不能为空且不能超过1024个字符")
    if key.startswith("/") or "\\" in key or "\x00" in key:
        raise InvalidKey("对象键不得为绝对路径，不得包含反斜杠或空字符")
    for part in key.split("/"):
        # A leading dot also keeps keys clear of the filesystem backend's sidecars and temp directory.
        if part in ("", ".", "..") or part.startswith("."):
            raise InvalidKey("对象键的各级名称不得为空，不得为“..”，也不得以“.”开头")
    return key


def validate_metadata(metadata: dict | None) -> dict[str, str]:
    metadata = dict(metadata or {})
    for name, value in metadata.items():
        if not isinstance(name, str) or not _META_KEY.match(name):
            raise InvalidInput(f"元数据名称“{name}”无效：只能使用小写字母、数字和连字符")
        if not isinstance(value, str):
            raise InvalidInput(f"元数据“{name}”的值必须是文本")
    return metadata


def normalize_sha256(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if not _SHA256_HEX.match(value):
        raise InvalidInput("SHA-256应为64位十六进制字符串")
    return value


def check_integrity(expected: str | None, actual: str) -> None:
    if expected is not None and expected != actual:
        raise IntegrityMismatch(details={"expected_sha256": expected, "actual_sha256": actual})


def check_range(size: int, offset: int, length: int | None) -> int:
    """Return the number of bytes to read, or raise RangeNotSatisfiable."""
    if offset < 0 or offset > size or (length is not None and (length < 0 or offset + length > size)):
        raise RangeNotSatisfiable(details={"size": size, "offset": offset, "length": length})
    return size - offset if length is None else length


def check_retention(until: datetime, mode: str) -> datetime:
    if mode not in RETENTION_MODES:
        raise InvalidInput("保存模式只能是 COMPLIANCE 或 GOVERNANCE")
    if not isinstance(until, datetime) or until.tzinfo is None:
        raise InvalidInput("保存期限必须是带时区的时间")
    until = until.astimezone(timezone.utc)
    if until <= utcnow():
        raise InvalidInput("保存期限必须晚于当前时间")
    return until
