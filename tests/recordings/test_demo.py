"""`flask demo load` makes real recordings with ffmpeg and attaches them to demo steps needing audio/video."""
from sqlalchemy import select

from app.extensions import db
from recordings.models import Recording


def test_demo_loader_attaches_real_recordings(app, av_case):
    from recordings.demo import load_recordings

    with app.app_context():
        ctx = {}
        load_recordings(ctx)
        db.session.commit()
        recs = list(db.session.scalars(select(Recording)))
        assert len(recs) == 1 and recs[0].step_id == av_case.step_id
        assert recs[0].media_kind == "video" and recs[0].probe["streams"]
        assert recs[0].ledger_seq is not None
        from cases import guards
        from cases.models import CaseStep

        assert guards.recording_problems(db.session.get(CaseStep, av_case.step_id)) == []
