"""Investigation (调查): the draft decision (调查终结报告/处罚决定草案) and its hash."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation

from app.errors import InvalidInput, InvalidTransition
from app.extensions import db
from cases import workflow
from cases.models import PENALTY_KINDS, Case, CaseStatus
from cases.services.common import _ensure_editable, record_event


def draft_hash(draft: dict) -> str:
    canonical = json.dumps(draft, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def save_draft(case, draft: dict, *, actor) -> Case:
    """调查终结报告/处罚决定草案. Any change gives a new hash, which voids an approval bound to the old one."""
    _ensure_editable(case, actor)
    if CaseStatus(case.status) not in workflow.DRAFT_STATUSES:
        raise InvalidTransition(f"案件{case.status_label}，处罚决定草案不能再修改")
    clean = {k: draft.get(k) for k in ("facts", "evidence", "legal_basis", "tier", "penalties", "fine",
                                        "confiscation", "reasoning", "discretion_reason")}
    clean["penalties"] = list(clean.get("penalties") or [])
    unknown = [p for p in clean["penalties"] if p not in PENALTY_KINDS]
    if unknown:
        raise InvalidInput(f"未知的处罚种类：{'、'.join(unknown)}", details={"fields": {"penalties": ["未知的处罚种类"]}})
    if clean.get("fine") not in (None, ""):
        try:
            amount = Decimal(str(clean["fine"]))
        except InvalidOperation:
            raise InvalidInput("罚款金额无效", details={"fields": {"fine": ["罚款金额无效"]}}) from None
        if amount < 0:
            raise InvalidInput("罚款金额不能为负数", details={"fields": {"fine": ["罚款金额不能为负数"]}})
        clean["fine"] = str(amount.quantize(Decimal("0.01")))
    else:
        clean["fine"] = None
    new_hash = draft_hash(clean)
    if new_hash == case.draft_sha256:
        return case
    old = case.draft_sha256
    case.draft = clean
    case.draft_sha256 = new_hash
    db.session.flush()
    record_event(case, "draft_saved", actor, data={"draft_sha256": new_hash, "previous_sha256": old})
    return case
