"""Finding 14.16: malformed input answered with a 500. Superscript and other non-ASCII digits in tus headers,
`step_id=abc` (and ids beyond the database's integer), a JSON list where a text or an object belongs. Each
is now a 400/422 with an error code and a Chinese message (app.inputs), and nothing is stored.
(The .xlsx with a DTD is in test_spreadsheets.py.)
"""
from __future__ import annotations

import pytest

from tests.helpers import bearer
from tests.recordings.conftest import (TUS, _jobs_off, av_case, recording_count, token_for,  # noqa: F401
                                       tus_metadata, upload_single)


@pytest.fixture
def officer(av_case, token_for):
    return bearer(token_for(av_case.officer_id))


def _assert_refused(resp):
    assert resp.status_code in (400, 422), (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_json()
    assert body["error"] and body["message"]


@pytest.mark.parametrize("value", ["¹⁰²⁴", "²", "１０２４", "١٢٣", "12a", "-5", "99999999999999999999999"])
def test_odd_upload_length_is_refused(app, client, av_case, officer, value):
    resp = client.post("/api/recordings/uploads", headers={
        **officer, **TUS, "Upload-Length": value,
        "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-1", filename="a.mp4")})
    _assert_refused(resp)


@pytest.mark.parametrize("value", ["⁰", "０", "x"])
def test_odd_upload_offset_is_refused(app, client, av_case, officer, value):
    resp = client.post("/api/recordings/uploads", headers={
        **officer, **TUS, "Upload-Length": "1000",
        "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-1", filename="a.mp4")})
    assert resp.status_code == 201
    resp = client.patch(resp.headers["Location"], data=b"x" * 10, headers={
        **officer, **TUS, "Upload-Offset": value, "Content-Type": "application/offset+octet-stream"})
    _assert_refused(resp)


@pytest.mark.parametrize("step_id", ["abc", "²", "99999999999", "0", "-1"])
def test_odd_step_ids_are_refused_everywhere(app, client, av_case, officer, media_files, step_id):
    before = recording_count(app)
    _assert_refused(upload_single(client, officer, media_files.audio, case_id=av_case.case_id, step_id=step_id,
                                  content_type="audio/mp4"))
    resp = client.post("/api/recordings/uploads", headers={
        **officer, **TUS, "Upload-Length": "1000",
        "Upload-Metadata": tus_metadata(case_id=av_case.case_id, device_id="DSJ-1", step_id=step_id)})
    _assert_refused(resp)
    assert recording_count(app) == before


@pytest.mark.parametrize("case_id", ["abc", "²", "99999999999"])
def test_odd_case_ids_are_refused(app, client, av_case, officer, media_files, case_id):
    _assert_refused(upload_single(client, officer, media_files.audio, case_id=case_id, content_type="audio/mp4"))


def test_odd_purpose_and_bodies_on_a_recording(app, client, av_case, officer, media_files):
    resp = upload_single(client, officer, media_files.audio, case_id=av_case.case_id, content_type="audio/mp4")
    assert resp.status_code == 201
    rid = resp.get_json()["id"]
    for body in ({"purpose": ["调查", "取证"]}, {"purpose": {"a": 1}}, {"purpose": 12}, ["purpose"], "purpose"):
        _assert_refused(client.post(f"/api/recordings/{rid}/exports", json=body, headers=officer))
    for body in ({"step_id": "abc"}, {"step_id": ["1"]}, {"step_id": 1.5}, [1]):
        _assert_refused(client.post(f"/api/recordings/{rid}/link", json=body, headers=officer))


# --- ids in forms of features added after the review (the same class) ----------------------------------

@pytest.mark.parametrize("agency_id", ["abc", "²", "99999999999"])
def test_odd_agency_id_of_a_target_register_import(app, client, officer, agency_id):
    import io

    resp = client.post("/api/random/targets", headers=officer, content_type="multipart/form-data",
                       data={"agency_id": agency_id, "file": (io.BytesIO(b"a,b\n"), "t.csv")})
    _assert_refused(resp)
    assert "执法部门" in resp.get_json()["message"]


@pytest.fixture
def supervisor_page(app, make_user, login_as):
    from tests.helpers import extract_csrf

    client = login_as(app.test_client(), make_user(roles=("supervisor",)))

    def post(url, data):
        csrf = extract_csrf(client.get(url).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": csrf}, follow_redirects=True)

    return post


@pytest.mark.parametrize("field, value", [("plan_id", "abc"), ("plan_id", "99999999999"),
                                          ("agency_id", "99999999999"), ("agency_id", "１")])
def test_odd_ids_in_the_supervision_check_form(app, av_case, supervisor_page, field, value):
    data = {"what": "check", "agency_id": str(av_case.agency_id), "kind": "spot", "checked_on": "2026-11-30",
            "summary": "抽查案卷", field: value}
    resp = supervisor_page("/supervision/checks", data)
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    label = "检查计划" if field == "plan_id" else "执法部门"
    assert f"{label} 必须是非负整数" in text or f"{label} 超出允许的范围" in text


@pytest.mark.parametrize("value", ["abc", "99999999999"])
def test_odd_parent_office_id(app, supervisor_page, value):
    resp = supervisor_page("/supervision/offices", {"name": "临江市执法监督局", "level": "city",
                                                    "region_code": "220681", "parent_id": value})
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    assert "上级机构 必须是非负整数" in text or "上级机构 超出允许的范围" in text
