"""The verifier trusts only keys the user gave or keeps; bundle export refuses an entry that does not verify."""
import json

import pytest
from sqlalchemy import text

from app.errors import DomainError
from app.extensions import db
from app.ledger import merkle, note
from app.ledger.canonical import canonical_json
from app.ledger.services import append, build_bundle, load_signer

from .test_ledger_bundle import exported, ledger, run_verify  # noqa: F401  (shared fixtures)


def test_without_a_trusted_key_never_verified(exported):
    r = run_verify(exported["bundle"], exported["file"])
    assert r.returncode == 3, r.stdout + r.stderr
    assert "VERDICT: VERIFIED" not in r.stdout
    assert "VERDICT: NOT VERIFIED (signer unknown)" in r.stdout
    # it says what it could check, and whose key signed, with the full fingerprint
    assert "[OK] file SHA-256 matches" in r.stdout and "[OK] inclusion proof" in r.stdout
    assert load_signer().verifier().fingerprint in r.stdout


def test_known_keys_file_pins_the_key(exported, tmp_path):
    known = tmp_path / "known-keys"
    other = note.Signer.generate("someone.else/log").verifier_key()
    known.write_text(f"# keys I trust\n{other}  another log\n{exported['key'].read_text().splitlines()[0]} agency\n")
    r = run_verify(exported["bundle"], exported["file"], known_keys=known)
    assert r.returncode == 0, r.stdout
    assert "VERDICT: VERIFIED" in r.stdout
    r = run_verify(exported["bundle"], exported["file"], "--known-keys", known)
    assert r.returncode == 0, r.stdout


def _forged_bundle(exported, tmp_path):
    """The attacker rewrites the entry and signs a one-entry log with a key of their own."""
    data = json.loads(exported["bundle"].read_text())
    attacker = note.Signer.generate(data["origin"])
    entry = json.loads(data["entry"])
    entry["payload"]["sha256"] = "ab" * 32
    body = canonical_json(entry)
    seq = data["index"]
    leaves = [merkle.leaf_hash(b"x%d" % i) for i in range(seq)] + [merkle.leaf_hash(body.encode())]
    root = merkle.root_from_leaf_hashes(leaves)
    proof = merkle.inclusion_proof(seq, len(leaves), lambda lv, ix: merkle.root_from_leaf_hashes(
        leaves[ix << lv:(ix + 1) << lv]))
    import base64

    data.update(entry=body, tree_size=len(leaves), verifier_key=attacker.verifier_key(),
                inclusion_proof=[base64.b64encode(h).decode() for h in proof],
                checkpoint=attacker.sign(note.checkpoint_text(data["origin"], len(leaves), root)))
    data.pop("consistency", None)
    data.pop("file", None)
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data))
    return path, attacker


def test_attackers_bundle_is_not_verified(exported, tmp_path):
    forged, attacker = _forged_bundle(exported, tmp_path)
    r = run_verify(forged)
    assert r.returncode == 3 and "VERIFIED\n" not in r.stdout.replace("NOT VERIFIED", "")
    assert attacker.verifier().fingerprint in r.stdout
    r = run_verify(forged, "--key", exported["key"])
    assert r.returncode == 1 and "FAILED (checkpoint check)" in r.stdout
    assert "not signed by any key you trust" in r.stdout


def _tamper(sql, **params):
    db.session.execute(text(sql), params)
    db.session.commit()


@pytest.mark.parametrize("how", ["body", "body_and_hashes", "body_hashes_and_leaf_node", "prev_link"])
def test_bundle_export_refuses_a_tampered_entry(ledger, how):
    for i in range(6):
        append("case.event", "case:1", {"i": i})
    db.session.commit()
    original = db.session.execute(text("select body from ledger_entries where seq = 3")).scalar()
    forged = original.replace('"i":3', '"i":9')
    import hashlib

    raw = forged.encode()
    if how == "body":
        _tamper("update ledger_entries set body = :b where seq = 3", b=forged)
    elif how in ("body_and_hashes", "body_hashes_and_leaf_node"):
        _tamper("update ledger_entries set body = :b, entry_hash = :e, leaf_hash = :l where seq = 3",
                b=forged, e=hashlib.sha256(raw).hexdigest(), l=merkle.leaf_hash(raw).hex())
        if how == "body_hashes_and_leaf_node":
            _tamper('update ledger_nodes set hash = :l where level = 0 and "index" = 3',
                    l=merkle.leaf_hash(raw).hex())
    else:
        _tamper("update ledger_entries set prev_hash = :p where seq = 4", p="0" * 64)
    seq = 4 if how == "prev_link" else 3
    db.session.expire_all()
    with pytest.raises(DomainError) as err:
        build_bundle(seq)
    assert err.value.code == "ledger_entry_invalid"
    assert err.value.status == 409
    db.session.rollback()


def test_bundle_cli_refuses_a_tampered_entry(ledger, client, tmp_path):
    for i in range(3):
        append("case.event", "case:1", {"i": i})
    db.session.commit()
    build_bundle(1)  # fine before tampering (signs a checkpoint covering the entry)
    db.session.commit()
    _tamper("update ledger_entries set body = replace(body, :a, :b) where seq = 1", a='"i":1', b='"i":7')
    out = tmp_path / "b.json"
    result = ledger.test_cli_runner().invoke(args=["ledger", "bundle", "1", "-o", str(out)])
    assert result.exit_code == 1
    assert "ledger_entry_invalid" in result.output and not out.exists()


# --- scheduled checkpoints ---------------------------------------------------------------------------

def test_checkpoint_if_due_signs_only_an_old_unsigned_tail(ledger):
    from datetime import datetime, timedelta

    from app.ledger.services import checkpoint_if_due, latest_checkpoint

    t0 = datetime(2026, 3, 2, 8, 0)
    append("case.event", "case:1", {"i": 0}, at=t0)
    append("case.event", "case:1", {"i": 1}, at=t0 + timedelta(minutes=5))
    db.session.commit()
    assert latest_checkpoint() is None
    assert checkpoint_if_due(now=t0 + timedelta(minutes=9), max_age_minutes=10) is None
    cp = checkpoint_if_due(now=t0 + timedelta(minutes=10), max_age_minutes=10)
    db.session.commit()
    assert cp is not None and cp.tree_size == 2
    assert checkpoint_if_due(now=t0 + timedelta(hours=5), max_age_minutes=10) is None  # tail signed
    append("case.event", "case:1", {"i": 2}, at=t0 + timedelta(minutes=30))
    db.session.commit()
    assert checkpoint_if_due(now=t0 + timedelta(minutes=39), max_age_minutes=10) is None
    assert checkpoint_if_due(now=t0 + timedelta(minutes=41), max_age_minutes=10).tree_size == 3
    db.session.commit()


def test_checkpoint_due_cli(ledger):
    runner = ledger.test_cli_runner()
    append("case.event", "case:1", {"i": 0})
    db.session.commit()
    r = runner.invoke(args=["ledger", "checkpoint-due"])  # just appended: not due under the 10-minute setting
    assert r.exit_code == 0 and "no checkpoint due" in r.output
    r = runner.invoke(args=["ledger", "checkpoint-due", "--max-age", "0"])
    assert r.exit_code == 0, r.output
    assert "signed checkpoint of size 1" in r.output
    assert r.output.splitlines()[2] == "1"  # the note follows: origin, size, root


def test_systemd_units_run_the_cli():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    service = (root / "sanxiang-ledger-checkpoint.service").read_text()
    timer = (root / "sanxiang-ledger-checkpoint.timer").read_text()
    assert "ExecStart=" in service and "flask ledger checkpoint-due" in service
    assert "OnUnitActiveSec=" in timer
