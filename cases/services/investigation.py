"""Investigation (调查): the draft decision (调查终结报告/处罚决定草案) and its hash."""
from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from app.errors import InvalidInput, InvalidTransition
from app.extensions import db
from cases import workflow
from cases.models import DECISION_KINDS, DISCRETION_KINDS, NO_PENALTY_GROUNDS, PENALTY_KINDS, Case, CaseStatus
from cases.services.common import _ensure_editable, record_event


def draft_hash(draft: dict) -> str:
    canonical = json.dumps(draft, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


#: Draft keys added by the decision-content rules (SPEC §11); kept only when given, so that a draft without
#: them hashes as before.
OPTIONAL_KEYS = ("decision_kind", "no_penalty_ground", "transfer_organ", "confiscated_gains", "confiscated_value",
                 "correction", "correction_by", "defence_points", "discretion_factors", "penalty_basis")


def _amount(value, field, label, fields):
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        fields[field] = [f"{label}无效"]
        return None
    if not amount.is_finite() or amount < 0:
        fields[field] = [f"{label}不能为负数"]
        return None
    return str(amount.quantize(Decimal("0.01")))


def _clean_extras(draft: dict, clean: dict):
    """Decision kind and its ground, amounts as numbers, the order to correct, the defence points with
    whether each was adopted and why, the discretion factors (APL Art 28, 30-33, 45, 63)."""
    fields: dict[str, list[str]] = {}
    kind = draft.get("decision_kind")
    if kind not in (None, ""):
        if kind not in DECISION_KINDS:
            fields["decision_kind"] = ["决定种类应为：" + "、".join(f"{k}（{v}）" for k, v in DECISION_KINDS.items())]
        clean["decision_kind"] = kind
    ground = draft.get("no_penalty_ground")
    if ground not in (None, ""):
        if ground not in NO_PENALTY_GROUNDS:
            fields["no_penalty_ground"] = ["不予行政处罚的情形应为行政处罚法第三十条至第三十三条规定的情形之一"]
        clean["no_penalty_ground"] = ground
    for key in ("transfer_organ", "correction", "penalty_basis"):
        if (draft.get(key) or "").strip():
            clean[key] = draft[key].strip()
    for key, label in (("confiscated_gains", "没收违法所得金额"), ("confiscated_value", "没收非法财物价值")):
        value = _amount(draft.get(key), key, label, fields)
        if value is not None:
            clean[key] = value
    by = draft.get("correction_by")
    if by not in (None, ""):
        try:
            clean["correction_by"] = (by if isinstance(by, date) else date.fromisoformat(str(by))).isoformat()
        except ValueError:
            fields["correction_by"] = ["改正期限应为日期（YYYY-MM-DD）"]
    points = draft.get("defence_points")
    if points:
        rows, bad = [], []
        for i, row in enumerate(points if isinstance(points, list) else [], 1):
            row = row if isinstance(row, dict) else {}
            point, reason = (row.get("point") or "").strip(), (row.get("reason") or "").strip()
            if not point or not isinstance(row.get("adopted"), bool) or not reason:
                bad.append(f"第{i}条陈述申辩意见须写明意见、是否采纳及理由（行政处罚法第四十五条）")
            rows.append({"point": point, "adopted": row.get("adopted"), "reason": reason})
        if not isinstance(points, list):
            bad.append("陈述申辩意见应为列表")
        if bad:
            fields["defence_points"] = bad
        clean["defence_points"] = rows
    factors = draft.get("discretion_factors")
    if factors:
        rows, bad = [], []
        for i, row in enumerate(factors if isinstance(factors, list) else [], 1):
            row = row if isinstance(row, dict) else {}
            if row.get("kind") not in DISCRETION_KINDS or not (row.get("factor") or "").strip():
                bad.append(f"第{i}项裁量情节须写明种类（从轻、减轻、从重）和具体情节")
            rows.append({"kind": row.get("kind"), "factor": (row.get("factor") or "").strip()})
        if not isinstance(factors, list):
            bad.append("裁量情节应为列表")
        if bad:
            fields["discretion_factors"] = bad
        clean["discretion_factors"] = rows
    if fields:
        raise InvalidInput("处罚决定草案有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})


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
    _clean_extras(draft, clean)
    new_hash = draft_hash(clean)
    if new_hash == case.draft_sha256:
        return case
    old = case.draft_sha256
    case.draft = clean
    case.draft_sha256 = new_hash
    db.session.flush()
    record_event(case, "draft_saved", actor, data={"draft_sha256": new_hash, "previous_sha256": old})
    return case
