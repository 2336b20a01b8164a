"""Browser journey of supervision: a citizen files a complaint on the public site and later reads the reply
with the reference and the secret; a supervisor runs a 案卷评查 round (draw, two evaluators' sheets) and
publishes the bulletin."""
import re

from playwright.sync_api import expect




def test_complaint_and_evaluation_round(app, journey, make_agency, make_user, case_at):
    from app.extensions import db

    agency = make_agency(name="临江市城市管理行政执法局", doc_prefix="临城管")
    make_user(roles=("supervisor",), username="jiandu_a", full_name="孙立华")
    make_user(roles=("supervisor",), username="jiandu_b", full_name="钱文静")
    for _ in range(3):
        case_at("closed", agency=agency.id)

    j = journey("5-supervision")
    citizen = j.page()
    citizen.goto("/public/complaints/new")
    citizen.select_option("select[name=agency_id]", label="临江市城市管理行政执法局")
    citizen.fill("input[name=subject]", "执法人员未出示执法证件")
    citizen.fill("textarea[name=content]", "在建国街检查摊位时，两名执法人员未出示执法证件。")
    citizen.fill("input[name=complainant_name]", "李明")
    citizen.fill("input[name=complainant_phone]", "13904350001")
    j.shot(citizen, "complaint-form")
    citizen.click("form button[type=submit]")
    expect(citizen.locator("h1")).to_contain_text("投诉举报回执")
    reference = citizen.inner_text("#reference").strip()
    secret = citizen.inner_text("#secret").strip()
    assert re.fullmatch(r"TS\d{4}-\d{6}", reference) and len(secret) >= 12
    expect(citizen.locator("#ledger")).to_contain_text("哈希")
    j.shot(citizen, "receipt")

    sup = j.page("jiandu_a")
    sup.goto("/supervision/complaints")
    sup.get_by_role("link", name=reference).click()
    expect(sup.locator("#complainant")).to_contain_text("李明")
    sup.click("form[action$='/accept'] button")
    sup.select_option("select[name=assignee_id]", label="孙立华")
    sup.click("form[action$='/assign'] button")
    sup.select_option("select[name=outcome]", value="upheld")
    sup.fill("textarea[name=reply]", "经核查，投诉属实，已责令该局对相关执法人员批评教育并组织培训。")
    sup.click("form[action$='/reply'] button")
    expect(sup.locator("h1")).to_contain_text("已答复办结")
    j.shot(sup, "complaint-replied")

    citizen.goto("/public/complaints/status")
    citizen.fill("input[name=reference]", reference)
    citizen.fill("input[name=secret]", secret)
    citizen.click("form button[type=submit]")
    expect(citizen.locator("#reply")).to_contain_text("已责令该局对相关执法人员批评教育")
    expect(citizen.locator("body")).not_to_contain_text("13904350001")
    j.shot(citizen, "status-with-reply")

    # The evaluation round: create, draw, two sheets per file, publish.
    sup.goto("/supervision/evaluations")
    sup.fill("input[name=period_from]", "2025-01-01")
    for name in ("孙立华", "钱文静"):
        sup.locator("#new-round label", has_text=name).locator("input").check()
    sup.click("#new-round button")
    expect(sup.locator("#round-status")).to_contain_text("待抽取")
    sup.click("#draw")
    expect(sup.locator("#round-status")).to_contain_text("评查中")
    j.shot(sup, "round-drawn")
    links = [a.get_attribute("href") for a in sup.locator("#files a[href*='/files/']").all()]
    assert len(links) == 3
    other = j.page("jiandu_b")
    for i, href in enumerate(links):
        for page, deduct in ((sup, "5"), (other, "3")):
            page.goto(href)
            page.fill("input[name=deduct_documents]", deduct)
            if i == 0 and page is other:
                page.locator("label", has_text="执法人员无执法资格或者不足两人").locator("input").check()
            page.fill("textarea[name=comment]", "送达回证填写不完整")
            page.click("#sheet button")
    sup.goto(links[0])
    expect(sup.locator("#file-grade")).to_have_text("不合格")
    sup.goto(links[0].rsplit("/files/", 1)[0])
    sup.click("#publish")
    expect(sup.locator("#round-status")).to_contain_text("已通报")
    j.shot(sup, "round-published")
    pdf = sup.request.get(sup.get_attribute("#bulletin", "href"))
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    with app.app_context():
        from supervision.models.oversight import Rectification

        assert db.session.query(Rectification).count() == 1  # one failing file, one rectification
