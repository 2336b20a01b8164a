"""Public proofs for public things (issue 18): a published decision, its withdrawal, the power-list version and
the certificate events behind a public card each get a `public.*` ledger entry without personal data, whose
proof bundle anyone downloads from the public page and verifies offline with the published key."""
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.ledger import public
from app.ledger.models import LedgerEntry
from publicity.models import Publication

ROOT = Path(__file__).resolve().parents[2]


def _publish(app, ids, withdraw=False):
    from app.auth.models import User
    from publicity import services

    with app.app_context():
        pub = db.session.get(Publication, ids["pub_id"])
        services.approve(pub, actor=db.session.get(User, ids["head"]), on=date(2025, 10, 9))
        if withdraw:
            services.withdraw(pub, actor=db.session.get(User, ids["head"]), reason="revoked",
                              note="经行政复议，决定被撤销", event_on=date(2025, 10, 20), on=date(2025, 10, 21))
        db.session.commit()
        return pub.pdf_sha256


def _public_entries(app, subject):
    with app.app_context():
        return [(e.seq, e.kind, e.body) for e in db.session.scalars(select(LedgerEntry).where(
            LedgerEntry.subject == "public:" + subject, LedgerEntry.kind.like("public.%")).order_by(LedgerEntry.seq))]


def _entry_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def _verify(*args, known_keys=None):
    import os

    env = dict(os.environ, SANXIANG_KNOWN_KEYS=str(known_keys or ROOT / "no-such-known-keys"))
    return subprocess.run([sys.executable, "-m", "app.ledger.verify", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)


def test_published_decision_has_a_public_proof_verified_offline(app, client, decided, tmp_path):
    ids = decided("decided")
    pdf_sha = _publish(app, ids)
    [(seq, kind, body)] = _public_entries(app, f"publication:{ids['pub_id']}")
    assert kind == "public.publication.published"
    entry = json.loads(body)
    # no personal data: only the allowed keys, the redacted PDF's hash, addresses and dates
    assert set(entry["payload"]) <= public.ALLOWED_KEYS
    assert entry["payload"]["sha256"] == pdf_sha
    assert "张" not in body and "head" not in body and "actor" not in body

    # linked from the decision's public page
    page = client.get(f"/public/decisions/{ids['pub_id']}").get_data(as_text=True)
    assert f"/ledger/verify?seq={seq}" in page and f"/ledger/proofs/{seq}.json" in page

    before = _entry_count(app)
    resp = client.get(f"/ledger/proofs/{seq}.json")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    bundle = tmp_path / "proof.json"
    bundle.write_bytes(resp.data)
    pdf = tmp_path / "decision.pdf"
    pdf.write_bytes(client.get(f"/public/decisions/{ids['pub_id']}.pdf").data)
    key = tmp_path / "key.txt"
    key.write_text(client.get("/ledger/key").get_data(as_text=True))
    verify_page = client.get(f"/ledger/verify?seq={seq}")
    assert verify_page.status_code == 200 and "ledger/verify.js" in verify_page.get_data(as_text=True)
    assert _entry_count(app) == before  # reading proofs and pages never appends

    r = _verify(bundle, pdf, "--key", key)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[OK] file SHA-256 matches" in r.stdout and "VERDICT: VERIFIED" in r.stdout

    # a standard tlog client (independent reader of the C2SP tiles) agrees: the entry is in the signed tree
    import hashlib

    from tests.tlog_reader import TileReader, open_checkpoint, root_from_proof

    data = json.loads(bundle.read_text())
    _, size, root = open_checkpoint(data["checkpoint"], key.read_text().splitlines()[0])
    reader = TileReader(lambda path: (lambda r: r.data if r.status_code == 200 else None)(
        client.get("/ledger/" + path)), size)
    assert reader.root() == root
    leaf = hashlib.sha256(b"\x00" + data["entry"].encode()).digest()
    assert reader.leaf(seq) == leaf
    assert root_from_proof(seq, size, leaf, reader.inclusion_proof(seq)) == root
    r = _verify(bundle, pdf)
    assert r.returncode == 3 and "signer unknown" in r.stdout
    # a changed PDF fails
    raw = bytearray(pdf.read_bytes())
    raw[len(raw) // 2] ^= 1
    pdf.write_bytes(bytes(raw))
    r = _verify(bundle, pdf, "--key", key)
    assert r.returncode == 1 and "FAILED (file check)" in r.stdout


def test_withdrawal_has_a_public_proof_and_internal_entries_stay_private(app, client, decided):
    ids = decided("decided")
    _publish(app, ids, withdraw=True)
    entries = _public_entries(app, f"publication:{ids['pub_id']}")
    assert [k for _, k, _ in entries] == ["public.publication.published", "public.publication.withdrawn"]
    withdrawn = json.loads(entries[1][2])["payload"]
    assert withdrawn["reason"] == "revoked" and withdrawn["withdrawn_on"] == "2025-10-21"
    assert "经行政复议" not in entries[1][2]  # the note's hash, not the text (it is on the public page)
    assert client.get(f"/ledger/proofs/{entries[1][0]}.json").status_code == 200
    page = client.get(f"/public/decisions/{ids['pub_id']}").get_data(as_text=True)
    assert f"/ledger/verify?seq={entries[1][0]}" in page
    # the internal entry it mirrors is not public
    internal = json.loads(entries[1][2])["payload"]["ref"]
    assert client.get(f"/ledger/proofs/{internal}.json").status_code == 404
    assert client.get("/ledger/proofs/999999.json").status_code == 404


def test_power_list_and_certificate_events_have_public_proofs(app, client, decided):
    ids = decided("decided")
    with app.app_context():
        rows = db.session.execute(select(LedgerEntry.kind, LedgerEntry.subject, LedgerEntry.body).where(
            LedgerEntry.kind.like("public.%"))).all()
    kinds = {k for k, _, _ in rows}
    assert "public.matter.published" in kinds and "public.certificate.issued" in kinds
    for kind, subject, body in rows:
        assert set(json.loads(body)["payload"]) <= public.ALLOWED_KEYS, kind
        assert "actor" not in body
    matter_subject = next(s for k, s, _ in rows if k == "public.matter.published")
    assert matter_subject.startswith("public:matter:")
    matter_id = int(matter_subject.split(":")[2])
    page = client.get(f"/public/powers/{matter_id}").get_data(as_text=True)
    assert re.search(r"/ledger/verify\?seq=\d+", page)
