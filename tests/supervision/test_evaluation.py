"""案卷评查: the sample rule, the verifiable draw recomputed from public data (the draw's bundle, offline,
with the pinned key) equal to the stored one, two evaluators' sheets, an automatic-fail item giving 不合格
whatever the score, per-agency grades, the bulletin PDF read back, a rectification for the failing file,
and the ledger proof that no sampled file changed after the draw."""
import json
import re
import subprocess
import sys
from datetime import date

import pytest

from app.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from tests.supervision.conftest import user


def _pdf_text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", out.decode())


def test_sample_rule():
    from supervision.services.evaluation import grade, sample_size

    assert [sample_size(n, 5, 3) for n in (0, 2, 3, 40, 60, 61, 100, 200)] == [0, 2, 3, 3, 3, 4, 5, 10]
    assert [grade(s) for s in (59.9, 60, 74.9, 75, 89.9, 90, 100)] == ["不合格", "合格", "合格", "良好", "良好", "优秀", "优秀"]
    assert grade(100, failed_auto=True) == "不合格"


@pytest.fixture
def closed_cases(app, tree, case_at):
    return [case_at("closed", agency=tree.a1).id for _ in range(4)]


def _round(tree, **kw):
    from supervision.services import evaluation

    return evaluation.create_round(title="2025年第四季度行政处罚案卷评查", period_from=date(2025, 10, 1),
                                   period_to=date(2025, 12, 31), agency_ids=[tree.a1],
                                   evaluator_ids=[tree.sk1, tree.sc], actor=user(tree.sc), **kw)


def test_round_end_to_end(app, tree, closed_cases, tmp_path):
    from app.draws import services as draw_services, verify_bundle
    from app.ledger.services import verifier_key
    from supervision.services import evaluation, rectification

    with app.app_context():
        rnd = _round(tree)
        files = evaluation.draw(rnd, actor=user(tree.sc))
        db.session.commit()
        assert len(files) == 3  # 4 closed cases: max(ceil(5% x 4), 3) = 3
        assert {f.case_id for f in files} <= set(closed_cases)
        assert all({f.evaluator1_id, f.evaluator2_id} == {tree.sk1, tree.sc} for f in files)

        # Recomputed from public data only: the bundle (params, ledger entry, inclusion proof, signed checkpoint)
        # checked offline against the pinned key gives the stored sample.
        d = draw_services.get_draw(files[0].draw_id)
        bundle = json.loads(json.dumps(draw_services.bundle(d)))
        key = verifier_key()
        recomputed = verify_bundle({**bundle, "selected": None}, key)
        assert sorted(int(i) for i in recomputed["selected"]) == sorted(f.case_id for f in files)
        assert recomputed["selected"] == d.selected
        path = tmp_path / "draw.json"
        path.write_text(json.dumps(bundle, ensure_ascii=False))
        out = subprocess.run([sys.executable, "-m", "app.draws", str(path), "--key", key], capture_output=True,
                             text=True, cwd=app.root_path + "/..")
        assert out.returncode == 0, out.stderr
        assert all(f"  {f.case_id}" in out.stdout for f in files)

        # Sheets: the first file scores 98 but has an automatic-fail item; the others pass.
        first, *others = files
        with pytest.raises(PermissionDenied):
            evaluation.submit_sheet(first, deductions={}, actor=user(tree.sk2))
        with pytest.raises(InvalidInput, match="扣分应在0至25分之间"):
            evaluation.submit_sheet(first, deductions={"facts": 30}, comment="x", actor=user(tree.sk1))
        evaluation.submit_sheet(first, deductions={"documents": 2}, auto_fail=["unqualified_officers"],
                                comment="现场检查笔录仅一名执法人员签名", actor=user(tree.sk1))
        with pytest.raises(InvalidTransition, match="未完成两名评查人员"):
            evaluation.publish(rnd, actor=user(tree.sc))
        evaluation.submit_sheet(first, deductions={"archive": 2}, comment="卷内目录不全", actor=user(tree.sc))
        with pytest.raises(Conflict):
            evaluation.submit_sheet(first, deductions={}, actor=user(tree.sc))
        result = evaluation.file_result(first)
        assert result.score == 98.0 and result.grade == "不合格" and result.auto_fail == ["执法人员无执法资格或者不足两人"]
        for f in others:
            evaluation.submit_sheet(f, deductions={"procedure": 15}, comment="告知书送达回证不规范", actor=user(tree.sk1))
            evaluation.submit_sheet(f, deductions={"procedure": 11}, comment="送达回证缺日期", actor=user(tree.sc))
        assert [(evaluation.file_result(f).score, evaluation.file_result(f).grade) for f in others] == \
            [(87.0, "良好"), (87.0, "良好")]  # 85 and 89
        agency = evaluation.agency_results(rnd)[0]
        assert agency.failing == 1 and agency.files == 3

        # Nothing of the sampled cases changed after the draw; the case's last entry is proven in the checkpoint.
        checks = [evaluation.integrity(f) for f in files]
        assert all(c["unchanged"] and c["proven"] for c in checks)

        evaluation.publish(rnd, actor=user(tree.sc))
        db.session.commit()
        assert rnd.status == "published" and first.rectification_id is not None
        rect = rectification.get(first.rectification_id)
        assert "否决项：执法人员无执法资格或者不足两人" in rect.findings[0] and rect.agency_id == tree.a1
        assert all(f.rectification_id is None for f in others)
        text = _pdf_text(evaluation.bulletin_pdf(rnd))
        assert "行政执法案卷评查情况通报" in text and rnd.bulletin_number in text
        assert "不合格" in text and "执法人员无执法资格或者不足两人" in text and "抽取后未变动" in text

        round_id = rnd.id
        bundles = tmp_path / "bundles"
        out = app.test_cli_runner().invoke(args=["supervision", "evaluation-verify", str(round_id),
                                                 "--bundles", str(bundles)])
        assert out.exit_code == 0, out.output
        assert "OK" in out.output and out.output.count("unchanged since checkpoint") == 3
        assert len(list(bundles.glob("draw-*.json"))) == 1

        # A later entry on a sampled case shows up as a change after the draw.
        from app.ledger.services import append

        append("case.note", f"case:{first.case_id}", {"note": "补充材料"})
        changed = evaluation.integrity(first)
        assert not changed["unchanged"] and changed["changes"][0][1] == "case.note"
        db.session.rollback()


def test_round_rules(app, tree):
    from supervision.services import evaluation

    with app.app_context():
        with pytest.raises(InvalidInput, match="不得低于5%"):
            _round(tree, sample_percent=4)
        with pytest.raises(InvalidInput, match="合计应为100分"):
            _round(tree, sheet={"items": [{"code": "a", "label": "甲", "points": 90}], "auto_fail": []})
        with pytest.raises(PermissionDenied):
            evaluation.create_round(title="x", period_from=date(2025, 1, 1), period_to=date(2025, 12, 31),
                                    agency_ids=[tree.a1, tree.a2], evaluator_ids=[tree.sk1, tree.sc],
                                    actor=user(tree.sk1))  # a2 is not in 临江's scope
        rnd = _round(tree)
        with pytest.raises(InvalidInput, match="没有已结案的案件"):
            evaluation.draw(rnd, actor=user(tree.sc))
        custom = _round(tree, sheet={"items": [{"code": "all", "label": "综合", "points": 100}],
                                     "auto_fail": [{"code": "x", "label": "否决"}]})
        assert custom.sheet["items"][0]["points"] == 100
        db.session.rollback()
