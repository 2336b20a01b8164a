"""Decision-content rules (SPEC §11): the amounts that count, what a decision of each kind must contain,
the discretion tier with its 减轻 exception, and whether a decision is heavier than its advance notice.

Pure functions of a draft decision (a dict as `cases.services.save_draft` keeps it) and the matter's tiers:
no database, no Flask. `cases.guards` turns their problems into refusals; documents and the review
catalogue read the same amounts.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from cases.models import DECISION_KINDS, NO_PENALTY_GROUNDS, PENALTY_KINDS

#: Draft fields that describe the facts and the law; any change after the notice needs a new notice.
NOTICE_TEXT_FIELDS = {"facts": "违法事实", "legal_basis": "违法依据", "penalty_basis": "处罚依据"}


def money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def yuan(amount) -> str:
    """An amount as written in a reason: 1000 → "1000", 1000.5 → "1000.50"."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return str(value.quantize(Decimal("1"))) if value == value.to_integral() else str(value)


def amounts(draft) -> dict:
    """Fine, confiscated illegal gains, value of confiscated property (numbers), and their sum, which is
    what counts as 较大数额/较大价值 for the hearing right and the major catalogue (APL Art 63)."""
    draft = draft or {}
    fine, gains, value = (money(draft.get(k)) for k in ("fine", "confiscated_gains", "confiscated_value"))
    parts = [a for a in (fine, gains, value) if a is not None]
    return {"fine": fine, "gains": gains, "value": value, "total": sum(parts, Decimal("0")) if parts else None}


def amount_phrase(draft) -> str | None:
    """How a reason names the amount: 罚款X元, or 罚没金额合计X元 when gains or property are confiscated."""
    a = amounts(draft)
    if a["total"] is None:
        return None
    if a["gains"] is None and a["value"] is None:
        return f"罚款{yuan(a['fine'])}元"
    parts = [f"{label}{yuan(a[key])}元" for key, label in (("fine", "罚款"), ("gains", "没收违法所得"),
                                                           ("value", "没收非法财物价值")) if a[key] is not None]
    return f"罚没金额合计{yuan(a['total'])}元（{'、'.join(parts)}，行政处罚法第六十三条）"


def decision_kind(draft) -> str:
    return (draft or {}).get("decision_kind") or "penalty"


def is_penalty(draft) -> bool:
    return decision_kind(draft) == "penalty"


def factors(draft, kind: str) -> list[str]:
    return [f["factor"] for f in (draft or {}).get("discretion_factors") or [] if f.get("kind") == kind]


def tier_problems(draft, tiers) -> list[str]:
    """The fine lies within the chosen tier; below it only with a recorded 减轻 factor (APL Art 32)."""
    draft = draft or {}
    by_name = {t["name"]: t for t in tiers or []}
    tier = by_name.get(draft.get("tier"))
    if tier is None:
        return [f"请选择裁量档次（可选：{'、'.join(by_name) or '无'}）"]
    fine = money(draft.get("fine"))
    if fine is None or "fine" not in (draft.get("penalties") or []):
        return []
    lo, hi = Decimal(str(tier.get("min", 0))), Decimal(str(tier.get("max", 0)))
    if fine > hi:
        return [f"罚款{fine}元不在“{tier['name']}”裁量档次范围内（{lo}—{hi}元）"]
    if fine < lo and not factors(draft, "mitigated"):
        return [f"罚款{fine}元低于“{tier['name']}”裁量档次下限（{lo}元）：减轻处罚须记载减轻情节"
                "（行政处罚法第三十二条）"]
    return []


def content_problems(draft, *, summary=False) -> list[str]:
    """What a decision of its kind must contain (APL Art 28, 30-33, 57, 59)."""
    draft = draft or {}
    kind = decision_kind(draft)
    penalties = draft.get("penalties") or []
    problems = []
    if kind == "penalty":
        if not penalties:
            problems.append("请选择处罚种类")
        if "fine" in penalties and money(draft.get("fine")) is None:
            problems.append("处罚种类包含罚款，请填写罚款金额")
        if "confiscation" in penalties and amounts(draft)["gains"] is None and amounts(draft)["value"] is None:
            problems.append("处罚种类包含没收，请以数字填写没收违法所得金额或没收非法财物的价值（行政处罚法第六十三条）")
    else:
        if penalties or money(draft.get("fine")):
            problems.append(f"“{DECISION_KINDS[kind]}”的决定不得同时列明处罚种类或罚款（行政处罚法第五十七条）")
        if kind == "no_penalty" and draft.get("no_penalty_ground") not in NO_PENALTY_GROUNDS:
            problems.append("不予行政处罚须写明行政处罚法第三十条至第三十三条规定的情形")
        if kind == "transfer" and not (draft.get("transfer_organ") or "").strip():
            problems.append("移送司法机关须写明接收移送的司法机关（行政处罚法第二十七条、第五十七条）")
        if summary:
            problems.append("简易程序只能当场作出警告或者罚款决定（行政处罚法第五十一条）")
    return problems


def correction_problems(draft) -> list[str]:
    """A penalty decision orders the party to correct, at once or by a date (APL Art 28)."""
    if is_penalty(draft) and not ((draft or {}).get("correction") or "").strip():
        return ["行政处罚决定应当责令当事人改正或者限期改正违法行为，请填写责令改正的内容及期限（行政处罚法第二十八条）"]
    return []


def _penalty_names(kinds) -> str:
    return "、".join(PENALTY_KINDS.get(k, k) for k in sorted(kinds))


def heavier_than_notice(noticed, draft) -> list[str]:
    """How the decision goes beyond what the party was told: a higher fine or amount, another penalty
    kind, other facts or basis (APL Art 44, 45, 62). Lighter decisions need no new notice."""
    if noticed is None:
        return []
    draft = draft or {}
    out = []
    was_penalty, is_pen = is_penalty(noticed), is_penalty(draft)
    if is_pen and not was_penalty:
        out.append("告知的是不予处罚，决定给予行政处罚")
    added = set(draft.get("penalties") or []) - set(noticed.get("penalties") or [])
    if is_pen and added:
        out.append(f"增加了告知时没有的处罚种类（{_penalty_names(added)}）")
    before, after = amounts(noticed), amounts(draft)
    for key, label in (("fine", "罚款"), ("gains", "没收违法所得"), ("value", "没收非法财物价值")):
        if after[key] is not None and after[key] > (before[key] or Decimal("0")):
            out.append(f"{label}由告知的{yuan(before[key] or 0)}元提高到{yuan(after[key])}元")
    for key, label in NOTICE_TEXT_FIELDS.items():
        if is_pen and (draft.get(key) or "").strip() != (noticed.get(key) or "").strip():
            out.append(f"{label}与告知的不同")
    return out


def notice_snapshot(draft) -> dict:
    """What the advance notice told the party (kept on the case and in the ledger event)."""
    draft = draft or {}
    keep = ("decision_kind", "facts", "legal_basis", "penalty_basis", "tier", "penalties", "fine",
            "confiscated_gains", "confiscated_value", "confiscation", "correction", "correction_by")
    return {k: draft.get(k) for k in keep if draft.get(k) not in (None, "", [])}
