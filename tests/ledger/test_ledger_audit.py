"""The full audit names the first bad entry for every kind of tampering done straight in the database."""
import hashlib

import pytest
from sqlalchemy import text

from app.extensions import db
from app.ledger import chain, merkle
from app.ledger.models import LedgerEntry
from app.ledger.services import append, audit, create_checkpoint


@pytest.fixture
def ledger(app_ctx):
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 0
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 0
    yield app_ctx
    db.session.rollback()
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 100
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 60


def _fill(n):
    for i in range(n):
        append("case.event", f"case:{i % 3}", {"i": i, "note": f"第{i}步"})
    db.session.commit()


def _sql(stmt, **params):
    db.session.execute(text(stmt), params)
    db.session.commit()


def _row(seq):
    return db.session.get(LedgerEntry, seq)


def _assert_bad(seq, result=None):
    result = result or audit()
    assert not result.ok
    assert result.first_bad_seq == seq, result.problems
    return result


def test_clean_ledger_passes(ledger):
    _fill(37)
    create_checkpoint()
    db.session.commit()
    _fill(5)
    result = audit()
    assert result.ok, result.problems
    assert result.entries == 42 and result.checkpoints == 1


def test_changed_payload(ledger):
    _fill(12)
    _sql("UPDATE ledger_entries SET body = REPLACE(body, :a, :b) WHERE seq = 5", a='"i":5', b='"i":6')
    assert "内容被修改" in _assert_bad(5).problems[0]


def test_changed_payload_with_recomputed_hashes(ledger):
    _fill(12)
    body = _row(5).body.replace('"i":5', '"i":500')
    db.session.expire_all()
    _sql("UPDATE ledger_entries SET body = :b, entry_hash = :e, leaf_hash = :l WHERE seq = 5", b=body,
         e=hashlib.sha256(body.encode()).hexdigest(), l=merkle.leaf_hash(body.encode()).hex())
    _assert_bad(5)


def test_deleted_entry(ledger):
    _fill(12)
    _sql("DELETE FROM ledger_entries WHERE seq = 7")
    assert "缺失" in _assert_bad(7).problems[0]


def test_inserted_entry(ledger):
    _fill(12)
    prev = _row(4).entry_hash
    at = _row(4).created_at
    db.session.expire_all()
    # Make room at 5 (in two steps so no unique check trips mid-statement), then forge a well-formed entry.
    _sql("UPDATE ledger_entries SET seq = seq + 1000000 WHERE seq >= 5")
    _sql("UPDATE ledger_entries SET seq = seq - 1000000 + 1 WHERE seq >= 1000000")
    body, entry_hash, leaf = chain.build_entry(5, prev, "case.event", "case:0", {"forged": True}, at)
    _sql("INSERT INTO ledger_entries (seq, kind, subject, body, prev_hash, entry_hash, leaf_hash, created_at) "
         "VALUES (5, 'case.event', 'case:0', :b, :p, :e, :l, :at)", b=body, p=prev, e=entry_hash,
         l=leaf.hex(), at=at)
    _assert_bad(5)


def test_entry_inserted_at_the_end(ledger):
    _fill(12)
    last = _row(11)
    body, entry_hash, leaf = chain.build_entry(12, last.entry_hash, "case.event", "case:0", {"x": 1},
                                               last.created_at)
    db.session.expire_all()
    _sql("INSERT INTO ledger_entries (seq, kind, subject, body, prev_hash, entry_hash, leaf_hash, created_at) "
         "VALUES (12, 'case.event', 'case:0', :b, :p, :e, :l, :at)", b=body, p=last.entry_hash,
         e=entry_hash, l=leaf.hex(), at=last.created_at)
    _assert_bad(12)


def test_reordered_entries(ledger):
    _fill(12)
    _sql("UPDATE ledger_entries SET seq = 1000 WHERE seq = 3")
    _sql("UPDATE ledger_entries SET seq = 3 WHERE seq = 4")
    _sql("UPDATE ledger_entries SET seq = 4 WHERE seq = 1000")
    assert "序号" in _assert_bad(3).problems[0]


def test_changed_prev_hash_column(ledger):
    _fill(12)
    _sql("UPDATE ledger_entries SET prev_hash = :p WHERE seq = 6", p="ab" * 32)
    _assert_bad(6)


def test_changed_prev_hash_inside_the_entry(ledger):
    _fill(12)
    old = _row(6)
    body = old.body.replace(old.prev_hash, "ab" * 32)
    db.session.expire_all()
    _sql("UPDATE ledger_entries SET body = :b, prev_hash = :p, entry_hash = :e, leaf_hash = :l WHERE seq = 6",
         b=body, p="ab" * 32, e=hashlib.sha256(body.encode()).hexdigest(),
         l=merkle.leaf_hash(body.encode()).hex())
    assert "链断裂" in _assert_bad(6).problems[0] or "叶子" in _assert_bad(6).problems[0]


def test_truncated_behind_a_checkpoint(ledger):
    _fill(10)
    create_checkpoint()
    db.session.commit()
    _fill(2)
    # A careful truncation: entries, nodes and head all made consistent with 8 entries.
    _sql("DELETE FROM ledger_entries WHERE seq >= 8")
    _sql("DELETE FROM ledger_nodes WHERE level = 0 AND \"index\" >= 8")
    _sql("DELETE FROM ledger_nodes WHERE level = 1 AND \"index\" >= 4")
    _sql("DELETE FROM ledger_nodes WHERE level = 2 AND \"index\" >= 2")
    _sql("DELETE FROM ledger_nodes WHERE level = 3 AND \"index\" >= 1")
    _sql("UPDATE ledger_heads SET size = 8, head_hash = :h", h=_row(7).entry_hash)
    assert "截断" in _assert_bad(8).problems[-1]


def test_truncated_and_checkpoints_removed_but_user_kept_one(ledger):
    _fill(10)
    saved = create_checkpoint().note
    db.session.commit()
    _sql("DELETE FROM ledger_checkpoints")
    _sql("DELETE FROM ledger_entries WHERE seq >= 9")
    _sql("DELETE FROM ledger_nodes WHERE level = 0 AND \"index\" >= 9")
    _sql("DELETE FROM ledger_nodes WHERE level = 1 AND \"index\" >= 4")
    _sql("UPDATE ledger_heads SET size = 9, head_hash = :h", h=_row(8).entry_hash)
    assert audit().ok  # without outside knowledge the shorter log looks whole
    _assert_bad(9, audit(extra_checkpoints=[saved]))


def test_history_rewritten_consistently_is_caught_by_the_signed_checkpoint(ledger):
    _fill(9)
    create_checkpoint()
    db.session.commit()
    # Rebuild every entry from 3 on, with all hashes and nodes recomputed: only the signature knows.
    rows = db.session.query(LedgerEntry).order_by(LedgerEntry.seq).all()
    prev, tree = chain.ZERO_HASH, merkle.CompactRange()
    nodes = []
    for r in rows:
        payload = r.payload if r.seq < 3 else {**r.payload, "note": "改写"}
        body, eh, leaf = chain.build_entry(r.seq, prev, r.kind, r.subject, payload, r.created_at)
        r.body, r.prev_hash, r.entry_hash, r.leaf_hash = body, prev, eh, leaf.hex()
        tree.append(leaf, lambda lv, ix, h: nodes.append((lv, ix, h.hex())))
        prev = eh
    db.session.commit()
    for lv, ix, h in nodes:
        db.session.execute(text('UPDATE ledger_nodes SET hash = :h WHERE level = :lv AND "index" = :ix'),
                           {"h": h, "lv": lv, "ix": ix})
    _sql("UPDATE ledger_heads SET head_hash = :h", h=prev)
    result = audit()
    assert not result.ok
    assert any("改写" in p for p in result.problems), result.problems


def test_forged_checkpoint_signature(ledger):
    _fill(4)
    cp = create_checkpoint()
    db.session.commit()
    forged = cp.note.replace("\n4\n", "\n3\n", 1)
    _sql("UPDATE ledger_checkpoints SET note = :n", n=forged)
    result = audit()
    assert not result.ok and "签名无效" in result.problems[0]


@pytest.mark.parametrize("body", [
    '{"a":1,"b":"x"}', '{"b":1,"a":2}', '{"a": 1}', '{"a":1.5}', '{"a":1e+16}', '{"a":10000000000000000.0}',
    '{"a":123456789012345678901234567890}', '{"é":1,"z":2}', '{"z":1,"é":2}', '{"a":"\\u0001"}',
    '{"a":"\\u00e9"}', '{"a":"é"}', '{"a":"\\n"}', '{"a":"\\u2028"}', '{"a":1,"a":2}', '[1]', '{"a":NaN}',
    '{"a":-0.0}', '{"a":0.1}', '{"😀":1,"ｚ":2}', '{"ｚ":1,"😀":2}', 'not json'])
def test_the_fast_canonical_check_agrees_with_the_standard_library(body):
    """chain._canonical_dict (orjson where it can) answers exactly `canonical_json(json.loads(body)) == body`."""
    import json

    from app.ledger import chain
    from app.ledger.canonical import canonical_json

    try:
        data = json.loads(body)
        expected = isinstance(data, dict) and canonical_json(data) == body
    except ValueError:
        expected = False
    assert (chain._canonical_dict(body.encode("utf-8"), body) is not None) is expected
