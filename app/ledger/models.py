"""Ledger tables: the entries (hash chain), the stored Merkle nodes, the signed checkpoints, and the one-row
head that serialises appends.

Entries and nodes are append-only; nothing here is ever updated except the head row.
"""
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

ZERO_HASH = "0" * 64  #: the previous-hash of entry 0


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"

    # The 0-based position in the log, which is also the Merkle leaf index.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    # The canonical JSON text itself: the bytes hashed are the bytes stored.
    body: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))  # SHA-256(body), hex
    leaf_hash: Mapped[str] = mapped_column(String(64))  # SHA-256(0x00 || body), hex
    created_at: Mapped[datetime] = mapped_column(DateTime)

    @property
    def data(self) -> dict:
        import json

        return json.loads(self.body)

    @property
    def payload(self) -> dict:
        return self.data["payload"]

    def __repr__(self):
        return f"<LedgerEntry {self.seq} {self.kind} {self.subject}>"


class LedgerNode(db.Model):
    """The hash of the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level)."""

    __tablename__ = "ledger_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))


class LedgerCheckpoint(db.Model):
    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root_hash: Mapped[str] = mapped_column(String(64))  # hex
    note: Mapped[str] = mapped_column(Text)  # the signed note, exactly as served
    key_name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(8))  # hex key id, as in the signature line
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # The note with the witnesses' cosignature lines added (C2SP tlog-witness), once a quorum answered.
    cosigned: Mapped[str | None] = mapped_column(Text, nullable=True)


class LedgerHead(db.Model):
    """One row (id 1). Appends lock it first, so that the log never forks or skips a number."""

    __tablename__ = "ledger_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    checkpoint_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LedgerKey(db.Model):
    """One checkpoint signing key in the log's history, with the tree sizes and the time it was valid for.

    The first key is registered when it signs its first checkpoint; every later one by a rotation, whose
    statement (a signed note naming the old and new verifier keys and the size from which the new one
    signs) carries the old key's signature and the new key's. Rows are never deleted."""

    __tablename__ = "ledger_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    verifier_key: Mapped[str] = mapped_column(String(300), unique=True)
    key_hash: Mapped[str] = mapped_column(String(8))
    fingerprint: Mapped[str] = mapped_column(String(60))
    from_size: Mapped[int] = mapped_column(BigInteger)  #: signs trees of this size and larger
    until_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  #: last size it signed
    valid_from: Mapped[datetime] = mapped_column(DateTime)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    statement: Mapped[str | None] = mapped_column(Text, nullable=True)  #: the rotation note introducing it
