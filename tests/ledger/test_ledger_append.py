"""append(): the chain, the numbering, the transaction, the canonical form of payloads."""
import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.errors import InvalidInput
from app.extensions import db
from app.ledger import merkle
from app.ledger.models import LedgerCheckpoint, LedgerEntry
from app.ledger.services import append, audit, tree_root


@pytest.fixture
def ledger(app_ctx):
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 0
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 0
    yield app_ctx
    db.session.rollback()
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 100
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 60


def test_entries_are_numbered_and_chained(ledger):
    entries = [append("case.filed", f"case:{i}", {"n": i}) for i in range(5)]
    db.session.commit()
    assert [e.seq for e in entries] == [0, 1, 2, 3, 4]
    assert json.loads(entries[0].body)["prev"] == "0" * 64
    for prev, cur in zip(entries, entries[1:]):
        assert json.loads(cur.body)["prev"] == prev.entry_hash == cur.prev_hash
    for e in entries:
        assert e.entry_hash == hashlib.sha256(e.body.encode()).hexdigest()
        assert e.leaf_hash == merkle.leaf_hash(e.body.encode()).hex()
    leaves = [bytes.fromhex(e.leaf_hash) for e in entries]
    assert tree_root(5) == merkle.root_from_leaf_hashes(leaves)
    assert audit().ok


def test_entry_is_canonical_json(ledger):
    at = datetime(2025, 3, 1, 16, 30, tzinfo=timezone(timedelta(hours=8)))
    e = append("doc.issued", "case:7", {"金额": Decimal("200.50"), "日期": date(2025, 3, 1),
                                         "b": [1, 2], "a": {"z": None, "y": True}}, at=at)
    assert e.body == ('{"at":"2025-03-01T08:30:00.000000Z","kind":"doc.issued","payload":'
                      '{"a":{"y":true,"z":null},"b":[1,2],"日期":"2025-03-01","金额":"200.50"},'
                      '"prev":"' + "0" * 64 + '","seq":0,"subject":"case:7"}')
    assert e.payload["金额"] == "200.50"


def test_rollback_leaves_no_entry(ledger):
    append("case.filed", "case:1", {"n": 1})
    db.session.commit()
    append("case.filed", "case:2", {"n": 2})
    append("case.filed", "case:3", {"n": 3})
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1
    e = append("case.filed", "case:4", {"n": 4})
    db.session.commit()
    assert e.seq == 1
    assert audit().ok


def test_refuses_what_cannot_be_canonical(ledger):
    with pytest.raises(InvalidInput):
        append("", "case:1", {})
    with pytest.raises(InvalidInput):
        append("k", "case:1", ["not", "a", "dict"])
    with pytest.raises(TypeError):
        append("k", "case:1", {"raw": b"bytes"})
    with pytest.raises(ValueError):
        append("k", "case:1", {"x": float("nan")})


def test_automatic_checkpoint_every_n_entries(ledger):
    ledger.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 3
    for i in range(7):
        append("k", "s", {"i": i})
    db.session.commit()
    sizes = db.session.scalars(select(LedgerCheckpoint.tree_size).order_by(LedgerCheckpoint.tree_size)).all()
    assert sizes == [3, 6]


def test_automatic_checkpoint_after_m_minutes(ledger):
    ledger.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 30
    append("k", "s", {"i": 0})  # never checkpointed: due now
    append("k", "s", {"i": 1})  # checkpointed a moment ago: not due
    db.session.commit()
    assert db.session.scalars(select(LedgerCheckpoint.tree_size)).all() == [1]


def test_missing_key_skips_checkpoint_without_failing(ledger, tmp_path, caplog):
    ledger.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 1
    saved = ledger.config["LEDGER_KEY_PATH"]
    ledger.config["LEDGER_KEY_PATH"] = str(tmp_path / "absent.key")
    try:
        e = append("k", "s", {})
        db.session.commit()
    finally:
        ledger.config["LEDGER_KEY_PATH"] = saved
    assert e.seq == 0
    assert db.session.scalar(select(func.count()).select_from(LedgerCheckpoint)) == 0
    assert "no automatic checkpoint" in caplog.text
