"""The custody report (证据保管链报告): one PDF per recording with its metadata, hashes, custody log, the
ledger entry with its inclusion proof and the signed checkpoint."""
from app.pdf import render_pdf
from app.timeutil import today_china, utcnow
from recordings import services


def custody_report(rec, *, generated_by=None) -> bytes:
    bundle = services.bundle(rec)
    return render_pdf("recordings/pdf/custody.html", rec=rec, custody=services.custody_log(rec), bundle=bundle,
                      agency_name=_agency_name(rec), title="证据保管链报告", issued_on=today_china(),
                      generated_at=utcnow(),
                      generated_by=generated_by.full_name if generated_by is not None else "系统")


def _agency_name(rec) -> str:
    from app.auth.models import Agency
    from app.extensions import db

    return rec.case.agency.name if rec.case_id is not None else db.session.get(Agency, rec.agency_id).name
