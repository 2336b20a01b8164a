"""Serialising check-then-write sequences that must not interleave (a count checked, then a row written).

PostgreSQL: transaction-level advisory locks, taken in a fixed order and released at commit or rollback.
SQLite: no advisory locks; the caller writes its row *before* counting, and that first write takes the
database's write lock until the caller commits, which serialises the same way. Used by the login throttle
(SEC-3) and the upload quotas (SEC-15).
"""
from sqlalchemy import text

from app.extensions import db


def serialise(*keys: str) -> None:
    """Take one transaction-level lock per key (PostgreSQL); a no-op on SQLite (see the module's note)."""
    if db.session.get_bind().dialect.name == "postgresql":
        for key in sorted(set(keys)):
            db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": key})
