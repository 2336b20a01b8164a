"""The lifecycle: `apply_action` (the one way to move a case), the actions a user may take, the hooks
other features register, and the table of each action's effect and document."""
from __future__ import annotations

from datetime import date

from app.errors import InvalidTransition, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases import guards, permissions, workflow
from cases.models import Case, CaseStatus
from cases.services.common import GuardFailed, ensure_action_dates, record_event
from cases.services.decision import _decide, _hold_hearing, _request_hearing, _serve_notice
from cases.services.execution import (_apply_enforcement, _archive, _close, _record_execution, _resume_execution,
                                      _send_reminder, _suspend_execution, _terminate_execution)
from cases.services.filing import _approve_filing
from cases.services.issuing import issue_document
from cases.services.service import _serve_decision


def allowed_actions(case, user, on=None):
    """For buttons: every transition the state allows and the user may take, with the guards' problems."""
    on = on or today_china()
    out = []
    for t in workflow.available(case.procedure, case.status):
        if permissions.can_act(user, case, t.action):
            checks = [g for g in t.guards if g not in ("reason", "service", "execution",
                                                         "hearing_request_window", "transfer_receipt")]
            out.append((t, guards.run(checks, guards.GuardContext(case=case, on=on, actor=user))))
    return out


#: Callables (case, action, actor, on) run after every applied action, in its transaction. Features that
#: depend on cases register here (e.g. publicity: a decision creates its publication); cases imports none.
AFTER_ACTION_HOOKS: list = []


def apply_action(case, action, *, actor, data=None, on: date | None = None) -> Case:
    """Move a case: the workflow allows it, the actor may do it, every guard passes; then its effects."""
    data = dict(data or {})
    ensure_action_dates(on, data)
    on = on or today_china()
    t = workflow.transition(case.procedure, case.status, action)
    if t is None:
        label = workflow.ACTION_LABELS.get(action, action)
        raise InvalidTransition(f"案件当前状态为“{case.status_label}”，不能“{label}”")
    if not permissions.can_act(actor, case, action):
        roles = "、".join(r.label for r in t.roles)
        raise PermissionDenied(f"“{t.label}”须由本案承办执法人员或本机关{roles}操作")
    names = t.guards
    if t.target is CaseStatus.decided and "legal_review" not in names:
        # SPEC §6.1: no decision of a major case without an approved review, whatever the procedure.
        names = names + ("legal_review",)
    problems = guards.run(names, guards.GuardContext(case=case, on=on, actor=actor, data=data))
    if problems:
        raise GuardFailed(problems, prefix=f"不能“{t.label}”")
    before = case.status
    effect = EFFECTS.get(action)
    event_data = effect(case, data, on, actor) if effect else {}
    case.status = t.target.value
    db.session.flush()
    record_event(case, action, actor, from_status=before, to_status=case.status,
                 note=(data.get("reason") or data.get("note") or "").strip(), data=event_data or {})
    doc_kind = ACTION_DOCUMENTS.get(action)
    if action == "decide":
        doc_kind = DECISION_DOCUMENTS.get(case.decision_kind or "penalty", doc_kind)
    if doc_kind:
        issue_document(case, doc_kind, actor=actor, on=on,
                       number=case.decision_number if doc_kind in DECISION_DOCUMENT_KINDS else None)
    for hook in AFTER_ACTION_HOOKS:
        hook(case, action, actor, on)
    return case


EFFECTS = {"approve_filing": _approve_filing, "serve_notice": _serve_notice, "request_hearing": _request_hearing,
           "hold_hearing": _hold_hearing, "decide": _decide, "decide_on_spot": _decide,
           "serve_decision": _serve_decision, "record_execution": _record_execution, "close": _close,
           "archive": _archive, "send_reminder": _send_reminder, "apply_enforcement": _apply_enforcement,
           "suspend_execution": _suspend_execution, "resume_execution": _resume_execution,
           "terminate_execution": _terminate_execution}

ACTION_DOCUMENTS = {"approve_filing": "filing_approval", "close_investigation": "investigation_report",
                    "serve_notice": "advance_notice", "decide": "decision", "decide_on_spot": "on_spot_decision",
                    "serve_decision": "service_receipt", "close": "closing_approval", "archive": "case_file"}

#: The document a decision of each kind issues (APL Art 57, 59).
DECISION_DOCUMENTS = {"penalty": "decision", "no_penalty": "no_penalty_decision",
                      "not_established": "no_penalty_decision", "transfer": "transfer_letter"}
#: Documents numbered with the decision number.
DECISION_DOCUMENT_KINDS = frozenset({"on_spot_decision", *DECISION_DOCUMENTS.values()})
