"""The case pages: list, search, the new-case form, the case page's buttons and refusals, steps, documents,
deadlines, the power list forms, and who may see or do what. Requests are sent without an app context
pushed (see tests/cases/conftest.py); data is built in `with app.app_context():` blocks.
"""
import re
from datetime import date

import pytest

from app.extensions import db
from cases.models import Case, CaseStatus, CaseStep, Matter
from tests.cases.conftest import T, org_party, person_party
from tests.helpers import extract_csrf


def _text(resp):
    return resp.get_data(as_text=True)


def _count(app, model):
    with app.app_context():
        return db.session.query(model).count()


def _status(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).status


def _officer_user_id(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).officers[0].officer.user_id


def _post(client, url, data, form_url):
    token = extract_csrf(_text(client.get(form_url)))
    return client.post(url, data={"csrf_token": token, **data})


def _action_form(html, action):
    """The <form> of one action button on the case page."""
    m = re.search(r'<form[^>]*action="[^"]*/actions/%s"[^>]*>(.*?)</form>' % action, html, re.S)
    return m.group(0) if m else None


# --- list, search, filters -----------------------------------------------------------------------------------

def test_list_search_and_filters(app, client, login_as, make_case, case_at, make_agency, make_officer):
    with app.app_context():
        a = make_case(title="张某占道经营案", parties=[person_party("张建国")])
        agency_id = a.agency_id
        officer_ids = [co.officer_id for co in a.officers]
        from app.auth.models import Agency

        agency = db.session.get(Agency, agency_id)
        officers = [co.officer for co in a.officers]
        b = make_case(agency, officers=officers, title="户外广告设置案",
                      parties=[org_party("临江市鑫达广告有限公司")])
        b_id, a_id = b.id, a.id
        from cases import services

        services.apply_action(b, "submit_filing", actor=officers[0].user, on=T.created)
        db.session.commit()
        user_id = officers[0].user_id
        other = make_agency(name="临江市另一执法局")
        hidden = make_case(other, title="张某违法建设案")
        hidden_id = hidden.id
    login_as(client, user_id)

    resp = client.get("/cases")
    assert resp.status_code == 200
    html = _text(resp)
    assert "张某占道经营案" in html and "户外广告设置案" in html
    assert "张某违法建设案" not in html  # another agency's case is not listed
    assert f"/cases/{hidden_id}" not in html

    html = _text(client.get("/cases", query_string={"q": "张"}))  # one Chinese character
    assert "张某占道经营案" in html and "户外广告设置案" not in html
    html = _text(client.get("/cases", query_string={"q": "鑫达"}))  # a party's name
    assert "户外广告设置案" in html and "张某占道经营案" not in html

    html = _text(client.get("/cases", query_string={"status": "pending_filing"}))
    assert "户外广告设置案" in html and "张某占道经营案" not in html
    html = _text(client.get("/cases", query_string={"procedure": "summary"}))
    assert "没有符合条件的案件" in html
    html = _text(client.get("/cases", query_string={"officer_id": officer_ids[0]}))
    assert "户外广告设置案" in html and "张某占道经营案" in html
    html = _text(client.get("/cases", query_string={"overdue": "1"}))
    assert "没有符合条件的案件" in html
    assert f"/cases/{a_id}" in _text(client.get("/cases", query_string={"q": "占道"}))
    assert f"/cases/{b_id}" not in _text(client.get("/cases", query_string={"q": "占道"}))


def test_list_paginates(app, client, login_as, make_case):
    with app.app_context():
        first = make_case(title="第1号占道案")
        officers = [co.officer for co in first.officers]
        for i in range(2, 23):
            make_case(first.agency_id, matter=first.matter_version, officers=officers, title=f"第{i}号占道案")
        user_id = officers[0].user_id
    login_as(client, user_id)
    page1 = _text(client.get("/cases"))
    assert "共 22 件" in page1 and "第 1 / 2 页" in page1 and "第22号占道案" in page1
    page2 = _text(client.get("/cases", query_string={"page": 2}))
    assert "第1号占道案" in page2 and "第22号占道案" not in page2


# --- the new-case form ---------------------------------------------------------------------------------------

@pytest.fixture
def new_case_setup(app, cases_agency, make_officer, make_matter):
    with app.app_context():
        o1, o2 = make_officer(cases_agency, name="王强"), make_officer(cases_agency, name="刘洋")
        matter = make_matter(cases_agency, name="擅自占用城市道路")
        return {"user_id": o1.user_id, "officer_ids": [o1.id, o2.id], "version_id": matter.id}


def _new_case_data(setup, **party):
    from app.validators import make_id_number

    data = {"matter_version_id": setup["version_id"], "procedure": "ordinary", "title": "张某擅自占用城市道路案",
            "source": "inspection", "area_code": "220681", "violation_on": "2026-11-01", "place": "临江市建国大街",
            "summary": "巡查发现", "officer_ids": setup["officer_ids"], "party_kind": "person",
            "party_name": "张建国", "id_number": make_id_number(seq=7), "party_phone": "13904391234",
            "party_address": "临江市新市街3号"}
    data.update(party)
    return data


def test_new_case_form_creates_a_draft(app, client, login_as, new_case_setup):
    login_as(client, new_case_setup["user_id"])
    page = _text(client.get("/cases/new"))
    assert "擅自占用城市道路" in page and "王强" in page and "今日有效" in page
    resp = _post(client, "/cases/new", _new_case_data(new_case_setup), "/cases/new")
    assert resp.status_code == 302
    with app.app_context():
        case = db.session.query(Case).one()
        assert case.status == CaseStatus.draft.value and case.parties[0].name == "张建国"
        assert sorted(co.officer_id for co in case.officers) == sorted(new_case_setup["officer_ids"])


def test_new_case_bad_id_number_is_refused_beside_the_field(app, client, login_as, new_case_setup):
    login_as(client, new_case_setup["user_id"])
    good = _new_case_data(new_case_setup)["id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    resp = _post(client, "/cases/new", _new_case_data(new_case_setup, id_number=bad), "/cases/new")
    assert resp.status_code == 422
    html = _text(resp)
    # The reason sits right after the ID-number input.
    assert re.search(r'name="id_number"[^>]*>\s*</label>\s*<div class="field-error">身份证号码校验位错误', html)
    assert _count(app, Case) == 0


def test_new_case_bad_credit_code(app, client, login_as, new_case_setup):
    login_as(client, new_case_setup["user_id"])
    data = _new_case_data(new_case_setup, party_kind="org", party_name="临江市某某商贸有限公司",
                          credit_code="91220681MA0000000X", legal_representative="李四", id_number="")
    resp = _post(client, "/cases/new", data, "/cases/new")
    assert resp.status_code == 422
    assert re.search(r'name="credit_code"[^>]*>\s*</label>\s*<div class="field-error">统一社会信用代码', _text(resp))
    assert _count(app, Case) == 0


def test_new_case_is_for_officers_only(app, client, login_as, cases_agency, make_case_user):
    with app.app_context():
        head = make_case_user(cases_agency, roles=("head",)).id
    login_as(client, head)
    assert client.get("/cases/new").status_code == 403


# --- the case page ------------------------------------------------------------------------------------------

def test_disabled_button_lists_the_reasons(app, client, login_as, case_at):
    with app.app_context():
        case = case_at("investigating")  # no draft decision, steps complete
        case_id, user_id = case.id, case.officers[0].officer.user_id
    login_as(client, user_id)
    html = _text(client.get(f"/cases/{case_id}"))
    form = _action_form(html, "close_investigation")
    assert form is not None
    assert re.search(r"<button[^>]*disabled[^>]*>调查终结</button>", form)
    assert "处罚决定草案缺少“违法事实”" in form and "请选择裁量档次" in form


def test_guarded_action_is_refused_with_the_reason_and_nothing_changes(app, client, login_as, case_at):
    with app.app_context():
        case = case_at("investigating")
        case_id, user_id = case.id, case.officers[0].officer.user_id
        events = len(case.events)
    login_as(client, user_id)
    resp = _post(client, f"/cases/{case_id}/actions/close_investigation", {"note": ""}, f"/cases/{case_id}")
    assert resp.status_code == 409
    html = _text(resp)
    assert "未能调查终结" in html and "处罚决定草案缺少“违法事实”" in html
    assert _status(app, case_id) == "investigating"
    with app.app_context():
        assert len(db.session.get(Case, case_id).events) == events


def test_allowed_action_through_the_form(app, client, login_as, make_case, head_of):
    with app.app_context():
        case = make_case(violation_on=date(2026, 10, 1), on=date(2026, 10, 8))
        case_id, user_id = case.id, case.officers[0].officer.user_id
        head_id = head_of(case.agency_id).id
    login_as(client, user_id)
    html = _text(client.get(f"/cases/{case_id}"))
    assert re.search(r"<button[^>]*>提请立案</button>", _action_form(html, "submit_filing"))
    assert "disabled" not in _action_form(html, "submit_filing")
    resp = _post(client, f"/cases/{case_id}/actions/submit_filing", {"note": "事实清楚，提请立案"},
                 f"/cases/{case_id}")
    assert resp.status_code == 302
    assert _status(app, case_id) == "pending_filing"
    # The head approves: the case gets its number and a decision deadline, the 立案审批表 is issued.
    login_as(client, head_id)
    resp = _post(client, f"/cases/{case_id}/actions/approve_filing", {}, f"/cases/{case_id}")
    assert resp.status_code == 302
    html = _text(client.get(f"/cases/{case_id}"))
    assert "调查取证" in html and "立案审批表" in html and "作出处罚决定" in html
    with app.app_context():
        assert db.session.get(Case, case_id).number


def test_reason_is_required_to_reject(app, client, login_as, case_at, head_of):
    with app.app_context():
        case = case_at("pending_filing")
        case_id, head_id = case.id, head_of(case.agency_id).id
    login_as(client, head_id)
    resp = _post(client, f"/cases/{case_id}/actions/reject_filing", {"reason": ""}, f"/cases/{case_id}")
    assert resp.status_code == 409 and "请填写理由" in _text(resp)
    assert _status(app, case_id) == "pending_filing"


def test_draft_form_and_serve_notice(app, client, login_as, case_at):
    with app.app_context():
        case = case_at("investigating")
        case_id, user_id = case.id, case.officers[0].officer.user_id
    login_as(client, user_id)
    data = {"facts": "当事人在建国大街占道经营", "evidence": "现场检查笔录", "legal_basis": "《城市道路管理条例》第二十七条",
            "tier": "一般", "penalties": ["fine"], "fine": "1000", "discretion_reason": "初次违法"}
    resp = _post(client, f"/cases/{case_id}/draft", data, f"/cases/{case_id}")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).draft["fine"] == "1000.00"
    form = _action_form(_text(client.get(f"/cases/{case_id}")), "close_investigation")
    # The draft is complete now; only the decision deadline (2025-12-15 on the fixture's timeline) blocks.
    assert "处罚决定草案缺少" not in form and "已超过作出处罚决定的期限（2025-12-15）" in form
    resp = _post(client, f"/cases/{case_id}/actions/close_investigation", {}, f"/cases/{case_id}")
    assert resp.status_code == 409 and "已超过作出处罚决定的期限" in _text(resp)


def test_step_form_records_and_completion_needs_av(app, client, login_as, case_at, head_of):
    with app.app_context():
        case = case_at("investigating")
        case_id, user_id = case.id, case.officers[0].officer.user_id
        officer_ids = [co.officer_id for co in case.officers]
        head_id = head_of(case.agency_id).id
    login_as(client, user_id)
    url = f"/cases/{case_id}/steps/new"
    assert "已出示执法证件" in _text(client.get(url))
    data = {"kind": "inspection", "started_at": "2025-09-20T09:00", "ended_at": "2025-09-20T10:00",
            "place": "临江市建国大街18号", "target": "门店外人行道", "content": "现场检查发现占道堆放货物",
            "officer_ids": officer_ids, "shown_ids": officer_ids[:1], "signature": "signed"}
    resp = _post(client, url, data, url)  # one certificate not shown: refused
    assert resp.status_code == 409 and "未出示执法证件" in _text(resp)
    assert _count(app, CaseStep) == 0
    resp = _post(client, url, {**data, "shown_ids": officer_ids}, url)
    assert resp.status_code == 302
    with app.app_context():
        step = db.session.query(CaseStep).one()
        step_id = step.id
        assert step.needs_av
    html = _text(client.get(f"/cases/{case_id}"))
    assert "需音像记录" in html and "缺少音像记录" in html
    resp = _post(client, f"/cases/{case_id}/steps/{step_id}/complete", {}, f"/cases/{case_id}")
    assert resp.status_code == 409 and "须全程音像记录" in _text(resp)
    resp = _post(client, f"/cases/{case_id}/steps/{step_id}/justify", {"text": "执法记录仪电量耗尽"},
                 f"/cases/{case_id}")
    assert resp.status_code == 302
    login_as(client, head_id)
    assert "批准书面说明" in _text(client.get(f"/cases/{case_id}"))
    assert _post(client, f"/cases/{case_id}/steps/{step_id}/approve-av", {}, f"/cases/{case_id}").status_code == 302
    login_as(client, user_id)
    assert _post(client, f"/cases/{case_id}/steps/{step_id}/complete", {}, f"/cases/{case_id}").status_code == 302
    with app.app_context():
        assert db.session.get(CaseStep, step_id).completed_at is not None


def test_document_download(app, client, login_as, case_at, make_agency, make_officer):
    with app.app_context():
        case = case_at("investigating")
        case_id, user_id = case.id, case.officers[0].officer.user_id
        doc = case.documents[0]
        doc_id, size = doc.id, doc.size
        outsider = make_officer(make_agency(name="临江市外单位")).user_id
    login_as(client, user_id)
    html = _text(client.get(f"/cases/{case_id}"))
    assert f"/cases/{case_id}/documents/{doc_id}" in html
    resp = client.get(f"/cases/{case_id}/documents/{doc_id}")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data.startswith(b"%PDF-") and len(resp.data) == size
    assert "attachment" in resp.headers["Content-Disposition"] and "UTF-8''" in resp.headers["Content-Disposition"]
    login_as(client, outsider)
    assert client.get(f"/cases/{case_id}/documents/{doc_id}").status_code == 404


def test_action_form_collects_what_the_action_needs(app, client, login_as, case_at):
    with app.app_context():
        case = case_at("decided")  # decided 2025-09-30 on the fixture's timeline: service is now late
        case_id, user_id = case.id, case.officers[0].officer.user_id
    login_as(client, user_id)
    form = _action_form(_text(client.get(f"/cases/{case_id}")), "serve_decision")
    assert 'name="method"' in form and 'name="served_on"' in form and 'name="late_reason"' in form
    resp = _post(client, f"/cases/{case_id}/actions/serve_decision", {"method": ""}, f"/cases/{case_id}")
    assert resp.status_code == 409
    html = _text(resp)
    assert "请选择送达方式" in html and "逾期送达须说明理由" in html
    assert _status(app, case_id) == "decided"
    assert _post(client, f"/cases/{case_id}/actions/record_execution", {"paid_amount": "很多"},
                 f"/cases/{case_id}").status_code == 422
    assert _post(client, f"/cases/{case_id}/actions/fly", {}, f"/cases/{case_id}").status_code == 404
    resp = _post(client, f"/cases/{case_id}/actions/serve_decision",
                 {"method": "direct", "served_on": "2025-10-20", "late_reason": "当事人外出务工，多次联系未果"},
                 f"/cases/{case_id}")
    assert resp.status_code == 302
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "served" and case.served_on == date(2025, 10, 20) and case.service_method == "direct"


# --- who may see and act ------------------------------------------------------------------------------------

def test_officer_of_another_agency_gets_404(app, client, login_as, case_at, make_agency, make_officer):
    with app.app_context():
        case = case_at("investigating")
        case_id = case.id
        outsider = make_officer(make_agency(name="临江市外单位")).user_id
    login_as(client, outsider)
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert client.get(f"/cases/{case_id}/steps/new").status_code == 404
    resp = _post(client, f"/cases/{case_id}/actions/terminate", {"reason": "x"}, "/cases")
    assert resp.status_code == 404
    assert _status(app, case_id) == "investigating"


def test_supervisor_sees_but_cannot_act(app, client, login_as, case_at, make_case_user):
    with app.app_context():
        case = case_at("pending_filing")
        case_id = case.id
        supervisor = make_case_user(None, roles=("supervisor",)).id
    login_as(client, supervisor)
    assert case_id and "当事人占道经营案" in _text(client.get("/cases"))
    html = _text(client.get(f"/cases/{case_id}"))
    assert "待批准立案" in html and "当前没有您可以执行的办理操作" in html
    assert _action_form(html, "approve_filing") is None
    resp = _post(client, f"/cases/{case_id}/actions/approve_filing", {}, "/cases")
    assert resp.status_code == 403
    assert _status(app, case_id) == "pending_filing"
    assert client.get("/deadlines").status_code == 200


def test_missing_csrf_token_is_refused(app, client, login_as, make_case):
    with app.app_context():
        case = make_case(violation_on=date(2026, 10, 1), on=date(2026, 10, 8))
        case_id, user_id = case.id, case.officers[0].officer.user_id
    login_as(client, user_id)
    resp = client.post(f"/cases/{case_id}/actions/submit_filing", data={"note": "x"})
    assert resp.status_code == 400 and "CSRF" in _text(resp)
    assert _status(app, case_id) == "draft"


def test_anonymous_is_sent_to_login(client):
    assert client.get("/cases").status_code == 401


# --- deadlines and the home panel ---------------------------------------------------------------------------

def test_deadlines_page_and_home_panel(app, client, login_as, case_at, head_of):
    with app.app_context():
        case = case_at("investigating")  # filed 2025-09-16: the decision deadline 2025-12-15 has passed
        case_id, user_id = case.id, case.officers[0].officer.user_id
        pending_id = case_at("pending_filing", title="待批准的案件").id
        head_id = head_of(case.agency_id).id
    login_as(client, user_id)
    html = _text(client.get("/deadlines"))
    assert "已超期" in html and "作出处罚决定" in html and f"/cases/{case_id}" in html and "超期" in html
    home = _text(client.get("/"))
    assert "办案期限与待办" in home and "2025-12-15" in home
    login_as(client, head_id)
    home = _text(client.get("/"))
    assert "待机关负责人办理" in home and f"/cases/{pending_id}" in home


def test_an_ended_defence_window_is_not_overdue(app, client, login_as, case_at):
    """The party's defence window belongs to the party: when it ends the agency may decide, nothing is late."""
    with app.app_context():
        case = case_at("notified")  # notice served in 2025: the 5-working-day window ended long ago
        case_id, user_id = case.id, case.officers[0].officer.user_id
        windows = [d for d in case.deadlines if d.kind == "defence"]
        assert windows and windows[0].met_on is None
    login_as(client, user_id)
    page = _text(client.get(f"/cases/{case_id}"))
    row = page[page.index("陈述申辩期限"):]
    row = row[:row.index("</tr>")]
    assert "已届满" in row and "超期" not in row
    assert "陈述申辩期限" not in _text(client.get("/deadlines"))


def test_head_extends_the_decision_deadline(app, client, login_as, make_case, head_of):
    from datetime import timedelta

    from app.timeutil import today_china
    from cases import services

    today = today_china()
    with app.app_context():
        case = make_case(on=today, violation_on=today - timedelta(days=30))
        head = head_of(case.agency_id)
        services.apply_action(case, "submit_filing", actor=case.officers[0].officer.user, on=today)
        services.apply_action(case, "approve_filing", actor=head, on=today)
        db.session.commit()
        case_id, head_id = case.id, head.id
    login_as(client, head_id)
    resp = _post(client, f"/cases/{case_id}/extend", {"days": "45", "reason": "案情复杂"}, f"/cases/{case_id}")
    assert resp.status_code == 422 and "累计不得超过30日" in _text(resp)
    resp = _post(client, f"/cases/{case_id}/extend", {"days": "30", "reason": "案情复杂"}, f"/cases/{case_id}")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).decision_due == today + timedelta(days=120)


def test_an_extension_after_the_period_ran_out_is_refused_on_the_page(app, client, login_as, case_at, head_of):
    with app.app_context():
        case = case_at("investigating")  # the 90 days ran out on 2025-12-15
        case_id, head_id = case.id, head_of(case.agency_id).id
    login_as(client, head_id)
    resp = _post(client, f"/cases/{case_id}/extend", {"days": "30", "reason": "案情复杂"}, f"/cases/{case_id}")
    assert resp.status_code == 409 and "延长办案期限须在期限届满前" in _text(resp)
    with app.app_context():
        assert db.session.get(Case, case_id).decision_due == date(2025, 12, 15)


def test_a_future_service_date_is_refused_on_the_page(app, client, login_as, case_at):
    from datetime import timedelta

    from app.timeutil import today_china

    with app.app_context():
        case = case_at("decided")
        case_id, user_id = case.id, case.officers[0].officer.user_id
    login_as(client, user_id)
    tomorrow = (today_china() + timedelta(days=1)).isoformat()
    resp = _post(client, f"/cases/{case_id}/actions/serve_decision",
                 {"method": "direct", "served_on": tomorrow, "late_reason": "当事人外出"}, f"/cases/{case_id}")
    assert resp.status_code == 422 and "晚于今天" in _text(resp) and "国办发〔2018〕118号" in _text(resp)
    assert _status(app, case_id) == "decided"


def test_on_the_spot_filing_and_correction_check_on_the_page(app, client, login_as, case_at, head_of):
    with app.app_context():
        spot = case_at("served", procedure="summary")
        spot_id, head_id = spot.id, head_of(spot.agency_id).id
        case = case_at("served")
        case_id, user_id = case.id, case.officers[0].officer.user_id
    login_as(client, head_id)
    assert "登记备案" in _text(client.get(f"/cases/{spot_id}"))
    resp = _post(client, f"/cases/{spot_id}/on-spot-filing", {}, f"/cases/{spot_id}")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Case, spot_id).summary_filed_on is not None
    login_as(client, user_id)
    resp = _post(client, f"/cases/{case_id}/correction-check",
                 {"checked_on": "2025-09-29", "corrected": "yes", "result": "已清理"}, f"/cases/{case_id}")
    assert resp.status_code == 422 and "复查日期不能早于决定日期" in _text(resp)
    resp = _post(client, f"/cases/{case_id}/correction-check",
                 {"checked_on": "2025-10-09", "corrected": "no", "result": "摊位仍在"}, f"/cases/{case_id}")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(Case, case_id).correction_result == "未改正：摊位仍在"


# --- the power list -----------------------------------------------------------------------------------------

def test_power_list_create_and_publish(app, client, login_as, cases_agency, make_case_user, make_officer):
    with app.app_context():
        head = make_case_user(cases_agency, roles=("head",)).id
        officer = make_officer(cases_agency).user_id
    login_as(client, head)
    data = {"agency_id": cases_agency.id, "code": "CG-101", "name": "未按规定设置户外广告", "category": "城市管理",
            "legal_basis": "《城市市容和环境卫生管理条例》第十一条", "penalty_basis": "《城市市容和环境卫生管理条例》第三十四条",
            "tiers": "轻微:0-0;一般:500-2000;较重：2000-5000", "procedures": ["ordinary", "summary"],
            "av_steps": ["inquiry"], "major_fine": "50000", "major_penalties": ["revoke_licence"]}
    resp = _post(client, "/matters/new", {**data, "tiers": "一般 500到2000"}, "/matters/new")
    assert resp.status_code == 422 and "名称:最低-最高" in _text(resp)
    resp = _post(client, "/matters/new", data, "/matters/new")
    assert resp.status_code == 302
    with app.app_context():
        matter = db.session.query(Matter).one()
        version = matter.versions[0]
        version_id, matter_id = version.id, matter.id
        assert version.tiers[2] == {"name": "较重", "min": 2000, "max": 5000}
        assert version.major_criteria == {"fine_at_least": 50000, "penalties": ["revoke_licence"]}
    html = _text(client.get("/matters"))
    assert "未按规定设置户外广告" in html and "第1版未公开" in html
    from datetime import timedelta

    from app.timeutil import today_china

    yesterday, today = (today_china() - timedelta(days=1)).isoformat(), today_china().isoformat()
    resp = _post(client, f"/matters/versions/{version_id}/publish", {"published_on": yesterday}, "/matters")
    assert resp.status_code == 422 and "公开日期不能早于今天" in _text(resp)  # the gate trusts this date
    resp = _post(client, f"/matters/versions/{version_id}/publish", {"published_on": today}, "/matters")
    assert resp.status_code == 302
    assert f"{today}公开" in _text(client.get("/matters"))
    resp = _post(client, f"/matters/{matter_id}/revise", {**data, "name": "擅自设置户外广告"},
                 f"/matters/{matter_id}/revise")
    assert resp.status_code == 302
    with app.app_context():
        matter = db.session.get(Matter, matter_id)
        assert [v.version for v in matter.versions] == [1, 2] and matter.current.name == "未按规定设置户外广告"
    # Officers read the list but may not change it.
    login_as(client, officer)
    assert "擅自设置户外广告" in _text(client.get("/matters"))
    assert client.get("/matters/new").status_code == 403
    assert _post(client, f"/matters/{matter_id}/revise", data, "/matters").status_code == 404


def test_navigation_links(app, client, login_as, cases_agency, make_officer, make_case_user):
    with app.app_context():
        officer = make_officer(cases_agency).user_id
        reviewer = make_case_user(cases_agency, roles=("reviewer",)).id
    login_as(client, officer)
    home = _text(client.get("/"))
    assert 'href="/cases"' in home and 'href="/matters"' in home and 'href="/deadlines"' in home
    login_as(client, reviewer)
    home = _text(client.get("/"))
    assert 'href="/cases"' in home and 'href="/deadlines"' not in home
