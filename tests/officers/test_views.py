"""Wiring of the supervisor pages, the home-page KPI panel, the CLI check, and the demo."""
import re
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.officers import rules
from app.officers.models import Certificate, Officer
from app.timeutil import today_china


def test_list_search_and_detail(client, world, login_as, make_officer):
    make_officer(world.agency_a, name="王强")
    make_officer(world.agency_a, name="孙浩", employment="auxiliary", cert=False)
    login_as(client, world.supervisor)
    html = client.get("/officers/").get_data(as_text=True)
    assert "王强" in html and "孙浩" in html and "辅助人员不得从事执法活动（用工性质：辅助）" in html
    html = client.get("/officers/", query_string={"status": "failing"}).get_data(as_text=True)
    assert "孙浩" in html and "王强" not in html
    html = client.get("/officers/", query_string={"q": "王"}).get_data(as_text=True)
    assert "王强" in html and "孙浩" not in html


def test_issue_and_lifecycle_through_forms(app, client, world, login_as, csrf_token, make_officer):
    officer_id, _ = make_officer(world.agency_a, name="刘洋", cert=False)
    login_as(client, world.supervisor)
    token = csrf_token(client, f"/officers/{officer_id}/certificates/new")
    today = today_china()
    resp = client.post(f"/officers/{officer_id}/certificates/new", data={
        "csrf_token": token, "number": "220681100777", "kind": "jilin", "categories": "城市管理、住建",
        "area_code": "临江市", "issued_on": today.isoformat(),
        "expires_on": (today + timedelta(days=1000)).isoformat(), "issuer": "吉林省人民政府"})
    assert resp.status_code == 302
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.number == "220681100777"))
        assert cert.categories == ["城市管理", "住建"] and cert.area_code == "220681"
        cert_id = cert.id
    # A suspension without a reason is refused with the reason on the page, not a 500.
    resp = client.post(f"/officers/certificates/{cert_id}/suspend",
                       data={"csrf_token": token, "on": today.isoformat(), "reason": ""})
    assert resp.status_code == 422 and "请填写原因" in resp.get_data(as_text=True)
    resp = client.post(f"/officers/certificates/{cert_id}/suspend", data={
        "csrf_token": token, "on": today.isoformat(), "until": (today + timedelta(days=5)).isoformat(),
        "reason": "未出示证件"}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已暂扣" in html and "未出示证件" in html
    assert f"证件已暂扣（至{(today + timedelta(days=5)).isoformat()}）" in html


def test_forms_need_csrf(client, world, login_as, make_officer):
    _, cert_id = make_officer(world.agency_a)
    login_as(client, world.supervisor)
    resp = client.post(f"/officers/certificates/{cert_id}/suspend", data={"on": "2026-01-01", "reason": "x"})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)


def test_auxiliary_issue_form_is_refused_with_spec_reason(client, world, login_as, csrf_token, make_officer):
    officer_id, _ = make_officer(world.agency_a, name="孙浩", employment="auxiliary", cert=False)
    login_as(client, world.supervisor)
    page = client.get(f"/officers/{officer_id}/certificates/new").get_data(as_text=True)
    assert "今日不予发证" in page
    today = today_china().isoformat()
    resp = client.post(f"/officers/{officer_id}/certificates/new", data={
        "csrf_token": csrf_token(client, "/"), "number": "X1", "kind": "jilin", "categories": "城市管理",
        "area_code": "220681", "issued_on": today, "expires_on": "2099-01-01"})
    assert resp.status_code == 422 and "不得申领行政执法证件" in resp.get_data(as_text=True)


def test_create_officer_form(app, client, world, login_as, csrf_token):
    login_as(client, world.supervisor)
    token = csrf_token(client, "/officers/new")
    resp = client.post("/officers/new", data={"csrf_token": token, "name": "韩雪", "agency_id": world.agency_a,
                                              "employment_type": "established", "username": "cg_wangqiang"})
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Officer)).user.username == "cg_wangqiang"
    resp = client.post("/officers/new", data={"csrf_token": token, "name": "X", "agency_id": world.agency_a,
                                              "employment_type": "established", "id_number": "123"})
    assert resp.status_code == 422 and "身份证号码" in resp.get_data(as_text=True)


def test_card_page_has_qr_and_verify_url(client, world, login_as, make_officer, app):
    _, cert_id = make_officer(world.agency_a)
    login_as(client, world.supervisor)
    html = client.get(f"/officers/certificates/{cert_id}/card").get_data(as_text=True)
    with app.app_context():
        token = db.session.get(Certificate, cert_id).public_token
    assert "<svg" in html and f"/verify/{token}" in html


def test_home_panel_kpi_for_supervisor_and_head(client, world, login_as, make_officer):
    make_officer(world.agency_a, name="王强")
    login_as(client, world.supervisor)
    html = client.get("/").get_data(as_text=True)
    assert "执法人员持证与法制审核人员配备" in html
    assert "临江市城市管理行政执法局" in html and "临江市市场监督管理局" in html
    assert "不足（至少需1名）" in html
    login_as(client, world.head_b)
    html = client.get("/").get_data(as_text=True)
    assert "临江市市场监督管理局" in html and "临江市城市管理行政执法局" not in html
    login_as(client, world.officer_a)
    assert "执法人员持证与法制审核人员配备" not in client.get("/").get_data(as_text=True)


def test_cli_check(app, world, make_officer):
    _, cert_id = make_officer(world.agency_a, number="220681100123")
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["officers", "check", "220681100123", "--category", "城市管理", "--area", "临江市"])
    assert ok.exit_code == 0 and "符合执法资格" in ok.output
    bad = runner.invoke(args=["officers", "check", "220681100123", "--category", "市场监管", "--area", "220621",
                              "--on", (today_china() + timedelta(days=5000)).isoformat()])
    assert bad.exit_code == 1
    assert "证件已过期" in bad.output and "证件执法类别不含“市场监管”" in bad.output and "抚松县" in bad.output


def test_demo_has_every_certificate_state(app):
    # Only the loaders this feature depends on (accounts, then officers): `flask demo load` runs all features.
    from app.officers.demo import load_officers
    from app.web.demo import load_accounts

    with app.app_context():
        ctx = {}
        load_accounts(ctx)
        load_officers(ctx)
        db.session.commit()
        assert len(ctx["officers"]) >= 20
        officers = {o.name: o for o in db.session.scalars(select(Officer))}
        assert len(officers) >= 20
        today = today_china()

        def codes(name, **kw):
            return [f.code for f in rules.check(officers[name], today, **kw)]

        assert codes("王强", category="城市管理", area="220681") == []
        assert codes("刘洋") == [] and officers["刘洋"].certificates[0].expires_on.month == today.month
        assert codes("李娜") == ["expired"]
        assert codes("张伟") == ["inspection_missing"]
        assert codes("吴昊") == ["suspended"]
        assert codes("黄磊") == ["revoked"]
        assert codes("林涛") == ["cancelled"]
        assert codes("周立", category="城市管理") == ["category_missing"]
        assert codes("高峰", area="220681") == ["area_missing"]
        assert codes("孙浩") == ["not_established", "no_certificate"]
        assert codes("秦川") == [] and codes("杨帆", category="自然资源") == []
        assert officers["王强"].user.username == "cg_wangqiang"
        assert all(officers[n].qualification_number for n in ("赵敏", "郑琳", "何平", "唐丽"))
