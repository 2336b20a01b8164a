"""Inspection fixtures: case factories, a case under investigation with its head, and real media clips of
chosen lengths made once per session with ffmpeg (tiny frames at 1 fps, so a 20-minute clip takes a moment)."""
from __future__ import annotations

import subprocess
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from app.extensions import db
from tests.cases.conftest import *  # noqa: F401,F403  (case factories)
from tests.cases.conftest import officer_user


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    d = tmp_path_factory.mktemp("clips")

    def make(name, seconds):
        path = d / f"{name}.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"color=c=gray:size=32x32:rate=1", "-t", str(seconds), "-c:v", "libx264",
                        "-preset", "ultrafast", "-g", "600", str(path)], check=True, capture_output=True)
        return path

    return SimpleNamespace(short=make("short", 4), first=make("first", 20 * 60), second=make("second", 19 * 60 + 30))


def ingest_clip(path, case, *, actor, started_at, step=None, interruptions=None):
    """Register a real clip through the recordings feature (probe, hash, ledger), linked to `step`."""
    from recordings import services as rec

    with open(path, "rb") as fh:
        case_, step_, meta = rec.prepare(case.id, {
            "device_id": "DSJ-0001", "filename": path.name, "content_type": "video/mp4",
            "started_at": started_at.isoformat(), "step_id": step.id if step else None,
            "interruptions": interruptions or []}, actor=actor)
        return rec.ingest(fh, case=case_, step=step_, meta=meta, actor=actor)


@pytest.fixture
def m_case(app_ctx, case_at, head_of):
    """A case under investigation, its lead officer, its head, and a time 2 hours ago (China time)."""
    case = case_at("investigating")
    start = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(microsecond=0)
    return SimpleNamespace(case=case, officer=officer_user(case), head=head_of(case.agency_id), start=start)
