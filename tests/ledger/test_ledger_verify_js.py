"""The in-browser verifier's checks (app/static/ledger/verify.js, verifyBundle) run under Node on real bundles:
the same verdicts as the offline Python verifier on a genuine bundle and on each kind of tampering."""
import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from app.extensions import db
from app.ledger import note, services
from app.ledger.services import append, build_bundle

from .test_ledger_bundle import ledger  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import { readFileSync } from "node:fs";
import { verifyBundle } from "%s";
const [bundlePath, keysJson, filePath] = process.argv.slice(2);
const bundle = JSON.parse(readFileSync(bundlePath, "utf8"));
const file = filePath ? new Uint8Array(readFileSync(filePath)) : null;
try {
  const lines = await verifyBundle(bundle, JSON.parse(keysJson), file);
  console.log(JSON.stringify({ ok: true, lines }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e.message || e) }));
}
""" % (ROOT / "app/static/ledger/verify.js").as_uri()


@pytest.fixture
def node_verify(tmp_path):
    if not shutil.which("node"):
        pytest.fail("node is needed to test the browser verifier's code")
    script = tmp_path / "run.mjs"
    script.write_text(SCRIPT)

    def run(bundle, keys, file=None):
        path = tmp_path / "bundle.json"
        path.write_text(json.dumps(bundle, ensure_ascii=False))
        args = ["node", str(script), str(path), json.dumps(keys)] + ([str(file)] if file else [])
        r = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)
    return run


def test_browser_verifier_agrees_with_the_offline_one(ledger, node_verify, tmp_path):
    pdf = tmp_path / "decision.pdf"
    pdf.write_bytes(b"%PDF-1.7 redacted decision " + bytes(range(256)) * 3)
    for i in range(6):
        append("case.event", "case:1", {"i": i, "备注": "中文内容"})
    entry = append("public.publication.published", "public:publication:1",
                   {"sha256": hashlib.sha256(pdf.read_bytes()).hexdigest(), "url": "/public/decisions/1"})
    for i in range(4):
        append("case.event", "case:2", {"i": i})
    db.session.commit()
    bundle = build_bundle(entry.seq)
    db.session.commit()
    keys = [{"vkey": services.load_signer().verifier_key()}]

    ok = node_verify(bundle, keys, pdf)
    assert ok["ok"], ok
    assert any("文件的 SHA-256 与台账记录一致" in ln for ln in ok["lines"])
    assert any("包含证明成立" in ln for ln in ok["lines"]) and any("检查点签名有效" in ln for ln in ok["lines"])

    bad_pdf = tmp_path / "changed.pdf"
    raw = bytearray(pdf.read_bytes())
    raw[100] ^= 1
    bad_pdf.write_bytes(bytes(raw))
    assert "不符" in node_verify(bundle, keys, bad_pdf)["error"]

    other = [{"vkey": note.Signer.generate(services.origin()).verifier_key()}]
    assert "不是由您信任" in node_verify(bundle, other)["error"]

    proof = dict(bundle, inclusion_proof=list(bundle["inclusion_proof"]))
    h = bytearray(base64.b64decode(proof["inclusion_proof"][0]))
    h[0] ^= 1
    proof["inclusion_proof"][0] = base64.b64encode(bytes(h)).decode()
    assert "包含证明不成立" in node_verify(proof, keys)["error"]

    changed = dict(bundle, entry=bundle["entry"].replace("/public/decisions/1", "/public/decisions/2"))
    assert "包含证明不成立" in node_verify(changed, keys)["error"]
    spaced = dict(bundle, entry=bundle["entry"].replace(",", ", ", 1))
    assert "规范" in node_verify(spaced, keys)["error"]

    lines = bundle["checkpoint"].split("\n")
    lines[1] = str(int(lines[1]) + 1)
    assert not node_verify(dict(bundle, checkpoint="\n".join(lines)), keys)["ok"]

    # a key limited to smaller trees (a retired key) does not vouch for this checkpoint
    retired = [dict(keys[0], from_size=0, until_size=bundle["tree_size"] - 1)]
    assert "失效" in node_verify(bundle, retired)["error"]
