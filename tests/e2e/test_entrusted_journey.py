"""Browser journey (issue 17): a supervisor creates an agency and an entrusted organisation (受委托组织) in the
web UI and puts an officer in it; the public site shows both before any act; the officer files a case,
which carries both names (APL Art 20: the act is the entrusting agency's)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.timeutil import today_china

pytestmark = pytest.mark.slow

AGENCY = "临江市综合行政执法局"
ORG = "临江市花山镇综合行政执法队"


def test_supervisor_creates_agency_and_entrusted_organisation_whose_officer_files_a_case(
        app, journey, make_user, make_officer, make_matter):
    from app.auth.models import Agency
    from app.validators import make_credit_code, make_id_number

    make_user(roles=("supervisor",), username="jiandu_e", full_name="孙立华")
    today = today_china()
    j = journey("6-entrusted-organisation")

    sup = j.page("jiandu_e")
    sup.goto("/agencies/new")
    sup.fill("input[name=name]", AGENCY)
    sup.fill("input[name=short_name]", "市综合执法局")
    sup.fill("input[name=doc_prefix]", "临综执")
    sup.fill("input[name=credit_code]", make_credit_code(region="220681", org_seq=4711))
    sup.fill("input[name=region_code]", "220681")
    sup.fill("input[name=categories]", "城市管理")
    sup.fill("input[name=parent_department]", "临江市人民政府")
    sup.fill("textarea[name=legal_basis]", "《吉林省城市管理综合行政执法条例》第八条")
    j.shot(sup, "agency-form")
    sup.click("button:has-text('保存并公开')")
    expect(sup.locator(".flash").first).to_contain_text(f"已创建并公开执法主体“{AGENCY}”")
    j.shot(sup, "agency-created")

    # The power list and the officers are the agency's own business (other journeys drive them).
    with app.app_context():
        agency = db.session.scalar(db.select(Agency).where(Agency.name == AGENCY))
        assert agency.published_on == today
        version = make_matter(agency, name="占道经营")
        code = version.matter.code
        lead = make_officer(agency, name="周海")
        make_officer(agency, name="吴涛")
        lead_username, version_id = lead.user.username, version.id

    sup.goto("/agencies/entrusted/new")
    sup.fill("input[name=name]", ORG)
    sup.select_option("select[name=entrusting_agency_id]", label=AGENCY)
    sup.fill("input[name=document_number]", f"临综执委〔{today.year}〕1号")
    sup.fill("input[name=matter_codes]", code)
    sup.fill("textarea[name=legal_basis]", "《中华人民共和国行政处罚法》第二十条；《吉林省城市管理综合行政执法条例》")
    sup.fill("input[name=starts_on]", today.isoformat())
    sup.fill("input[name=ends_on]", (today + timedelta(days=730)).isoformat())
    j.shot(sup, "entrusted-form")
    sup.click("button:has-text('登记并公开')")
    expect(sup.locator(".flash").first).to_contain_text(f"已登记并公开受委托组织“{ORG}”")
    expect(sup.locator("h1")).to_contain_text("委托有效")
    sup.locator("tr", has_text="周海").get_by_role("button", name="加入本组织").click()
    expect(sup.locator(".flash").first).to_contain_text("已加入周海")
    expect(sup.locator("tr", has_text="周海")).to_contain_text("本组织")
    j.shot(sup, "officer-in-organisation")

    citizen = j.page()
    citizen.goto("/public/agencies")
    expect(citizen.locator("body")).to_contain_text(AGENCY)
    expect(citizen.locator("body")).to_contain_text(ORG)
    j.shot(citizen, "public-agencies")

    officer = j.page(lead_username)
    officer.goto("/cases/new")
    officer.select_option("select[name=matter_version_id]", value=str(version_id))
    officer.fill("input[name=title]", "李某擅自占用城市道路经营案")
    officer.fill("input[name=violation_on]", (today - timedelta(days=1)).isoformat())
    officer.fill("input[name=place]", "临江市花山镇中心街12号")
    officer.fill("textarea[name=summary]", "巡查发现当事人在中心街占道摆摊经营。")
    for name in ("周海", "吴涛"):
        officer.get_by_label(re.compile(name + "（证号")).check()
    officer.fill("input[name=party_name]", "李四")
    officer.fill("input[name=id_number]", make_id_number(seq=11))
    j.shot(officer, "new-case-form")
    officer.click("button:has-text('保存为登记中案件')")
    expect(officer.locator(".flash").first).to_contain_text("已登记案件")
    expect(officer.locator("main")).to_contain_text(f"{AGENCY}（受委托组织：{ORG}）")
    j.shot(officer, "case-with-both-names")
