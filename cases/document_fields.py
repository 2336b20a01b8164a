"""The decision-content fields of the standard documents (SPEC §7, §11): the kind of decision and its
ground, the amounts as numbers, the order to correct, the defence points with whether each was adopted and
why, the discretion factors; the place and the certificates shown of an on-the-spot decision; the receipt
of a transfer to the judicial organs. Pure: reads a case and its draft, returns template values.
"""
from __future__ import annotations

from datetime import date

from cases.models import DECISION_KINDS, DISCRETION_KINDS, NO_PENALTY_GROUNDS
from cases.rules import amounts, decision_kind


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def decision_fields(case, draft) -> dict:
    draft = draft or {}
    kind = decision_kind(draft)
    counted = amounts(draft)
    record = case.decision_record or {}
    transfer = dict(record.get("transfer") or {})
    if draft.get("transfer_organ") and not transfer.get("organ"):
        transfer["organ"] = draft["transfer_organ"]
    correction = (draft.get("correction") or "").strip() or None
    return {
        "kind": kind,
        "kind_label": DECISION_KINDS[kind],
        "no_penalty_ground": NO_PENALTY_GROUNDS.get(draft.get("no_penalty_ground")),
        "transfer": {"organ": transfer.get("organ"), "received_on": _date(transfer.get("received_on")),
                     "receipt_number": transfer.get("receipt_number") or None},
        "correction": correction,
        "correction_by": _date(draft.get("correction_by")),
        "defence_points": [{"point": p.get("point"), "adopted": bool(p.get("adopted")),
                            "adopted_label": "采纳" if p.get("adopted") else "不予采纳", "reason": p.get("reason")}
                           for p in draft.get("defence_points") or []],
        "factors": [{"kind": f.get("kind"), "label": DISCRETION_KINDS.get(f.get("kind"), f.get("kind")),
                     "factor": f.get("factor")} for f in draft.get("discretion_factors") or []],
        "gains": counted["gains"],
        "property_value": counted["value"],
        "amount_total": counted["total"],
    }


def on_spot_fields(case) -> dict:
    """The place of the violation and, per officer, whether the certificate was shown (APL Art 52, 55),
    as recorded when deciding."""
    record = (case.decision_record or {})
    rows = record.get("certificates")
    officers = None
    if rows is not None:
        officers = [{"name": r.get("name"), "certificate_number": r.get("certificate_number"),
                     "certificate_shown": bool(r.get("certificate_shown"))} for r in rows]
    return {"place": record.get("place") or case.place or None, "officers": officers}
