"""Reads: what the public may see (`public_*`, always limited to published decisions within their display
period, so an expired one is never shown even if `flask publicity expire` did not run), what staff may see
(`visible_*`), statistics and alerts.

Search (SPEC: Chinese text, one- and two-character words included): every term is a substring match
(LIKE '%term%') on `publications.search_text`, a narrow lower-cased column holding the redacted title,
party, facts, penalty, number, category and agency. Results are ordered by decision date through the
(status, decided_on) index and cut with LIMIT per_page + 1 (no COUNT: "next page" is known from the extra
row), so a frequent term stops scanning after a page of hits. On PostgreSQL a pg_trgm GIN index on the
same column serves terms of three or more characters. One- and two-character terms have no trigram of
their own, so on PostgreSQL they are looked up in `search_grams` (every distinct 1- and 2-character gram of
the text as a space-separated word): LIKE '% 鑫源 %' has the trigrams "  鑫", " 鑫源", "鑫源 " and uses the
same kind of index. SQLite scans (LIKE), which the bench shows is fine at the sizes SQLite is meant for.
See bench/README-publicity.md for the measured latencies.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import and_, func, inspect, or_, select
from sqlalchemy.orm import defer, selectinload

from app.auth.models import Agency, Role
from app.auth.permissions import has_role, is_citywide
from app.extensions import db
from publicity import permissions
from publicity.models import (PENDING_STATUSES, AnnualReport, InspectionItem, Publication, PublicationStatus)

PER_PAGE = 20
MAX_TERMS = 5


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_terms(q: str | None) -> list[str]:
    return [t for t in (q or "").lower().split() if t][:MAX_TERMS]


def public_decisions_stmt(today: date, *, q=None, agency_id=None, category=None, date_from=None,
                          date_to=None):
    stmt = select(Publication).where(Publication.status == PublicationStatus.published.value,
                                     Publication.display_until >= today)
    short_via_grams = db.session.get_bind().dialect.name == "postgresql"
    for term in search_terms(q):
        escaped = _escape_like(term[:50])
        if short_via_grams and len(term) <= 2:
            stmt = stmt.where(Publication.search_grams.like(f"% {escaped} %", escape="\\"))
        else:
            stmt = stmt.where(Publication.search_text.like(f"%{escaped}%", escape="\\"))
    if agency_id:
        stmt = stmt.where(Publication.agency_id == agency_id)
    if category:
        stmt = stmt.where(Publication.category == category)
    if date_from:
        stmt = stmt.where(Publication.decided_on >= date_from)
    if date_to:
        stmt = stmt.where(Publication.decided_on <= date_to)
    return stmt.order_by(Publication.decided_on.desc(), Publication.id.desc())


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool
    total: int | None = None  #: counted only where a page shows it (the public search page)

    @property
    def has_prev(self):
        return self.page > 1


def public_decisions(today: date, *, page: int = 1, per_page: int = PER_PAGE, count: bool = False,
                     **filters) -> Page:
    page = max(int(page or 1), 1)
    per_page = min(max(int(per_page or PER_PAGE), 1), 100)
    # The search columns are the widest and no public page shows them: not loaded.
    stmt = (public_decisions_stmt(today, **filters)
            .options(selectinload(Publication.agency), defer(Publication.search_text),
                     defer(Publication.search_grams), defer(Publication.edits))
            .limit(per_page + 1).offset((page - 1) * per_page))
    rows = db.session.scalars(stmt).all()
    total = None
    if count:
        total = db.session.scalar(select(func.count()).select_from(
            public_decisions_stmt(today, **filters).order_by(None).subquery()))
    return Page(rows[:per_page], page, per_page, len(rows) > per_page, total)


def public_decision(pub_id: int, today: date) -> Publication | None:
    """A published decision in its display period, or a withdrawn one (shown with its reason only)."""
    pub = db.session.get(Publication, pub_id)
    if pub is None:
        return None
    if pub.status == PublicationStatus.published.value and pub.display_until and pub.display_until >= today:
        return pub
    if pub.status == PublicationStatus.withdrawn.value:
        return pub
    return None


def public_withdrawals(today: date, limit: int = 200):
    """Withdrawn decisions with their reasons (kept public for the display period they would have had)."""
    stmt = (select(Publication).where(Publication.status == PublicationStatus.withdrawn.value,
                                      or_(Publication.display_until.is_(None), Publication.display_until >= today))
            .order_by(Publication.withdrawn_on.desc(), Publication.id.desc()).limit(limit))
    return db.session.scalars(stmt).all()


def public_agencies():
    return db.session.scalars(select(Agency).order_by(Agency.id)).all()


def public_entrusted_organisations(today: date | None = None):
    """受委托组织 whose entrustment (委托书) has been published (APL Art 20), with its period and status."""
    from app.agencies.models import EntrustedOrganisation

    from app.timeutil import today_china

    today = today or today_china()
    return db.session.scalars(select(EntrustedOrganisation).where(
        EntrustedOrganisation.published_on.is_not(None), EntrustedOrganisation.published_on <= today)
        .order_by(EntrustedOrganisation.entrusting_agency_id, EntrustedOrganisation.id)).all()


def public_categories() -> list[str]:
    seen = []
    for agency in public_agencies():
        for c in agency.categories or []:
            if c not in seen:
                seen.append(c)
    return seen


def public_powers(today: date, *, agency_id=None, category=None):
    """The power list: each matter's latest version published on or before today."""
    from cases.models import Matter, MatterVersion

    latest = (select(MatterVersion.matter_id, func.max(MatterVersion.version).label("v"))
              .where(MatterVersion.published_on.is_not(None), MatterVersion.published_on <= today)
              .group_by(MatterVersion.matter_id).subquery())
    stmt = (select(MatterVersion).join(latest, and_(latest.c.matter_id == MatterVersion.matter_id,
                                                    latest.c.v == MatterVersion.version))
            .join(Matter, Matter.id == MatterVersion.matter_id).order_by(Matter.agency_id, Matter.code))
    if agency_id:
        stmt = stmt.where(Matter.agency_id == agency_id)
    if category:
        stmt = stmt.where(MatterVersion.category == category)
    return db.session.scalars(stmt).all()


def public_power(matter_id: int, today: date):
    return next(iter(v for v in public_powers(today) if v.matter_id == matter_id), None)


def public_inspection_items(today: date, agency_id=None):
    stmt = (select(InspectionItem).where(InspectionItem.published_on <= today)
            .order_by(InspectionItem.agency_id, InspectionItem.id))
    if agency_id:
        stmt = stmt.where(InspectionItem.agency_id == agency_id)
    return db.session.scalars(stmt).all()


def major_catalogues(today: date):
    """The agencies' published major-decision catalogues (review feature), if that feature is installed:
    [(agency, catalogue or None)]. Without a catalogue the built-in criteria apply (shown by the page)."""
    try:
        from review.models import MajorCatalogue
    except ImportError:
        return [(a, None) for a in public_agencies()]
    if not inspect(db.engine).has_table(MajorCatalogue.__tablename__):
        return [(a, None) for a in public_agencies()]
    out = []
    for agency in public_agencies():
        cat = db.session.scalar(select(MajorCatalogue).where(
            MajorCatalogue.agency_id == agency.id, MajorCatalogue.published_on.is_not(None),
            MajorCatalogue.published_on <= today).order_by(MajorCatalogue.version.desc()).limit(1))
        out.append((agency, cat))
    return out


# --- statistics -----------------------------------------------------------------------------------------

OUTCOME_LABELS = {"penalty": "作出行政处罚", "not_filed": "不予立案", "terminated": "终止（不予处罚、撤销立案）",
                  "no_penalty": "不予行政处罚", "not_established": "违法事实不能成立、不得给予行政处罚",
                  "transfer": "涉嫌犯罪移送司法机关"}
#: Withdrawal reasons after which a decision no longer stands: left out of the year's decisions and fines
#: and shown as a line of their own (issue 13 finding 11).
VOIDING_REASONS = ("revoked", "confirmed_invalid")


def statistics(year: int) -> dict:
    """A year's figures (SPEC §3 annual statistics): decisions by agency, category and penalty kind, fines,
    cases not filed or terminated, legal reviews, publications. Counts only: no personal data."""
    from cases.models import PENALTY_KINDS, Case, CaseStatus, MatterVersion

    start, end = date(year, 1, 1), date(year, 12, 31)
    decided = (select(Case.agency_id, MatterVersion.category, Case.penalties, Case.fine_amount,
                      Case.decision_kind, Publication.withdrawal_reason)
               .join(MatterVersion, MatterVersion.id == Case.matter_version_id)
               .outerjoin(Publication, Publication.case_id == Case.id)
               .where(Case.decided_on.between(start, end)))
    agencies = {a.id: a for a in public_agencies()}
    by_agency: dict[str, dict] = {}
    by_category: dict[str, dict] = {}
    by_penalty: dict[str, int] = {}
    total = {"decisions": 0, "fines": Decimal("0")}
    kinds: dict[str, int] = {}
    voided: dict[str, int] = {}
    for agency_id, category, penalties, fine, kind, withdrawal in db.session.execute(decided):
        if withdrawal in VOIDING_REASONS:
            voided[withdrawal] = voided.get(withdrawal, 0) + 1
            continue
        if kind not in (None, "penalty"):
            kinds[kind] = kinds.get(kind, 0) + 1
            continue
        name = agencies[agency_id].name if agency_id in agencies else str(agency_id)
        for bucket in (by_agency.setdefault(name, {"decisions": 0, "fines": Decimal("0")}),
                       by_category.setdefault(category, {"decisions": 0, "fines": Decimal("0")}), total):
            bucket["decisions"] += 1
            bucket["fines"] += fine or 0
        for p in (penalties or []) or (["fine"] if fine else []):
            label = PENALTY_KINDS.get(p, p)
            by_penalty[label] = by_penalty.get(label, 0) + 1
    other = dict(db.session.execute(
        select(Case.status, func.count()).where(
            Case.status.in_([CaseStatus.not_filed.value, CaseStatus.terminated.value]),
            Case.updated_at >= start, Case.updated_at < end + timedelta(days=1)).group_by(Case.status)).all())
    outcomes = {OUTCOME_LABELS["penalty"]: total["decisions"],
                OUTCOME_LABELS["not_filed"]: other.get(CaseStatus.not_filed.value, 0),
                OUTCOME_LABELS["terminated"]: other.get(CaseStatus.terminated.value, 0)}
    for kind, n in kinds.items():
        outcomes[OUTCOME_LABELS[kind]] = n
    from publicity.models import WITHDRAWAL_LABELS, WithdrawalReason

    for reason, n in voided.items():
        outcomes[f"{WITHDRAWAL_LABELS[WithdrawalReason(reason)]}（不计入处罚决定件数和罚款金额）"] = n
    pubs = dict(db.session.execute(
        select(Publication.status, func.count()).where(Publication.decided_on.between(start, end))
        .group_by(Publication.status)).all())
    from publicity.models import STATUS_LABELS

    return {
        "year": year,
        "total": total,
        "by_agency": by_agency,
        "by_category": by_category,
        "by_penalty": by_penalty,
        "outcomes": outcomes,
        "reviews": _review_counts(start, end),
        "publications": {STATUS_LABELS[PublicationStatus(s)]: n for s, n in pubs.items()},
        "sections": [section for provider in STATISTICS_SECTIONS for section in [provider(year)] if section],
    }


#: Callables year -> (title, {label: value}) or None: higher features add their part of the annual
#: statistics (e.g. remedies: reconsiderations, lawsuits and their rates, SPEC §3) without publicity
#: importing them.
STATISTICS_SECTIONS: list = []


def _review_counts(start, end) -> dict:
    try:
        from review.models import ReviewSubmission
    except ImportError:
        return {}
    if not inspect(db.engine).has_table(ReviewSubmission.__tablename__):
        return {}
    rows = db.session.execute(select(ReviewSubmission.status, func.count())
                              .where(ReviewSubmission.submitted_on.between(start, end))
                              .group_by(ReviewSubmission.status)).all()
    try:
        from review.models import STATUS_LABELS as REVIEW_LABELS, SubmissionStatus

        return {REVIEW_LABELS[SubmissionStatus(s)]: n for s, n in rows}
    except (ImportError, ValueError, KeyError):
        return {s: n for s, n in rows}


def years_with_decisions() -> list[int]:
    from cases.models import Case

    years = {d.year for (d,) in db.session.execute(select(Case.decided_on).where(Case.decided_on.is_not(None))
                                                   .distinct())}
    return sorted(years, reverse=True)


def published_reports():
    return db.session.scalars(select(AnnualReport).order_by(AnnualReport.year.desc(), AnnualReport.fmt)).all()


# --- staff ----------------------------------------------------------------------------------------------

def visible_publications(user, *, status=None):
    stmt = select(Publication).order_by(Publication.due_on.desc(), Publication.id.desc())
    if not permissions.can_view_publications(user):
        return stmt.where(Publication.id.is_(None))
    # SPEC §1 through the case: a reviewer sees only the publications of cases sent to review.
    from app.auth.scope import agency_clause
    from cases.visibility import case_clause, visible_case_ids

    agencies = agency_clause(user, Publication.agency_id)
    if agencies is not None:
        stmt = stmt.where(agencies)
    if case_clause(user) is not None:
        stmt = stmt.where(or_(Publication.case_id.is_(None), Publication.case_id.in_(visible_case_ids(user))))
    if status:
        stmt = stmt.where(Publication.status == status)
    return stmt


@dataclass
class Alert:
    level: str  #: "overdue" or "due_soon" or "info"
    text: str
    publication_id: int | None
    due_on: date | None


def visible_publicity_alerts(user, today: date) -> list[Alert]:
    """超期预警 for the agency's staff and the supervisor: publications and withdrawals overdue or due soon,
    non-publications reported in the last 30 days (supervisor), and a missing annual report after 31 January."""
    from publicity.services import report_due, setting

    if not permissions.can_view_publications(user):
        return []
    soon = today + timedelta(days=int(setting("PUBLICITY_ALERT_DAYS")))
    base = visible_publications(user).order_by(None)
    alerts = []
    pending = db.session.scalars(base.where(Publication.status.in_(PENDING_STATUSES), Publication.due_on <= soon)
                                 .order_by(Publication.due_on)).all()
    for p in pending:
        late = p.due_on < today
        alerts.append(Alert("overdue" if late else "due_soon",
                            f"{p.agency.short_name} {p.decision_number} 应于{p.due_on:%Y-%m-%d}前公开"
                            + ("，已逾期" if late else "") + f"（{p.status_label}）", p.id, p.due_on))
    withdrawals = db.session.scalars(base.where(Publication.status == PublicationStatus.published.value,
                                                Publication.withdrawal_due_on.is_not(None),
                                                Publication.withdrawal_due_on <= soon)
                                     .order_by(Publication.withdrawal_due_on)).all()
    for p in withdrawals:
        late = p.withdrawal_due_on < today
        alerts.append(Alert("overdue" if late else "due_soon",
                            f"{p.agency.short_name} {p.decision_number} 应于{p.withdrawal_due_on:%Y-%m-%d}前撤下"
                            + ("，已逾期" if late else ""), p.id, p.withdrawal_due_on))
    if has_role(user, Role.supervisor) or is_citywide(user):
        reported = db.session.scalars(base.where(Publication.status == PublicationStatus.not_published.value,
                                                 Publication.decided_on >= today - timedelta(days=30))).all()
        for p in reported:
            alerts.append(Alert("info", f"{p.agency.short_name} {p.decision_number} 不予公开（{p.ground_label}）已报备",
                                p.id, None))
        year = today.year - 1
        if today > report_due(year) and not db.session.scalar(
                select(func.count()).select_from(AnnualReport).where(AnnualReport.year == year)):
            alerts.append(Alert("overdue", f"{year}年度行政执法统计年报应于{report_due(year):%Y-%m-%d}前发布，尚未发布",
                                None, report_due(year)))
    return alerts
