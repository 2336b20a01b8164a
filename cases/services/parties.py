"""Parties (当事人): validation by check digits and adding a party to a case."""
from __future__ import annotations

from app.errors import InvalidInput
from app.extensions import db
from cases.models import CaseParty
from cases.services.common import _ensure_editable, record_event


def clean_party(data: dict) -> dict:
    """Validate a party: ID number and credit code by their check digits; Chinese field errors."""
    from app.validators import (normalize_credit_code, normalize_id_number, normalize_mobile,
                                validate_credit_code, validate_id_number, validate_mobile)

    kind = data.get("kind")
    fields = {}
    if kind not in ("person", "org"):
        fields["kind"] = ["当事人类型应为自然人（person）或组织（org）"]
    name = (data.get("name") or "").strip()
    if not name:
        fields["name"] = ["请填写当事人名称或姓名"]
    out = {"kind": kind, "name": name, "address": (data.get("address") or "").strip() or None,
           "e_service_consent": bool(data.get("e_service_consent")),
           "e_service_address": (data.get("e_service_address") or "").strip() or None}
    phone = (data.get("phone") or "").strip()
    if phone:
        problem = validate_mobile(phone) if not phone.startswith("0") else None
        if problem:
            fields["phone"] = [problem]
        out["phone"] = normalize_mobile(phone) if not problem and not phone.startswith("0") else phone
    if kind == "person":
        problem = validate_id_number(data.get("id_number") or "")
        if problem:
            fields["id_number"] = [problem]
        else:
            out["id_number"] = normalize_id_number(data["id_number"])
    elif kind == "org":
        problem = validate_credit_code(data.get("credit_code") or "")
        if problem:
            fields["credit_code"] = [problem]
        else:
            out["credit_code"] = normalize_credit_code(data["credit_code"])
        rep = (data.get("legal_representative") or "").strip()
        if not rep:
            fields["legal_representative"] = ["请填写法定代表人（负责人）"]
        out["legal_representative"] = rep
    if out["e_service_consent"] and not out["e_service_address"]:
        fields["e_service_address"] = ["同意电子送达的，请填写电子送达地址"]
    if fields:
        raise InvalidInput("当事人信息有误：" + "；".join(m for ms in fields.values() for m in ms),
                           details={"fields": fields})
    return out


def add_party(case, data, *, actor) -> CaseParty:
    _ensure_editable(case, actor)
    party = CaseParty(case=case, **clean_party(data))
    db.session.add(party)
    db.session.flush()
    record_event(case, "party_added", actor, data={"party_id": party.id, "kind": party.kind,
                                                    "name": party.name})
    return party
