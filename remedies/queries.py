"""Reads of remedies, already limited to what the user may see; deadline warnings; rates per agency/year."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import extract, select

from app.auth.models import Agency
from app.extensions import db
from remedies import rules
from remedies.models import Remedy, RemedyHearing

EVERYONE = object()  #: the trusted operator of the CLI


def _agency_clause(user, column):
    """What the user may read (app.auth.scope: own agency; supervisors their part of the hierarchy)."""
    if user is EVERYONE:
        return None
    from app.auth.scope import agency_clause

    return agency_clause(user, column)


def rate_agency_ids(user):
    """Agencies whose rates the user sees: None = all, else the agencies the user may read."""
    if user is EVERYONE:
        return None
    from app.auth.scope import readable_agency_ids

    ids = readable_agency_ids(user)
    return None if ids is None else sorted(ids)


def visible_remedies(user, *, case_id=None, kind=None, pending=None):
    stmt = select(Remedy).order_by(Remedy.applied_on.desc(), Remedy.id.desc())
    clause = _agency_clause(user, Remedy.agency_id)
    if clause is not None:
        stmt = stmt.where(clause)
    if user is not EVERYONE:
        from cases.visibility import case_clause, visible_case_ids

        if case_clause(user) is not None:  # SPEC §1 per role and the supervision hierarchy, via the case
            stmt = stmt.where(Remedy.case_id.in_(visible_case_ids(user)))
    if case_id is not None:
        stmt = stmt.where(Remedy.case_id == case_id)
    if kind:
        stmt = stmt.where(Remedy.kind == kind)
    if pending:
        stmt = stmt.where(Remedy.effective_on.is_(None))
    return stmt


def remedy_periods_of(case) -> list:
    """cases.remedy_periods provider: one period per remedy, from its application to the day its outcome
    took effect (None while pending). An appealed first instance ends where its appeal begins, so the
    lawsuit stays pending through the appeal."""
    from cases.remedy_periods import RemedyPeriod

    rows = db.session.scalars(select(Remedy).where(Remedy.case_id == case.id).order_by(Remedy.id)).all()
    out = []
    for r in rows:
        ended = r.effective_on
        if ended is None and r.outcome is not None:
            appeals = [c for c in rows if c.parent_id == r.id and c.stage == rules.Stage.appeal.value]
            if appeals:
                ended = min(c.applied_on for c in appeals)
        out.append(RemedyPeriod(kind=r.kind, started_on=r.applied_on, ended_on=ended,
                                note=f"{r.kind_label} {r.case_number or r.body}"))
    return out


@dataclass
class Warning:
    level: str  #: "overdue" or "due_soon"
    message: str
    remedy_id: int
    due_on: date


def warnings(user, today: date, warn_days: int) -> list[Warning]:
    """答复/答辩 and decision deadlines overdue or due within `warn_days` (SPEC §15)."""
    soon = today + timedelta(days=warn_days)
    out = []
    for r in db.session.scalars(visible_remedies(user, pending=True)).all():
        if r.answer_due and r.answered_on is None and r.answer_due <= soon:
            basis = "行政复议法第四十八条" if r.kind == "reconsideration" else "行政诉讼法第六十七条"
            late = r.answer_due < today
            out.append(Warning("overdue" if late else "due_soon",
                               f"{r.agency.short_name} {r.kind_label} {r.case_number or r.body}："
                               f"应于{r.answer_due:%Y-%m-%d}前提交{'书面答复' if r.kind == 'reconsideration' else '答辩状和证据'}"
                               f"（{basis}）" + ("，已逾期" if late else ""), r.id, r.answer_due))
        if r.outcome is None and r.decision_due and r.decision_due <= soon:
            late = r.decision_due < today
            out.append(Warning("overdue" if late else "due_soon",
                               f"{r.agency.short_name} {r.kind_label} {r.case_number or r.body}："
                               f"审理期限{r.decision_due:%Y-%m-%d}" + ("已届满，尚未登记结果" if late else "即将届满"),
                               r.id, r.decision_due))
    return sorted(out, key=lambda w: w.due_on)


# --- rates ---------------------------------------------------------------------------------------------------

@dataclass
class AgencyRates:
    agency: Agency
    year: int
    reconsideration: rules.Rate
    lawsuit: rules.Rate
    appearance: rules.Rate
    reconsiderations_received: int
    lawsuits_received: int

    def to_dict(self, targets):
        return {"agency_id": self.agency.id, "agency": self.agency.name, "year": self.year,
                "reconsiderations_received": self.reconsiderations_received,
                "lawsuits_received": self.lawsuits_received,
                "reconsideration_correction": self.reconsideration.to_dict(),
                "lawsuit_loss": self.lawsuit.to_dict(), "head_appearance": self.appearance.to_dict(),
                "targets": targets, "meets_targets": meets(self, targets)}


def meets(r: AgencyRates, targets) -> dict:
    def le(rate, limit):
        return None if rate.value is None else rate.value <= limit

    def ge(rate, floor):
        return None if rate.value is None else rate.value >= floor

    return {"reconsideration_correction": le(r.reconsideration, targets["reconsideration_correction"]),
            "lawsuit_loss": le(r.lawsuit, targets["lawsuit_loss"]),
            "head_appearance": ge(r.appearance, targets["head_appearance"])}


def targets() -> dict:
    from flask import current_app

    c = current_app.config
    return {"reconsideration_correction": float(c["REMEDY_TARGET_RECONSIDERATION_CORRECTION"]),
            "lawsuit_loss": float(c["REMEDY_TARGET_LAWSUIT_LOSS"]),
            "head_appearance": float(c["REMEDY_TARGET_HEAD_APPEARANCE"])}


def _final_lawsuit_outcomes(remedies) -> list[tuple[Remedy, str]]:
    """A lawsuit counts once, by the outcome of its last effective instance (an appeal that reverses a
    first-instance loss is not a loss); it is dated by that instance's effective date."""
    by_id = {r.id: r for r in remedies}

    def root(r):
        while r.parent_id is not None and r.parent_id in by_id and by_id[r.parent_id].kind == "lawsuit":
            r = by_id[r.parent_id]
        return r

    last = {}
    for r in remedies:
        if r.kind != "lawsuit" or r.effective_on is None:
            continue
        key = root(r).id
        if key not in last or (r.effective_on, r.id) > (last[key].effective_on, last[key].id):
            last[key] = r
    return [(r, r.outcome) for r in last.values()]


def rates(year: int, agency_ids=None) -> list[AgencyRates]:
    """复议纠错率, 诉讼败诉率 and 负责人出庭应诉率 per agency for `year`, from the records (SPEC §15):
    concluded = outcomes effective in the year; hearings = sessions held in the year."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
    if agency_ids is not None:
        agencies = [a for a in agencies if a.id in set(agency_ids)]
    all_remedies = db.session.scalars(select(Remedy)).all()
    hearings = db.session.execute(select(Remedy.agency_id, RemedyHearing.head_appeared)
                                  .join(Remedy, Remedy.id == RemedyHearing.remedy_id)
                                  .where(extract("year", RemedyHearing.held_on) == year)).all()
    lawsuit_finals = _final_lawsuit_outcomes(all_remedies)
    out = []
    for agency in agencies:
        mine = [r for r in all_remedies if r.agency_id == agency.id]
        recon = [r.outcome for r in mine if r.kind == "reconsideration" and r.effective_on is not None
                 and r.effective_on.year == year]
        suits = [o for r, o in lawsuit_finals if r.agency_id == agency.id and r.effective_on.year == year]
        out.append(AgencyRates(
            agency=agency, year=year, reconsideration=rules.correction_rate(recon),
            lawsuit=rules.correction_rate(suits),
            appearance=rules.appearance_rate(h for a, h in hearings if a == agency.id),
            reconsiderations_received=sum(1 for r in mine if r.kind == "reconsideration"
                                          and r.applied_on.year == year),
            lawsuits_received=sum(1 for r in mine if r.kind == "lawsuit" and r.stage == "first"
                                  and r.applied_on.year == year)))
    return out


def total(rows: list[AgencyRates], year: int) -> dict:
    """The city's figures: sums of numerators and denominators (not an average of rates)."""
    def add(name):
        rate = rules.Rate()
        for r in rows:
            part = getattr(r, name)
            rate.numerator += part.numerator
            rate.denominator += part.denominator
        return rate

    return {"reconsideration": add("reconsideration"), "lawsuit": add("lawsuit"), "appearance": add("appearance"),
            "reconsiderations_received": sum(r.reconsiderations_received for r in rows),
            "lawsuits_received": sum(r.lawsuits_received for r in rows)}


def reviewer_case_clause(user):
    """The agency's legal office (reviewers) answers reconsiderations and lawsuits: a reviewer also sees the
    cases of their agency under a remedy. Registered with `cases.visibility.register_case_scope`."""
    import sqlalchemy as sa

    from cases.models import Case

    if user.agency_id is None:
        return sa.false()
    return Case.id.in_(select(Remedy.case_id).where(Remedy.agency_id == user.agency_id))



def statistics_section(year: int):
    """publicity.queries.STATISTICS_SECTIONS: the city's remedies of `year`, counts and rates only."""
    rows = rates(year)
    t = total(rows, year)
    return ("行政复议和行政诉讼", {
        "收到行政复议申请（件）": t["reconsiderations_received"],
        "行政复议审结（件）": t["reconsideration"].denominator,
        "行政复议纠错（件）": t["reconsideration"].numerator,
        "行政复议纠错率": t["reconsideration"].percent,
        "被提起行政诉讼（件）": t["lawsuits_received"],
        "行政诉讼审结（件）": t["lawsuit"].denominator,
        "行政诉讼败诉（件）": t["lawsuit"].numerator,
        "行政诉讼败诉率": t["lawsuit"].percent,
        "开庭（庭次）": t["appearance"].denominator,
        "机关负责人出庭应诉（庭次）": t["appearance"].numerator,
        "负责人出庭应诉率": t["appearance"].percent,
    })
