"""Proof bundles verified offline by `python -m app.ledger.verify`, and refused after any one-byte change."""
import base64
import hashlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.extensions import db
from app.ledger.services import append, build_bundle, create_checkpoint

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ledger(app_ctx):
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 0
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 0
    yield app_ctx
    db.session.rollback()
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 100
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 60


@pytest.fixture
def exported(ledger, client, tmp_path):
    """A recording, its entry among others, the published key, a kept old checkpoint and a bundle."""
    evidence = tmp_path / "现场录像.mp4"
    evidence.write_bytes(bytes(range(256)) * 40)
    for i in range(5):
        append("case.event", "case:1", {"i": i})
    db.session.commit()
    old_cp = create_checkpoint().note
    db.session.commit()
    entry = append("recording.stored", "recording:9", {"sha256": hashlib.sha256(evidence.read_bytes()).hexdigest(),
                                                       "size": evidence.stat().st_size})
    for i in range(6):
        append("case.event", "case:2", {"i": i})
    db.session.commit()
    bundle_path = tmp_path / "bundle.json"
    result = ledger.test_cli_runner().invoke(args=["ledger", "bundle", str(entry.seq), "--file", str(evidence),
                                                   "--since", "5", "-o", str(bundle_path)])
    assert result.exit_code == 0, result.output
    key_path = tmp_path / "key.txt"
    key_path.write_text(client.get("/ledger/key").get_data(as_text=True))
    old_path = tmp_path / "old-checkpoint.txt"
    old_path.write_text(old_cp)
    return {"bundle": bundle_path, "file": evidence, "key": key_path, "old": old_path, "seq": entry.seq}


def run_verify(*args, known_keys=None):
    """The offline verifier in its own process; the known-keys file is the one given (none by default, so
    a known-keys file in the developer's home cannot change a result)."""
    import os

    env = dict(os.environ, SANXIANG_KNOWN_KEYS=str(known_keys or ROOT / "no-such-known-keys"))
    return subprocess.run([sys.executable, "-m", "app.ledger.verify", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)


def _flip_char(s, pos):
    c = s[pos]
    return s[:pos] + ("1" if c != "1" else "2") + s[pos + 1:]


def _rewrite(path, fn):
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data, ensure_ascii=False))


def test_bundle_contents(exported):
    data = json.loads(exported["bundle"].read_text())
    assert data["index"] == exported["seq"] == 5
    assert data["tree_size"] == 12
    assert data["checkpoint"].split("\n")[1] == "12"
    assert data["file"]["sha256"] == json.loads(data["entry"])["payload"]["sha256"]
    assert data["consistency"][0]["first"] == 5


def test_valid_bundle_verifies(exported):
    r = run_verify(exported["bundle"], exported["file"], "--key", exported["key"],
                   "--old-checkpoint", exported["old"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "VERDICT: VERIFIED" in r.stdout
    assert "[OK] consistency" in r.stdout


def test_changed_file_byte_fails(exported):
    raw = bytearray(exported["file"].read_bytes())
    raw[1000] ^= 0x01
    exported["file"].write_bytes(bytes(raw))
    r = run_verify(exported["bundle"], exported["file"], "--key", exported["key"])
    assert r.returncode == 1
    assert "FAILED (file check)" in r.stdout


@pytest.mark.parametrize("where", ["subject", "at", "payload"])
def test_changed_entry_byte_fails(exported, where):
    def change(d):
        pos = d["entry"].index(f'"{where}":') + len(where) + 5
        d["entry"] = _flip_char(d["entry"], pos)
    _rewrite(exported["bundle"], change)
    r = run_verify(exported["bundle"], "--key", exported["key"])
    assert r.returncode == 1, r.stdout
    assert "FAILED (proof check)" in r.stdout or "FAILED (entry check)" in r.stdout


def test_changed_proof_byte_fails(exported):
    def change(d):
        raw = bytearray(base64.b64decode(d["inclusion_proof"][1]))
        raw[7] ^= 0x80
        d["inclusion_proof"][1] = base64.b64encode(bytes(raw)).decode()
    _rewrite(exported["bundle"], change)
    r = run_verify(exported["bundle"], exported["file"], "--key", exported["key"])
    assert r.returncode == 1
    assert "FAILED (proof check)" in r.stdout


@pytest.mark.parametrize("line", [0, 1, 2, 4])
def test_changed_checkpoint_byte_fails(exported, line):
    def change(d):
        lines = d["checkpoint"].split("\n")
        lines[line] = _flip_char(lines[line], len(lines[line]) // 2) if line != 4 else \
            lines[line][:-3] + ("AAA" if not lines[line].endswith("AAA") else "BBB")
        d["checkpoint"] = "\n".join(lines)
    _rewrite(exported["bundle"], change)
    r = run_verify(exported["bundle"], exported["file"], "--key", exported["key"])
    assert r.returncode == 1
    assert "FAILED (checkpoint check)" in r.stdout


def test_other_pinned_key_fails(exported, tmp_path):
    from app.ledger import note

    other = tmp_path / "other.txt"
    other.write_text(note.Signer.generate("sanxiang.linjiang.gov.cn/ledger").verifier_key())
    r = run_verify(exported["bundle"], exported["file"], "--key", other)
    assert r.returncode == 1
    assert "FAILED (checkpoint check)" in r.stdout


def test_tampered_consistency_proof_fails(exported):
    def change(d):
        raw = bytearray(base64.b64decode(d["consistency"][0]["proof"][0]))
        raw[0] ^= 1
        d["consistency"][0]["proof"][0] = base64.b64encode(bytes(raw)).decode()
    _rewrite(exported["bundle"], change)
    r = run_verify(exported["bundle"], "--key", exported["key"], "--old-checkpoint", exported["old"])
    assert r.returncode == 1
    assert "FAILED (consistency check)" in r.stdout


def test_consistency_from_the_public_endpoint(exported, client, tmp_path):
    data = json.loads(exported["bundle"].read_text())
    data.pop("consistency")
    exported["bundle"].write_text(json.dumps(data))
    r = run_verify(exported["bundle"], "--key", exported["key"], "--old-checkpoint", exported["old"])
    assert r.returncode == 1 and "no proof from size 5" in r.stdout
    proof = tmp_path / "consistency.json"
    proof.write_text(client.get("/ledger/consistency?first=5&second=12").get_data(as_text=True))
    r = run_verify(exported["bundle"], "--key", exported["key"], "--old-checkpoint", exported["old"],
                   "--consistency", proof)
    assert r.returncode == 0, r.stdout


def test_unreadable_input_exits_2(tmp_path):
    (tmp_path / "b.json").write_text("{not json")
    assert run_verify(tmp_path / "b.json").returncode == 2
    assert run_verify(tmp_path / "missing.json").returncode == 2


def test_bundle_refuses_a_file_that_does_not_match(ledger, tmp_path):
    from app.errors import InvalidInput

    f = tmp_path / "f.bin"
    f.write_bytes(b"abc")
    e = append("recording.stored", "recording:1", {"sha256": "00" * 32})
    db.session.commit()
    with pytest.raises(InvalidInput):
        build_bundle(e.seq, file_path=f)


def test_verifier_runs_without_any_web_library(exported):
    """The verifier must work on a machine with only the standard library and cryptography."""
    code = textwrap.dedent(f"""
        import runpy, sys
        BLOCKED = ("flask", "sqlalchemy", "werkzeug", "jinja2", "marshmallow", "flask_sqlalchemy",
                   "flask_smorest", "alembic", "psycopg", "app.extensions", "app.errors",
                   "app.ledger.services", "app.ledger.models", "app.ledger.views")

        class Block:
            def find_spec(self, name, path=None, target=None):
                if any(name == b or name.startswith(b + ".") for b in BLOCKED):
                    raise ImportError("blocked: " + name)

        sys.meta_path.insert(0, Block())
        sys.argv = ["verify", {str(exported["bundle"])!r}, {str(exported["file"])!r},
                    "--key", {str(exported["key"])!r}]
        runpy.run_module("app.ledger.verify", run_name="__main__")
        """)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "VERDICT: VERIFIED" in r.stdout
