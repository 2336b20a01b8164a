"""An inspection that finds nothing still has its whole-process recording (SPEC §4.2 "case or task"): a
real clip is uploaded to the inspection itself — single request and resumable (tus) — stored, probed and
entered in the ledger without any case; it is seen by whoever sees the inspection and uploaded only by its
inspectors; concluding needs a recording or a written reason; when a case is filed from the inspection its
recordings become the case's, documenting the inspection step."""
import base64
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.extensions import db
from app.ledger import services as ledger
from inspections import checks
from inspections.checks_models import Inspection
from recordings.models import Recording
from tests.helpers import bearer
from tests.inspections.test_checks import NOW, inspection_data


def _token(app, user_id):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id), "t")
        db.session.commit()
        return raw


@pytest.fixture
def world(app, cases_agency, make_officer, head_of, make_agency, make_matter):
    with app.app_context():
        officers = [make_officer(cases_agency), make_officer(cases_agency)]
        bystander = make_officer(cases_agency)
        other = make_officer(make_agency(name="另一执法局", doc_prefix="另城管"))
        rows = [checks.record_inspection(cases_agency.id, inspection_data(officers, target_name=f"临江市第{n}超市"),
                                         actor=officers[0].user) for n in range(2)]
        version = make_matter(cases_agency)
        db.session.commit()
        return SimpleNamespace(
            lead=officers[0].user.id, bystander=bystander.user.id, other=other.user.id,
            head=head_of(cases_agency.id).id, inspections=[r.id for r in rows], version=version.id,
            agency=cases_agency.id)


def _upload_single(client, token, inspection_id, clip, **extra):
    started = (NOW - timedelta(hours=3)).isoformat()
    params = {"subject": f"inspection:{inspection_id}", "device_id": "DSJ-LJ-0031", "started_at": started,
              "filename": clip.name, **extra}
    return client.post("/api/recordings", query_string=params, data=clip.read_bytes(),
                       headers={**bearer(token), "Content-Type": "video/mp4"})


def test_an_inspection_without_a_case_keeps_its_recording(app, world, client, clips, login_as):
    lead = _token(app, world.lead)
    iid = world.inspections[0]
    # Concluding without a recording or a written reason is refused with the rule.
    resp = client.post(f"/api/inspections/{iid}/conclusion", json={"outcome": "no_problem"}, headers=bearer(lead))
    assert resp.status_code == 409 and "国办发〔2018〕118号" in resp.get_json()["message"]
    # Who may upload: the inspectors only; another agency does not learn the inspection exists.
    assert _upload_single(client, _token(app, world.bystander), iid, clips.short).status_code == 403
    assert _upload_single(client, _token(app, world.other), iid, clips.short).status_code == 404
    assert _upload_single(client, lead, 999999, clips.short).status_code == 404
    resp = client.post("/api/recordings", query_string={"subject": "nonsense:1", "device_id": "D"},
                       data=b"x", headers={**bearer(lead), "Content-Type": "video/mp4"})
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.query(Recording).count() == 0
    resp = _upload_single(client, lead, iid, clips.short)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["case_id"] is None and body["subject"] == f"inspection:{iid}" and body["agency_id"] == world.agency
    assert 3.5 < body["duration_seconds"] < 4.5 and body["legal_hold"] is False
    with app.app_context():
        entry = ledger.get_entry(body["ledger_seq"])
        assert entry.payload["subject"] == f"inspection:{iid}" and entry.payload["sha256"] == body["sha256"]
    # Seen by the agency's head and supervisors' rule (the inspection's), not by another agency.
    assert client.get(f"/api/recordings/{body['id']}", headers=bearer(_token(app, world.head))).status_code == 200
    assert client.get(f"/api/recordings/{body['id']}", headers=bearer(_token(app, world.other))).status_code == 404
    # Now the inspection concludes; the conclusion in the ledger names the recording.
    resp = client.post(f"/api/inspections/{iid}/conclusion", json={"outcome": "no_problem"}, headers=bearer(lead))
    assert resp.status_code == 200, resp.get_json()
    with app.app_context():
        from app.ledger.models import LedgerEntry

        concluded = db.session.scalars(db.select(LedgerEntry).where(
            LedgerEntry.subject == f"inspection:{iid}", LedgerEntry.kind == "inspection.concluded")).one()
        assert db.session.get(Inspection, iid).outcome == "no_problem"
        assert concluded.payload["recordings"][0]["sha256"] == body["sha256"]
        from recordings import retention

        retention.sync_all()  # recordings without a case do not break the daily hold sync
        db.session.commit()
    # The inspection page lists it; the recording page names the inspection.
    login_as(client, world.lead)
    page = client.get(f"/inspections/{iid}").get_data(as_text=True)
    assert f"/recordings/{body['id']}" in page and body["sha256"][:12] in page
    page = client.get(f"/recordings/{body['id']}").get_data(as_text=True)
    assert f"行政检查第{iid}号" in page


def _tus_upload(client, token, clip, meta):
    md = ",".join(f"{k} {base64.b64encode(str(v).encode()).decode()}" for k, v in meta.items())
    data = clip.read_bytes()
    resp = client.post("/api/recordings/uploads", headers={**bearer(token), "Tus-Resumable": "1.0.0",
                                                            "Upload-Length": str(len(data)), "Upload-Metadata": md})
    assert resp.status_code == 201, resp.get_json()
    url = resp.headers["Location"]
    resp = client.patch(url, data=data, headers={**bearer(token), "Tus-Resumable": "1.0.0", "Upload-Offset": "0",
                                                 "Content-Type": "application/offset+octet-stream"})
    assert resp.status_code == 204, resp.get_data(as_text=True)
    return int(resp.headers["Recording-Id"])


def test_a_resumable_upload_to_an_inspection_joins_the_case_filed_from_it(app, world, client, clips):
    lead = _token(app, world.lead)
    iid = world.inspections[1]
    rid = _tus_upload(client, lead, clips.short, {
        "subject": f"inspection:{iid}", "device_id": "DSJ-LJ-0032", "filename": "检查.mp4",
        "started_at": (NOW - timedelta(hours=3)).isoformat()})
    resp = client.post(f"/api/inspections/{iid}/case", json={"matter_version_id": world.version, "title": "销售过期食品案",
                                                             "legal_representative": "王五"}, headers=bearer(lead))
    assert resp.status_code == 201, resp.get_json()
    case_id = resp.get_json()["case_id"]
    with app.app_context():
        rec = db.session.get(Recording, rid)
        step = rec.step
        assert rec.case_id == case_id and rec.subject == f"inspection:{iid}" and step.kind == "inspection"
        assert step.case_id == case_id and rec.legal_hold is True  # an open case holds its evidence
    listed = client.get(f"/api/recordings?case_id={case_id}", headers=bearer(lead)).get_json()
    assert rid in [r["id"] for r in (listed if isinstance(listed, list) else listed.get("items", []))]
