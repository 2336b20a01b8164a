"""The public complaint form: no login, CSRF kept, rate-limited; the receipt carries the reference, the
one-time secret and the ledger entry; the status look-up shows the reply and never personal data."""
import re

from app.extensions import db
from tests.helpers import extract_csrf


def _form(tree, **kw):
    return {"agency_id": str(tree.a1), "subject": "执法人员未出示证件", "content": "在建国街检查摊位时未出示执法证件。",
            "complainant_name": "李明", "complainant_phone": "13904350001", **kw}


def _file(client, tree, **kw):
    token = extract_csrf(client.get("/public/complaints/new").get_data(as_text=True))
    return client.post("/public/complaints/new", data={**_form(tree, **kw), "csrf_token": token})


def test_file_then_read_the_reply(app, tree):
    from app.ledger.models import LedgerEntry
    from supervision.services import complaints
    from tests.supervision.conftest import user

    client = app.test_client()
    resp = _file(client, tree)
    assert resp.status_code == 201
    page = resp.get_data(as_text=True)
    reference = re.search(r"TS\d{4}-\d{6}", page).group(0)
    secret = re.search(r'<dd id="secret"><code>([^<]+)</code>', page).group(1)
    seq = int(re.search(r"第 (\d+) 条", page).group(1))
    assert resp.headers["Cache-Control"] == "no-store"
    with app.app_context():
        entry = db.session.get(LedgerEntry, seq)
        assert entry.subject.startswith("complaint:") and reference in entry.body
        assert "李明" not in entry.body and "13904350001" not in entry.body
        assert entry.entry_hash in page
        c = complaints.lookup(reference, secret)
        complaints.accept(c, actor=user(tree.sk1))
        complaints.assign(c, user(tree.sk1), actor=user(tree.sk1))
        complaints.reply(c, text_="经核查属实，已责令该局对相关执法人员批评教育。", outcome="upheld", actor=user(tree.sk1))
        db.session.commit()

    later = app.test_client()
    token = extract_csrf(later.get("/public/complaints/status").get_data(as_text=True))
    status = later.post("/public/complaints/status", data={"reference": reference, "secret": secret,
                                                           "csrf_token": token})
    assert status.status_code == 200
    text = status.get_data(as_text=True)
    assert "已答复办结" in text and "已责令该局对相关执法人员批评教育" in text
    assert "李明" not in text and "13904350001" not in text
    wrong = later.post("/public/complaints/status", data={"reference": reference, "secret": "guess",
                                                          "csrf_token": token})
    assert wrong.status_code == 404 and "受理编号或查询码不正确" in wrong.get_data(as_text=True)


def test_csrf_is_kept(app, tree):
    resp = app.test_client().post("/public/complaints/new", data=_form(tree))
    assert resp.status_code == 400
    with app.app_context():
        from supervision.models.complaints import Complaint

        assert db.session.query(Complaint).count() == 0


def test_bad_input_keeps_the_form(app, tree):
    resp = _file(app.test_client(), tree, subject="")
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "请填写投诉事项" in page and "在建国街检查摊位时未出示执法证件" in page


def test_rate_limited(app, tree):
    client = app.test_client()
    codes = [_file(client, tree).status_code for _ in range(6)]
    assert codes[:5] == [201] * 5 and codes[5] == 429
    with app.app_context():
        from supervision.models.complaints import Complaint

        assert db.session.query(Complaint).count() == 5


def test_the_public_menu_leads_to_the_complaint_form_and_the_status_lookup(app):
    page = app.test_client().get("/public").get_data(as_text=True)
    nav = page[page.index("<nav"):page.index("</nav>")]
    assert 'href="/public/complaints/new"' in nav and "投诉举报" in nav
    assert 'href="/public/complaints/status"' in nav
