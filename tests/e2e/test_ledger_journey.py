"""Browser journey of a citizen checking a published decision (issue 18): from the decision's public page to
/ledger/verify, where the downloaded PDF and the public proof bundle are checked in the browser (real
Chromium: WebCrypto, the vendored module script under the CSP)."""
from datetime import date

from playwright.sync_api import expect




def test_citizen_verifies_a_published_decision(app, journey, case_at, head_of, tmp_path):
    from sqlalchemy import select

    from app.extensions import db
    from publicity import services
    from publicity.models import Publication

    with app.app_context():
        case = case_at("decided")
        pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
        services.approve(pub, actor=head_of(case.agency_id), on=date(2025, 10, 9))
        db.session.commit()
        pub_id = pub.id

    j = journey("6-ledger-proof")
    page = j.page()
    page.goto(f"/public/decisions/{pub_id}")
    pdf = tmp_path / "decision.pdf"
    pdf.write_bytes(page.request.get(f"/public/decisions/{pub_id}.pdf").body())
    page.get_by_role("link", name="公开（第").first.click()
    expect(page.locator("h1")).to_contain_text("验证公开证明")
    page.set_input_files("input[name=file]", str(pdf))
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#verdict")).to_contain_text("验证通过")
    expect(page.locator("#checks")).to_contain_text("文件的 SHA-256 与台账记录一致")
    expect(page.locator("#checks")).to_contain_text("检查点签名有效")
    j.shot(page, "verified")

    raw = bytearray(pdf.read_bytes())
    raw[len(raw) // 2] ^= 1
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(raw))
    page.set_input_files("input[name=file]", str(changed))
    page.click("#verify-form button[type=submit]")
    expect(page.locator("#verdict")).to_contain_text("验证未通过")
    j.shot(page, "changed-pdf-refused")
