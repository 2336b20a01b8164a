"""Supervision pages: the overview with 超期预警 and the per-agency board, the offices, entering a letter
through the form and acting on it."""
import re
from datetime import date

from app.extensions import db
from tests.helpers import extract_csrf
from tests.supervision.conftest import user


def test_overview_and_board(app, tree, login_as):
    from supervision.services import complaints

    with app.app_context():
        complaints.submit({"agency_id": tree.a1, "subject": "久拖不办", "content": "x"}, channel="letter",
                          actor=user(tree.sk1), on=date(2026, 9, 30))
        db.session.commit()
    page = login_as(app.test_client(), tree.sk1).get("/supervision/").get_data(as_text=True)
    assert "临江市司法局" in page and "已超期" in page
    board = page[page.index('id="board"'):]
    assert "临江市城市管理行政执法局" in board and "浑江区城市管理行政执法局" not in board
    sibling = login_as(app.test_client(), tree.sk2).get("/supervision/").get_data(as_text=True)
    assert "已超期" not in sibling


def test_enter_a_letter_and_accept_it(app, tree, login_as):
    client = login_as(app.test_client(), tree.sk1)
    token = extract_csrf(client.get("/supervision/complaints/new").get_data(as_text=True))
    resp = client.post("/supervision/complaints/new", data={
        "csrf_token": token, "channel": "letter", "received_on": "2026-11-02", "agency_id": tree.a1,
        "subject": "暴力执法", "content": "执法人员推搡摊主。", "complainant_name": "张华"})
    assert resp.status_code == 302
    cid = int(re.search(r"/complaints/(\d+)", resp.headers["Location"]).group(1))
    page = client.get(f"/supervision/complaints/{cid}").get_data(as_text=True)
    assert "张华" in page and "受理意见" in page
    client.post(f"/supervision/complaints/{cid}/accept", data={"csrf_token": token, "note": "受理"})
    assert "已受理，待交办" in client.get(f"/supervision/complaints/{cid}").get_data(as_text=True)


def test_offices_page(app, tree, login_as):
    page = login_as(app.test_client(), tree.sp).get("/supervision/offices").get_data(as_text=True)
    assert all(n in page for n in ("吉林省司法厅", "白山市司法局", "临江市司法局", "浑江区司法局", "设立机构"))
    county = login_as(app.test_client(), tree.sk1).get("/supervision/offices").get_data(as_text=True)
    assert "临江市司法局" in county and "浑江区司法局" not in county and "设立机构" not in county


def test_officers_cannot_open_supervision(app, tree, make_officer, login_as):
    officer = make_officer(tree.a1)
    assert login_as(app.test_client(), officer.user_id).get("/supervision/").status_code == 403


def test_dashboard_figures_and_chart(app, tree, login_as):
    from app.auth.models import Agency
    from supervision import dashboard
    from supervision.services import rectification

    with app.app_context():
        rectification.issue(agency=db.session.get(Agency, tree.a1), findings=["文书不规范"], on=date(2026, 9, 21),
                            actor=user(tree.sk1))
        db.session.commit()
        rows = {r.agency.id: r.figures for r in dashboard.board(user(tree.sc), date(2026, 11, 10))}
        assert rows[tree.a1]["overdue_rectifications"] == 1 and rows[tree.a1]["open_rectifications"] == 1
        assert rows[tree.a2]["overdue_rectifications"] == 0
        assert dashboard.board(user(tree.sk2), date(2026, 11, 10))[0].agency.id == tree.a2
    page = login_as(app.test_client(), tree.sc).get("/supervision/").get_data(as_text=True)
    assert "<svg" in page and "整改超期" in page and "临江市城市管理行政执法局" in page
