"""Evidence stays on hold until the remedy is final (SPEC §15): closing the case does not release the
recordings' legal hold while a reconsideration is pending; the effective outcome does (the remedy windows
of this 2025 decision are over by today, so only the remedy holds). Through cases.remedy_periods, which
recordings' retention reads."""
from datetime import date, datetime, timedelta, timezone

from app.auth.models import User
from app.extensions import db
from cases import services as case_services
from cases.models import Case
from recordings import services as rec_services
from remedies import services
from tests.recordings.conftest import media_files  # noqa: F401 (session fixture: real media made by ffmpeg)


def test_pending_remedy_keeps_the_hold_after_closing_and_the_final_outcome_releases_it(app, published, media_files):
    ids = published("served")
    with app.app_context():
        case = db.session.get(Case, ids["case_id"])
        officer, head = db.session.get(User, ids["officer"]), db.session.get(User, ids["head"])
        with open(media_files.video, "rb") as fh:
            case_, _, meta = rec_services.prepare(case.id, {
                "device_id": "DSJ-0001", "filename": "bodycam.mp4", "content_type": "video/mp4",
                "started_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()}, actor=officer)
            rec = rec_services.ingest(fh, case=case_, step=None, meta=meta, actor=officer)
        db.session.commit()
        assert rec.legal_hold is True
        remedy = services.file_remedy(case, {"kind": "reconsideration", "body": "临江市人民政府",
                                             "applied_on": "2025-10-08"}, actor=officer, today=date(2026, 3, 1))
        case_services.apply_action(case, "record_execution", actor=officer,
                                   data={"paid_amount": "1000", "paid_on": "2025-10-09"}, on=date(2025, 10, 9))
        case_services.apply_action(case, "close", actor=head, on=date(2025, 10, 10))
        db.session.commit()
        assert case.status == "closed"
        assert rec.legal_hold is True  # the remedy keeps it
        assert rec_services.sync_holds()["released"] == []  # and the daily sync agrees
        services.record_outcome(remedy, outcome="uphold", decided_on=date(2025, 12, 1), actor=officer,
                                today=date(2026, 3, 1))
        db.session.commit()
        assert rec.legal_hold is False
        assert rec_services.sync_holds()["applied"] == []
