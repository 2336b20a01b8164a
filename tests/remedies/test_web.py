"""Remedies over HTTP: the JSON API and the HTML pages reach the same services (errors as JSON / pages)."""
from datetime import date

from app.extensions import db
from publicity.models import Publication
from tests.helpers import extract_csrf


def test_api_records_a_revoking_reconsideration_and_the_publication_comes_down(app, client, published, token):
    ids = published()
    head = token(ids["head"])
    url = f"/api/cases/{ids['case_id']}/remedies"
    resp = client.post(url, json={"kind": "reconsideration", "body": "临江市人民政府", "applied_on": "2025-10-20",
                                  "accepted_on": "2025-10-22", "notified_on": "2025-10-24"}, headers=head)
    assert resp.status_code == 201, resp.get_json()
    remedy = resp.get_json()
    assert remedy["answer_due"] == "2025-11-03" and remedy["outcome_label"] == "审理中"
    bad = client.post(f"/api/remedies/{remedy['id']}/outcome", json={"outcome": "win", "decided_on": "2025-12-01"},
                      headers=head)
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_input"
    ok = client.post(f"/api/remedies/{remedy['id']}/outcome", json={"outcome": "revoke", "decided_on": "2025-12-01"},
                     headers=head)
    assert ok.status_code == 200 and ok.get_json()["effects"]["publication"]["status"] == "withdrawn"
    with app.app_context():
        assert db.session.get(Publication, ids["pub_id"]).status == "withdrawn"
    rates = client.get(f"/api/remedies/rates?year={date.today().year}", headers=head).get_json()
    assert len(rates) == 1 and rates[0]["agency_id"] == ids["agency_id"]


def test_api_documents_are_stored_with_their_hash(app, client, published, token):
    ids = published()
    officer = token(ids["officer"])
    remedy = client.post(f"/api/cases/{ids['case_id']}/remedies", headers=officer, json={
        "kind": "lawsuit", "body": "临江市人民法院", "applied_on": "2025-10-15"}).get_json()
    pdf = "%PDF-1.4\n% 行政判决书\n".encode()
    import io

    resp = client.post(f"/api/remedies/{remedy['id']}/documents", headers=officer,
                       data={"title": "行政判决书", "file": (io.BytesIO(pdf), "judgement.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 201
    [doc] = resp.get_json()["documents"]
    import hashlib

    assert doc["sha256"] == hashlib.sha256(pdf).hexdigest()
    got = client.get(f"/api/remedies/{remedy['id']}/documents/{doc['id']}", headers=officer)
    assert got.status_code == 200 and got.data == pdf
    refused = client.post(f"/api/remedies/{remedy['id']}/documents", headers=officer,
                          data={"title": "x", "file": (io.BytesIO(b"MZ\x90\x00"), "virus.exe")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "PDF" in refused.get_json()["message"]


def test_pages_file_a_lawsuit_record_a_hearing_and_show_the_rates(app, client, published, login_as):
    ids = published()
    login_as(client, ids["officer"])
    page = client.get(f"/remedies/case/{ids['case_id']}")
    assert page.status_code == 200 and "登记复议或诉讼" in page.get_data(as_text=True)
    token = extract_csrf(page.get_data(as_text=True))
    resp = client.post(f"/remedies/case/{ids['case_id']}", data={
        "csrf_token": token, "kind": "lawsuit", "stage": "first", "body": "临江市人民法院",
        "case_number": "(2025)吉0681行初5号", "applied_on": "2025-10-15", "notified_on": "2025-10-20"})
    assert resp.status_code == 302
    detail_url = resp.headers["Location"]
    html = client.get(detail_url).get_data(as_text=True)
    assert "(2025)吉0681行初5号" in html and "2025-11-04" in html  # answer due: 10-20 + 15 days
    bad = client.post(detail_url + "/hearings", data={"csrf_token": token, "held_on": "2025-11-20",
                                                      "representatives": "李科长", "head_appeared": "false"})
    assert bad.status_code == 422 and "行政诉讼法第三条" in bad.get_data(as_text=True)
    ok = client.post(detail_url + "/hearings", data={"csrf_token": token, "held_on": "2025-11-20",
                                                     "representatives": "王局长、李科长", "head_appeared": "true",
                                                     "head_name": "王局长"})
    assert ok.status_code == 302
    rates = client.get("/remedies/rates?year=2025").get_data(as_text=True)
    assert "100.0%（1/1）" in rates  # the head appeared in the one hearing of 2025
    assert client.get("/remedies/rates?year=abc").status_code == 422


def test_annual_statistics_gain_reconsiderations_lawsuits_and_their_rates(app, client, published):
    """SPEC §3: the 统计年报 reports reconsiderations, lawsuits and their rates (xlsx read back, public page)."""
    import io

    from openpyxl import load_workbook

    from app.auth.models import User
    from cases.models import Case
    from publicity import reports
    from remedies import services

    ids = published()
    with app.app_context():
        case, head = db.session.get(Case, ids["case_id"]), db.session.get(User, ids["head"])
        for outcome in ("revoke", "mediation"):
            r = services.file_remedy(case, {"kind": "reconsideration", "body": "临江市人民政府",
                                            "applied_on": "2025-10-20"}, actor=head, today=date(2026, 3, 1))
            services.record_outcome(r, outcome=outcome, decided_on=date(2025, 12, 1), actor=head,
                                    today=date(2026, 3, 1))
        db.session.commit()
        wb = load_workbook(io.BytesIO(reports.render(2025, "xlsx")))
        cells = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(values_only=True) if row and row[0]}
        assert cells["行政复议审结（件）"] == 2 and cells["行政复议纠错（件）"] == 1
        assert cells["行政复议纠错率"] == "50.0%" and cells["行政诉讼败诉率"] == "—"
    html = client.get("/public/statistics?year=2025").get_data(as_text=True)
    assert "行政复议和行政诉讼：行政复议纠错率" in html and "50.0%" in html
    api = client.get("/public/api/statistics?year=2025").get_json()
    assert api["sections"][0][0] == "行政复议和行政诉讼"
