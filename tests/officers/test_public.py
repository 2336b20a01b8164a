"""Public verification: the QR code's page shows only the card's fields, green or red as of today, and
the officers directory reuses it. No other personal data reaches a public page or the public API."""
from datetime import timedelta

import pytest

from app.extensions import db
from app.officers import services
from app.officers.models import Certificate
from app.timeutil import today_china

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
ID_NUMBER = "220681199003071238"
QUALIFICATION = "A20192206810012"
CARD_FIELDS = {"name", "agency", "number", "kind", "categories", "area", "area_code", "issued_on", "expires_on",
               "inspection_mark", "status", "status_label", "valid", "reasons", "as_of", "has_photo"}


@pytest.fixture
def card(app, world, make_officer):
    officer_id, cert_id = make_officer(world.agency_a, name="王强", user_id=world.officer_a, id_number=ID_NUMBER,
                                       qualification_number=QUALIFICATION, categories=("城市管理", "住建"),
                                       photo=PNG)
    with app.app_context():
        cert = db.session.get(Certificate, cert_id)
        return {"token": cert.public_token, "number": cert.number, "cert_id": cert_id, "officer_id": officer_id,
                "agency_id": cert.officer.agency_id}


def test_verify_page_shows_the_card_and_nothing_else(client, card):
    resp = client.get(f"/verify/{card['token']}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    today = today_china()
    for text in ["王强", "临江市城市管理行政执法局", card["number"], "城市管理、住建", "临江市", "吉林省行政执法证",
                 today.isoformat(), (today + timedelta(days=3 * 365)).isoformat(), "新发证件，本年度免检",
                 "status-ok", "有效"]:
        assert text in html, text
    for secret in [ID_NUMBER, "cg_wangqiang", QUALIFICATION, "在编在岗", "用工性质", "established",
                   "身份证", "法律职业资格", "0439-"]:
        assert secret not in html, secret
    # An anonymous visitor gets no link into the internal registry.
    assert "/officers/" not in html
    # A clear verdict, and a way to complain about the officer (prefilled with the agency).
    assert "核验结论：证件有效" in html and "今日" in html
    complaint = html[html.index('id="verdict"'):]
    href = complaint[complaint.index("/public/complaints/new?"):].split('"')[0].replace("&amp;", "&")
    form = client.get(href).get_data(as_text=True)
    assert "对执法人员王强的投诉" in form and f'value="{card["agency_id"]}" selected' in form


def test_verify_by_printed_number_and_unknown_token(client, card):
    assert "王强" in client.get(f"/verify/{card['number']}").get_data(as_text=True)
    resp = client.get("/verify/not-a-real-token")
    assert resp.status_code == 404 and "未查询到该执法证件" in resp.get_data(as_text=True)


def test_public_api_dumps_only_card_fields(client, card):
    body = client.get(f"/public/api/certificates/{card['token']}").get_json()
    assert set(body) == CARD_FIELDS
    assert body["valid"] is True and body["categories"] == ["城市管理", "住建"] and body["area"] == "临江市"
    flat = str(body)
    assert ID_NUMBER not in flat and QUALIFICATION not in flat and "cg_wangqiang" not in flat
    assert client.get("/public/api/certificates/nope").status_code == 404


def test_red_when_suspended_with_the_reason(app, client, card):
    with app.app_context():
        cert = db.session.get(Certificate, card["cert_id"])
        until = today_china() + timedelta(days=20)
        services.suspend(cert, on=today_china(), until=until, reason="内部调查：当事人投诉")
        db.session.commit()
    html = client.get(f"/verify/{card['token']}").get_data(as_text=True)
    assert "status-bad" in html and "已暂扣" in html and f"证件已暂扣（至{until.isoformat()}）" in html
    assert "核验结论：证件无效，今日不得执法" in html and "行政处罚法》第五十五条" in html
    assert "内部调查" not in html  # the internal reason is not a card field


def test_red_when_holder_is_not_established_staff_without_saying_why(app, client, card):
    from app.officers.models import Officer

    with app.app_context():
        services.update_officer(db.session.get(Officer, card["officer_id"]), employment_type="contract")
        db.session.commit()
    html = client.get(f"/verify/{card['token']}").get_data(as_text=True)
    assert "status-bad" in html and "持证人不具备执法资格" in html
    assert "合同" not in html and "辅助人员" not in html


def test_qr_codes_and_photo(client, card, app):
    png = client.get(f"/verify/{card['token']}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    svg = client.get(f"/verify/{card['token']}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    photo = client.get(f"/verify/{card['token']}/photo")
    assert photo.data == PNG and photo.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert client.get("/verify/nope/qr.png").status_code == 404


def test_qr_encodes_the_token_url_not_the_id(app, card):
    from app.officers.public import verify_url

    with app.app_context():
        url = verify_url(db.session.get(Certificate, card["cert_id"]))
    assert url == app.config["PUBLIC_BASE_URL"].rstrip("/") + "/verify/" + card["token"]
    assert len(card["token"]) >= 32


def test_directory_lists_certified_officers_only_with_card_fields(client, world, make_officer, card):
    make_officer(world.agency_a, name="孙浩", employment="auxiliary", cert=False)
    make_officer(world.agency_b, name="周静", categories=("市场监管",))
    resp = client.get("/public/officers")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "王强" in html and "周静" in html
    assert "孙浩" not in html and ID_NUMBER not in html and QUALIFICATION not in html
    assert card["token"] not in html  # the directory links by the printed number
    assert "共 <b>2</b> 名执法人员" in html and 'class="brand" href="/public/"' in html

    body = client.get("/public/api/officers", query_string={"q": "周"}).get_json()
    assert [o["name"] for o in body["officers"]] == ["周静"]
    assert all(set(o) == CARD_FIELDS for o in body["officers"])


def test_directory_is_paginated_and_keeps_the_search(client, world, make_officer, monkeypatch):
    from app.officers import public

    monkeypatch.setattr(public, "DIRECTORY_PER_PAGE", 2)
    for name in ("赵一", "赵二", "赵三"):
        make_officer(world.agency_a, name=name)
    first = client.get("/public/officers?q=赵").get_data(as_text=True)
    assert "共 <b>3</b> 名执法人员，第 1/2 页" in first and first.count("cert-card") == 2
    assert "/public/officers?page=2&amp;q=%E8%B5%B5" in first
    second = client.get("/public/officers?q=赵&page=2").get_data(as_text=True)
    assert second.count("cert-card") == 1 and "上一页" in second
    assert client.get("/public/officers?q=赵&page=99").status_code == 200  # clamped to the last page
