"""MinIO / S3 object store: the production backend.

The bucket has object lock (and therefore versioning) enabled; it is created that way on first use, and
an existing bucket without object lock is refused. Uploads stream through a hashing reader as a multipart
upload; the SHA-256 is known only at the end, so it is recorded as an object tag (tags, unlike metadata,
can be set after the upload). Retention and legal hold are the server's own object-lock settings, read
back from the object's `x-amz-object-lock-*` headers.

Every network or server failure becomes `StorageError` (503); the SDK's and urllib3's exceptions never
leave this module.
"""
import logging
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from urllib.parse import quote, unquote

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE, GOVERNANCE, Tags
from minio.helpers import check_bucket_name
from minio.error import MinioException, S3Error
from minio.retention import Retention

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

PART_SIZE = 16 * 1024 * 1024
SHA256_TAG = "sha256"
META_PREFIX = "x-amz-meta-"
NOT_FOUND_CODES = ("NoSuchKey", "NoSuchObject", "NoSuchVersion", "ResourceNotFound")
NOT_FOUND_MESSAGE = "存储中没有该文件"
LOCKED_MESSAGE = "原始证据在保存期限内或处于法律保全状态，不得删除"
UNAVAILABLE_MESSAGE = "对象存储（MinIO）暂时不可用，请稍后再试"

log = logging.getLogger(__name__)


class S3Store(ObjectStore):
    def __init__(self, endpoint, access_key, secret_key, bucket, *, secure=True, region="us-east-1",
                 connect_timeout=5, read_timeout=120, retries=2, part_size=PART_SIZE,
                 chunk_size=CHUNK_SIZE):
        if not endpoint or not bucket:
            raise ValueError("S3 storage needs S3_ENDPOINT and S3_BUCKET")
        check_bucket_name(bucket, strict=True)  # a configuration mistake: fail at start-up, not as a 503 later
        self.endpoint = endpoint
        self.bucket = bucket
        self.part_size = part_size
        self.chunk_size = chunk_size
        # The SDK's default pool waits 5 minutes and retries 5 times: far too long for /healthz and for
        # a request that should fail fast with 503 when MinIO is down.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=10,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            retries=urllib3.Retry(total=retries, backoff_factor=0.2,
                                  status_forcelist=[500, 502, 503, 504]),
        )
        self.client = Minio(endpoint, access_key=access_key or None, secret_key=secret_key or None,
                            secure=secure, region=region or None, http_client=http)
        self._bucket_ready = False
        self._bucket_lock = threading.Lock()

    def __repr__(self):
        return f"S3Store({self.endpoint!r}, bucket={self.bucket!r})"

    # -- plumbing ----------------------------------------------------------------------------------

    @contextmanager
    def _errors(self, key=None):
        """Translate SDK and transport errors into domain errors."""
        try:
            yield
        except S3Error as exc:
            if exc.code in NOT_FOUND_CODES:
                raise NotFound(NOT_FOUND_MESSAGE, details={"key": key}) from exc
            raise StorageError(UNAVAILABLE_MESSAGE, details={"s3_code": exc.code}) from exc
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise StorageError(UNAVAILABLE_MESSAGE, details={"reason": type(exc).__name__}) from exc

    def _ensure_bucket(self):
        if self._bucket_ready:
            return
        with self._bucket_lock, self._errors():
            if self._bucket_ready:
                return
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket, object_lock=True)
                except S3Error as exc:  # created meanwhile by another worker
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            try:
                config = self.client.get_object_lock_config(self.bucket)
            except S3Error as exc:
                if exc.code != "ObjectLockConfigurationNotFoundError":
                    raise
                config = None
            if config is None:
                # Without object lock, retention would silently not exist: refuse to store evidence.
                raise StorageError("存储桶未启用对象锁定（Object Lock），不能用于保存原始证据",
                                   details={"bucket": self.bucket})
            self._bucket_ready = True

    def _head(self, key):
        """stat_object, or None if the key does not exist."""
        try:
            return self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in NOT_FOUND_CODES:
                return None
            raise

    def _to_object(self, key, head, sha256=None):
        if sha256 is None:
            tags = self.client.get_object_tags(self.bucket, key, version_id=head.version_id)
            sha256 = (tags or {}).get(SHA256_TAG)
        headers = {k.lower(): v for k, v in (head.metadata or {}).items()}
        metadata = {k[len(META_PREFIX):]: unquote(v) for k, v in headers.items()
                    if k.startswith(META_PREFIX)}
        retain_until = headers.get("x-amz-object-lock-retain-until-date")
        return StoredObject(
            key=key,
            size=head.size,
            sha256=sha256,
            version_id=head.version_id,
            content_type=head.content_type or "application/octet-stream",
            created_at=_aware(head.last_modified),
            retain_until=_parse_dt(retain_until) if retain_until else None,
            legal_hold=headers.get("x-amz-object-lock-legal-hold", "").upper() == "ON",
            metadata=metadata,
        )

    # -- reading -----------------------------------------------------------------------------------

    def stat(self, key):
        validate_key(key)
        self._ensure_bucket()
        with self._errors(key):
            head = self._head(key)
            if head is None:
                raise NotFound(NOT_FOUND_MESSAGE, details={"key": key})
            return self._to_object(key, head)

    def exists(self, key):
        validate_key(key)
        self._ensure_bucket()
        with self._errors(key):
            return self._head(key) is not None

    def open(self, key, offset=0, length=None):
        validate_key(key)
        self._ensure_bucket()
        with self._errors(key):
            head = self._head(key)
            if head is None:
                raise NotFound(NOT_FOUND_MESSAGE, details={"key": key})
            count = check_range(head.size, offset, length)
            if count == 0:
                return iter(())
            # Pin the version we checked the range against.
            response = self.client.get_object(self.bucket, key, offset=offset, length=count,
                                              version_id=head.version_id)
        return self._iter_response(response, key)

    def _iter_response(self, response, key):
        try:
            with self._errors(key):
                yield from response.stream(self.chunk_size)
        finally:
            response.close()
            response.release_conn()

    def list(self, prefix=""):
        self._ensure_bucket()
        with self._errors():
            names = [o.object_name for o in
                     self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True)]
        for name in names:
            with self._errors(name):
                head = self._head(name)
                if head is not None:
                    yield self._to_object(name, head)

    # -- writing -----------------------------------------------------------------------------------

    def put(self, stream, *, key=None, content_type="application/octet-stream", metadata=None,
            expected_sha256=None):
        expected_sha256 = normalize_sha256(expected_sha256)
        metadata = validate_metadata(metadata)
        explicit = key is not None
        if explicit:
            validate_key(key)
        else:
            now = utcnow()
            key = f"objects/{now:%Y}/{now:%m}/{uuid.uuid4().hex}"
        self._ensure_bucket()
        reader = HashingReader(stream, self.chunk_size)
        with self._errors(key):
            # Refuse before uploading what may be gigabytes; _refuse_concurrent_writer closes the race.
            if explicit and self._head(key) is not None:
                raise WriteOnceViolation(details={"key": key})
            result = self.client.put_object(
                self.bucket, key, reader, length=-1, part_size=self.part_size,
                content_type=content_type or "application/octet-stream",
                metadata={META_PREFIX + k: quote(v, safe="") for k, v in metadata.items()},
            )
            version_id = result.version_id
            sha256 = reader.hexdigest()
            try:
                check_integrity(expected_sha256, sha256)
                if explicit:
                    self._refuse_concurrent_writer(key, version_id)
                tags = Tags.new_object_tags()
                tags[SHA256_TAG] = sha256
                self.client.set_object_tags(self.bucket, key, tags, version_id=version_id)
            except Exception:
                # Not locked yet: remove exactly the version we wrote, never anyone else's.
                self._remove_version_quietly(key, version_id)
                raise
            head = self.client.stat_object(self.bucket, key, version_id=version_id)
            return self._to_object(key, head, sha256=sha256)

    def _remove_version_quietly(self, key, version_id):
        try:
            self.client.remove_object(self.bucket, key, version_id=version_id)
        except (MinioException, urllib3.exceptions.HTTPError, OSError):
            log.exception("could not remove refused upload %s (version %s)", key, version_id)

    def _refuse_concurrent_writer(self, key, version_id):
        """The existence check before the upload can race: any other version means someone else won."""
        for obj in self.client.list_objects(self.bucket, prefix=key, include_version=True):
            if obj.object_name == key and not obj.is_delete_marker and obj.version_id != version_id:
                raise WriteOnceViolation(details={"key": key})

    def set_retention(self, key, until, mode="COMPLIANCE"):
        until = check_retention(until, mode)
        current = self.stat(key)
        # The server refuses shortening COMPLIANCE retention; checking here too gives the same answer
        # on every S3 implementation and for GOVERNANCE.
        if current.retain_until is not None and until < current.retain_until:
            raise WriteOnceViolation(
                f"保存期限只能延长，不能缩短（当前保存至{current.retain_until.isoformat()}）",
                details={"key": key, "retain_until": current.retain_until.isoformat()})
        retention = Retention(COMPLIANCE if mode == "COMPLIANCE" else GOVERNANCE, until)
        with self._errors(key):
            try:
                self.client.set_object_retention(self.bucket, key, retention,
                                                 version_id=current.version_id)
            except S3Error as exc:
                if exc.code == "AccessDenied":
                    raise WriteOnceViolation("保存期限只能延长，不能缩短",
                                             details={"key": key}) from exc
                raise
        return self.stat(key)

    def set_legal_hold(self, key, on):
        current = self.stat(key)
        with self._errors(key):
            if on:
                self.client.enable_object_legal_hold(self.bucket, key, version_id=current.version_id)
            else:
                self.client.disable_object_legal_hold(self.bucket, key, version_id=current.version_id)
        return self.stat(key)

    def delete(self, key):
        current = self.stat(key)
        if current.is_locked:
            raise WriteOnceViolation(LOCKED_MESSAGE, details={"key": key})
        with self._errors(key):
            # Remove versions by id: a plain DELETE would only add a delete marker and hide the object.
            versions = [o.version_id for o in
                        self.client.list_objects(self.bucket, prefix=key, include_version=True)
                        if o.object_name == key]
            for version_id in versions:
                try:
                    self.client.remove_object(self.bucket, key, version_id=version_id)
                except S3Error as exc:
                    if exc.code == "AccessDenied":  # the server's object lock has the last word
                        raise WriteOnceViolation(LOCKED_MESSAGE, details={"key": key}) from exc
                    raise

    def check(self):
        # Also surfaces a bucket without object lock, which _ensure_bucket refuses.
        self._ensure_bucket()
        with self._errors():
            if not self.client.bucket_exists(self.bucket):
                raise StorageError("存储桶不存在", details={"bucket": self.bucket})


def _aware(value):
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _parse_dt(value):
    return _aware(datetime.fromisoformat(value.replace("Z", "+00:00")))
