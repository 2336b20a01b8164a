"""Photos of seized items (AEL Art 24: the item list with the items' condition; photos as evidence): uploaded
through the JSON API, the HTML page and the CLI into the object store, their SHA-256 entered in the ledger,
read back byte for byte; what is not a JPEG/PNG, or comes from someone not on the case, is refused and
nothing is written."""
import hashlib
import io
import subprocess

import pytest

from app.extensions import db
from app.ledger import services as ledger
from app.storage import get_store
from inspections import measures
from inspections.models import CoerciveMeasure
from tests.cases.conftest import officer_user
from tests.helpers import bearer
from tests.inspections.test_measures import ITEMS


@pytest.fixture(scope="module")
def png(tmp_path_factory):
    path = tmp_path_factory.mktemp("photos") / "冷冻牛肉.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:size=32x24",
                    "-frames:v", "1", str(path)], check=True)
    return path


def _token(app, user_id):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id), "t")
        db.session.commit()
        return raw


@pytest.fixture
def seizure(app, case_at, head_of):
    with app.app_context():
        case = case_at("investigating")
        officer, head = officer_user(case), head_of(case.agency_id)
        m = measures.request_measure(case, {"kind": "seize", "reason": "涉嫌销售来源不明的冷冻肉品",
                                            "basis": "《食品安全法》第一百一十条", "items": ITEMS}, actor=officer)
        db.session.commit()
        return {"id": m.id, "items": [i.id for i in m.items], "officer_id": officer.id, "head_id": head.id,
                "officer": officer.username}


def _photos(app, measure_id):
    with app.app_context():
        m = db.session.get(CoerciveMeasure, measure_id)
        return [list(i.photos or []) for i in m.items], [e.action for e in m.events]


def test_photo_through_the_api_is_stored_hashed_and_in_the_ledger(app, seizure, client, png):
    data = png.read_bytes()
    off, head = bearer(_token(app, seizure["officer_id"])), bearer(_token(app, seizure["head_id"]))
    url = f"/api/measures/{seizure['id']}/items/{seizure['items'][0]}/photos"
    # Not an image: refused with the rule, nothing stored or entered.
    resp = client.post(url, data={"photo": (io.BytesIO(b"%!PS not a photo"), "x.jpg")}, headers=off)
    assert resp.status_code == 422 and "JPEG或PNG" in resp.get_json()["message"]
    resp = client.post(url, data={}, headers=off)
    assert resp.status_code == 422 and "请选择要上传的照片" in resp.get_json()["message"]
    # Someone not on the case (the head approves, but does not handle the goods): 403.
    resp = client.post(url, data={"photo": (io.BytesIO(data), "a.png")}, headers=head)
    assert resp.status_code == 403
    # An item of another list: 422.
    resp = client.post(f"/api/measures/{seizure['id']}/items/999999/photos",
                       data={"photo": (io.BytesIO(data), "a.png")}, headers=off)
    assert resp.status_code == 422 and "物品清单" in resp.get_json()["message"]
    photos, events = _photos(app, seizure["id"])
    assert photos == [[], []] and events == ["requested"]
    resp = client.post(url, data={"photo": (io.BytesIO(data), png.name)}, headers=off)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["sha256"] == hashlib.sha256(data).hexdigest() and body["content_type"] == "image/png"
    with app.app_context():
        entry = ledger.get_entry(body["ledger_seq"])
        assert entry.payload["data"]["sha256"] == body["sha256"] and entry.payload["action"] == "measure_photo_added"
        assert b"".join(get_store().open(body["key"])) == data
    photos, events = _photos(app, seizure["id"])
    assert photos[0][0]["sha256"] == body["sha256"] and events[-1] == "photo_added"
    detail = client.get(f"/api/measures/{seizure['id']}", headers=off).get_json()
    assert detail["items"][0]["photos"][0]["sha256"] == body["sha256"] and "照片1张" in detail["items"][0]["note"]


def test_photo_through_the_page_and_the_cli(app, seizure, client, login_as, csrf_token, png):
    data = png.read_bytes()
    item = seizure["items"][1]
    login_as(client, seizure["officer_id"])
    token = csrf_token(client, f"/measures/{seizure['id']}")
    resp = client.post(f"/measures/{seizure['id']}/items/{item}/photos",
                       data={"csrf_token": token, "photo": (io.BytesIO(b"GIF89a"), "x.gif")},
                       follow_redirects=True)
    assert "JPEG或PNG" in resp.get_data(as_text=True)
    resp = client.post(f"/measures/{seizure['id']}/items/{item}/photos",
                       data={"csrf_token": token, "photo": (io.BytesIO(data), "scale.png")},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    digest = hashlib.sha256(data).hexdigest()
    assert "已上传物品照片" in page and digest[:12] in page and "上传查封、扣押物品照片" in page
    got = client.get(f"/measures/{seizure['id']}/items/{item}/photos/0")
    assert got.status_code == 200 and got.data == data and got.headers["X-Content-SHA256"] == digest
    assert client.get(f"/measures/{seizure['id']}/items/{item}/photos/1").status_code == 404
    # The CLI: the same service, a second photo of the same item.
    r = app.test_cli_runner().invoke(args=["inspections", "measure-photo", str(seizure["id"]), str(item), str(png),
                                           "--as", seizure["officer"]])
    assert r.exit_code == 0 and digest in r.output, r.output
    photos, _ = _photos(app, seizure["id"])
    assert [p["sha256"] for p in photos[1]] == [digest, digest]
