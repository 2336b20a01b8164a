"""Verifiable draws (SPEC §13): parameters in the ledger before the seed, the seed from the first signed
checkpoint that includes them, the published ranking, redraws with reasons, and recomputation by an outsider
(a function, `python -m app.draws` in a separate process, `flask draws verify`, the public page)."""
import hashlib
import json
import os
import subprocess
import sys

import pytest

from app import draws as algo
from app.draws import services
from app.draws.models import Draw
from app.errors import InvalidInput
from app.extensions import db
from app.ledger import services as ledger
from app.ledger.models import LedgerCheckpoint

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POPULATION = [f"T-{i:03d}" for i in range(40)]


@pytest.fixture
def quiet_ledger(app_ctx):
    """No automatic checkpoints: each test decides when one is signed."""
    saved = (app_ctx.config.get("LEDGER_CHECKPOINT_EVERY_ENTRIES"), app_ctx.config.get("LEDGER_CHECKPOINT_EVERY_MINUTES"))
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 0
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = 0
    yield app_ctx
    db.session.rollback()
    app_ctx.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"], app_ctx.config["LEDGER_CHECKPOINT_EVERY_MINUTES"] = saved


def _draw(k=5, population=POPULATION, subject="test.round:1:targets"):
    d = services.perform_draw("双随机抽查对象", population, k, subject=subject)
    db.session.commit()
    return d


def test_ranking_is_sha256_of_seed_and_id_smallest_first():
    seed = bytes(range(32))
    # Written independently of the module: sort by the hex digest of seed||id.
    expected = sorted(POPULATION, key=lambda i: hashlib.sha256(seed + i.encode()).hexdigest())
    assert algo.ranking(seed, POPULATION) == expected
    assert algo.select(seed, POPULATION, 3)["selected"] == expected[:3]
    assert algo.ranking(bytes(32), POPULATION) != expected  # another seed, another order


def test_params_refuse_bad_populations():
    with pytest.raises(algo.DrawError, match="重复"):
        algo.build_params("评查", ["1", "2", "1"], 1)
    with pytest.raises(algo.DrawError, match="大于抽取范围"):
        algo.build_params("评查", ["1", "2"], 3)
    with pytest.raises(algo.DrawError, match="为空"):
        algo.build_params("评查", [], 1)
    params = algo.build_params("评查", [3, "10", "2"], 2)
    assert params["population"] == ["10", "2", "3"]  # strings, sorted by code point
    assert params["population_sha256"] == hashlib.sha256(b"10\n2\n3\n").hexdigest()


def test_draw_enters_params_then_takes_seed_from_first_checkpoint_including_them(quiet_ledger):
    ledger.append("case.event", "case:1", {"n": 1})
    earlier = ledger.create_checkpoint()  # signed before the draw: it must not seed it
    db.session.commit()
    d = _draw()
    entry = ledger.get_entry(d.ledger_seq)
    assert entry.kind == "draw.params" and entry.payload["population"] == sorted(POPULATION)
    assert entry.payload["sample_size"] == 5 and entry.payload["algorithm"] == "sha256-rank"
    assert d.checkpoint_size > d.ledger_seq and d.checkpoint_size != earlier.tree_size
    cp = ledger.get_checkpoint(d.checkpoint_size)
    assert d.seed == cp.root_hash
    assert d.selected == algo.ranking(bytes.fromhex(cp.root_hash), POPULATION)[:5]
    # A later checkpoint does not change which one seeded the draw.
    ledger.append("case.event", "case:1", {"n": 2})
    ledger.create_checkpoint()
    db.session.commit()
    assert services.verify_draw(d)["selected"] == d.selected


def test_an_existing_later_checkpoint_is_used_rather_than_a_new_one(quiet_ledger):
    quiet_ledger.config["LEDGER_CHECKPOINT_EVERY_ENTRIES"] = 1  # every append signs a checkpoint
    d = _draw()
    assert d.checkpoint_size == d.ledger_seq + 1
    assert db.session.query(LedgerCheckpoint).count() == d.ledger_seq + 1


def test_recomputed_independently_from_public_checkpoint_equals_stored(quiet_ledger, tmp_path):
    d = _draw(k=7)
    data = services.bundle(d)
    key = ledger.verifier_key()
    # The pure function, given only the parameters and the public signed checkpoint text.
    public_cp = ledger.get_checkpoint(d.checkpoint_size).note
    assert algo.recompute(data["params"], public_cp, verifier_key=key)["selected"] == d.selected
    # An outsider's process: only the bundle file and the pinned key.
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "app.draws", str(path), "--key", key], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert [ln.strip() for ln in proc.stdout.splitlines()[1:]] == d.selected
    # The CLI inside the app: against the ledger, and the bundle offline.
    runner = quiet_ledger.test_cli_runner()
    r = runner.invoke(args=["draws", "verify", str(d.id)])
    assert r.exit_code == 0 and "、".join(d.selected) in r.output
    r = runner.invoke(args=["draws", "verify", "--bundle", str(path)])
    assert r.exit_code == 0, r.output


def test_changed_population_after_the_entry_fails_verification(quiet_ledger, tmp_path):
    d = _draw()
    data = services.bundle(d)
    # A forged result, or a bundle checked with someone else's key, fails.
    from app.ledger import note

    forged = dict(data, selected=list(reversed(data["selected"])))
    with pytest.raises(algo.VerificationFailed) as exc:
        algo.verify_bundle(forged, ledger.verifier_key())
    assert exc.value.check == "result"
    other = note.Signer.generate(quiet_ledger.config["LEDGER_ORIGIN"]).verifier_key()
    with pytest.raises(algo.VerificationFailed) as exc:
        algo.verify_bundle(data, other)
    assert exc.value.check == "checkpoint"
    # Someone adds a target to the stored parameters after the draw was entered.
    params = d.params
    params["population"] = sorted(params["population"] + ["T-999"])
    params["population_size"] += 1
    params["population_sha256"] = algo.population_sha256(params["population"])
    row = db.session.get(Draw, d.id)
    row.params_json = json.dumps(params, ensure_ascii=False)
    row.population_sha256 = params["population_sha256"]
    db.session.commit()
    with pytest.raises(services.DrawVerificationFailed, match="抽取范围"):
        services.verify_draw(row)
    r = quiet_ledger.test_cli_runner().invoke(args=["draws", "verify", str(d.id)])
    assert r.exit_code == 1 and "entry" in r.output
    # The same change in a bundle is caught offline.
    data["params"] = params
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "app.draws", str(path), "--key", ledger.verifier_key()],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "[entry]" in proc.stderr


def test_redraw_replaces_by_next_in_ranking_and_keeps_reason(quiet_ledger):
    d = _draw(k=3)
    order = algo.ranking(bytes.fromhex(d.seed), POPULATION)
    with pytest.raises(InvalidInput, match="理由"):
        services.redraw(d, order[1], "  ")
    with pytest.raises(InvalidInput, match="不在当前抽中名单"):
        services.redraw(d, order[5], "亲属关系")
    replacement = services.redraw(d, order[1], "与检查对象负责人系近亲属")
    db.session.commit()
    assert replacement == order[3]
    assert d.selected == [order[0], order[3], order[2]]
    red = ledger.get_entry(d.exclusions[0]["ledger_seq"])
    assert red.kind == "draw.redraw" and red.payload["reason"] == "与检查对象负责人系近亲属"
    assert algo.verify_bundle(services.bundle(d), ledger.verifier_key())["selected"] == d.selected
    assert services.verify_draw(d)["replacements"][0]["replacement"] == order[3]
    # A reason rewritten afterwards no longer matches the ledger.
    ex = d.exclusions
    ex[0]["reason"] = "工作调动"
    d.exclusions_json = json.dumps(ex, ensure_ascii=False)
    with pytest.raises(services.DrawVerificationFailed, match="回避重抽"):
        services.verify_draw(d)


def test_no_signing_key_refuses_and_writes_nothing(quiet_ledger, tmp_path):
    saved = quiet_ledger.config["LEDGER_KEY_PATH"]
    quiet_ledger.config["LEDGER_KEY_PATH"] = str(tmp_path / "missing.key")
    try:
        before = ledger.current_size()
        with pytest.raises(ledger.LedgerKeyMissing):
            services.perform_draw("评查", POPULATION, 3, subject="test")
        db.session.rollback()
        assert ledger.current_size() == before and db.session.query(Draw).count() == 0
    finally:
        quiet_ledger.config["LEDGER_KEY_PATH"] = saved


def test_public_page_recomputes_and_bundle_json(quiet_ledger, client):
    d = _draw()
    html = client.get(f"/public/draws/{d.id}").get_data(as_text=True)
    assert 'id="draw-verified"' in html and d.seed in html
    assert all(item in html for item in d.selected)
    assert f"/public/draws/{d.id}" in client.get("/public/draws").get_data(as_text=True)
    resp = client.get(f"/public/draws/{d.id}/bundle.json")
    assert resp.status_code == 200 and resp.get_json()["selected"] == d.selected
    assert client.get("/public/draws/99999").status_code == 404
    # The page says so when the stored draw no longer recomputes.
    row = db.session.get(Draw, d.id)
    row.selected_json = json.dumps(list(reversed(d.selected)))
    db.session.commit()
    html = client.get(f"/public/draws/{d.id}").get_data(as_text=True)
    assert 'id="draw-failed"' in html
