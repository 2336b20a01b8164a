"""Demo recordings: real media made with ffmpeg (a body-camera video and an audio-only inquiry), ingested
through the services and attached to the demo case steps that need audio/video."""
import os
import subprocess
import tempfile
from datetime import timedelta

from sqlalchemy import select

from app.web.demo import register_demo
from recordings import media


def _make(path, *, video, seconds, created):
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    if video:
        cmd = [media.FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
               f"testsrc=size=640x360:rate=25:duration={seconds}", "-f", "lavfi", "-i",
               f"sine=frequency=660:duration={seconds}", "-vf",
               "drawtext=text='DSJ-LJ-0012 %{pts\\:hms}':x=10:y=10:fontsize=20:fontcolor=white:box=1:boxcolor=black",
               "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest",
               "-metadata", f"creation_time={stamp}", path]
    else:
        cmd = [media.FFMPEG, "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
               f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-metadata", f"creation_time={stamp}", path]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0 and video:  # ffmpeg built without drawtext: plain test pattern
        cmd = [c for c in cmd if not c.startswith("drawtext")]
        i = cmd.index("-vf")
        del cmd[i:i + 1]
        subprocess.run(cmd, check=True, capture_output=True)


@register_demo(80)
def load_recordings(ctx):
    """Attach a recording to each demo step that needs audio/video (at most six)."""
    from app.extensions import db
    from cases.models import CaseStatus, CaseStep
    from cases.workflow import OPEN_STATUSES
    from recordings import services

    steps = [s for s in db.session.scalars(select(CaseStep).where(CaseStep.needs_av.is_(True)).order_by(CaseStep.id))
             if CaseStatus(s.case.status) in OPEN_STATUSES][:6]
    made = ctx.setdefault("recordings", {})
    with tempfile.TemporaryDirectory(prefix="sanxiang-demo-") as tmp:
        for n, step in enumerate(steps):
            case = step.case
            officer = next((co.officer.user for co in case.officers if co.officer.user is not None), None)
            if officer is None:
                continue
            video = n % 3 != 2
            path = os.path.join(tmp, f"demo-{n}.{'mp4' if video else 'm4a'}")
            started = step.started_at
            _make(path, video=video, seconds=8, created=started)
            data = {"step_id": step.id, "device_id": f"DSJ-LJ-{12 + n:04d}", "location": step.place,
                    "started_at": started.isoformat(), "ended_at": (started + timedelta(seconds=8)).isoformat(),
                    "filename": f"{'执法记录仪' if video else '询问录音'}-{case.id}-{step.id}.{'mp4' if video else 'm4a'}",
                    "late_reason": "演示数据：补录历史记录"}
            case_, step_, meta = services.prepare(case.id, data, actor=officer)
            with open(path, "rb") as fh:
                rec = services.ingest(fh, case=case_, step=step_, meta=meta, actor=officer)
            made[rec.id] = rec
