"""The product under real use, in a browser: an officer's case from filing to the review gate, the
reviewer's checklist, the decision issued, served and published redacted, and a member of the public
checking the decision, an officer's certificate and a ledger proof. Plus the refusal of an officer whose
certificate has expired.

Dates: what the journey names happens in the browser, today; what must lie in the past (a defence window
that has run out) is set up through the services with `on=` dates, on the review fixtures' recent timeline.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.timeutil import CHINA
from tests.cases.conftest import officer_user

pytestmark = pytest.mark.slow


def _case_id(page):
    m = re.search(r"/cases/(\d+)", page.url)
    assert m, page.url
    return int(m.group(1))


def _flash(page):
    return page.locator(".flash").all_inner_texts()


def test_officer_files_records_uploads_drafts_and_submits(app, journey, cases_agency, make_officer, make_matter,
                                                          head_of, media_files):
    """Journey 1: file a case with two certified officers, record an inspection, upload its video while the
    progress bar runs, draft the decision, submit it for legal review."""
    from cases.models import Case
    from recordings.models import Recording
    from review.models import ReviewSubmission

    with app.app_context():
        matter = make_matter(cases_agency, name="占道经营", av_steps=("inspection",))
        lead = make_officer(cases_agency, name="李明")
        second = make_officer(cases_agency, name="赵刚")
        lead_username, version_id = lead.user.username, matter.id
        head = head_of(cases_agency.id)
        head_username = head.username

    j = journey("1-officer-files-and-submits")
    page = j.page(lead_username)
    j.shot(page, "home")

    page.goto("/cases/new")
    expect(page.locator("h1")).to_have_text("登记案件")
    page.select_option("select[name=matter_version_id]", value=str(version_id))
    page.fill("input[name=title]", "张某擅自占用城市道路经营案")
    page.fill("input[name=violation_on]", (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%d"))
    page.fill("input[name=place]", "临江市建国街88号")
    page.fill("textarea[name=summary]", "巡查发现当事人在建国街占道摆摊经营。")
    for name in ("李明", "赵刚"):
        box = page.get_by_label(re.compile(name + "（证号"))
        expect(box).to_be_visible()
        box.check()
    page.fill("input[name=party_name]", "张三")
    from app.validators import make_id_number
    page.fill("input[name=id_number]", make_id_number(seq=7))
    page.fill("input[name=party_phone]", "13904351234")
    page.fill("input[name=party_address]", "吉林省临江市建国街1号")
    j.shot(page, "new-case-form")
    page.click("button:has-text('保存为登记中案件')")
    expect(page.locator(".flash").first).to_contain_text("已登记案件")
    case_id = _case_id(page)
    body = page.inner_text("body")
    assert "李明" in body and "赵刚" in body
    j.shot(page, "case-registered")

    page.click("button:has-text('提请立案')")
    expect(page.locator(".flash").first).to_contain_text("待批准立案")
    head_page = j.page(head_username)
    head_page.goto(f"/cases/{case_id}")
    head_page.click("button:has-text('批准立案')")
    expect(head_page.locator(".flash").first).to_contain_text("调查")
    j.shot(head_page, "head-approves-filing")

    # The inspection, recorded an hour ago (the camera's clip was made then too).
    page.goto(f"/cases/{case_id}/steps/new?kind=inspection")
    started = datetime.now(CHINA) - timedelta(hours=1)
    page.fill("input[name=started_at]", started.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=target]", "张三的流动摊位")
    page.fill("textarea[name=content]", "现场检查：当事人在建国街88号门前占用人行道摆放摊位3处，面积约6平方米。")
    j.shot(page, "inspection-form")
    page.click("form button[type=submit].primary")
    expect(page.locator(".flash").first).to_contain_text("已记录")
    j.shot(page, "inspection-recorded")
    page.get_by_role("link", name=re.compile("音像记录")).first.click()
    expect(page.locator("h1")).to_contain_text("现场检查")
    step_id = int(re.search(r"/steps/(\d+)/recordings", page.url).group(1))

    # Upload the camera's video, throttled so that the progress bar has something to show.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": 96 * 1024})
    page.set_input_files("input[name=file]", str(media_files.video))
    page.fill("input[name=device_id]", "DSJ-LJ-0012")
    j.shot(page, "upload-form")
    with page.expect_navigation(timeout=60000):  # the page reloads itself once the upload is registered
        page.click("#upload-form button[type=submit]")
        expect(page.locator("#upload-progress")).to_be_visible()
        page.wait_for_function("() => { const v = document.getElementById('upload-progress').value;"
                               " return v > 5 && v < 95; }", timeout=20000)
        assert "已上传" in page.inner_text("#upload-status")
        j.shot(page, "upload-progress")
        page.wait_for_function("() => document.getElementById('upload-status').textContent"
                               ".includes('上传完成，已校验并登记')", polling=50, timeout=60000)
        assert page.eval_on_selector("#upload-progress", "b => b.value") == 100
        j.shot(page, "upload-done")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("bodycam.mp4")
    with app.app_context():
        rec = db.session.scalar(db.select(Recording).where(Recording.case_id == case_id))
        assert rec is not None and rec.size == media_files.video.stat().st_size
    j.shot(page, "recording-listed")

    # The inspection is complete now that its recording is linked; the investigation ends.
    page.goto(f"/cases/{case_id}")
    page.locator(f"form[action$='/steps/{step_id}/complete'] button").click()
    expect(page.locator(".flash").first).to_contain_text("执法环节已完成")

    # The draft decision: a 60,000 yuan fine makes it a major decision that needs legal review.
    draft = page.locator("section#draft form")
    draft.locator("textarea[name=facts]").fill(
        "当事人张三于前日在临江市建国街88号门前占用人行道摆摊经营，面积约6平方米，经责令改正拒不改正。")
    draft.locator("textarea[name=evidence]").fill("现场检查笔录\n执法记录仪视频bodycam.mp4")
    draft.locator("textarea[name=legal_basis]").fill("《城市市容和环境卫生管理条例》第三十六条")
    draft.locator("select[name=tier]").select_option("严重")
    draft.locator("input[name=penalties][value=fine]").check()
    draft.locator("input[name=fine]").fill("60000")
    draft.locator("textarea[name=discretion_reason]").fill("占道面积大，经两次责令改正拒不改正")
    j.shot(page, "draft-decision")
    draft.locator("button[type=submit]").click()
    expect(page.locator(".flash").first).to_contain_text("处罚决定草案已保存")
    page.click("button:has-text('调查终结')")
    expect(page.locator(".flash").first).to_contain_text("调查终结")
    j.shot(page, "investigation-closed")

    page.goto(f"/review/cases/{case_id}/submit")
    expect(page.locator("body")).to_contain_text("重大执法决定")
    if page.locator("textarea[name=investigation_report]").count():
        page.fill("textarea[name=investigation_report]", "经调查，当事人占道经营事实清楚，证据确凿，建议罚款六万元。")
    j.shot(page, "review-package")
    page.click("button:has-text('提交法制审核')")
    expect(page.locator(".flash").first).to_contain_text("法制审核")
    j.shot(page, "submitted-for-review")
    expect(page.locator("body")).to_contain_text("处罚：罚款，罚款60000")  # labels, not codes
    with app.app_context():
        sub = db.session.scalar(db.select(ReviewSubmission).where(ReviewSubmission.case_id == case_id))
        assert sub is not None and sub.status == "submitted"
        assert db.session.get(Case, case_id).status == "investigated"


def _submitted_major_case(app, major_case, recent):
    """A major case whose defence window has run out, submitted for legal review by its lead officer."""
    from review import services as review_services

    case = major_case("notified", parties=[_party()])
    submission = review_services.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
    db.session.commit()
    return case, submission


def _party():
    from tests.cases.conftest import person_party

    return person_party(name="张三", n=7, address="吉林省临江市建国街1号")


def test_reviewer_works_the_checklist_and_approves(app, journey, major_case, make_reviewer, recent):
    """Journey 2: the reviewer takes the submission from the queue, declares no conflict, passes each of
    the eight checklist items and approves with an opinion."""
    from review.models import ReviewSubmission
    from review.services import CHECKLIST

    with app.app_context():
        case, submission = _submitted_major_case(app, major_case, recent)
        case_id, sub_id, number = case.id, submission.id, case.number
        reviewer = make_reviewer(case.agency_id)
        reviewer_username = reviewer.username

    j = journey("2-reviewer-approves")
    page = j.page(reviewer_username)
    page.goto("/review/")
    expect(page.locator("body")).to_contain_text(number)
    j.shot(page, "queue")
    page.get_by_role("link", name=re.compile(re.escape(number))).first.click()
    expect(page.locator("body")).to_contain_text("待审核")
    page.check("input[name=declare_no_conflict]")
    j.shot(page, "submission")
    page.click("button:has-text('领取审核')")
    expect(page.locator("body")).to_contain_text("审核中")
    for n, (key, label) in enumerate(CHECKLIST.items()):
        form = page.locator(f"form:has(input[name=item][value={key}])")
        form.locator("select[name=result]").select_option("pass")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        row = page.locator("tr", has_text=label)
        expect(row).to_contain_text("通过")
        if n == 3:
            j.shot(page, "checklist-half-way")
    j.shot(page, "checklist-done")
    page.fill("textarea[name=opinion]", "经审核，本案事实清楚，证据确凿，程序合法，适用依据正确，同意作出处罚决定。")
    page.click("button:has-text('审核通过并出具意见书')")
    expect(page.locator("body")).to_contain_text("审核通过")
    j.shot(page, "approved")
    with app.app_context():
        sub = db.session.get(ReviewSubmission, sub_id)
        assert sub.status == "approved" and sub.opinion is not None
    # The officer now sees the approval on the case.
    officer_page = j.page(_lead_username(app, case_id))
    officer_page.goto(f"/review/cases/{case_id}/submit")
    expect(officer_page.locator("body")).to_contain_text("已审核通过")
    j.shot(officer_page, "officer-sees-approval")


def _draft_naming_the_party():
    from app.validators import make_id_number
    from tests.review.conftest import MAJOR_DRAFT

    return {**MAJOR_DRAFT, "facts": f"当事人张三（公民身份号码{make_id_number(seq=7)}，联系电话13904351234）在临江市建国街"
                                     "违法占道经营，面积120平方米，经两次责令改正拒不改正。"}


def _lead_username(app, case_id):
    from cases.models import Case

    with app.app_context():
        return officer_user(db.session.get(Case, case_id)).username


def _approved_case(app, major_case, approve_case, make_reviewer, recent):
    with app.app_context():
        case = major_case("notified", parties=[_party()], draft=_draft_naming_the_party())
        reviewer = make_reviewer(case.agency_id)
        approve_case(case, reviewer)
        return case.id, case.number, case.agency_id


def test_decision_issued_served_and_published_redacted(app, journey, major_case, approve_case, make_reviewer,
                                                        head_of, recent):
    """Journey 3: the head signs the decision the review approved, the officer serves it and records the
    service, prepares the redacted publication and the head approves it: the public page shows it masked."""
    from cases.models import Case
    from publicity.models import Publication

    case_id, number, agency_id = _approved_case(app, major_case, approve_case, make_reviewer, recent)
    with app.app_context():
        head_username = head_of(agency_id).username
    officer_username = _lead_username(app, case_id)

    j = journey("3-decision-served-published")
    head = j.page(head_username)
    head.goto(f"/cases/{case_id}")
    expect(head.locator("body")).to_contain_text("事先告知")
    j.shot(head, "head-sees-notified-case")
    head.click("#actions button:has-text('作出处罚决定')")
    expect(head.locator(".flash").first).to_contain_text("作出处罚决定")
    j.shot(head, "decided")

    officer = j.page(officer_username)
    officer.goto(f"/cases/{case_id}")
    form = officer.locator("#actions form[action$='/actions/serve_decision']")
    form.locator("select[name=method]").select_option("direct")
    form.locator("input[name=served_on]").fill(datetime.now(CHINA).strftime("%Y-%m-%d"))
    j.shot(officer, "service-form")
    form.locator("button[type=submit]").click()
    expect(officer.locator(".flash").first).to_contain_text("送达决定书")
    j.shot(officer, "served")
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case.status == "served"
        pub = db.session.scalar(db.select(Publication).where(Publication.case_id == case_id))
        assert pub is not None, "a decision creates its publication"
        pub_id, decision_number = pub.id, pub.decision_number

    officer.goto("/publicity/")
    expect(officer.locator("body")).to_contain_text(decision_number)
    j.shot(officer, "publications")
    officer.goto(f"/publicity/{pub_id}")
    preview = officer.locator("section:has(h2:has-text('公开内容预览'))")
    expect(preview).to_contain_text("当事人张*（公民身份号码")
    from app.validators import make_id_number

    assert "张三" not in preview.inner_text() and make_id_number(seq=7) not in preview.inner_text()
    j.shot(officer, "redacted-preview")
    officer.click("button:has-text('提交负责人审批')")
    expect(officer.locator(".flash").first).to_be_visible()
    j.shot(officer, "submitted-for-approval")

    head.goto(f"/publicity/{pub_id}")
    head.click("button:has-text('批准公开')")
    expect(head.locator(".flash").first).to_be_visible()
    expect(head.locator("h1")).to_contain_text("已公开")
    j.shot(head, "publication-approved")

    public = j.page()
    public.goto(f"/public/decisions/{pub_id}")
    body = public.inner_text("body")
    assert decision_number in body and "张*" in body and "罚款人民币60,000.00元" in body
    assert "张三" not in body
    assert make_id_number(seq=7) not in body and "13904351234" not in body
    j.shot(public, "public-decision-redacted")


def _published_case(app, major_case, approve_case, make_reviewer, head_of, recent):
    """Journey 3 done through the services: decided, served and published today."""
    from cases import services as case_services
    from cases.models import Case
    from publicity import services as pub_services
    from publicity.models import Publication

    case_id, _, agency_id = _approved_case(app, major_case, approve_case, make_reviewer, recent)
    with app.app_context():
        case = db.session.get(Case, case_id)
        head = head_of(agency_id)
        case_services.apply_action(case, "decide", actor=head)
        case_services.apply_action(case, "serve_decision", actor=officer_user(case),
                                   data={"method": "direct", "served_on": recent.today.isoformat()})
        pub = db.session.scalar(db.select(Publication).where(Publication.case_id == case_id))
        pub_services.submit(pub, actor=officer_user(case))
        pub_services.approve(pub, actor=head)
        db.session.commit()
        officer = case.officers[0].officer
        cert = officer.certificates[-1]
        return {"pub_id": pub.id, "decision_number": pub.decision_number, "seq": pub.ledger_seq,
                "sha256": pub.pdf_sha256, "officer_name": officer.name, "cert_number": cert.number,
                "token": cert.public_token}


def test_public_finds_decision_checks_officer_and_verifies_proof(app, journey, major_case, approve_case,
                                                                 make_reviewer, head_of, recent, make_user,
                                                                 tmp_path):
    """Journey 4: a member of the public searches the decisions, downloads the published PDF, scans an
    officer's certificate (opens the page its QR code encodes), and checks a proof bundle for the PDF
    against the checkpoint the public site publishes, with the offline verifier."""
    info = _published_case(app, major_case, approve_case, make_reviewer, head_of, recent)
    supervisor_id = make_user(roles=("supervisor",), username="jiandu1")

    j = journey("4-public-verifies")
    public = j.page()
    public.goto("/public/")
    j.shot(public, "public-home")
    public.goto("/public/decisions")
    public.fill("input[name=q]", "占道")
    public.locator("form:has(input[name=q]) button[type=submit]").first.click()
    expect(public.locator("body")).to_contain_text(info["decision_number"])
    j.shot(public, "search-results")
    public.get_by_role("link", name=re.compile("占道")).first.click()
    expect(public.locator("h1")).to_contain_text("当事人占道经营案")
    expect(public.locator("body")).to_contain_text(info["sha256"])
    j.shot(public, "decision")
    with public.expect_download() as dl:
        public.evaluate("href => { const a = document.createElement('a'); a.href = href; a.download = 'decision.pdf';"
                        " document.body.appendChild(a); a.click(); }",
                        f"/public/decisions/{info['pub_id']}.pdf")
    pdf = tmp_path / "decision.pdf"
    dl.value.save_as(pdf)
    import hashlib

    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == info["sha256"]

    # The QR code on the officer's card encodes /verify/<token>: open what a phone would open.
    public.goto(f"/verify/{info['token']}")
    card = public.locator("body")
    expect(card).to_contain_text(info["officer_name"])
    expect(card).to_contain_text(info["cert_number"])
    expect(card).to_contain_text("有效")
    j.shot(public, "officer-certificate")
    qr = public.request.get(f"/verify/{info['token']}/qr.png")
    assert qr.ok and qr.body()[:8] == b"\x89PNG\r\n\x1a\n"

    # The agency hands out the proof bundle (supervisors may export them) ...
    supervisor = j.page("jiandu1")
    resp = supervisor.request.get(f"/api/ledger/entries/{info['seq']}/bundle")
    assert resp.ok, resp.text()
    bundle = tmp_path / "bundle.json"
    bundle.write_text(resp.text(), encoding="utf-8")
    # ... and the public takes the key and the published checkpoint from the public site.
    public.goto("/public/ledger")
    expect(public.locator("body")).to_contain_text("最新签名检查点")
    j.shot(public, "ledger-page")
    key = tmp_path / "key.txt"
    key.write_text(public.request.get("/ledger/key").text(), encoding="utf-8")
    published = tmp_path / "checkpoint.txt"
    published.write_text(public.request.get("/ledger/checkpoint").text(), encoding="utf-8")
    assert json.loads(bundle.read_text())["checkpoint"] == published.read_text(), \
        "the bundle's checkpoint is the one the public site publishes"
    run = subprocess.run([sys.executable, "-m", "app.ledger.verify", str(bundle), str(pdf), "--key", str(key),
                          "--old-checkpoint", str(published)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    # A tampered PDF fails, naming the check.
    bad = tmp_path / "tampered.pdf"
    bad.write_bytes(pdf.read_bytes() + b"%")
    run_bad = subprocess.run([sys.executable, "-m", "app.ledger.verify", str(bundle), str(bad), "--key", str(key)],
                             capture_output=True, text=True, timeout=60)
    assert run_bad.returncode == 1 and "FAILED (file check)" in run_bad.stdout
    # The verifier's verdict, shown next to the published checkpoint for the artifact.
    public.goto("/ledger/checkpoint")
    j.shot(public, "published-checkpoint")
    (j.dir / "verify-output.txt").write_text(run.stdout + run.stderr, encoding="utf-8")


def test_officer_with_expired_certificate_is_refused_with_the_reason(app, journey, cases_agency, make_officer,
                                                                     make_matter):
    """An officer whose certificate has expired sees it on the form and is refused when filing a case."""
    from datetime import date

    from cases.models import Case

    with app.app_context():
        version = make_matter(cases_agency)
        expired = make_officer(cases_agency, name="孙过期", issued_on=date(2020, 1, 6),
                               expires_on=date(2025, 1, 5))
        make_officer(cases_agency, name="周有效")
        username, version_id = expired.user.username, version.id

    j = journey("5-expired-certificate-refused")
    page = j.page(username)
    page.goto("/cases/new")
    label = page.locator("label", has_text="孙过期（证号")
    expect(label).to_contain_text("今日不符合")
    page.select_option("select[name=matter_version_id]", value=str(version_id))
    page.fill("input[name=title]", "某商户占道经营案")
    page.get_by_label(re.compile("孙过期（证号")).check()
    page.get_by_label(re.compile("周有效（证号")).check()
    page.fill("input[name=party_name]", "王五")
    from app.validators import make_id_number

    page.fill("input[name=id_number]", make_id_number(seq=9))
    j.shot(page, "form-shows-expired")
    page.click("button:has-text('保存为登记中案件')")
    expect(page.locator(".flash").first).to_contain_text("已登记案件")  # a draft may be registered ...
    case_id = _case_id(page)
    actions = page.locator("#actions")
    expect(actions).to_contain_text("暂不能提请立案")  # ... but not filed, and the page says why
    expect(actions).to_contain_text("孙过期：证件已过期（有效期至2025-01-05）")
    expect(actions).to_contain_text("目前符合条件的仅1名")
    button = page.locator("form[action$='/actions/submit_filing'] button[type=submit]")
    expect(button).to_be_disabled()
    j.shot(page, "filing-blocked-with-reason")
    # A forced request (the button enabled by hand) is refused by the server with the same reason.
    button.evaluate("b => { b.disabled = false; }")
    button.click()
    page.wait_for_load_state()
    error = page.locator(".flash-error").first
    expect(error).to_contain_text("两名")
    expect(page.locator("body")).to_contain_text("证件已过期（有效期至2025-01-05）")
    j.shot(page, "refused-with-reason")
    with app.app_context():
        assert db.session.get(Case, case_id).status == "draft"
