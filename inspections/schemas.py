"""What the JSON API returns for a measure (staff audience: the case's people and supervisors)."""
from __future__ import annotations

from app.timeutil import local


def _d(value):
    return value.isoformat() if value is not None else None


def measure_json(m, *, events=False) -> dict:
    from inspections.measures import item_rows

    out = {
        "id": m.id, "case_id": m.case_id, "case_number": m.case.number, "kind": m.kind, "label": m.label,
        "status": m.status, "status_label": m.status_label, "reason": m.reason, "basis": m.basis,
        "storage_place": m.storage_place, "emergency": m.emergency, "emergency_reason": m.emergency_reason,
        "approved_at": _d(m.approved_at), "report_due_at": _d(local(m.report_due_at)),
        "reported_at": _d(m.reported_at), "refused_at": _d(m.refused_at), "refusal_reason": m.refusal_reason,
        "step_id": m.step_id, "taken_at": _d(local(m.taken_at)), "taken_on": _d(m.taken_on),
        "term_end": _d(m.term_end), "extended_days": m.extended_days, "testing_days": m.testing_days,
        "ended_on": _d(m.ended_on), "items": item_rows(m),
    }
    if events:
        out["events"] = [{"action": e.action, "at": _d(e.at), "on": _d(e.on), "actor_id": e.actor_id,
                          "data": e.data, "document_number": e.document_number, "ledger_seq": e.ledger_seq}
                         for e in m.events]
    return out
