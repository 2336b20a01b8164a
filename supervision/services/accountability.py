"""Accountability (责任追究, SPEC §14, §5): a finding against an officer opens a decision — criticism,
training, certificate suspension or revocation. The officer's right to state their case (陈述申辩) is
recorded before anything is carried out; a suspension or revocation is carried out through the certificate
lifecycle (`app.officers.services.suspend` / `revoke`) with the finding as its stated basis, so every act
the officer attempts afterwards meets the certificate rules' refusal.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.permissions import ensure
from app.errors import InvalidTransition, NotFound
from app.extensions import db
from app.officers import rules
from app.officers import services as officer_services
from app.officers.models import RevocationReason
from app.timeutil import today_china
from supervision import permissions
from supervision.models.oversight import AccountabilityDecision, Measure
from supervision.services.common import actor_name, as_date, invalid, ledger, text

BASIS = "《吉林省行政执法监督条例》、《吉林省行政执法证件管理办法》"


def _guard(actor, officer):
    if actor is not None:
        ensure(permissions.can_supervise(actor, officer.agency_id), "责任追究仅限负责监督该执法部门的执法监督人员")


def _entry(decision, kind, payload, actor):
    ledger(f"accountability.{kind}", f"officer:{decision.officer_id}", {
        "decision_id": decision.id, "finding_id": decision.finding_id, "measure": decision.measure, **payload,
        "actor": actor_name(actor)})


def open_decision(finding, *, measure, reason, until=None, on=None, actor=None) -> AccountabilityDecision:
    """Propose a measure against the officer the finding concerns."""
    if finding.officer_id is None:
        raise invalid("finding_id", "该问题未关联执法人员，不能据此追究个人责任")
    officer = finding.officer
    _guard(actor, officer)
    try:
        measure = Measure(measure)
    except ValueError:
        raise invalid("measure", "处理方式应为批评教育、离岗培训、暂扣或吊销执法证件") from None
    on = as_date(on or today_china(), "on", "日期")
    until = as_date(until, "until", "暂扣截止日期", required=False)
    if until is not None and (measure is not Measure.suspension or until < on):
        raise invalid("until", "暂扣截止日期只适用于暂扣，且不得早于决定日期")
    if measure in (Measure.suspension, Measure.revocation) and not _live_certificates(officer, on):
        raise invalid("measure", f"{officer.name}没有可{measure.label[:2]}的有效执法证件")
    decision = AccountabilityDecision(officer_id=officer.id, finding_id=finding.id, measure=measure.value,
                                      reason=text(reason, "reason", "追究理由", max_len=2000), proposed_on=on,
                                      until=until, created_by_id=getattr(actor, "id", None))
    db.session.add(decision)
    db.session.flush()
    _entry(decision, "proposed", {"reason": decision.reason, "until": until, "on": on}, actor)
    return decision


def record_statement(decision, *, statement="", waived=False, on=None, actor=None) -> AccountabilityDecision:
    """陈述申辩: what the officer said, or that they waived the right (in writing)."""
    _guard(actor, decision.officer)
    if decision.status != "proposed":
        raise InvalidTransition("陈述申辩已记录")
    statement = text(statement, "statement", "陈述申辩内容", required=not waived, max_len=5000)
    decision.statement, decision.statement_waived = statement, bool(waived)
    decision.statement_on = as_date(on or today_china(), "on", "日期")
    decision.status = "stated"
    _entry(decision, "statement", {"waived": bool(waived), "statement": statement, "on": decision.statement_on}, actor)
    db.session.flush()
    return decision


def _live_certificates(officer, on: date):
    return [c for c in officer.certificates if not rules.status_on(c, on).is_final]


def execute(decision, *, on=None, actor=None) -> AccountabilityDecision:
    """Carry the measure out. Refused before the officer's statement is recorded (the right to state one's
    case, 《吉林省行政执法监督条例》; 《公务员法》第六十二条 for the decision on a civil servant)."""
    _guard(actor, decision.officer)
    if decision.status == "proposed":
        raise InvalidTransition("作出责任追究决定前应当听取执法人员的陈述和申辩（或记录其书面放弃）")
    if decision.status != "stated":
        raise InvalidTransition("该责任追究决定已执行")
    on = as_date(on or today_china(), "on", "执行日期")
    measure = decision.measure_enum
    basis = f"责任追究决定第{decision.id}号：{decision.finding.text}（{BASIS}）"
    event = None
    if measure in (Measure.suspension, Measure.revocation):
        certs = _live_certificates(decision.officer, on)
        if not certs:
            raise invalid("measure", "该执法人员没有可处理的有效执法证件")
        for cert in certs:
            if measure is Measure.suspension:
                if rules.status_on(cert, on).state == "suspended":
                    continue
                event = officer_services.suspend(cert, on=on, until=decision.until, reason=basis, actor=actor)
            else:
                event = officer_services.revoke(cert, on=on, reason=basis, reason_type=RevocationReason.other,
                                                actor=actor)
    decision.executed_on = on
    decision.status = "executed"
    decision.certificate_event_id = event.id if event is not None else None
    _entry(decision, "executed", {"on": on, "certificate_event_id": decision.certificate_event_id}, actor)
    db.session.flush()
    return decision


def get(decision_id) -> AccountabilityDecision:
    decision = db.session.get(AccountabilityDecision, decision_id)
    if decision is None:
        raise NotFound("未找到该责任追究决定")
    return decision


def ensure_can_view(user, decision):
    if not permissions.can_supervise(user, decision.officer.agency_id):
        raise NotFound("未找到该责任追究决定")


def visible(user):
    from app.auth.scope import readable_agency_ids
    from app.officers.models import Officer

    stmt = select(AccountabilityDecision).join(Officer).order_by(AccountabilityDecision.id.desc())
    if not permissions.is_supervisor(user):
        return stmt.where(AccountabilityDecision.id < 0)
    ids = readable_agency_ids(user)
    if ids is not None:
        stmt = stmt.where(Officer.agency_id.in_(sorted(ids)))
    return stmt


ACTIONS = ("statement", "execute")


def apply_action(decision, action, data, actor=None):
    if action == "statement":
        waived = str(data.get("waived", "")).lower() in ("1", "y", "yes", "true", "on")
        return record_statement(decision, statement=data.get("statement", ""), waived=waived, on=data.get("on"),
                                actor=actor)
    if action == "execute":
        return execute(decision, on=data.get("on"), actor=actor)
    raise NotFound("未知的责任追究操作")
