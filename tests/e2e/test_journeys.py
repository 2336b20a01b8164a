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
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.timeutil import CHINA
from tests.cases.conftest import officer_user
from tests.helpers import extract_csrf  # noqa: F401

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
    with app.app_context():
        sub = db.session.scalar(db.select(ReviewSubmission).where(ReviewSubmission.case_id == case_id))
        assert sub is not None and sub.status == "submitted"
        assert db.session.get(Case, case_id).status == "investigated"
