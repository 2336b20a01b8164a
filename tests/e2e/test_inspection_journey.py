"""Journey (issue 15): an officer records an inspection that finds a violation and uploads its body-camera
video to the inspection, files the case from it (the video follows), seizes goods (the head approves first)
and photographs them, releases part of them, and the case's page shows all of it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.timeutil import CHINA

pytestmark = pytest.mark.slow


def test_inspection_to_case_seizure_and_partial_release(app, journey, cases_agency, make_officer, make_matter,
                                                        head_of, media_files, tmp_path):
    import subprocess

    from app.extensions import db
    from app.validators import make_credit_code
    from recordings.models import Recording

    photo = tmp_path / "过期饮料.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=orange:size=64x48",
                    "-frames:v", "1", str(photo)], check=True)

    with app.app_context():
        matter = make_matter(cases_agency, name="销售过期食品")
        lead, second = make_officer(cases_agency, name="孙强"), make_officer(cases_agency, name="周敏")
        lead_username, ids = lead.user.username, (lead.id, second.id)
        head_username = head_of(cases_agency.id).username
        matter_name = matter.name

    j = journey("15-inspection-seizure-release")
    page = j.page(lead_username)
    page.set_default_timeout(90000)  # issuing a document renders a PDF (WeasyPrint): slow on a loaded machine
    page.goto("/inspections/new")
    expect(page.locator("h1")).to_have_text("登记行政检查")
    started = datetime.now(CHINA) - timedelta(hours=2)
    page.select_option("select[name=kind]", value="adhoc")
    page.fill("input[name=basis]", "群众举报；《中华人民共和国食品安全法》第一百一十条")
    page.fill("input[name=target_name]", "临江市某某副食商店")
    page.fill("input[name=target_code]", make_credit_code(org_seq=515))
    page.fill("input[name=place]", "临江市新市街15号")
    page.fill("input[name=started_at]", started.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ended_at]", (started + timedelta(minutes=45)).strftime("%Y-%m-%dT%H:%M"))
    for officer_id in ids:
        page.check(f"input[name=officer_ids][value='{officer_id}']")
    page.fill("textarea[name=findings]", "货架上摆放超过保质期的袋装饮料48袋、饼干20盒")
    page.fill("textarea[name=evidence]", "现场照片6张\n进货单复印件1份")
    j.shot(page, "inspection-form")
    page.click("main form button[type=submit]")
    expect(page.locator(".flash").first).to_contain_text("已登记行政检查")
    j.shot(page, "inspection-recorded")
    inspection_id = int(re.search(r"/inspections/(\d+)", page.url).group(1))

    # The whole-process recording goes to the inspection itself (no case exists yet).
    page.set_input_files("#upload-form input[name=file]", str(media_files.video))
    page.fill("#upload-form input[name=device_id]", "DSJ-LJ-0015")
    with page.expect_navigation(timeout=60000):  # the page reloads itself once the upload is registered
        page.click("#upload-form button[type=submit]")
    expect(page.locator("#inspection-recordings")).to_contain_text("bodycam.mp4")
    j.shot(page, "inspection-recording")

    page.fill("input[name=title]", "临江市某某副食商店销售过期食品案")
    page.fill("input[name=legal_representative]", "钱某")
    page.click("button:has-text('立案')")
    expect(page.locator(".flash").first).to_contain_text("已办理")
    case_id = int(re.search(r"/cases/(\d+)", page.url).group(1))
    body = page.inner_text("body")
    assert "现场检查" in body and "临江市某某副食商店" in body  # the inspection is the case's first step
    j.shot(page, "case-from-inspection")
    with app.app_context():  # the inspection's video now documents the case's inspection step
        rec = db.session.scalar(db.select(Recording).where(Recording.subject == f"inspection:{inspection_id}"))
        assert rec.case_id == case_id and rec.step is not None and rec.step.kind == "inspection"

    page.click("a:has-text('采取行政强制措施')")
    page.select_option("select[name=kind]", value="seize")
    page.fill("textarea[name=reason]", "过期食品可能被转移或者销毁")
    page.fill("input[name=basis]", "《中华人民共和国食品安全法》第一百一十条第四项")
    page.fill("input[aria-label=名称1]", "过期袋装饮料")
    page.fill("input[aria-label=数量1]", "48")
    page.fill("input[aria-label=名称2]", "过期饼干")
    page.fill("input[aria-label=数量2]", "20")
    page.click("main form button[type=submit]")
    expect(page.locator("#measure-status")).to_have_text("待批准")
    measure_url = page.url
    j.shot(page, "seizure-requested")

    head = j.page(head_username)
    head.goto(measure_url)
    head.click("button[name=approve][value='1']")
    expect(head.locator("#measure-status")).to_have_text("已批准待实施")
    j.shot(head, "head-approves")

    page.goto(measure_url)
    taken = datetime.now(CHINA) - timedelta(minutes=50)
    page.fill("input[name=started_at]", taken.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ended_at]", (taken + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "临江市新市街15号")
    page.click("button:has-text('记录')")
    expect(page.locator("#measure-status")).to_have_text("实施中")
    j.shot(page, "seized")

    page.set_input_files("input[name=photo] >> nth=0", str(photo))  # a photo of the drinks as seized
    page.click("button:has-text('上传照片') >> nth=0")
    expect(page.locator(".flash").first).to_contain_text("已上传物品照片")
    expect(page.locator(".item-photos").first).to_contain_text("照片1")
    j.shot(page, "item-photo")

    page.fill("input[name^=release_] >> nth=1", "20")
    page.select_option("select[name=ground]", value="unrelated")
    page.click("button:has-text('解除')")
    expect(page.locator(".flash").first).to_contain_text("已办理")
    expect(page.locator("#measure-status")).to_have_text("实施中")  # the drinks are still held
    j.shot(page, "partly-released")

    page.goto(f"/cases/{case_id}")
    body = page.inner_text("body")
    assert "扣押（第" in body and "实施中" in body  # the measure panel
    assert "现场检查" in body and "查封、扣押" in body  # the inspection and the seizure record as steps
    assert "解除行政强制措施决定书" in body  # the partial release's decision with its receipt
    # The timeline names each measure event (no raw codes).
    for label in ("申请采取行政强制措施", "负责人批准采取行政强制措施", "实施行政强制措施（现场笔录）",
                  "上传查封、扣押物品照片", "解除行政强制措施并退还物品"):
        assert label in body, label
    assert "measure_" not in body
    j.shot(page, "case-file")
    assert not j.console_errors, j.console_errors
