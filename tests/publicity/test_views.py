"""Wiring: public pages and API show only published decisions; the staff page and API refuse publication
while personal data remains (409, naming the pattern); permissions; the Atom feed; the annual report."""
import hashlib
import xml.etree.ElementTree as ET
from datetime import date

from app.extensions import db
from publicity.models import Publication


def _approve(app, ids, on=date(2025, 10, 9)):
    from app.auth.models import User
    from publicity import services

    with app.app_context():
        services.approve(db.session.get(Publication, ids["pub_id"]), actor=db.session.get(User, ids["head"]), on=on)
        db.session.commit()


def test_unpublished_decisions_are_not_public(app, client, decided):
    ids = decided("decided")
    for url in (f"/public/decisions/{ids['pub_id']}", f"/public/decisions/{ids['pub_id']}.pdf",
                f"/public/api/decisions/{ids['pub_id']}"):
        assert client.get(url).status_code == 404, url
    assert client.get("/public/api/decisions").get_json()["items"] == []
    assert "当事人占道经营案" not in client.get("/public/decisions").get_data(as_text=True)


def test_published_decision_page_api_pdf_and_feed(app, client, decided):
    ids = decided("decided")
    _approve(app, ids)
    page = client.get(f"/public/decisions/{ids['pub_id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "张*" in html and "张三" not in html
    assert "public" in page.headers["Cache-Control"] and "Set-Cookie" not in page.headers
    item = client.get(f"/public/api/decisions/{ids['pub_id']}").get_json()
    assert item["party"] == "张*" and item["penalty"] == "罚款人民币1,000.00元"
    assert not {"case_id", "edits", "search_text", "ground_note"} & set(item)
    # The 双公示 fields: decision number, party type, legal basis, penalty type, amount (万元), date, agency
    # and its credit code.
    assert item["party_kind_label"] == "自然人" and item["penalty_labels"] == ["罚款"]
    assert item["fine_amount_wan"] == "0.1" and len(item["agency_credit_code"]) == 18
    for label, value in (("行政处罚决定书文号", item["decision_number"]), ("当事人类型", "自然人"), ("处罚类别", "罚款"),
                         ("罚款金额（万元）", "0.1"), ("处罚机关统一社会信用代码", item["agency_credit_code"])):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html, label
    pdf = client.get(f"/public/decisions/{ids['pub_id']}.pdf")
    assert pdf.mimetype == "application/pdf" and hashlib.sha256(pdf.data).hexdigest() == item["pdf_sha256"]
    listing = client.get("/public/api/decisions?q=占道").get_json()
    search = client.get("/public/decisions?q=占道").get_data(as_text=True)
    assert "共找到 <b>1</b> 件决定" in search and "<mark>占道</mark>" in search
    assert "共找到 <b>0</b> 件决定" in client.get("/public/decisions?q=<b>x").get_data(as_text=True)
    assert "<b>x" not in client.get("/public/decisions?q=<b>x").get_data(as_text=True).split("共找到")[1]
    assert [i["id"] for i in listing["items"]] == [ids["pub_id"]]
    feed = client.get("/public/feeds/decisions.atom")
    assert feed.mimetype == "application/atom+xml"
    entries = ET.fromstring(feed.data).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 1 and "张三" not in feed.get_data(as_text=True)


def test_refusal_while_a_pattern_remains_html_and_api(app, client, decided, post_form, token):
    from app.auth.models import User
    from publicity import services

    ids = decided("decided")
    with app.app_context():
        pub = db.session.get(Publication, ids["pub_id"])
        services.save_edits(pub, actor=db.session.get(User, ids["officer"]),
                            fields={"party_text": "张三（身份证号码220681198506150072）"})
        db.session.commit()
    page = f"/publicity/{ids['pub_id']}"
    resp = post_form(client, ids["head"], page, f"/publicity/{ids['pub_id']}/approve")
    assert resp.status_code == 409 and "身份证号码" in resp.get_data(as_text=True)
    api = client.post(f"/api/publicity/publications/{ids['pub_id']}/approve", headers=token(ids["head"]))
    assert api.status_code == 409
    body = api.get_json()
    assert body["error"] == "personal_data_remains" and body["details"]["patterns"][0]["kind"] == "id_number"
    assert "220681198506150072" not in api.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Publication, ids["pub_id"]).status == "draft"
    # Put the engine's text back, then the head can publish through the API.
    client.patch(f"/api/publicity/publications/{ids['pub_id']}", json={"fields": {"party_text": None}},
                 headers=token(ids["officer"]))
    ok = client.post(f"/api/publicity/publications/{ids['pub_id']}/approve", headers=token(ids["head"]))
    assert ok.status_code == 200 and ok.get_json()["status"] == "published"


def test_staff_pages_permissions(app, client, decided, login_as, make_agency, make_user, post_form, token):
    ids = decided("decided")
    stranger = make_user(roles=("officer", "head"), agency=make_agency())
    login_as(client, stranger)
    assert client.get(f"/publicity/{ids['pub_id']}").status_code == 404
    assert client.post(f"/api/publicity/publications/{ids['pub_id']}/approve",
                       headers=token(stranger)).status_code == 404
    officer = app.test_client().post(f"/api/publicity/publications/{ids['pub_id']}/approve",
                                     headers=token(ids["officer"]))
    assert officer.status_code == 403
    login_as(client, ids["officer"])
    detail = client.get(f"/publicity/{ids['pub_id']}").get_data(as_text=True)
    assert "提交负责人审批" in detail and "批准公开" not in detail and "<mark" in detail
    resp = post_form(client, ids["head"], f"/publicity/{ids['pub_id']}", f"/publicity/{ids['pub_id']}/decline",
                     {"ground": "", "note": "x"})
    assert resp.status_code == 422
    resp = post_form(client, ids["head"], f"/publicity/{ids['pub_id']}", f"/publicity/{ids['pub_id']}/decline",
                     {"ground": "related_case", "note": "关联案件正在侦办"})
    assert resp.status_code == 302
    anonymous = app.test_client()
    assert anonymous.get("/publicity/").status_code in (302, 401)


def test_withdrawn_decision_shows_only_its_reason(app, client, decided, token):
    ids = decided("decided")
    _approve(app, ids)
    resp = client.post(f"/api/publicity/publications/{ids['pub_id']}/withdraw", headers=token(ids["head"]),
                       json={"reason": "altered", "note": "经行政复议变更为警告", "event_on": "2025-10-20"})
    assert resp.status_code == 200 and resp.get_json()["withdrawal_due_on"] == "2025-10-23"
    html = client.get(f"/public/decisions/{ids['pub_id']}").get_data(as_text=True)
    assert "已撤下" in html and "经行政复议变更为警告" in html and "违法事实" not in html
    assert client.get(f"/public/decisions/{ids['pub_id']}.pdf").status_code == 404
    items = client.get("/public/api/withdrawals").get_json()["items"]
    assert [(i["reason"], i["note"]) for i in items] == [("altered", "经行政复议变更为警告")]


def test_before_action_pages_render(app, client, decided):
    decided("decided")
    for url in ("/public", "/public/agencies", "/public/powers", "/public/procedures", "/public/inspections",
                "/public/av-steps", "/public/major-decisions", "/public/statistics?year=2025", "/public/ledger",
                "/public/withdrawals", "/public/api", "/public/api/powers", "/public/api/statistics?year=2025"):
        assert client.get(url).status_code == 200, url
    assert "60日" in client.get("/public/procedures").get_data(as_text=True)
    assert "<svg" in client.get("/public/statistics?year=2025").get_data(as_text=True)
    assert "python -m app.ledger.verify" in client.get("/public/ledger").get_data(as_text=True)


def test_annual_report_is_published_once_with_its_hash_in_the_ledger(app, client, decided):
    from app.ledger.models import LedgerEntry
    from publicity.models import AnnualReport

    decided("decided")
    assert client.get("/public/reports/2025.xlsx").status_code == 404  # a download never publishes
    with app.app_context():
        from app.auth.services import create_user
        from publicity import services

        supervisor = create_user(username="sfj_report", password="correct-horse-42", full_name="监督员",
                                 roles=["supervisor"])
        services.publish_annual_report(2025, actor=supervisor)
        db.session.commit()
    first = client.get("/public/reports/2025.xlsx")
    assert first.status_code == 200 and first.data[:2] == b"PK"
    again = client.get("/public/reports/2025.xlsx")
    assert again.data == first.data
    pdf = client.get("/public/reports/2025.pdf")
    assert pdf.data.startswith(b"%PDF-")
    with app.app_context():
        report = db.session.query(AnnualReport).filter_by(year=2025, fmt="xlsx").one()
        assert report.sha256 == hashlib.sha256(first.data).hexdigest()
        assert db.session.get(LedgerEntry, report.ledger_seq).kind == "annual_report.published"
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(first.data))["总体情况"]
    assert sheet["B2"].value == 1  # one decision in 2025
    assert client.get(f"/public/reports/{date.today().year}.pdf").status_code == 404  # not yet due
