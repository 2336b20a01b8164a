"""Object storage for original evidence: one write-once interface, two backends.

`init_app` builds the backend named by STORAGE_BACKEND ("fs": a directory, the embedded default; "s3":
MinIO or any S3 endpoint with object lock) and keeps it in `app.extensions["storage"]`; code running in a
request or CLI command reaches it with `get_store()`. Building a store makes no network call: the S3
bucket is checked (and created with object lock if missing) on first use.

Importing this package does not import Flask or the MinIO SDK (the error classes come from `app.errors`,
which does import Flask).
"""
from app.storage.base import ObjectStore, StoredObject
from app.storage.errors import (
    IntegrityMismatch,
    InvalidKey,
    NotFound,
    RangeNotSatisfiable,
    StorageError,
    WriteOnceViolation,
)

__all__ = [
    "IntegrityMismatch",
    "InvalidKey",
    "NotFound",
    "ObjectStore",
    "RangeNotSatisfiable",
    "StorageError",
    "StoredObject",
    "WriteOnceViolation",
    "get_store",
    "init_app",
    "make_store",
]

EXTENSION_KEY = "storage"


def make_store(config) -> ObjectStore:
    """Build a store from a mapping with the keys of `app.config` (STORAGE_*, S3_*)."""
    backend = (config.get("STORAGE_BACKEND") or "fs").lower()
    if backend == "fs":
        from app.storage.fs import FilesystemStore

        root = config.get("STORAGE_FS_ROOT")
        if not root:
            raise ValueError("STORAGE_FS_ROOT is required for STORAGE_BACKEND=fs")
        return FilesystemStore(root)
    if backend == "s3":
        from app.storage.s3 import S3Store

        return S3Store(
            config.get("S3_ENDPOINT"),
            config.get("S3_ACCESS_KEY"),
            config.get("S3_SECRET_KEY"),
            config.get("S3_BUCKET"),
            secure=_as_bool(config.get("S3_SECURE", True)),
            region=config.get("S3_REGION") or "us-east-1",
            # Optional tuning; defaults suit a LAN MinIO.
            connect_timeout=float(config.get("S3_CONNECT_TIMEOUT", 5)),
            read_timeout=float(config.get("S3_READ_TIMEOUT", 120)),
            retries=int(config.get("S3_RETRIES", 2)),
        )
    raise ValueError(f"Unknown STORAGE_BACKEND {backend!r} (expected 'fs' or 's3')")


def init_app(app):
    app.extensions[EXTENSION_KEY] = make_store(app.config)


def get_store() -> ObjectStore:
    from flask import current_app

    try:
        return current_app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError("app.storage is not initialised: add it to FEATURES") from None


def _as_bool(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
