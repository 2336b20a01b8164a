"""Helpers shared by the object-store tests (import as `from tests.storage.helpers import ...`)."""
import hashlib
import uuid


def s3_config(endpoint, bucket=None, **extra):
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT": endpoint,
        "S3_ACCESS_KEY": "testing",
        "S3_SECRET_KEY": "testing",
        "S3_BUCKET": bucket or f"evidence-{uuid.uuid4().hex[:16]}",
        "S3_SECURE": False,
        "S3_REGION": "us-east-1",
        **extra,
    }


class GeneratedStream:
    """A reader over `size` pseudo-random bytes produced on demand, never all in memory.

    It hashes what it hands out, so a test can compare the store's SHA-256 with the bytes really sent.
    """

    def __init__(self, size, seed=b"sanxiang", block=1024 * 1024):
        self.remaining = size
        self.sha256 = hashlib.sha256()
        self._block = block
        self._counter = 0
        self._seed = seed
        self._pending = b""

    def _next_block(self):
        # Each block differs, so a store that dropped or repeated a part would hash differently.
        self._counter += 1
        head = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        return (head * (self._block // len(head) + 1))[: self._block]

    def read(self, n=-1):
        if self.remaining <= 0:
            return b""
        if n is None or n < 0:
            n = self._block
        if not self._pending:
            self._pending = self._next_block()
        data = self._pending[: min(n, self.remaining)]
        self._pending = self._pending[len(data):]
        self.remaining -= len(data)
        self.sha256.update(data)
        return data
