"""Key history: rotation keeps every old checkpoint verifiable under the key of its time; the key can live in
a PKCS#11 token (SoftHSM); production refuses a key in the instance folder."""
import json
import os
import shutil
import subprocess

import pytest

from app.extensions import db
from app.ledger import keys, note, services
from app.ledger.services import append, audit, build_bundle, create_checkpoint

from .test_ledger_bundle import ledger, run_verify  # noqa: F401


@pytest.fixture
def own_key(ledger, tmp_path):
    """A key file of this test's own (rotation replaces it)."""
    saved = ledger.config["LEDGER_KEY_PATH"]
    ledger.config["LEDGER_KEY_PATH"] = str(tmp_path / "keys" / "signing.key")
    services.generate_key(ledger.config["LEDGER_KEY_PATH"])
    yield ledger
    ledger.config["LEDGER_KEY_PATH"] = saved


def _fill(n, tag="e"):
    for i in range(n):
        append("case.event", "case:1", {tag: i})
    db.session.commit()


def test_rotation_keeps_old_checkpoints_valid(own_key, client, tmp_path):
    _fill(5)
    old_cp = create_checkpoint()
    db.session.commit()
    old_signer = services.load_signer()
    old_vkey = old_signer.verifier_key()
    r = own_key.test_cli_runner().invoke(args=["ledger", "rotate-key"])
    assert r.exit_code == 0, r.output
    new_signer = services.load_signer()
    assert new_signer.verifier_key() != old_vkey
    assert os.path.exists(own_key.config["LEDGER_KEY_PATH"] + f".retired-{old_signer.key_hash:08x}")
    _fill(3, "after")
    new_cp = create_checkpoint()
    db.session.commit()
    assert new_cp.key_hash == f"{new_signer.key_hash:08x}"

    # every old checkpoint verifies under the key of its time, the new ones under the new key
    cps = {cp.tree_size: cp for cp in services.list_checkpoints()}
    assert note.open_checkpoint(cps[5].note, old_signer.verifier())
    assert note.open_checkpoint(cps[6].note, old_signer.verifier())  # the rotation entry, signed by the old key
    assert note.open_checkpoint(cps[9].note, new_signer.verifier())
    with pytest.raises(note.NoteError):
        note.open_checkpoint(cps[5].note, new_signer.verifier())
    result = audit(extra_checkpoints=[old_cp.note])
    assert result.ok, result.problems

    # the history is published with validity periods and the statement signed by the old key (and the new)
    hist = client.get("/public/api/ledger/keys").get_json()["keys"]
    assert [(k["from_size"], k["until_size"]) for k in hist] == [(0, 6), (6, None)]
    assert hist[0]["verifier_key"] == old_vkey and hist[0]["valid_until"]
    text = note.open_note(hist[1]["statement"], old_signer.verifier())
    note.open_note(hist[1]["statement"], new_signer.verifier())
    assert keys.parse_rotation(text)["size"] == 6
    page = client.get("/ledger/keys").get_data(as_text=True)
    assert old_vkey in page and new_signer.verifier_key() in page

    # someone who pinned only the old key follows the signed hand-over to verify a new bundle
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(build_bundle(2)))
    db.session.commit()
    old_key_file = tmp_path / "old.key"
    old_key_file.write_text(old_vkey)
    r = run_verify(bundle, "--key", old_key_file)
    assert r.returncode == 0, r.stdout
    assert "key rotation at size 6" in r.stdout and "VERDICT: VERIFIED" in r.stdout
    # without the statement the new key is unknown to them
    data = json.loads(bundle.read_text())
    data.pop("key_rotations")
    bundle.write_text(json.dumps(data))
    r = run_verify(bundle, "--key", old_key_file)
    assert r.returncode == 1 and "not signed by any key you trust" in r.stdout


def test_a_retired_key_cannot_sign_new_trees(own_key, tmp_path):
    _fill(3)
    old_signer = services.load_signer()
    own_key.test_cli_runner().invoke(args=["ledger", "rotate-key"])
    _fill(4, "later")
    db.session.commit()
    bundle = build_bundle(5)
    db.session.commit()
    # whoever kept the retired key signs the current tree with it
    forged = dict(bundle, checkpoint=old_signer.sign(note.split_note(bundle["checkpoint"])[0]))
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged))
    key = tmp_path / "old.key"
    key.write_text(old_signer.verifier_key())
    r = run_verify(path, "--key", key)
    assert r.returncode == 1 and "retired key" in r.stdout, r.stdout
    # and the audit refuses such a checkpoint stored in the database
    from app.ledger.models import LedgerCheckpoint

    cp = db.session.get(LedgerCheckpoint, services.latest_checkpoint().id)
    cp.note, cp.key_hash = forged["checkpoint"], f"{old_signer.key_hash:08x}"
    db.session.commit()
    result = audit()
    assert not result.ok and any("并非有效密钥" in p for p in result.problems)


def test_swapping_the_key_without_rotation_is_refused(own_key):
    _fill(2)
    create_checkpoint()
    db.session.commit()
    os.remove(own_key.config["LEDGER_KEY_PATH"])
    services.generate_key(own_key.config["LEDGER_KEY_PATH"])  # allowed only because the file was deleted
    append("case.event", "case:1", {"x": 1})
    db.session.commit()
    r = own_key.test_cli_runner().invoke(args=["ledger", "checkpoint"])
    assert r.exit_code == 1 and "rotate-key" in r.output


def test_production_refuses_a_key_in_the_instance_folder(monkeypatch, tmp_path):
    from app.config import INSTANCE_DIR, ledger_key_problem

    monkeypatch.delenv("LEDGER_KEY_PATH", raising=False)
    assert "LEDGER_KEY_PATH" in ledger_key_problem({"LEDGER_SIGNER": "file"})
    inside = str(INSTANCE_DIR / "keys" / "ledger.key")
    monkeypatch.setenv("LEDGER_KEY_PATH", inside)
    assert "inside the instance folder" in ledger_key_problem({"LEDGER_SIGNER": "file", "LEDGER_KEY_PATH": inside})
    outside = str(tmp_path / "ledger.key")
    monkeypatch.setenv("LEDGER_KEY_PATH", outside)
    assert ledger_key_problem({"LEDGER_SIGNER": "file", "LEDGER_KEY_PATH": outside}) is None
    assert "LEDGER_PKCS11_TOKEN" in ledger_key_problem({"LEDGER_SIGNER": "pkcs11", "LEDGER_PKCS11_MODULE": "x"})
    # and the production check create_app runs refuses to start with it
    from app.config import ProductionConfig

    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "p.db"))
    monkeypatch.setenv("STORAGE_FS_ROOT", str(tmp_path / "objects"))
    monkeypatch.setenv("LEDGER_KEY_PATH", inside)
    config = {"SECRET_KEY": "x" * 40, "STORAGE_BACKEND": "fs", "LEDGER_SIGNER": "file", "LEDGER_KEY_PATH": inside}
    with pytest.raises(RuntimeError, match="instance folder"):
        ProductionConfig.validate(config)
    monkeypatch.setenv("LEDGER_KEY_PATH", outside)
    ProductionConfig.validate(dict(config, LEDGER_KEY_PATH=outside))


# --- PKCS#11 (SoftHSM) ------------------------------------------------------------------------------------

SOFTHSM_MODULE = next((p for p in ("/usr/lib/softhsm/libsofthsm2.so",
                                   "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so") if os.path.exists(p)), None)


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    """A real SoftHSM token in a temporary directory (the library reads SOFTHSM2_CONF when loaded)."""
    if not SOFTHSM_MODULE or not shutil.which("softhsm2-util"):
        pytest.fail("softhsm2 is not installed (scripts/system-deps.sh installs it)")
    root = tmp_path_factory.mktemp("softhsm")
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "sanxiang-ledger", "--pin", "4321",
                    "--so-pin", "87654321"], check=True, capture_output=True, env=dict(os.environ))
    return {"LEDGER_SIGNER": "pkcs11", "LEDGER_PKCS11_MODULE": SOFTHSM_MODULE,
            "LEDGER_PKCS11_TOKEN": "sanxiang-ledger", "LEDGER_PKCS11_KEY": "checkpoint-2026",
            "LEDGER_PKCS11_PIN": "4321"}


@pytest.fixture
def hsm_config(ledger, softhsm):
    saved = {k: ledger.config.get(k) for k in softhsm}
    ledger.config.update(softhsm)
    yield ledger
    ledger.config.update(saved)


def test_pkcs11_key_signs_checkpoints_and_rotates(hsm_config, tmp_path):
    runner = hsm_config.test_cli_runner()
    r = runner.invoke(args=["ledger", "keygen"])
    assert r.exit_code == 0, r.output
    vkey = r.output.splitlines()[1]
    _fill(4)
    cp = create_checkpoint()
    db.session.commit()
    _, size, _ = note.open_checkpoint(cp.note, note.Verifier.from_string(vkey))
    assert size == 4
    # the private key cannot be read out of the token
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label="sanxiang-ledger")
    with token.open(user_pin="4321") as session:
        priv = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label="checkpoint-2026")
        assert priv[Attribute.EXTRACTABLE] is False and priv[Attribute.SENSITIVE] is True
    # rotation inside the token; until the setting names the new key, nothing is signed with the old one
    r = runner.invoke(args=["ledger", "rotate-key", "--new-pkcs11-key", "checkpoint-2027"])
    assert r.exit_code == 0, r.output
    _fill(2, "later")
    assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 1
    hsm_config.config["LEDGER_PKCS11_KEY"] = "checkpoint-2027"
    r = runner.invoke(args=["ledger", "checkpoint"])
    assert r.exit_code == 0, r.output
    result = audit()
    assert result.ok, result.problems
    assert len(keys.history()) == 2
    # a proof bundle signed in the token verifies offline with the first key pinned
    bundle = tmp_path / "b.json"
    bundle.write_text(json.dumps(build_bundle(1)))
    db.session.commit()
    key = tmp_path / "k"
    key.write_text(vkey)
    r = run_verify(bundle, "--key", key)
    assert r.returncode == 0, r.stdout
