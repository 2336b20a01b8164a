"""The case lifecycle as one table: (procedure, status, action) → next status, who may do it, and which
guards must pass. Pure: no database, no Flask. `cases.services.apply_action` is the only caller that
changes a status, and it runs the guards named here (their code lives in `cases.guards`).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.auth.models import Role
from cases.models import CaseStatus as S, Procedure as P


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  #: the button text
    source: S
    target: S
    roles: tuple[Role, ...]
    guards: tuple[str, ...] = ()


ACTION_LABELS = {
    "submit_filing": "提请立案", "approve_filing": "批准立案", "reject_filing": "不予立案",
    "close_investigation": "调查终结", "reopen_investigation": "退回补充调查",
    "serve_notice": "送达事先告知书", "request_hearing": "当事人申请听证", "hold_hearing": "听证结束",
    "decide": "作出处罚决定", "decide_on_spot": "当场作出处罚决定", "serve_decision": "送达决定书",
    "record_execution": "执行完毕", "close": "结案", "archive": "归档", "terminate": "终止案件",
    "send_reminder": "催告", "apply_enforcement": "申请人民法院强制执行", "suspend_execution": "中止执行",
    "resume_execution": "恢复执行", "terminate_execution": "终结执行",
}

_O, _H = Role.officer, Role.head


def _t(procedure, source, action, target, roles, guards=()):
    return (procedure, source, action), Transition(action, ACTION_LABELS[action], source, target, roles, guards)


#: The whole lifecycle. Guards: see cases.guards.GUARDS for what each one checks and which rule it quotes.
TRANSITIONS: dict[tuple[P, S, str], Transition] = dict([
    # 普通程序 ordinary procedure (APL Chapter V Section 3)
    _t(P.ordinary, S.draft, "submit_filing", S.pending_filing, (_O,),
       ("has_party", "publicity", "officers", "limitation")),
    _t(P.ordinary, S.pending_filing, "approve_filing", S.investigating, (_H,),
       ("publicity", "officers", "limitation")),
    _t(P.ordinary, S.pending_filing, "reject_filing", S.not_filed, (_H,), ("reason",)),
    _t(P.ordinary, S.investigating, "close_investigation", S.investigated, (_O,),
       ("officers", "draft_decision", "steps_complete", "decision_deadline")),
    _t(P.ordinary, S.investigated, "reopen_investigation", S.investigating, (_O, _H), ("reason",)),
    _t(P.ordinary, S.investigated, "serve_notice", S.notified, (_O,),
       ("officers", "draft_decision", "notice_service", "decision_deadline")),
    # 重新告知 (APL Art 62): a decision heavier than the notice, or on other facts or basis, needs a new one.
    _t(P.ordinary, S.notified, "serve_notice", S.notified, (_O,),
       ("officers", "draft_decision", "notice_service", "decision_deadline")),
    _t(P.ordinary, S.heard, "serve_notice", S.notified, (_O,),
       ("officers", "draft_decision", "notice_service", "decision_deadline")),
    _t(P.ordinary, S.notified, "request_hearing", S.hearing, (_O,), ("hearing_right", "hearing_request_window")),
    _t(P.ordinary, S.hearing, "hold_hearing", S.heard, (_O, _H), ("hearing_record",)),
    # 不予行政处罚, 不得给予行政处罚, 移送司法机关: no advance notice (APL Art 44 concerns penalties only).
    _t(P.ordinary, S.investigated, "decide", S.decided, (_H,),
       ("officers", "draft_decision", "notice_required", "transfer_receipt", "legal_review",
        "collective_discussion", "decision_deadline", "steps_complete")),
    _t(P.ordinary, S.notified, "decide", S.decided, (_H,),
       ("officers", "draft_decision", "order_to_correct", "matches_notice", "defence_window", "transfer_receipt",
        "legal_review", "collective_discussion", "decision_deadline", "steps_complete")),
    _t(P.ordinary, S.heard, "decide", S.decided, (_H,),
       ("officers", "draft_decision", "order_to_correct", "matches_notice", "transfer_receipt",
        "legal_review", "collective_discussion", "decision_deadline", "steps_complete")),
    _t(P.ordinary, S.decided, "serve_decision", S.served, (_O,), ("officers", "service")),
    _t(P.ordinary, S.closed, "archive", S.archived, (_O, _H), ("archive_complete",)),
    _t(P.ordinary, S.investigating, "terminate", S.terminated, (_H,), ("reason", "measures_ended")),
    _t(P.ordinary, S.investigated, "terminate", S.terminated, (_H,), ("reason", "measures_ended")),
    # 简易程序 summary procedure (APL Art 51-52): decided on the spot, then filed with the agency.
    _t(P.summary, S.draft, "decide_on_spot", S.decided, (_O,),
       ("has_party", "publicity", "officers", "summary_limits", "draft_decision", "order_to_correct",
        "on_spot_record", "steps_complete")),
    _t(P.summary, S.decided, "serve_decision", S.served, (_O,), ("officers", "service")),
    _t(P.summary, S.closed, "archive", S.archived, (_O, _H), ("archive_complete",)),
])


def _execution_phase(procedure):
    """执行 (APL Art 66-73; AEL Art 35-54), the same for both procedures. Payments, deferral and instalment
    plans change no status (cases.services.payments); full payment leads to record_execution."""
    return [
        _t(procedure, S.served, "record_execution", S.executed, (_O,), ("execution",)),
        _t(procedure, S.reminded, "record_execution", S.executed, (_O,), ("execution",)),
        _t(procedure, S.enforcement_applied, "record_execution", S.executed, (_O,), ("execution",)),
        _t(procedure, S.served, "send_reminder", S.reminded, (_O,), ("officers", "reminder")),
        _t(procedure, S.reminded, "apply_enforcement", S.enforcement_applied, (_H,), ("court_application",)),
        _t(procedure, S.served, "suspend_execution", S.execution_suspended, (_H,), ("suspension_ground",)),
        _t(procedure, S.reminded, "suspend_execution", S.execution_suspended, (_H,), ("suspension_ground",)),
        # Back to "served": a 催告 served before the suspension does not count afterwards; a fresh one is
        # needed before the court is asked (AEL Art 54), which also tells the party the new amount.
        _t(procedure, S.execution_suspended, "resume_execution", S.served, (_H,), ("reason",)),
        _t(procedure, S.served, "terminate_execution", S.execution_terminated, (_H,), ("termination_ground",)),
        _t(procedure, S.reminded, "terminate_execution", S.execution_terminated, (_H,), ("termination_ground",)),
        _t(procedure, S.execution_suspended, "terminate_execution", S.execution_terminated, (_H,),
           ("termination_ground",)),
        # Closing only once executed, terminated or handed to the court (SPEC §11).
        _t(procedure, S.executed, "close", S.closed, (_H,), ("closing", "measures_ended")),
        _t(procedure, S.enforcement_applied, "close", S.closed, (_H,), ("closing", "measures_ended")),
        _t(procedure, S.execution_terminated, "close", S.closed, (_H,), ("closing", "measures_ended")),
    ]


TRANSITIONS.update(dict(_execution_phase(P.ordinary) + _execution_phase(P.summary)))

#: Statuses of the execution phase: payments and plans may be recorded in them.
EXECUTION_STATUSES = frozenset({S.served, S.reminded, S.enforcement_applied, S.execution_suspended})

#: Statuses in which the case is open (recordings of an open case are under legal hold).
OPEN_STATUSES = frozenset(S) - {S.not_filed, S.closed, S.archived, S.terminated}
#: Statuses in which steps may be recorded.
STEP_STATUSES = frozenset({S.draft, S.investigating, S.investigated, S.notified, S.hearing, S.heard,
                           S.decided, S.served})
#: Statuses in which the draft decision may still change (any change voids a legal-review approval).
DRAFT_STATUSES = frozenset({S.draft, S.investigating, S.investigated, S.notified, S.hearing, S.heard})


def transition(procedure, status, action) -> Transition | None:
    return TRANSITIONS.get((P(procedure), S(status), action))


def available(procedure, status) -> list[Transition]:
    """Transitions leaving this state, in table order (the state allows them; guards may still refuse)."""
    p, s = P(procedure), S(status)
    return [t for (tp, ts, _), t in TRANSITIONS.items() if tp == p and ts == s]


def actions() -> frozenset[str]:
    return frozenset(a for (_, _, a) in TRANSITIONS)
