"""Reads: officers and certificates limited to what a user may see, search, and the reviewer KPI."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import false, or_, select

from app.auth.models import Agency, Role, User, UserRole
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.officers import rules
from app.officers.models import Certificate, Officer
from app.officers.permissions import can_manage_officers, can_view_officer, can_view_officers


def visible_officers(user, *, q: str | None = None, agency_id: int | None = None):
    """A select of the officers `user` may see, optionally searched by name, ID or certificate number."""
    stmt = select(Officer).order_by(Officer.agency_id, Officer.id)
    if not can_view_officers(user):
        return stmt.where(false())
    if not can_manage_officers(user):
        stmt = stmt.where(Officer.agency_id == user.agency_id)
    if agency_id:
        stmt = stmt.where(Officer.agency_id == agency_id)
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        numbers = select(Certificate.officer_id).where(Certificate.number.ilike(like))
        stmt = stmt.where(or_(Officer.name.ilike(like), Officer.id_number == q, Officer.id.in_(numbers)))
    return stmt


def visible_certificates(user, *, q: str | None = None, agency_id: int | None = None):
    officers = visible_officers(user, q=None, agency_id=agency_id).with_only_columns(Officer.id).order_by(None)
    stmt = select(Certificate).where(Certificate.officer_id.in_(officers)).order_by(Certificate.id)
    q = (q or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.join(Officer).where(or_(Certificate.number.ilike(like), Officer.name.ilike(like)))
    return stmt


def get_officer(user, officer_id) -> Officer:
    officer = db.session.get(Officer, officer_id)
    if officer is None:
        raise NotFound("执法人员不存在")
    if not can_view_officer(user, officer):
        raise PermissionDenied("只能查看本单位的执法人员")
    return officer


def get_certificate(user, certificate_id) -> Certificate:
    cert = db.session.get(Certificate, certificate_id)
    if cert is None:
        raise NotFound("执法证件不存在")
    if not can_view_officer(user, cert.officer):
        raise PermissionDenied("只能查看本单位的执法证件")
    return cert


def find_certificate(token_or_number: str) -> Certificate | None:
    """For the public page: by the QR token or by the printed certificate number."""
    value = (token_or_number or "").strip()
    if not value or len(value) > 64:
        return None
    return db.session.scalar(select(Certificate).where(
        or_(Certificate.public_token == value, Certificate.number == value)))


def current_certificate(officer, on: date) -> Certificate | None:
    """The certificate to show for an officer: the latest one already issued on `on`."""
    certs = [c for c in officer.certificates if c.issued_on <= on] or list(officer.certificates)
    return max(certs, key=lambda c: (c.issued_on, c.id)) if certs else None


def search_officers(user, *, q=None, agency_id=None, status=None, on: date):
    """Visible officers with today's check, filtered by status: ok | failing | expiring (this month)."""
    officers = db.session.scalars(visible_officers(user, q=q, agency_id=agency_id)).all()
    rows = []
    for officer in officers:
        failures = rules.check(officer, on)
        cert = current_certificate(officer, on)
        expiring = bool(cert and not failures and cert.expires_on.year == on.year
                        and cert.expires_on.month == on.month)
        if status == "ok" and failures:
            continue
        if status == "failing" and not failures:
            continue
        if status == "expiring" and not expiring:
            continue
        rows.append({"officer": officer, "certificate": cert, "failures": failures, "expiring": expiring})
    return rows


# --- KPI ------------------------------------------------------------------------------------------------

@dataclass
class AgencyKpi:
    agency: Agency
    certified: int  #: officers who pass every rule today
    reviewers: int  #: reviewer accounts with a recorded 法律职业资格
    required: int  #: reviewers needed for REVIEWER_RATIO_PERCENT of the certified officers
    percent: int

    @property
    def ratio(self) -> float | None:
        return round(100.0 * self.reviewers / self.certified, 1) if self.certified else None

    @property
    def reaches(self) -> bool:
        return self.reviewers >= self.required


def kpi_agencies(user):
    if can_manage_officers(user):
        return db.session.scalars(select(Agency).order_by(Agency.id)).all()
    if can_view_officers(user):
        return [user.agency]
    return []


def agency_kpis(agencies, on: date) -> list[AgencyKpi]:
    percent = int(current_app.config.get("REVIEWER_RATIO_PERCENT", 5))
    settings = rules.RuleSettings.from_config()
    out = []
    for agency in agencies:
        officers = db.session.scalars(select(Officer).where(Officer.agency_id == agency.id)).all()
        certified = sum(1 for o in officers if not rules.check(o, on, settings=settings))
        reviewers = db.session.scalar(
            select(db.func.count(db.distinct(User.id)))
            .join(UserRole, UserRole.user_id == User.id)
            .join(Officer, Officer.user_id == User.id)
            .where(User.agency_id == agency.id, User.is_enabled.is_(True), UserRole.role == Role.reviewer.value,
                   Officer.qualification_number.is_not(None), Officer.qualification_number != ""))
        out.append(AgencyKpi(agency, certified, reviewers or 0, math.ceil(certified * percent / 100), percent))
    return out
