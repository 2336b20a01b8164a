"""Witnesses (C2SP tlog-witness): two sanxiang-witness processes, each with its own key and state, cosign the
log's checkpoints; a rewritten or truncated log can no longer get cosigned; verifiers require the quorum."""
import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from app.extensions import db
from app.ledger import cosign, merkle, note, services
from app.ledger.models import LedgerEntry
from app.ledger.services import append, audit, build_bundle

from .test_ledger_bundle import ledger, run_verify  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _start_witness(tmp_path, name, log_vkey):
    key = tmp_path / f"{name}.key"
    r = subprocess.run([sys.executable, "-m", "app.ledger.witness", "keygen", "--name", f"{name}.example/witness",
                        "--key", str(key)], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    vkey = r.stdout.splitlines()[0]
    proc = subprocess.Popen([sys.executable, "-m", "app.ledger.witness", "serve", "--key", str(key),
                             "--state", str(tmp_path / f"{name}-state.json"), "--log-key", log_vkey,
                             "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    line = proc.stdout.readline()
    assert line.startswith("listening on "), line
    return proc, line.split()[2].rstrip("/"), vkey


@pytest.fixture
def witnesses(ledger, tmp_path):
    log_vkey = services.load_signer().verifier_key()
    started = [_start_witness(tmp_path, n, log_vkey) for n in ("procuratorate", "newspaper")]
    ledger.config["LEDGER_WITNESSES"] = "\n".join(f"{url} {vkey}" for _, url, vkey in started)
    ledger.config["LEDGER_WITNESS_QUORUM"] = 2
    yield [(proc, url, vkey) for proc, url, vkey in started]
    ledger.config["LEDGER_WITNESSES"] = ""
    ledger.config["LEDGER_WITNESS_QUORUM"] = 0
    for proc, _, _ in started:
        proc.terminate()
        proc.wait(timeout=10)


def _post(url, old, proof, signed):
    body = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof) + "\n" + signed
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/add-checkpoint", data=body.encode(),
                                                           method="POST"), timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def _tree(leaves):
    return lambda lv, ix: merkle.root_from_leaf_hashes(leaves[ix << lv:(ix + 1) << lv])


def test_two_witnesses_cosign_and_refuse_a_rewritten_or_truncated_log(witnesses, ledger, tmp_path):
    runner = ledger.test_cli_runner()
    for i in range(5):
        append("case.event", "case:1", {"i": i})
    db.session.commit()
    r = runner.invoke(args=["ledger", "checkpoint"])
    assert r.exit_code == 0 and "cosigned by 2 of 2 witnesses" in r.output, r.output
    for i in range(4):
        append("case.event", "case:2", {"i": i})
    db.session.commit()
    r = runner.invoke(args=["ledger", "checkpoint"])  # 5 -> 9: the witnesses check a consistency proof
    assert r.exit_code == 0 and "cosigned by 2 of 2 witnesses" in r.output, r.output
    cp = services.latest_checkpoint()
    assert cp.tree_size == 9 and cp.cosigned.count("\u2014 ") == 3
    assert audit().ok

    # the offline verifier with the quorum: verified; with a witness that never cosigned: refused
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(build_bundle(3)))
    db.session.commit()
    key = tmp_path / "log.key"
    key.write_text(services.load_signer().verifier_key())
    w1, w2 = witnesses[0][2], witnesses[1][2]
    r = run_verify(bundle, "--key", key, "--witness", w1, "--witness", w2, "--quorum", "2")
    assert r.returncode == 0 and "cosigned by 2 of your 2 witnesses" in r.stdout, r.stdout
    stranger = cosign.WitnessSigner.generate("court.example/witness").verifier.to_string()
    r = run_verify(bundle, "--key", key, "--witness", stranger)
    assert r.returncode == 1 and "FAILED (witness check)" in r.stdout

    # whoever holds the log key rewrites entry 2 and signs a longer log: no witness cosigns it
    signer = services.load_signer()
    bodies = [db.session.get(LedgerEntry, s).body.encode() for s in range(9)]
    bodies[2] = bodies[2].replace(b'"i":2', b'"i":7')
    forged = [merkle.leaf_hash(b) for b in bodies] + [merkle.leaf_hash(b"extra%d" % i) for i in range(2)]
    forged_cp = signer.sign(note.checkpoint_text(services.origin(), 11, merkle.root_from_leaf_hashes(forged)))
    proof = merkle.consistency_proof(9, 11, _tree(forged))
    # ... or re-signs the same size with another root, or truncates the log to 7 entries
    same_size = signer.sign(note.checkpoint_text(services.origin(), 9, merkle.root_from_leaf_hashes(forged[:9])))
    real = [merkle.leaf_hash(b) for b in [db.session.get(LedgerEntry, s).body.encode() for s in range(7)]]
    truncated = signer.sign(note.checkpoint_text(services.origin(), 7, merkle.root_from_leaf_hashes(real)))
    for _, url, _ in witnesses:
        assert _post(url, 9, proof, forged_cp)[0] == 422
        assert _post(url, 9, [], same_size)[0] == 422
        assert _post(url, 9, [], truncated)[0] == 400
        status, body = _post(url, 7, [], truncated)
        assert (status, body) == (409, "9\n")  # the witness stays at 9 and says so
        assert _post(url, 0, [], forged_cp)[0] == 409
        # and a checkpoint signed by someone else's key is refused outright
        other = note.Signer.generate(services.origin())
        assert _post(url, 9, [], other.sign(note.checkpoint_text(services.origin(), 9, forged[0])))[0] == 403


def test_verify_fails_without_the_quorum(witnesses, ledger):
    proc, _, _ = witnesses[1]
    proc.terminate()  # one witness is down
    proc.wait(timeout=10)
    append("case.event", "case:1", {"i": 1})
    db.session.commit()
    r = ledger.test_cli_runner().invoke(args=["ledger", "checkpoint"])
    assert r.exit_code == 0 and "cosigned by 1 of 2 witnesses" in r.output, r.output
    r = ledger.test_cli_runner().invoke(args=["ledger", "verify"])
    assert r.exit_code == 1 and "少于要求的 2 个" in r.output


def test_cosignature_format_follows_c2sp():
    signer = cosign.WitnessSigner.generate("witness.example/w1")
    text = "example.com/log\n3\n" + base64.b64encode(b"\x01" * 32).decode() + "\n"
    line = signer.cosign(text, timestamp=1679315147)
    name, blob = line[2:].split()
    raw = base64.b64decode(blob)
    assert name == "witness.example/w1" and len(raw) == 4 + 8 + 64
    assert raw[4:12] == (1679315147).to_bytes(8, "big")
    import hashlib

    pub = signer.verifier.public_key
    assert raw[:4] == hashlib.sha256(b"witness.example/w1\n\x04" + pub).digest()[:4]
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(pub).verify(raw[12:], b"cosignature/v1\ntime 1679315147\n" + text.encode())
    assert cosign.WitnessSigner.from_string(signer.to_string()).verifier.to_string() == signer.verifier.to_string()


def test_the_timer_sends_checkpoints_signed_inside_appends_to_the_witnesses(witnesses, ledger):
    append("case.event", "case:1", {"i": 1})
    db.session.commit()
    cp = services.create_checkpoint()  # as an append signs one every N entries: no witness asked
    db.session.commit()
    assert cp.cosigned is None
    r = ledger.test_cli_runner().invoke(args=["ledger", "checkpoint-due"])
    assert r.exit_code == 0 and "no checkpoint due" in r.output and "cosigned by 2 of 2 witnesses" in r.output
    db.session.expire_all()
    assert services.latest_checkpoint().cosigned.count("\u2014 ") == 3
    assert ledger.test_cli_runner().invoke(args=["ledger", "verify"]).exit_code == 0
