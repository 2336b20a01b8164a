"""Enforcement documents (执法文书, SPEC §7): what each kind is called, its number code, its template, the
context it is rendered from, and the storing of an issued PDF.

`render_document` is pure: it reads a case (and optionally one of its steps) and returns PDF bytes.
`store_document` puts issued bytes in the object store, creates the `CaseDocument` row and enters the
hash in the ledger, in the caller's transaction (flush only). Allocating the document number and deciding
when a document may be issued is `cases.services`' business.

Data missing from the case renders as an underlined blank, as on a paper form, so that a document can be
printed early and completed by hand; nothing renders as "None".

Settings (app.config, defaults in `DEFAULTS`): payment period and method, the reconsideration body and
the court with their time limits, the defence window (SPEC §6). Whether the party has a hearing right is
`cases.guards.hearing_right`, the same rule the workflow applies.
"""
from __future__ import annotations

import hashlib
import io
import re
import weakref
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

from markupsafe import Markup

from app.timeutil import local, today_china
from cases.models import (
    PENALTY_KINDS,
    SERVICE_METHODS,
    STEP_LABELS,
    CaseDocument,
    StepKind,
)


class DocumentKind(NamedTuple):
    title: str  #: 文书名称
    code: str  #: the character(s) in the number, e.g. 罚 in 临城管罚〔2026〕12号
    template: str


#: Every document the system issues (SPEC §7), in the order they appear in a case file.
DOCUMENT_KINDS: dict[str, DocumentKind] = {
    "filing_approval": DocumentKind("立案审批表", "立", "cases/pdf/filing_approval.html"),
    "inspection_record": DocumentKind("现场检查（勘验）笔录", "检", "cases/pdf/inspection_record.html"),
    "inquiry_record": DocumentKind("询问笔录", "询", "cases/pdf/inquiry_record.html"),
    "evidence_notice": DocumentKind("先行登记保存证据通知书", "存", "cases/pdf/evidence_notice.html"),
    "seizure_decision": DocumentKind("查封（扣押）决定书", "封", "cases/pdf/seizure_decision.html"),
    "investigation_report": DocumentKind("调查终结报告", "终", "cases/pdf/investigation_report.html"),
    "advance_notice": DocumentKind("行政处罚事先告知书", "告", "cases/pdf/advance_notice.html"),
    "hearing_notice": DocumentKind("听证通知书", "听", "cases/pdf/hearing_notice.html"),
    "decision": DocumentKind("行政处罚决定书", "罚", "cases/pdf/decision.html"),
    "on_spot_decision": DocumentKind("当场行政处罚决定书", "当罚", "cases/pdf/on_spot_decision.html"),
    "service_receipt": DocumentKind("送达回证", "送", "cases/pdf/service_receipt.html"),
    "closing_approval": DocumentKind("结案审批表", "结", "cases/pdf/closing_approval.html"),
    "no_penalty_decision": DocumentKind("不予行政处罚决定书", "不罚", "cases/pdf/no_penalty_decision.html"),
    "transfer_letter": DocumentKind("涉嫌犯罪案件移送书", "移", "cases/pdf/transfer_letter.html"),
    "case_file": DocumentKind("案卷", "卷", "cases/pdf/case_file.html"),
    # The execution phase (SPEC §11): extra={"act"|"plan": ..., "execution": execution.summary(case, on)}.
    "payment_plan_decision": DocumentKind("暂缓（分期）缴纳罚款决定书", "缓", "cases/pdf/payment_plan_decision.html"),
    "reminder": DocumentKind("催告书", "催", "cases/pdf/reminder.html"),
    "enforcement_application": DocumentKind("强制执行申请书", "强申", "cases/pdf/enforcement_application.html"),
    "suspension_decision": DocumentKind("中止执行决定书", "中止", "cases/pdf/execution_decision.html"),
    "termination_decision": DocumentKind("终结执行决定书", "终结", "cases/pdf/execution_decision.html"),
}

#: Documents signed with the agency's PAdES key before they are stored (issue 18, app/docsign): the decisions
#: a party receives. Internal forms, records and notices are stored unsigned; their hash is in the ledger.
SIGNED_KINDS = frozenset({"decision", "on_spot_decision", "no_penalty_decision", "seizure_decision",
                          "payment_plan_decision", "suspension_decision", "termination_decision"})

#: Settings read from app.config, with their defaults (SPEC §6; the bodies are 临江市's).
DEFAULTS = {
    "PAYMENT_DAYS": 15,  # APL Art 67
    "LATE_SURCHARGE_PERCENT": 3,  # APL Art 72
    "PAYMENT_METHOD_TEXT": "持本决定书到指定银行缴纳罚款，或者通过吉林省非税收入电子缴款系统缴纳",
    "RECONSIDERATION_BODY": "临江市人民政府",
    "RECONSIDERATION_DAYS": 60,  # 行政复议法 Art 20
    "COURT": "临江市人民法院",
    "LITIGATION_MONTHS": 6,  # 行政诉讼法 Art 46
    "DEFENCE_WORKING_DAYS": 5,
    "HEARING_REQUEST_WORKING_DAYS": 5,  # APL Art 64, Art 85: 五日 are working days
    "EVIDENCE_PRESERVATION_DAYS": 7,  # APL Art 56
    "SEIZURE_DAYS": 30,  # AEL Art 25
    "REMINDER_WORKING_DAYS": 10,  # AEL Art 54, 69
    "ANNOUNCEMENT_SERVICE_DAYS": 30,  # 民事诉讼法 Art 95
}

SOURCE_LABELS = {"inspection": "监督检查", "complaint": "投诉、举报", "report": "投诉、举报",
                 "referral": "其他机关移送", "transfer": "其他机关移送", "assigned": "上级交办",
                 "assignment": "上级交办", "media": "媒体曝光", "other": "其他"}

_TEMPLATES = Path(__file__).parent / "templates"
_CN_NUM = "零一二三四五六七八九"


# --- amounts --------------------------------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万")


def _integer_words(n: int) -> str:
    if n == 0:
        return "零"
    digits = str(n)
    out, pending_zero = [], False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        d = int(ch)
        if d == 0:
            pending_zero = True
        else:
            if pending_zero and out:
                out.append("零")
            pending_zero = False
            out.append(_DIGITS[d] + _UNITS[pos % 4])
        if pos % 4 == 0 and pos:
            group = digits[max(0, len(digits) - pos - 4):len(digits) - pos]
            if int(group):
                out.append(_GROUPS[pos // 4])
    return "".join(out)


def amount_in_words(amount: Decimal | int | str) -> str:
    """人民币 in Chinese capital numerals (大写金额), as on a decision: 5000 → 人民币伍仟元整,
    1005.5 → 人民币壹仟零伍元伍角整, 10.05 → 人民币壹拾元零伍分. Rounded half up to the fen."""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount: {amount!r}") from None
    if value < 0:
        raise ValueError("amount must not be negative")
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "人民币零元整"
    out = ["人民币"]
    if yuan:
        out.append(_integer_words(yuan) + "元")
    if jiao:
        out.append(_DIGITS[jiao] + "角")
    elif fen and yuan:
        out.append("零")
    if fen:
        out.append(_DIGITS[fen] + "分")
    else:
        out.append("整")
    return "".join(out)


def amount_in_figures(amount: Decimal) -> str:
    """¥5,000.00"""
    return f"¥{Decimal(amount):,.2f}"


def cn_count(n: int) -> str:
    """Small counts in Chinese (一 … 九十九), for 第一条 / 一、 numbering."""
    if n < 10:
        return _CN_NUM[n]
    tens, ones = divmod(n, 10)
    return (_CN_NUM[tens] if tens > 1 else "") + "十" + (_CN_NUM[ones] if ones else "")


# --- rendering ------------------------------------------------------------------------------------------

_environments: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _environment():
    """The app's Jinja environment (filters, autoescaping, pdf/base.html) with the case templates first
    in the search path, so documents render whether or not the cases blueprint is registered, and with
    None rendered as a blank line rather than the word "None"."""
    from flask import current_app
    from jinja2 import ChoiceLoader, FileSystemLoader

    base = current_app.jinja_env
    env = _environments.get(base)
    if env is None:
        env = base.overlay(loader=ChoiceLoader([FileSystemLoader(str(_TEMPLATES)), base.loader]),
                           finalize=lambda v: Markup('<span class="blank wide"></span>') if v is None else v)
        # JSON-kept dates (execution acts, plans) arrive as "YYYY-MM-DD".
        env.filters = {**env.filters, "todate": lambda v: date.fromisoformat(v) if isinstance(v, str) else v}
        _environments[base] = env
    return env


def render_document_html(case, kind: str, *, number: str | None, step=None, on: date | None = None,
                         extra: dict | None = None) -> str:
    """The HTML of a document (what `render_document` converts); needs an app context."""
    spec = _kind(kind)
    context = build_context(case, kind, number=number, step=step, on=on, extra=extra)
    if kind == "case_file":
        context["sections"] = _case_file_sections(case)
    return _environment().get_template(spec.template).render(context)


def render_document(case, kind: str, *, number: str | None, step=None, on: date | None = None,
                    extra: dict | None = None) -> bytes:
    """Render one document of `case` to PDF bytes. No database writes; needs an app context.

    `number`: the document number (文号) allocated by the caller. `step`: the CaseStep a record or a
    service receipt is about. `on`: the document's date (default: today in China). `extra`: kind-specific
    data not in the case, e.g. {"handler_opinion": ..., "head_opinion": ...} for approval forms,
    {"hearing_at": datetime, "hearing_place", "host", "clerk"} for a hearing notice, {"items": [...]}
    for evidence and seizure, {"document_title", "document_number"} for a service receipt,
    {"hearing_right": bool} to override the computed hearing right of an advance notice.
    """
    from flask import current_app

    from app.pdf import html_to_pdf

    html = render_document_html(case, kind, number=number, step=step, on=on, extra=extra)
    return html_to_pdf(html, base_url=current_app.root_path)


def _kind(kind: str) -> DocumentKind:
    try:
        return DOCUMENT_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {kind!r}") from None


def setting(name: str):
    from flask import current_app

    return current_app.config.get(name, DEFAULTS[name])


# --- context --------------------------------------------------------------------------------------------

def build_context(case, kind: str, *, number: str | None, step=None, on: date | None = None,
                  extra: dict | None = None) -> dict:
    """Everything a document template may use. Values that are unknown are None (rendered blank)."""
    spec = _kind(kind)
    extra = dict(extra or {})
    if kind in EXECUTION_DOCUMENTS:
        _execution_defaults(case, extra, on)
    parties = [_party(p) for p in case.parties]
    notice = _notice(case, extra.get("snapshot")) if kind == "advance_notice" else None
    decision = _decision(case, notice["noticed"] if notice else None)
    step_ctx = _step(step) if step is not None else None
    officers = step_ctx["officers"] if step_ctx and step_ctx["officers"] else _case_officers(case, on)
    is_org = bool(parties) and all(p["is_org"] for p in parties)
    context = {
        "kind": kind,
        "title": spec.title,
        "agency_name": case.agency.name,
        "agency": {"name": case.agency.name, "address": case.agency.address or None,
                   "phone": case.agency.phone or None},
        #: 受委托组织 (APL Art 20): the act is the entrusting agency's, so the heading and the seal stay the
        #: agency's; the base layout names the organisation under the heading and the decisions say so.
        "entrusted_name": case.entrusted_org.name if case.entrusted_org is not None else None,
        "doc_number": number,
        "issued_on": on or today_china(),
        "case": case,
        "case_number": case.number,
        "cause": case.title,
        #: "…一案", without doubling a title that already ends in 案
        "cause_case": (case.title if case.title.endswith("案") else f"{case.title}一案") if case.title else None,
        "matter_name": _safe(lambda: case.matter_version.name),
        "service_method_label": SERVICE_METHODS.get(case.service_method) if case.service_method else None,
        "source": SOURCE_LABELS.get(case.source, case.source) if case.source else None,
        "parties": parties,
        "party": parties[0] if parties else None,
        "party_names": "、".join(p["name"] for p in parties) or None,
        "you": "你单位" if is_org else "你",
        "officers": officers,
        "step": step_ctx,
        "steps": [_step(s) for s in case.steps],
        "decision": decision,
        "deadlines": {d.kind: d.due_on for d in case.deadlines},
        "extra": extra,
        "settings": {k: setting(k) for k in DEFAULTS},
        "amount_in_words": amount_in_words,
        "amount_in_figures": amount_in_figures,
        "cn_count": cn_count,
        "seal": extra.get("seal", "mark"),
    }
    if kind in ("advance_notice", "decision"):
        context["hearing_right"] = extra.get("hearing_right", decision["hearing_right"])
        context["defence_due"] = _defence_due(case)
        context["hearing_request_due"] = _due(case, ("hearing_request", "hearing_request_window"))
    if notice:
        # What this notice told the party when it was served, not what a later notice told (APL Art 62).
        context["notice"] = notice
        context["hearing_right"] = extra.get("hearing_right", notice["hearing_right"])
        context["defence_due"] = notice["defence_due"]
        context["hearing_request_due"] = notice["hearing_request_due"] if context["hearing_right"] else None
    if kind == "on_spot_decision":
        from cases.document_fields import on_spot_fields

        spot = on_spot_fields(case)
        context["place"] = spot["place"]
        if spot["officers"] is not None:
            context["officers"] = spot["officers"]
    if kind == "hearing_notice":
        context["hearing_at"] = extra.get("hearing_at")
        context["hearing_on"] = extra.get("hearing_at") or case.hearing_on
    if kind == "service_receipt":
        context["served"] = _served_document(case, step_ctx, extra)
    return context


#: Documents of the execution phase: extra = {"act" | "plan": the record, "execution": the amounts owed}.
EXECUTION_DOCUMENTS = frozenset({"payment_plan_decision", "reminder", "enforcement_application",
                                 "suspension_decision", "termination_decision"})


def notice_snapshot(case) -> dict:
    """What the advance notice being served tells the party (kept on its CaseDocument.snapshot): the intended
    decision, which notice it is, how it is served and when that takes effect, and its windows."""
    from cases.guards import hearing_right

    def iso(d):
        return d.isoformat() if d else None

    return {"noticed": case.noticed, "number": case.notice_count or 1, "served_on": iso(case.notice_served_on),
            "method": case.notice_method or "direct", "effective_on": iso(case.notice_start_on),
            "defence_due": iso(_defence_due(case)),
            "hearing_request_due": iso(_due(case, ("hearing_request", "hearing_request_window"))),
            "hearing_right": hearing_right(case)}


#: Document kinds whose content depends on a moment the case record does not keep -> their snapshot.
SNAPSHOTS = {"advance_notice": notice_snapshot}


def _notice(case, snapshot) -> dict | None:
    """The advance notice's content: its stored snapshot, else (while it is being issued) the case now."""
    raw = snapshot or (notice_snapshot(case) if case.noticed or case.notice_served_on else None)
    if raw is None:
        return None

    def day(v):
        return date.fromisoformat(v) if v else None

    return {**raw, "served_on": day(raw.get("served_on")), "effective_on": day(raw.get("effective_on")),
            "defence_due": day(raw.get("defence_due")), "hearing_request_due": day(raw.get("hearing_request_due")),
            "method_label": SERVICE_METHODS.get(raw.get("method")), "noticed": raw.get("noticed")}


def _execution_defaults(case, extra, on):
    """Amounts as of the document's date; a blank act or plan when the form is printed before the act."""
    from collections import defaultdict
    from types import SimpleNamespace

    from cases.services import execution

    extra.setdefault("execution", execution.summary(case, on or today_china()))
    extra.setdefault("act", SimpleNamespace(on=None, reason=None, label=None, data=defaultdict(lambda: None)))
    extra.setdefault("plan", SimpleNamespace(applied_on=None, reason=None, kind=None, status=None,
                                             kind_label="暂缓（分期）缴纳罚款", deferred_until=None, instalments=[],
                                             decision_note=None))


def _safe(fn):
    try:
        return fn()
    except AttributeError:
        return None


def _party(p) -> dict:
    return {"is_org": p.kind == "org", "kind": p.kind, "name": p.name, "id_number": p.id_number,
            "credit_code": p.credit_code, "legal_representative": p.legal_representative,
            "phone": p.phone, "address": p.address}


def _certificate_number(officer, on: date | None) -> str | None:
    """The certificate valid on the document's date, else the most recent one."""
    certificates = list(getattr(officer, "certificates", None) or [])
    if not certificates:
        return None
    on = on or today_china()
    valid = [c for c in certificates if c.issued_on and c.expires_on and c.issued_on <= on <= c.expires_on]
    return (valid or certificates)[-1].number


def _case_officers(case, on: date | None) -> list[dict]:
    rows = sorted(case.officers, key=lambda r: (r.role != "lead", r.id or 0))
    out = []
    for row in rows:
        officer = row.officer
        if officer is None:
            continue
        out.append({"name": officer.name, "certificate_number": _certificate_number(officer, on),
                    "certificate_shown": None, "role": row.role})
    return out


def _step(step) -> dict:
    extra = step.extra or {}
    officers = [{"name": o.get("name"), "certificate_number": o.get("certificate_number"),
                 "certificate_shown": bool(o.get("certificate_shown"))} for o in (step.officers or [])]
    return {
        "id": step.id, "kind": step.kind,
        "label": STEP_LABELS.get(StepKind(step.kind), step.kind) if step.kind in StepKind._value2member_map_
        else step.kind,
        "started_at": local(step.started_at), "ended_at": local(step.ended_at),
        "place": step.place or None, "target": step.target or None,
        "content": step.content or "", "paragraphs": _paragraphs(step.content),
        "qa": _qa(step.content),
        "officers": officers, "signature": step.signature or "signed",
        "refusal_note": step.refusal_note or None,
        "witness": extra.get("witness"), "recorder": extra.get("recorder"),
        "method": extra.get("method") or extra.get("service_method"),
        "listed_items": extra.get("items") or [],
        "extra": extra,
    }


def _paragraphs(text) -> list[str]:
    if not text:
        return []
    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [line.strip() for line in str(text).splitlines() if line.strip()]


_QA = re.compile(r"^(问|答)\s*[：:]\s*")


def _qa(text) -> list[dict]:
    """询问笔录 content as question/answer lines; a line without 问：/答： continues the previous one."""
    out: list[dict] = []
    for line in _paragraphs(text):
        m = _QA.match(line)
        if m:
            out.append({"who": m.group(1), "text": line[m.end():]})
        elif out:
            out[-1]["text"] += "\n" + line
        else:
            out.append({"who": None, "text": line})
    return out


def _evidence_item(item) -> str:
    if isinstance(item, dict):
        name = item.get("name") or item.get("title") or ""
        note = item.get("description") or item.get("proves") or ""
        return f"{name}（{note}）" if name and note else (name or note)
    return str(item)


def _decision(case, noticed=None) -> dict:
    """The draft decision (case.draft, as `cases.services.save_draft` keeps it) with the case's own fields
    (set when deciding) taking precedence.

    Draft keys read: facts (str or list), evidence (str, list of str or {name, description}), legal_basis,
    penalty_basis, tier, penalties, fine, confiscation, reasoning, discretion_reason; optional
    penalty_text (overrides the composed penalty), correction (责令改正), defence_opinion, payment_method.
    """
    # An advance notice shows what it told the party (case.noticed), never the later decision.
    draft = noticed if noticed is not None else (case.draft or {})
    version = case.matter_version
    fine = case.fine_amount if noticed is None else None
    raw_fine = draft.get("fine", draft.get("fine_amount"))
    if fine is None and raw_fine not in (None, ""):
        fine = Decimal(str(raw_fine))
    penalties = [(p.get("kind") if isinstance(p, dict) else p)
                 for p in ((case.penalties if noticed is None else None) or draft.get("penalties") or [])]
    if fine and "fine" not in penalties:
        penalties.append("fine")
    items = []
    for p in penalties:
        if p == "fine":
            items.append(f"罚款{amount_in_words(fine)}（{amount_in_figures(fine)}）" if fine is not None
                         else "罚款人民币________元")
        elif p == "confiscation" and draft.get("confiscation"):
            items.append(f"{PENALTY_KINDS[p]}：{_sentence(draft['confiscation'])}")
        else:
            items.append(PENALTY_KINDS.get(p, p))
    if draft.get("penalty_text"):
        penalty_text = _sentence(draft["penalty_text"])
    elif len(items) == 1:
        penalty_text = items[0]
    else:
        penalty_text = "；".join(f"{cn_count(i)}、{t}" for i, t in enumerate(items, 1)) or None
    tier = draft.get("tier")
    if isinstance(tier, dict):
        tier = tier.get("name")
    evidence = draft.get("evidence") or []
    if isinstance(evidence, str):
        evidence = _paragraphs(evidence)
    from cases.document_fields import decision_fields
    from cases.guards import hearing_right

    return {**decision_fields(case, draft),
        "facts": _paragraphs(draft.get("facts")),
        "evidence": [_evidence_item(e) for e in evidence],
        "legal_basis": draft.get("legal_basis") or _safe(lambda: version.legal_basis) or None,
        "penalty_basis": draft.get("penalty_basis") or _safe(lambda: version.penalty_basis) or None,
        "tier": tier,
        "reasoning": _sentence(draft.get("reasoning")) or None,
        "discretion": _sentence(draft.get("discretion_reason") or draft.get("discretion")) or None,
        "penalties": penalties,
        "penalty_items": items,
        "penalty_text": penalty_text,
        "correction": draft.get("correction") or None,
        "defence_opinion": draft.get("defence_opinion") or None,
        "fine": fine,
        "fine_words": amount_in_words(fine) if fine is not None else None,
        "fine_figures": amount_in_figures(fine) if fine is not None else None,
        "payment_due": case.payment_due or _due(case, ("payment",)),
        "payment_method": _sentence(draft.get("payment_method") or setting("PAYMENT_METHOD_TEXT")),
        "number": case.decision_number,
        "decided_on": case.decided_on,
        "hearing_right": hearing_right(case),
    }


def _sentence(text) -> str:
    """Text to embed in a sentence that adds its own punctuation."""
    return str(text or "").strip().rstrip("。；;，,")


def _due(case, kinds) -> date | None:
    for d in case.deadlines:
        if d.kind in kinds:
            return d.due_on
    return None


def _defence_due(case) -> date | None:
    due = _due(case, ("defence", "defence_window", "defense", "statement_defence"))
    if due is None:
        due = next((d.due_on for d in case.deadlines if "陈述" in (d.label or "")), None)
    if due is None and case.notice_start_on:
        from app.calendar import add_working_days

        closures = [c.day for c in getattr(case.agency, "closures", None) or []]
        due = add_working_days(case.notice_start_on, int(setting("DEFENCE_WORKING_DAYS")), closures)
    return due


def _served_document(case, step_ctx, extra) -> dict:
    """The document a service receipt is for: named in extra or in the service step's extra (title and
    number, or document_id), else the case's decision."""
    source = {**(step_ctx["extra"] if step_ctx else {}), **extra}
    title, number = source.get("document_title"), source.get("document_number")
    document_id = source.get("document_id")
    if document_id and not (title and number):
        doc = next((d for d in case.documents if d.id == document_id), None)
        if doc is not None:
            title, number = title or doc.title, number or doc.number
    if not title and not number and case.decision_number:
        kind = "on_spot_decision" if case.procedure == "summary" else "decision"
        title, number = DOCUMENT_KINDS[kind].title, case.decision_number
    method = source.get("method") or source.get("service_method") or case.service_method
    return {"title": title, "number": number,
            "method": SERVICE_METHODS.get(method, method) if method else None,
            "method_code": method, "served_on": case.served_on}


# --- case file ------------------------------------------------------------------------------------------

_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


@dataclass
class _Section:
    anchor: str
    number: str | None
    title: str
    on: date | None
    sha256: str | None
    ledger_seq: int | None
    html: Markup


def _case_file_sections(case) -> list[_Section]:
    """Every stored document of the case in order, re-rendered from the case record into one HTML
    document (pypdf is not available to append the stored PDFs' own pages). The index lists each stored
    original's SHA-256, so the case file can be checked against the store and the ledger."""
    steps = {s.id: s for s in case.steps}
    sections = []
    # Each execution document re-renders from its own record: the act that issued it, or the i-th decided plan.
    acts = {a.document_id: a for a in getattr(case, "execution_acts", []) if a.document_id}
    plans = iter([p for p in getattr(case, "payment_plans", []) if p.decided_on is not None])
    for i, doc in enumerate(d for d in case.documents if d.kind != "case_file"):
        # The document's own date if the row keeps one, else the day it was stored (China time).
        on = getattr(doc, "issued_on", None) or (local(doc.created_at).date() if doc.created_at else None)
        if doc.kind in DOCUMENT_KINDS:
            extra = {"snapshot": doc.snapshot} if getattr(doc, "snapshot", None) else {}
            if doc.id in acts:
                extra["act"] = acts[doc.id]
            if doc.kind == "payment_plan_decision":
                plan = next(plans, None)
                if plan is not None:
                    extra["plan"] = plan
            html = render_document_html(case, doc.kind, number=doc.number, step=steps.get(doc.step_id), on=on,
                                        extra=extra)
            body = _BODY.search(html)
            inner = Markup(body.group(1) if body else "")
        else:
            inner = Markup("")
        sections.append(_Section(f"doc-{i + 1}", doc.number, doc.title, on, doc.sha256, doc.ledger_seq, inner))
    return sections


# --- storing --------------------------------------------------------------------------------------------

def store_document(case, kind: str, pdf_bytes: bytes, *, number: str, actor=None, step=None,
                   on=None, snapshot: dict | None = None) -> CaseDocument:
    """Put an issued document in the object store, record it on the case and enter it in the ledger.

    Runs in the caller's transaction and only flushes. `actor`: the User issuing it (or None for the
    system). The ledger payload carries the PDF's SHA-256, so a proof bundle can check the file.
    A decision (SIGNED_KINDS) is first signed with the agency's key: the stored bytes, their hash and the
    served file are the signed PDF, and the payload's `signature` holds the signature's digests.
    """
    from app.extensions import db
    from app.ledger.services import append
    from app.storage import get_store

    spec = _kind(kind)
    if not pdf_bytes.startswith(b"%PDF-"):
        raise ValueError("not a PDF document")
    signature = None
    if kind in SIGNED_KINDS:
        from app.docsign.services import sign_pdf

        signed = sign_pdf(pdf_bytes, case.agency, reason=f"{spec.title} {number}")
        pdf_bytes, signature = signed.pdf, signed.ledger
    digest = hashlib.sha256(pdf_bytes).hexdigest()
    stored = get_store().put(io.BytesIO(pdf_bytes), content_type="application/pdf", expected_sha256=digest,
                             metadata={"case-id": str(case.id), "document-kind": kind})
    document = CaseDocument(case=case, kind=kind, number=number, title=spec.title, storage_key=stored.key,
                            sha256=stored.sha256, size=stored.size,
                            step_id=step.id if step is not None else None, issued_on=on or today_china(),
                            created_by_id=actor.id if actor is not None else None, snapshot=snapshot)
    db.session.add(document)
    db.session.flush()
    entry = append("document.issued", f"case:{case.id}", {
        "document_id": document.id, "kind": kind, "number": number, "title": spec.title,
        "sha256": stored.sha256, "size": stored.size, "storage_key": stored.key,
        "issued_on": document.issued_on,
        **({"signature": signature} if signature else {}),
    })
    document.ledger_seq = entry.seq
    db.session.flush()
    return document
