"""Public endpoints (no login) and the `flask ledger` commands."""
import base64
import os
import stat

import pytest
from sqlalchemy import text

from app.extensions import db
from app.ledger import merkle, note
from app.ledger.services import append


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
        append("case.event", "case:1", {"i": i})
    db.session.commit()


def test_public_checkpoint_key_and_consistency(ledger, client):
    assert client.get("/ledger/checkpoint").status_code == 404
    runner = ledger.test_cli_runner()
    _fill(6)
    old = runner.invoke(args=["ledger", "checkpoint"]).output
    _fill(7)
    r = runner.invoke(args=["ledger", "checkpoint"])
    assert r.exit_code == 0
    resp = client.get("/ledger/checkpoint")
    assert resp.status_code == 200 and resp.mimetype == "text/plain"
    latest = resp.get_data(as_text=True)
    assert latest == r.output and latest.split("\n")[1] == "13"
    key_lines = client.get("/ledger/key").get_data(as_text=True).splitlines()
    verifier = note.Verifier.from_string(key_lines[0])
    assert key_lines[1] == "ed25519 " + base64.b64encode(verifier.public_key).decode()
    _, size_old, root_old = note.open_checkpoint(old, verifier, ledger.config["LEDGER_ORIGIN"])
    _, size_new, root_new = note.open_checkpoint(latest, verifier, ledger.config["LEDGER_ORIGIN"])
    c = client.get(f"/ledger/consistency?first={size_old}&second={size_new}").get_json()
    proof = [base64.b64decode(h) for h in c["proof"]]
    assert merkle.verify_consistency(size_old, size_new, root_old, root_new, proof)
    assert client.get("/ledger/consistency?first=3&second=99").status_code == 422
    assert client.get("/ledger/consistency?first=x&second=2").status_code == 422
    api = client.get("/public/api/ledger/checkpoints").get_json()
    assert [cp["tree_size"] for cp in api] == [13, 6]
    assert client.get("/public/api/ledger/checkpoint").get_json()["note"] == latest
    assert client.get("/public/api/ledger/key").get_json()["verifier_key"] == key_lines[0]
    assert client.get("/ledger/checkpoints/6").get_data(as_text=True) == old


def test_checkpoint_history_page(ledger, client):
    _fill(3)
    ledger.test_cli_runner().invoke(args=["ledger", "checkpoint"])
    page = client.get("/ledger/checkpoints")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "签名检查点" in html and "<td>3</td>" in html


def test_keygen_refuses_to_overwrite_and_writes_private_file(ledger, tmp_path):
    saved = ledger.config["LEDGER_KEY_PATH"]
    path = tmp_path / "keys" / "signing.key"
    ledger.config["LEDGER_KEY_PATH"] = str(path)
    try:
        runner = ledger.test_cli_runner()
        r = runner.invoke(args=["ledger", "keygen"])
        assert r.exit_code == 0, r.output
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        vkey = r.output.strip().splitlines()[-2]
        assert r.output.strip().splitlines()[-1] == "fingerprint " + note.Verifier.from_string(vkey).fingerprint
        assert note.Signer.from_string(path.read_text()).verifier_key() == vkey
        r = runner.invoke(args=["ledger", "keygen"])
        assert r.exit_code == 1
        assert note.Signer.from_string(path.read_text()).verifier_key() == vkey
        r = runner.invoke(args=["ledger", "keygen", "--force"])
        assert r.exit_code == 0
        replaced = note.Signer.from_string(path.read_text()).verifier_key()
        assert replaced != vkey
        # once the key has signed, only a rotation may replace it (old checkpoints must stay verifiable)
        assert runner.invoke(args=["ledger", "checkpoint"]).exit_code == 0
        r = runner.invoke(args=["ledger", "keygen", "--force"])
        assert r.exit_code == 1 and "ledger_key_rotation_required" in r.output
        assert note.Signer.from_string(path.read_text()).verifier_key() == replaced
    finally:
        ledger.config["LEDGER_KEY_PATH"] = saved


def test_checkpoint_without_key_fails_clearly(ledger, tmp_path):
    saved = ledger.config["LEDGER_KEY_PATH"]
    ledger.config["LEDGER_KEY_PATH"] = str(tmp_path / "none.key")
    try:
        r = ledger.test_cli_runner().invoke(args=["ledger", "checkpoint"])
    finally:
        ledger.config["LEDGER_KEY_PATH"] = saved
    assert r.exit_code == 1 and "keygen" in r.output


def test_verify_command_exit_codes(ledger):
    _fill(8)
    runner = ledger.test_cli_runner()
    r = runner.invoke(args=["ledger", "verify"])
    assert r.exit_code == 0 and "8 条记录" in r.output
    db.session.execute(text("UPDATE ledger_entries SET body = REPLACE(body, :a, :b) WHERE seq = 3"),
                       {"a": '"i":3', "b": '"i":4'})
    db.session.commit()
    r = runner.invoke(args=["ledger", "verify"])
    assert r.exit_code == 1 and "第 3 条" in r.output


def test_bundle_command_for_unknown_entry(ledger):
    r = ledger.test_cli_runner().invoke(args=["ledger", "bundle", "99"])
    assert r.exit_code == 1 and "第 99 条" in r.output


def test_bundle_api_is_for_supervisors_and_admins_only(ledger, client, make_user, make_agency, login_as):
    from flask import g

    def get(url):
        # The test holds an app context, which the requests share: forget the user Flask-Login cached in g.
        g.pop("_login_user", None)
        return client.get(url)

    _fill(3)
    assert get("/api/ledger/entries/1/bundle").status_code == 401
    login_as(client, make_user(roles=("officer",), agency=make_agency()))
    assert get("/api/ledger/entries/1/bundle").status_code == 403
    login_as(client, make_user(roles=("supervisor",)))
    resp = get("/api/ledger/entries/1/bundle")
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["index"] == 1 and data["tree_size"] >= 3  # creating users appends entries too
    assert get("/api/ledger/entries/99/bundle").status_code == 404
