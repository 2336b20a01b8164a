"""Errors raised by the object store beyond the shared ones in `app.errors`.

`NotFound`, `StorageError` and `WriteOnceViolation` come from `app.errors` and are re-exported here so
that callers can import every storage error from one place.
"""
from app.errors import DomainError, InvalidInput, NotFound, StorageError, WriteOnceViolation

__all__ = [
    "IntegrityMismatch",
    "InvalidKey",
    "NotFound",
    "RangeNotSatisfiable",
    "StorageError",
    "WriteOnceViolation",
]


class IntegrityMismatch(DomainError):
    """The bytes received do not hash to the SHA-256 the client declared; nothing was stored."""

    code = "sha256_mismatch"
    status = 422
    message = "上传文件的SHA-256与客户端声明的不一致，文件可能在传输中损坏，未予保存"


class RangeNotSatisfiable(DomainError):
    code = "range_not_satisfiable"
    status = 416
    message = "请求的字节范围超出文件大小"


class InvalidKey(InvalidInput):
    code = "invalid_key"
    message = "对象键无效"
