"""Supervision checks (监督检查, SPEC §14): annual plans per agency, checks under a plan or as spot checks,
and findings linked to an agency and, where they concern one, a case and an officer."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.permissions import ensure
from app.errors import Conflict, NotFound
from app.extensions import db
from app.officers.models import Officer
from app.timeutil import today_china
from supervision import permissions
from supervision.models.oversight import CheckPlan, Finding, SupervisionCheck
from supervision.services.common import actor_name, as_date, invalid, ledger, text
from supervision.services.hierarchy import office_of_agency


def _guard(actor, agency_id, what):
    if actor is not None:
        ensure(permissions.can_supervise(actor, agency_id), f"{what}仅限负责监督该执法部门的执法监督人员")


def create_plan(*, agency, year, title, planned_on, scope="", actor=None) -> CheckPlan:
    _guard(actor, agency.id, "制定执法监督检查计划")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise invalid("year", "请填写计划年度") from None
    planned_on = as_date(planned_on, "planned_on", "计划检查日期")
    if planned_on.year != year:
        raise invalid("planned_on", f"计划检查日期应在{year}年度内")
    title = text(title, "title", "计划名称", max_len=200)
    if db.session.scalar(select(CheckPlan.id).where(CheckPlan.agency_id == agency.id, CheckPlan.year == year,
                                                    CheckPlan.title == title)):
        raise Conflict(f"{agency.short_name}{year}年度已有检查计划“{title}”")
    office = office_of_agency(agency.id)
    plan = CheckPlan(agency_id=agency.id, office_id=office.id if office else None, year=year, title=title,
                     scope=text(scope, "scope", "检查范围", required=False), planned_on=planned_on,
                     created_by_id=getattr(actor, "id", None))
    db.session.add(plan)
    db.session.flush()
    ledger("supervision.plan", f"agency:{agency.id}", {"plan_id": plan.id, "year": year, "title": title,
                                                       "planned_on": planned_on, "actor": actor_name(actor)})
    return plan


def record_check(*, agency, kind, checked_on, summary, plan=None, findings=(), actor=None) -> SupervisionCheck:
    """A check done; `findings` is a list of {"text", "case_id"?, "officer_id"?}."""
    _guard(actor, agency.id, "记录执法监督检查")
    if kind not in ("annual", "spot"):
        raise invalid("kind", "检查类型应为年度检查或专项抽查")
    if kind == "annual" and plan is None:
        raise invalid("plan_id", "年度检查应关联检查计划")
    if plan is not None and plan.agency_id != agency.id:
        raise invalid("plan_id", "检查计划不属于该执法部门")
    checked_on = as_date(checked_on, "checked_on", "检查日期")
    if checked_on > today_china():
        raise invalid("checked_on", "检查日期不得晚于今天")
    check = SupervisionCheck(agency_id=agency.id, kind=kind, checked_on=checked_on, plan_id=plan.id if plan else None,
                             summary=text(summary, "summary", "检查情况", max_len=5000),
                             inspector_id=getattr(actor, "id", None))
    db.session.add(check)
    db.session.flush()
    check.ledger_seq = ledger("supervision.check", f"agency:{agency.id}", {
        "check_id": check.id, "kind": kind, "checked_on": checked_on, "plan_id": check.plan_id,
        "actor": actor_name(actor)}).seq
    for item in findings or ():
        add_finding(agency=agency, text_=item.get("text"), case_id=item.get("case_id"),
                    officer_id=item.get("officer_id"), check=check, found_on=checked_on, actor=actor)
    return check


def add_finding(*, agency, text_, case_id=None, officer_id=None, check=None, source="", found_on=None,
                actor=None) -> Finding:
    _guard(actor, agency.id, "登记监督发现的问题")
    from cases.models import Case

    body = text(text_, "text", "发现的问题", max_len=2000)
    case_id = int(case_id) if case_id not in (None, "") else None
    officer_id = int(officer_id) if officer_id not in (None, "") else None
    if case_id is not None:
        case = db.session.get(Case, case_id)
        if case is None or case.agency_id != agency.id:
            raise invalid("case_id", "关联案件不存在或不属于该执法部门")
    if officer_id is not None:
        officer = db.session.get(Officer, officer_id)
        if officer is None or officer.agency_id != agency.id:
            raise invalid("officer_id", "关联执法人员不存在或不属于该执法部门")
    finding = Finding(agency_id=agency.id, case_id=case_id, officer_id=officer_id, text=body,
                      check_id=check.id if check else None, source=source or (f"check:{check.id}" if check else ""),
                      found_on=found_on or today_china(), created_by_id=getattr(actor, "id", None))
    db.session.add(finding)
    db.session.flush()
    finding.ledger_seq = ledger("supervision.finding", f"agency:{agency.id}", {
        "finding_id": finding.id, "case_id": case_id, "officer_id": officer_id, "source": finding.source,
        "text": body, "actor": actor_name(actor)}).seq
    return finding


def get_finding(finding_id) -> Finding:
    finding = db.session.get(Finding, finding_id)
    if finding is None:
        raise NotFound("未找到该问题")
    return finding


def get_plan(plan_id) -> CheckPlan:
    plan = db.session.get(CheckPlan, plan_id)
    if plan is None:
        raise NotFound("未找到该检查计划")
    return plan


def visible_plans(user, year: int | None = None):
    from app.auth.scope import readable_agency_ids

    stmt = select(CheckPlan).order_by(CheckPlan.year.desc(), CheckPlan.planned_on)
    ids = readable_agency_ids(user)
    if ids is not None:
        stmt = stmt.where(CheckPlan.agency_id.in_(sorted(ids)))
    if year:
        stmt = stmt.where(CheckPlan.year == year)
    return stmt


def visible_checks(user):
    from app.auth.scope import readable_agency_ids

    stmt = select(SupervisionCheck).order_by(SupervisionCheck.checked_on.desc(), SupervisionCheck.id.desc())
    ids = readable_agency_ids(user)
    if ids is not None:
        stmt = stmt.where(SupervisionCheck.agency_id.in_(sorted(ids)))
    return stmt


def plan_coverage(year: int, agency_ids) -> dict[int, tuple[int, int]]:
    """Per agency: (plans of the year, plans with at least one check)."""
    out: dict[int, tuple[int, int]] = {}
    for plan in db.session.scalars(select(CheckPlan).where(CheckPlan.year == year,
                                                          CheckPlan.agency_id.in_(list(agency_ids)))):
        total, done = out.get(plan.agency_id, (0, 0))
        out[plan.agency_id] = (total + 1, done + (1 if plan.checks else 0))
    return out


def today() -> date:
    return today_china()
