"""Finding 14.9: `Range: bytes=1-` read almost the whole original without a custody-log entry. Every read of
a recording is now logged whatever its range; the range requests of one playback (same user, variant,
action, address, within RECORDING_PLAYBACK_GROUP_SECONDS) are grouped under the entry that opened it.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from tests.helpers import bearer
from tests.recordings.conftest import _jobs_off, av_case, token_for, upload_single  # noqa: F401


def custody_count(app, rid):
    from recordings.models import CustodyEvent

    with app.app_context():
        return db.session.scalar(select(func.count(CustodyEvent.id)).where(CustodyEvent.recording_id == rid))


@pytest.fixture
def recording(app, client, av_case, token_for, media_files):
    resp = upload_single(client, bearer(token_for(av_case.officer_id)), media_files.video, case_id=av_case.case_id)
    assert resp.status_code == 201
    return resp.get_json()["id"]


@pytest.mark.parametrize("rng", ["bytes=1-", "bytes=100-", "bytes=-1000"])
def test_a_range_not_from_zero_is_logged(app, av_case, login_as, recording, rng):
    client = app.test_client()
    login_as(client, av_case.officer_id)
    before = custody_count(app, recording)
    resp = client.get(f"/recordings/{recording}/media?purpose=核查", headers={"Range": rng})
    assert resp.status_code == 206 and len(resp.data) > 0
    assert custody_count(app, recording) == before + 1


def test_the_ranges_of_one_playback_share_one_entry_and_others_get_theirs(app, av_case, login_as, recording):
    first, second = app.test_client(), app.test_client()
    login_as(first, av_case.officer_id)
    login_as(second, av_case.head_id)
    before = custody_count(app, recording)
    for rng in ("bytes=0-", "bytes=5000-", "bytes=1-", "bytes=20000-30000"):
        assert first.get(f"/recordings/{recording}/media?purpose=核查", headers={"Range": rng}).status_code == 206
    assert custody_count(app, recording) == before + 1
    assert second.get(f"/recordings/{recording}/media?purpose=审批", headers={"Range": "bytes=1-"}).status_code == 206
    assert custody_count(app, recording) == before + 2
    app.config["RECORDING_PLAYBACK_GROUP_SECONDS"], saved = 0, app.config["RECORDING_PLAYBACK_GROUP_SECONDS"]
    try:  # outside the window, a read is a new playback
        first.get(f"/recordings/{recording}/media?purpose=核查", headers={"Range": "bytes=1-"})
    finally:
        app.config["RECORDING_PLAYBACK_GROUP_SECONDS"] = saved
    assert custody_count(app, recording) == before + 3
