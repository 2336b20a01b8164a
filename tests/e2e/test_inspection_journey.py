"""Journey (issue 15): an officer records an inspection that finds a violation, files the case from it,
seizes goods (the head approves first), releases part of them, and the case's page shows all of it."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.timeutil import CHINA

pytestmark = pytest.mark.slow


def test_inspection_to_case_seizure_and_partial_release(app, journey, cases_agency, make_officer, make_matter,
                                                        head_of):
    from app.validators import make_credit_code

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

    page.fill("input[name=title]", "临江市某某副食商店销售过期食品案")
    page.fill("input[name=legal_representative]", "钱某")
    page.click("button:has-text('立案')")
    expect(page.locator(".flash").first).to_contain_text("已办理")
    case_id = int(re.search(r"/cases/(\d+)", page.url).group(1))
    body = page.inner_text("body")
    assert "现场检查" in body and "临江市某某副食商店" in body  # the inspection is the case's first step
    j.shot(page, "case-from-inspection")

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
    j.shot(page, "case-file")
    assert not j.console_errors, j.console_errors
