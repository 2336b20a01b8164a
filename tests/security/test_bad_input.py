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
