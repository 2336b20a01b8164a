"""What an effective outcome does to the case's execution (SPEC §11, §15).

A revoked, altered or invalid decision must not go on being executed (money collected is refunded, an
altered amount is collected instead); 责令履行/判决履行 orders the agency to act. Execution belongs to
`cases`: `cases.services.reopen_execution` enters the outcome in the case's execution (an act, an event in
the ledger) and, for a revoked or invalid decision, stops the surcharge and any further 催告 or application
to the court (AEL Art 40 (4)).
"""
from __future__ import annotations

from remedies import rules

#: What the agency must do about the execution, per outcome.
FOLLOW_UP = {
    "revoke": "决定已被撤销：停止执行，已执行的罚没款项依法退还",
    "confirm_invalid": "决定被确认无效：停止执行，已执行的罚没款项依法退还",
    "alter": "决定已被变更：按变更后的内容重新执行，多缴部分依法退还",
    "order_performance": "责令（判决）履行：在规定期限内重新作出行政行为或履行职责",
}


def reopen_execution(remedy, *, actor, on) -> dict:
    from cases import services as case_services

    reason = FOLLOW_UP.get(remedy.outcome, rules.outcome_label(remedy.kind, remedy.outcome))
    act = case_services.reopen_execution(remedy.case, reason=reason, actor=actor, on=on, source=f"remedy:{remedy.id}",
                                         outcome=remedy.outcome)
    return {"status": "reopened", "reason": reason, "act_id": act.id, "stopped": act.data["voids"]}
