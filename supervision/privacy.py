"""The complainant's personal data under `app.privacy` (PIPL Art 6, 19, 44-45, 51): who may see it stays
`supervision.permissions.can_see_complainant` (supervisors in scope; the agency complained about only with
the complainant's consent); this module adds the rest of the personal-information mechanism:

- lists mask the complainant's phone and address (`dump_for_list`); every complaint shown with the
  complainant's data is logged as a view (purpose "complaint") by `supervision.services.complaints.
  log_person_view`;
- a refused read of a complaint is logged (`refuse`, own transaction);
- the right-to-know report finds complaints by the complainant's name (no ID number is asked);
- retention: once a complaint is closed or refused for PERSONAL_DATA_NON_PARTY_RETENTION_DAYS, the
  complainant's name, phone and address are anonymised (`purge_complainants`).
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.extensions import db
from app.privacy import masking, services as privacy
from supervision.models.complaints import Complaint, ComplaintStatus

PERSON_FIELDS = ("complainant_name", "complainant_phone", "complainant_address")


def dump_for_list(data: dict) -> dict:
    """A list row: the complainant's phone and address masked whoever reads (minimum necessary)."""
    if "complainant_phone" in data:
        data["complainant_phone"] = masking.mask_phone(data["complainant_phone"])
    if "complainant_address" in data:
        data["complainant_address"] = masking.mask_address(data["complainant_address"])
    return data


def refuse(user, complaint) -> None:
    privacy.record_refusal(user, "complaint", complaint.id, reason="无权查看该投诉举报")


def subjects_of(id_number, name):
    if not name:
        return []
    rows = db.session.scalars(select(Complaint.id).where(Complaint.complainant_name == name))
    return [("complaint", cid, None) for cid in rows]


def purge_complainants(today: date, dry_run: bool) -> list[tuple]:
    days = int(current_app.config.get("PERSONAL_DATA_NON_PARTY_RETENTION_DAYS", 5 * 366))
    cutoff = today - timedelta(days=days)
    ended = or_((Complaint.status == ComplaintStatus.closed.value) & (Complaint.replied_on <= cutoff),
                (Complaint.status == ComplaintStatus.refused.value) & (Complaint.decided_on <= cutoff))
    has_person = or_(*[getattr(Complaint, f) != "" for f in PERSON_FIELDS])
    done = []
    for complaint in db.session.scalars(select(Complaint).where(ended, has_person).order_by(Complaint.id)):
        done.append(("complaint", complaint.id, None))
        if not dry_run:
            complaint.complainant_name = "（已匿名化）"
            complaint.complainant_phone = ""
            complaint.complainant_address = ""
    if not dry_run:
        db.session.flush()
    return done


def init_app(app):
    privacy.register_subject_resolver(subjects_of)
    privacy.register_retention("supervision.complainants", purge_complainants)
