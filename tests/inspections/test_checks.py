"""Inspections (行政检查) and 双随机一公开: two certified officers, outcomes with follow-up, a case filed from
an inspection carrying its evidence, results published without personal data and warned when overdue, the
target register imported from .xlsx and .csv, a verifiable round with a conflict redrawn, recomputed from
the public bundle, and the CLI and public pages."""
import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import Workbook

from app import draws as algo
from app.draws import services as draws
from app.errors import DomainError
from app.extensions import db
from app.ledger import services as ledger
from app.validators import make_credit_code
from inspections import checks, random_checks
from inspections.checks_models import Inspection, InspectionTarget
from tests.cases.conftest import officer_user

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def refused(fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as exc:
        fn(*args, **kw)
    db.session.rollback()
    return exc.value


def inspection_data(officers, **kw):
    return {"kind": "adhoc", "basis": "群众举报；《食品安全法》第一百一十条", "target_name": "临江市某某超市",
            "target_kind": "org", "target_code": make_credit_code(org_seq=77), "place": "临江市新市街9号",
            "started_at": (NOW - timedelta(hours=3)).isoformat(), "ended_at": (NOW - timedelta(hours=2)).isoformat(),
            "officer_ids": [o.id for o in officers], "findings": "货架上有过期食品12袋",
            "evidence": [{"name": "现场照片", "description": "4张"}, {"name": "进货单", "description": "复印件1份"}],
            **kw}


@pytest.fixture
def team(app_ctx, cases_agency, make_officer, head_of):
    officers = [make_officer(cases_agency), make_officer(cases_agency)]
    return officers, head_of(cases_agency.id), cases_agency


def test_inspection_needs_two_certified_officers_showing_certificates(team, make_officer):
    officers, head, agency = team
    lead = officers[0].user
    err = refused(checks.record_inspection, agency.id, inspection_data(officers[:1]), actor=lead)
    assert "行政处罚法第四十二条" in err.message
    expired = make_officer(agency, expires_on=date(2024, 12, 31))
    err = refused(checks.record_inspection, agency.id, inspection_data([officers[0], expired]), actor=lead)
    assert "证件已过期" in err.message
    err = refused(checks.record_inspection, agency.id, inspection_data(officers, certificate_shown_ids=[officers[0].id]),
                  actor=lead)
    assert "未出示执法证件" in err.message
    err = refused(checks.record_inspection, agency.id, inspection_data(officers), actor=head)
    assert err.status == 403
    row = checks.record_inspection(agency.id, inspection_data(officers), actor=lead)
    db.session.commit()
    assert [i["certificate_shown"] for i in row.inspectors] == [True, True]
    assert ledger.get_entry(row.ledger_seq).kind == "inspection.recorded"


def test_order_to_correct_follow_up_and_publication_without_personal_data(team, client):
    officers, head, agency = team
    lead = officers[0].user
    row = checks.record_inspection(agency.id, inspection_data(officers, target_kind="person", target_name="张三丰",
                                                              target_code="220681199001011234"), actor=lead)
    db.session.commit()
    err = refused(checks.conclude, row, {"outcome": "order_correct"}, actor=lead)
    assert "行政处罚法第二十八条" in err.message
    due = date.today() + timedelta(days=10)
    checks.conclude(row, {"outcome": "order_correct", "correction_due": due.isoformat(),
                          "no_recording_reason": "执法记录仪电量耗尽，已书面说明"}, actor=lead)
    db.session.commit()
    assert row.results_due > row.concluded_on
    checks.follow_up(row, result="corrected", note="已下架销毁", actor=lead)
    checks.publish_result(row, actor=lead)
    db.session.commit()
    page = client.get("/public/inspections/results").get_data(as_text=True)
    assert "张某（个人）" in page and "张三丰" not in page and "220681199001011234" not in page
    assert "责令限期改正" in page
    api = client.get("/public/api/inspections/results").get_json()
    assert api[0]["target"] == "张某（个人）" and "target_code" not in api[0]


def test_unpublished_results_are_warned_when_overdue(team, app_ctx):
    officers, head, agency = team
    row = checks.record_inspection(agency.id, inspection_data(officers), actor=officers[0].user)
    checks.conclude(row, {"outcome": "no_problem", "no_recording_reason": "执法记录仪故障"}, actor=officers[0].user)
    row.results_due = date(2025, 1, 2)  # as if concluded long ago
    db.session.commit()
    assert checks.overdue_results() == [row]
    r = app_ctx.test_cli_runner().invoke(args=["inspections", "results-overdue"])
    assert r.exit_code == 1 and "应于2025-01-02前公示" in r.output
    checks.publish_result(row, actor=head)
    db.session.commit()
    assert checks.overdue_results() == []


def test_case_filed_from_an_inspection_carries_its_evidence(team, make_matter):
    officers, head, agency = team
    lead = officers[0].user
    version = make_matter(agency)
    row = checks.record_inspection(agency.id, inspection_data(officers), actor=lead)
    case = checks.file_case(row, {"matter_version_id": version.id, "title": "销售过期食品案",
                                  "legal_representative": "王五"}, actor=lead)
    db.session.commit()
    assert row.outcome == "case_filed" and row.case_id == case.id and case.status == "draft"
    assert case.parties[0].name == "临江市某某超市"
    step = case.steps[0]
    assert step.kind == "inspection" and "过期食品12袋" in step.content and "进货单（复印件1份）" in step.content
    assert step.extra["inspection_id"] == row.id and step.started_at == row.started_at
    assert {o["officer_id"] for o in step.officers} == {o.id for o in officers}
    err = refused(checks.conclude, row, {"outcome": "no_problem"}, actor=lead)
    assert "已有结论" in err.message


# --- 双随机 -----------------------------------------------------------------------------------------------

def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def random_setup(team, make_officer):
    from publicity.models import InspectionItem

    officers, head, agency = team
    pool = officers + [make_officer(agency) for _ in range(4)]
    item = InspectionItem(agency_id=agency.id, category="城市管理", name="户外广告设施设置情况检查",
                          targets="户外广告设置单位", basis="《城市市容和环境卫生管理条例》", method="现场检查",
                          ratio="每年不低于5%", published_on=date(2025, 1, 2))
    db.session.add(item)
    db.session.commit()
    header = ["编号", "名称", "类型", "类别", "区划代码", "地址"]
    rows = [header] + [[f"9122068100000{i:04d}", f"临江市第{i}商贸公司", "单位", "城市管理", "220681", f"新市街{i}号"]
                       for i in range(1, 11)]
    rows.append(["P-0001", "李四", "个人", "城市管理", "220681", "建国街1号"])
    random_checks.import_targets(agency.id, random_checks.parse_targets("名录.xlsx", _xlsx(rows)), actor=head)
    for o in pool:
        random_checks.register_inspector(agency.id, o.id, actor=head)
    db.session.commit()
    return officers, head, agency, item, pool


def test_target_register_import_is_all_or_nothing(team):
    officers, head, agency = team
    good = "编号,名称,类型,类别,区划代码,地址\nA-1,甲公司,单位,城市管理,220681,一街\n".encode("utf-8-sig")
    bad = good + "A-2,乙公司,单位,不存在类别,22068,二街\nA-1,丙公司,单位,城市管理,220681,\n".encode()
    err = refused(random_checks.import_targets, agency.id, random_checks.parse_targets("t.csv", bad), actor=head)
    assert "第3行" in err.message and "第4行：编号重复" in err.message and "类别“不存在类别”" in err.message
    assert db.session.query(InspectionTarget).count() == 0
    err = refused(random_checks.parse_targets, "t.txt", good)
    assert ".xlsx 或 .csv" in err.message
    err = refused(random_checks.import_targets, agency.id, random_checks.parse_targets("t.csv", good),
                  actor=officers[0].user)
    assert err.status == 403
    assert random_checks.import_targets(agency.id, random_checks.parse_targets("t.csv", good), actor=head) == \
        {"created": 1, "updated": 0}


def test_round_is_drawn_verifiably_with_a_conflict_redrawn(random_setup, client, tmp_path):
    officers, head, agency, item, pool = random_setup
    rnd = random_checks.draw_round(agency.id, {"item_id": item.id, "target_count": 2}, actor=head)
    db.session.commit()
    t_draw, i_draw = draws.get_draw(rnd.target_draw_id), draws.get_draw(rnd.inspector_draw_id)
    assert len(rnd.tasks) == 2 and len(t_draw.params["population"]) == 11 and i_draw.sample_size == 4
    assert all(len(t.inspector_ids) == 2 and len(set(t.inspector_ids)) == 2 for t in rnd.tasks)
    # A drawn inspector declares a conflict: redrawn with the reason kept, tasks re-assigned by the rule.
    first = rnd.tasks[0].inspector_ids[0]
    err = refused(random_checks.redraw_inspector, rnd, first, "", actor=head)
    assert "理由" in err.message
    new = random_checks.redraw_inspector(rnd, first, "与检查对象法定代表人系近亲属", actor=head)
    db.session.commit()
    assert new not in (first,) and rnd.tasks[0].inspector_ids[0] == new
    assert i_draw.exclusions[0]["reason"] == "与检查对象法定代表人系近亲属"
    # Anyone recomputes both draws from the public bundles and the assignment from the published rule.
    key = draws.checkpoint_key(ledger.get_checkpoint(t_draw.checkpoint_size))
    targets = algo.verify_bundle(json.loads(client.get(f"/public/draws/{t_draw.id}/bundle.json").data), key)
    inspectors = algo.verify_bundle(json.loads(client.get(f"/public/draws/{i_draw.id}/bundle.json").data), key)
    assert targets["selected"] == [f"T-{t.target_id}" for t in rnd.tasks]
    sel = inspectors["selected"]
    assert [[int(sel[(2 * i + j) % len(sel)][2:]) for j in range(2)] for i in range(2)] == \
        [t.inspector_ids for t in rnd.tasks]
    assert random_checks.verify_round(rnd)["targets"] == targets["selected"]
    page = client.get(f"/public/random/rounds/{rnd.id}").get_data(as_text=True)
    assert 'id="round-verified"' in page and "李四" not in page
    from flask import current_app

    r = current_app.test_cli_runner().invoke(args=["inspections", "round-verify", str(rnd.id)])
    assert r.exit_code == 0 and "OK" in r.output


def test_round_needs_a_list_published_before_and_only_drawn_inspectors_inspect(random_setup, make_officer):
    officers, head, agency, item, pool = random_setup
    item.published_on = date.today()
    db.session.commit()
    err = refused(random_checks.draw_round, agency.id, {"item_id": item.id, "target_count": 2}, actor=head)
    assert "国办发〔2015〕58号" in err.message and "事前公开" in err.message
    item.published_on = date(2025, 1, 2)
    db.session.commit()
    err = refused(random_checks.draw_round, agency.id, {"item_id": item.id, "target_count": 99}, actor=head)
    assert "少于抽取数量" in err.message
    rnd = random_checks.draw_round(agency.id, {"item_id": item.id, "target_count": 2}, actor=head)
    db.session.commit()
    task = rnd.tasks[0]
    drawn = [o for o in pool if o.id in task.inspector_ids]
    others = [o for o in pool if o.id not in task.inspector_ids][:2]
    err = refused(checks.record_inspection, agency.id, inspection_data(others, kind="random", task_id=task.id),
                  actor=others[0].user)
    assert "随机选派" in err.message
    ins = checks.record_inspection(agency.id, inspection_data(drawn, kind="random", task_id=task.id,
                                                              target_name=task.target.name), actor=drawn[0].user)
    checks.conclude(ins, {"outcome": "no_problem", "no_recording_reason": "执法记录仪故障"}, actor=drawn[0].user)
    checks.publish_result(ins, actor=drawn[0].user)
    random_checks.refresh_completion(rnd)
    db.session.commit()
    assert rnd.completed_on is None  # one task still open
    err = refused(random_checks.redraw_inspector, rnd, drawn[0].id, "调岗", actor=head)
    assert "已实施" in err.message


def test_inspection_pages_record_conclude_and_publish(app, cases_agency, make_officer, head_of, client, login_as,
                                                       csrf_token):
    with app.app_context():
        officers = [make_officer(cases_agency), make_officer(cases_agency)]
        ids, user_id = [o.id for o in officers], officers[0].user.id
    login_as(client, user_id)
    token = csrf_token(client, "/inspections/new")
    start = (NOW - timedelta(hours=3)).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M")
    end = (NOW - timedelta(hours=2)).astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m-%dT%H:%M")
    form = {"csrf_token": token, "kind": "adhoc", "basis": "投诉举报", "target_name": "临江市某某饭店",
            "target_kind": "org", "place": "新市街1号", "started_at": start, "ended_at": end,
            "officer_ids": [str(ids[0])], "shown_ids": [str(i) for i in ids], "findings": "后厨卫生良好"}
    resp = client.post("/inspections/new", data=form)
    assert resp.status_code == 409 and "行政处罚法第四十二条" in resp.get_data(as_text=True)
    resp = client.post("/inspections/new", data={**form, "officer_ids": [str(i) for i in ids]})
    assert resp.status_code == 302
    iid = int(resp.headers["Location"].rsplit("/", 1)[-1])
    resp = client.post(f"/inspections/{iid}/conclude", data={"csrf_token": token, "outcome": "no_problem"},
                       follow_redirects=True)
    assert "国办发〔2018〕118号" in resp.get_data(as_text=True) and "检查中" in resp.get_data(as_text=True)
    client.post(f"/inspections/{iid}/conclude", data={"csrf_token": token, "outcome": "no_problem",
                                                      "no_recording_reason": "执法记录仪故障，已书面说明"})
    client.post(f"/inspections/{iid}/publish", data={"csrf_token": token})
    page = client.get(f"/inspections/{iid}").get_data(as_text=True)
    assert "未发现问题" in page and "已公示" in page
    assert "临江市某某饭店" in client.get("/public/inspections/results").get_data(as_text=True)
    assert f"/inspections/{iid}" in client.get("/inspections").get_data(as_text=True)
