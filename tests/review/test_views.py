"""HTML wiring: the submission page of a case, the queue with days left, the review page's forms from
taking to the opinion, the home panel and the nav item; the CLI; the demo."""
import re

from app.extensions import db
from tests.helpers import extract_csrf
from tests.review.conftest import officer_user


def _post(client, url, page_url, **data):
    token = extract_csrf(client.get(page_url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_submit_take_check_and_approve_through_the_pages(app, client, login_as, major_case, make_reviewer):
    with app.app_context():
        case = major_case("notified")
        case_id, officer_id = case.id, officer_user(case).id
        reviewer_id = make_reviewer(case.agency_id).id

    login_as(client, officer_id)
    page = client.get(f"/review/cases/{case_id}/submit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "重大执法决定" in html and "机关负责人认定为重大执法决定" in html
    resp = _post(client, f"/review/cases/{case_id}/submit", f"/review/cases/{case_id}/submit", notes="请审核")
    assert resp.status_code == 302
    sid = int(re.search(r"/review/(\d+)$", resp.headers["Location"]).group(1))

    client.get("/logout")
    login_as(client, reviewer_id)
    home = client.get("/").get_data(as_text=True)
    assert "法制审核" in home and "剩余5个工作日" in home
    queue = client.get("/review/").get_data(as_text=True)
    assert "剩余5个工作日" in queue and "（待领取）" in queue
    detail = f"/review/{sid}"
    resp = _post(client, f"/review/{sid}/take", detail)  # without the declaration
    assert resp.status_code == 302
    assert "须声明与本案无利害关系" in client.get(detail).get_data(as_text=True)
    _post(client, f"/review/{sid}/take", detail, declare_no_conflict="y")
    page = client.get(detail).get_data(as_text=True)
    assert "已领取审核" in page and "审核通过并出具意见书" in page
    from review.services import CHECKLIST

    for item in CHECKLIST:
        _post(client, f"/review/{sid}/checklist", detail, item=item, result="pass")
    resp = _post(client, f"/review/{sid}/approve", detail, opinion="同意作出处罚决定。")
    assert resp.status_code == 302
    page = client.get(detail).get_data(as_text=True)
    assert "审核通过，已出具法制审核意见书" in page and "法制审核意见书 临城管法审〔" in page
    pdf = client.get(f"/review/{sid}/opinion.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")


def test_nav_item_only_for_review_roles(app, client, login_as, make_agency, make_user):
    agency = make_agency()
    login_as(client, make_user(roles=("reviewer",), agency=agency))
    assert "法制审核" in client.get("/").get_data(as_text=True)
    client2 = app.test_client()
    login_as(client2, make_user(roles=("officer",), agency=agency))
    assert 'href="/review/"' not in client2.get("/").get_data(as_text=True)


def test_cli_submit_take_check_approve_and_major(app, major_case, make_reviewer, recent):
    from review.models import ReviewSubmission

    with app.app_context():
        case = major_case("notified")
        case_id, officer = case.id, officer_user(case).username
        reviewer = make_reviewer(case.agency_id).username
    runner = app.test_cli_runner()
    result = runner.invoke(args=["review", "major", str(case_id)])
    assert result.exit_code == 0 and "重大执法决定" in result.output and "有效的审核通过意见：无" in result.output
    result = runner.invoke(args=["review", "submit", str(case_id), "--as", reviewer])
    assert result.exit_code != 0 and "permission_denied" in result.output
    result = runner.invoke(args=["review", "submit", str(case_id), "--as", officer])
    assert result.exit_code == 0, result.output
    with app.app_context():
        sid = str(db.session.query(ReviewSubmission.id).filter_by(case_id=case_id).scalar())
    assert runner.invoke(args=["review", "take", sid, "--as", reviewer, "--no-conflict"]).exit_code == 0
    for item in ("agency", "officer_qualification", "powers", "facts_evidence", "legal_basis", "procedure",
                 "documents", "crime_transfer"):
        assert runner.invoke(args=["review", "check", sid, item, "pass", "--as", reviewer]).exit_code == 0
    result = runner.invoke(args=["review", "approve", sid, "--opinion", "同意", "--as", reviewer])
    assert result.exit_code == 0 and "审核通过" in result.output
    result = runner.invoke(args=["review", "major", str(case_id)])
    assert "有效的审核通过意见：第1次送审" in result.output
    result = runner.invoke(args=["review", "queue"])
    assert result.exit_code == 0


def test_demo_loads_catalogues_and_queues_the_major_case(app):
    # Only the loaders review depends on (accounts, officers, cases, review); `flask demo load` runs them all.
    from sqlalchemy import select

    from app.officers.demo import load_officers
    from app.web.demo import load_accounts
    from cases.demo import load_cases
    from review.demo import load_review
    from review.models import MajorCatalogue

    with app.app_context():
        ctx = {}
        for loader in (load_accounts, load_officers, load_cases, load_review):
            loader(ctx)
            db.session.flush()
        db.session.commit()
        catalogues = db.session.scalars(select(MajorCatalogue)).all()
        assert len(catalogues) == 4 and all(c.published_on for c in catalogues)
        waiting = ctx["review_submissions"]["major"]
        assert waiting.case_id == ctx["cases"]["major"].id
        assert (waiting.status, waiting.reviewer_id) == ("submitted", None)
        assert any("60000" in r for r in waiting.major_reasons)


def test_case_page_links_to_the_review_and_says_why_the_case_is_major(app, client, login_as, major_case):
    with app.app_context():
        case = major_case("notified")
        case_id, officer_id = case.id, officer_user(case).id
    login_as(client, officer_id)
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "重大执法决定：" in html and "机关负责人认定为重大执法决定" in html
    assert f'href="/review/cases/{case_id}/submit"' in html
    resp = _post(client, f"/review/cases/{case_id}/submit", f"/review/cases/{case_id}/submit", notes="请审核")
    assert resp.status_code == 302
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "最近一次送审：待审核" in html and f'href="/review/cases/{case_id}/submit"' not in html
    assert re.search(r'href="/review/\d+"', html)
