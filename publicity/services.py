"""Publicity: the only code that writes publications, the random-inspection list and annual reports.

A decision creates its publication (`create_for_case`, called by the hook after `cases.services.apply_action`
and by `flask publicity sync`) with its due date. The officer adjusts the redacted preview (`save_edits`) and
submits it; the head approves it (`approve`: the public PDF is rendered from the redacted fields, stored
and hashed into the ledger), or records a ground for not publishing it (`decline`, reported to the
supervisor). A decision that is altered, revoked, confirmed illegal or invalid is withdrawn within 3 working
days (`request_withdrawal`, `withdraw`). Display periods end (`expire_due`). Every publication,
non-publication, withdrawal and expiry enters the ledger in the same transaction; services flush, the edge
commits.

Settings (app.config; defaults in `DEFAULTS`, SPEC §3 and §8).
"""
from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from app import calendar
from app.auth.services import closures_of
from app.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.ledger.services import append as ledger_append
from app.timeutil import today_china, utcnow
from app import redaction
from publicity import permissions
from publicity.models import (GROUND_LABELS, WITHDRAWAL_LABELS, AnnualReport, InspectionItem,
                              NonPublicationGround, Publication, PublicationKind, PublicationStatus,
                              WithdrawalReason)

DEFAULTS = {
    "PUBLICITY_DECISION_WORKING_DAYS": 7,  # penalty and licensing decisions (SPEC §3)
    "PUBLICITY_OTHER_WORKING_DAYS": 20,  # other decisions
    "PUBLICITY_WITHDRAWAL_WORKING_DAYS": 3,
    "PUBLICITY_SHORT_DISPLAY_MONTHS": 3,  # warnings and small fines *(default)*
    "PUBLICITY_LONG_DISPLAY_YEARS": 3,  # everything else *(default)*
    # A "small fine" is one that could have been imposed on the spot (APL Art 51): 200 yuan for a natural
    # person, 3,000 for an organisation.
    "PUBLICITY_SMALL_FINE_PERSON": 200,
    "PUBLICITY_SMALL_FINE_ORG": 3000,
    "PUBLICITY_PUBLISH_WARNINGS": True,  # warning-only penalties: publication configurable (SPEC §3)
    "PUBLICITY_MASK_PERSON_NAME": True,  # SPEC §8 *(default: mask natural persons, show organisations)*
    "PUBLICITY_NAME_STYLE": "stars",  # 张** ("stars") or 张某 ("mou")
    "PUBLICITY_MASK_PLATES": True,
    "PUBLICITY_ALERT_DAYS": 2,  # 超期预警: warn this many calendar days before a due date
    "PUBLICITY_REPORT_DUE_MONTH": 1,  # the annual report is out by 31 January
    "PUBLICITY_REPORT_DUE_DAY": 31,
}

#: Fields of a publication that hold redacted, publishable text, with their labels.
CONTENT_FIELDS = {"title": "案件名称", "party_text": "当事人", "facts": "违法事实", "legal_basis": "处罚依据",
                  "penalty_text": "处罚内容"}


def setting(name):
    return current_app.config.get(name, DEFAULTS[name])


class PersonalDataRemains(DomainError):
    """SPEC §8: publication is refused while an ID-number, phone or bank-account pattern remains."""

    code = "personal_data_remains"
    status = 409


def get_publication(pub_id) -> Publication:
    pub = db.session.get(Publication, pub_id)
    if pub is None:
        raise NotFound("公开记录不存在")
    return pub


def _ledger(kind, pub, payload, at=None):
    entry = ledger_append(kind, f"publication:{pub.id}", {
        "publication_id": pub.id, "case_id": pub.case_id, "decision_number": pub.decision_number,
        "agency_id": pub.agency_id, **payload}, at=at)
    pub.ledger_seq = entry.seq
    return entry


# --- dates ----------------------------------------------------------------------------------------------

def publication_due(kind: str, decided_on: date, agency_id: int | None) -> date:
    """7 working days after a penalty or licensing decision, 20 after others; the agency's closures count."""
    days = (setting("PUBLICITY_DECISION_WORKING_DAYS")
            if kind in (PublicationKind.penalty.value, PublicationKind.licensing.value)
            else setting("PUBLICITY_OTHER_WORKING_DAYS"))
    return calendar.add_working_days(decided_on, int(days), closures_of(agency_id))


def withdrawal_due(event_on: date, agency_id: int | None) -> date:
    return calendar.add_working_days(event_on, int(setting("PUBLICITY_WITHDRAWAL_WORKING_DAYS")),
                                     closures_of(agency_id))


def _add_months(d: date, months: int) -> date:
    import calendar as cal

    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, cal.monthrange(year, month)[1]))


def is_short_display(penalties, fine, party_kind) -> bool:
    """Warnings and small fines are shown for the short period (default 3 months)."""
    kinds = set(penalties or [])
    if fine:
        kinds.add("fine")
    if not kinds or not kinds <= {"warning", "fine"}:
        return False
    limit = setting("PUBLICITY_SMALL_FINE_ORG" if party_kind == "org" else "PUBLICITY_SMALL_FINE_PERSON")
    return not fine or Decimal(fine) <= Decimal(str(limit))


def display_until(pub, published_on: date) -> date:
    """The last day on the public site; the day after it the decision is taken down automatically."""
    if is_short_display(pub.penalties, pub.fine_amount, pub.party_kind):
        end = _add_months(published_on, int(setting("PUBLICITY_SHORT_DISPLAY_MONTHS")))
    else:
        end = _add_months(published_on, 12 * int(setting("PUBLICITY_LONG_DISPLAY_YEARS")))
    return end - timedelta(days=1)


# --- content --------------------------------------------------------------------------------------------

def subject_for(case, extra_terms=()) -> redaction.Subject:
    """What the redaction engine must know about a case: who is a natural person, what is public."""
    party_names, person_names, addresses, keep = [], [], [], []
    for p in case.parties:
        if p.kind == "person":
            party_names.append(p.name)
            if p.address:
                addresses.append(p.address)
        else:
            keep += [x for x in (p.name, p.credit_code) if x]
            if p.legal_representative:
                person_names.append(p.legal_representative)
    for step in case.steps:
        extra = step.extra or {}
        for key in ("witness", "witnesses", "interviewee", "recorder_party", "interpreter"):
            value = extra.get(key)
            for name in ([value] if isinstance(value, str) else list(value or [])):
                if isinstance(name, str) and name.strip():
                    person_names.append(name.strip())
    for co in case.officers:
        if co.officer is not None:
            keep.append(co.officer.name)
    if case.agency is not None:
        keep += [x for x in (case.agency.name, case.agency.phone, case.agency.address) if x]
    return redaction.Subject(party_names=tuple(party_names), person_names=tuple(person_names),
                             addresses=tuple(addresses), extra_terms=tuple(extra_terms), keep=tuple(keep))


def redaction_options() -> redaction.Options:
    return redaction.Options(mask_party_name=bool(setting("PUBLICITY_MASK_PERSON_NAME")),
                             name_style=setting("PUBLICITY_NAME_STYLE"),
                             mask_plates=bool(setting("PUBLICITY_MASK_PLATES")))


def allowed_values(case) -> tuple[str, ...]:
    """Public values that may stay in the text: organisations' credit codes, the agency's phone."""
    values = [p.credit_code for p in case.parties if p.kind == "org" and p.credit_code]
    if case.agency is not None and case.agency.phone:
        values.append(case.agency.phone)
    return tuple(values)


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value if v)
    return str(value or "").strip()


def source_fields(case) -> dict[str, str]:
    """The decision's publishable parts, before redaction."""
    from cases.models import PENALTY_KINDS

    draft = case.draft or {}
    version = case.matter_version
    parties = []
    for p in case.parties:
        if p.kind == "org":
            parties.append(f"{p.name}（统一社会信用代码：{p.credit_code}）" if p.credit_code else p.name)
        else:
            parties.append(p.name)
    basis = [b for b in (draft.get("legal_basis") or getattr(version, "legal_basis", ""),
                         draft.get("penalty_basis") or getattr(version, "penalty_basis", "")) if b]
    items = []
    for kind in case.penalties or draft.get("penalties") or []:
        if kind == "fine" and case.fine_amount is not None:
            items.append(f"罚款人民币{case.fine_amount:,.2f}元")
        elif kind == "confiscation" and draft.get("confiscation"):
            items.append(f"{PENALTY_KINDS[kind]}：{_text(draft['confiscation'])}")
        else:
            items.append(PENALTY_KINDS.get(kind, kind))
    if case.fine_amount and "fine" not in (case.penalties or []):
        items.append(f"罚款人民币{case.fine_amount:,.2f}元")
    if (case.decision_kind or draft.get("decision_kind")) == "no_penalty":
        from cases.models import NO_PENALTY_GROUNDS

        ground = NO_PENALTY_GROUNDS.get(draft.get("no_penalty_ground"), "")
        items = ["不予行政处罚" + (f"（{ground}）" if ground else "")]
    return {
        "title": case.title or "",
        "party_text": "、".join(parties),
        "facts": _text(draft.get("facts")),
        "legal_basis": "；".join(dict.fromkeys(_text(b) for b in basis)),
        "penalty_text": "；".join(items),
    }


def build_content(case, edits: dict | None = None) -> dict:
    """Redacted fields plus their preview segments: {"fields": {...}, "segments": {...}}.

    `edits["extra_terms"]`: more words to mask (health data, a name the engine could not know…).
    `edits["fields"]`: the officer's final wording of a field, which replaces the redacted text as it is
    (and is then checked for remaining patterns like everything else).
    """
    edits = edits or {}
    subject = subject_for(case, tuple(t.strip() for t in edits.get("extra_terms") or [] if t and t.strip()))
    options = redaction_options()
    fields, segments = {}, {}
    for name, text in source_fields(case).items():
        override = (edits.get("fields") or {}).get(name)
        if override is not None:
            fields[name] = override
            segments[name] = [(override, None)]
        else:
            result = redaction.redact(text, subject, options)
            fields[name] = result.text
            segments[name] = result.segments
    return {"fields": fields, "segments": segments}


def search_text(pub, agency_name: str) -> str:
    return " ".join([pub.decision_number, pub.title, pub.party_text, pub.facts, pub.penalty_text,
                     pub.category, agency_name]).lower()


def search_grams(text: str) -> str:
    """Every distinct one- and two-character substring of the words of `text`, space-separated, with a
    space at both ends, so that a short term matches as the whole word ' term ' (see queries)."""
    grams = {}
    for word in text.split():
        for i, ch in enumerate(word):
            grams[ch] = None
            if i + 1 < len(word):
                grams[word[i:i + 2]] = None
    return " " + " ".join(grams) + " "


def _apply_content(pub, case):
    content = build_content(case, pub.edits)
    for name, value in content["fields"].items():
        setattr(pub, name, value)
    pub.search_text = search_text(pub, case.agency.name if case.agency else "")
    pub.search_grams = search_grams(pub.search_text)
    return content


def residual(pub) -> list[redaction.Finding]:
    allowed = allowed_values(pub.case) if pub.case is not None else ()
    out = []
    for name in CONTENT_FIELDS:
        out += redaction.residual_patterns(getattr(pub, name) or "", allowed)
    return out


def ensure_clean(pub):
    findings = residual(pub)
    if findings:
        raise PersonalDataRemains(
            f"公开内容中仍有{redaction.describe(findings)}，不得公开（个人信息须先遮蔽）",
            details={"patterns": [f.to_dict() for f in findings]})


def content_sha256(pub) -> str:
    from app.ledger.canonical import canonical_json

    return hashlib.sha256(canonical_json({k: getattr(pub, k) for k in CONTENT_FIELDS}).encode()).hexdigest()


# --- creation -------------------------------------------------------------------------------------------

def _is_minor(party, on: date) -> bool:
    from app.validators import id_number_birth_date

    birth = id_number_birth_date(party.id_number) if party.kind == "person" and party.id_number else None
    if birth is None:
        return False
    return (on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))) < 18


def create_for_case(case, *, actor=None, on: date | None = None) -> Publication | None:
    """The publication of a decided case (idempotent). A minor party, or a warning-only penalty when the
    agency does not publish warnings, gives a non-publication with that ground, reported at once."""
    if case.decided_on is None or not case.decision_number:
        return None
    if case.decision_kind == "not_established":
        return None  # no finding against the party: nothing to publish as an enforcement decision
    existing = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
    if existing is not None:
        return existing
    party_kind = "org" if case.parties and all(p.kind == "org" for p in case.parties) else "person"
    pub = Publication(case=case, case_id=case.id, agency_id=case.agency_id, kind=PublicationKind.penalty.value,
                      status=PublicationStatus.draft.value, decision_number=case.decision_number,
                      category=case.category, decided_on=case.decided_on,
                      fine_amount=case.fine_amount, penalties=list(case.penalties or []), party_kind=party_kind,
                      edits={})
    pub.due_on = publication_due(pub.kind, case.decided_on, case.agency_id)
    _apply_content(pub, case)
    db.session.add(pub)
    db.session.flush()
    if case.decision_kind == "transfer":
        _not_published(pub, NonPublicationGround.transferred_crime, "涉嫌犯罪，已移送司法机关", actor)
    elif any(_is_minor(p, case.decided_on) for p in case.parties):
        _not_published(pub, NonPublicationGround.minor, "当事人作出违法行为时未满十八周岁（系统依身份证号码自动判断）",
                       actor)
    elif set(pub.penalties) == {"warning"} and not setting("PUBLICITY_PUBLISH_WARNINGS"):
        _not_published(pub, NonPublicationGround.warning_configurable, "本机关设置为警告类处罚决定不予公开", actor)
    return pub


def sync(*, on: date | None = None) -> list[Publication]:
    """Create the missing publications of every decided case (after an import, or before the hook)."""
    from cases.models import Case

    missing = select(Case).where(Case.decided_on.is_not(None), Case.decision_number.is_not(None),
                                 ~Case.id.in_(select(Publication.case_id).where(Publication.case_id.is_not(None))))
    return [p for p in (create_for_case(c, on=on) for c in db.session.scalars(missing)) if p]


def after_action(case, action, actor, on):
    """Hook run by cases.services.apply_action: a decision creates its publication."""
    if action in ("decide", "decide_on_spot"):
        create_for_case(case, actor=actor, on=on)


# --- the preview ----------------------------------------------------------------------------------------

def save_edits(pub, *, actor, extra_terms=None, fields=None) -> Publication:
    """The officer adjusts the preview: more words to mask, or a field's final wording."""
    if not permissions.can_edit_publication(actor, pub):
        raise PermissionDenied("只有本机关执法人员或负责人可以在公开前修改遮蔽内容")
    edits = dict(pub.edits or {})
    if extra_terms is not None:
        terms = [t.strip() for t in extra_terms if t and t.strip()]
        short = [t for t in terms if len(t) < 2]
        if short:
            raise InvalidInput("需遮蔽的词语至少两个字", details={"fields": {"extra_terms": ["至少两个字"]}})
        edits["extra_terms"] = list(dict.fromkeys(terms))
    if fields is not None:
        unknown = [k for k in fields if k not in CONTENT_FIELDS]
        if unknown:
            raise InvalidInput(f"未知字段：{'、'.join(unknown)}")
        merged = dict(edits.get("fields") or {})
        for key, value in fields.items():
            if value is None or value == "":
                merged.pop(key, None)  # back to the engine's redaction
            else:
                merged[key] = str(value)
        edits["fields"] = merged
    pub.edits = edits
    _apply_content(pub, pub.case)
    if pub.status == PublicationStatus.submitted.value:
        pub.status = PublicationStatus.draft.value  # the head approves what was submitted, nothing else
    db.session.flush()
    return pub


def submit(pub, *, actor) -> Publication:
    if not permissions.can_submit_publication(actor, pub):
        raise PermissionDenied("只有本机关执法人员可以提交待编辑的公开内容")
    ensure_clean(pub)
    pub.status = PublicationStatus.submitted.value
    pub.submitted_by_id = actor.id
    pub.submitted_at = utcnow()
    db.session.flush()
    return pub


def approve(pub, *, actor, on: date | None = None) -> Publication:
    """The head approves the preview: it is published today with its redacted PDF, hashed in the ledger."""
    if not permissions.can_approve_publication(actor, pub):
        raise PermissionDenied("只有本机关负责人可以批准公开")
    ensure_clean(pub)
    on = on or today_china()
    from app.docsign.services import sign_pdf
    from app.storage import get_store

    # The public version is signed with the agency's key too, before it is hashed (issue 18).
    signed = sign_pdf(render_public_pdf(pub), pub.agency, reason=f"行政处罚决定书（公开版） {pub.decision_number}")
    pdf = signed.pdf

    digest = hashlib.sha256(pdf).hexdigest()
    stored = get_store().put(io.BytesIO(pdf), content_type="application/pdf", expected_sha256=digest,
                             metadata={"publication-id": str(pub.id)})
    pub.pdf_key, pub.pdf_sha256, pub.pdf_size = stored.key, stored.sha256, stored.size
    pub.status = PublicationStatus.published.value
    pub.approved_by_id = actor.id
    pub.published_at = utcnow()
    pub.published_on = on
    pub.display_until = display_until(pub, on)
    db.session.flush()
    _ledger("publication.published", pub, {
        "published_on": on, "due_on": pub.due_on, "late": on > pub.due_on, "display_until": pub.display_until,
        "content_sha256": content_sha256(pub), "sha256": pub.pdf_sha256, "size": pub.pdf_size,
        "storage_key": pub.pdf_key, "signature": signed.ledger, "actor": actor.username})
    return pub


def render_public_pdf(pub) -> bytes:
    from app.pdf import render_pdf

    return render_pdf("publicity/pdf/decision.html", pub=pub, agency_name=pub.agency.name,
                      title="行政处罚决定书（公开版）", doc_number=pub.decision_number, issued_on=pub.decided_on,
                      seal="none", paragraphs=lambda t: [x for x in (t or "").splitlines() if x.strip()])


# --- non-publication ------------------------------------------------------------------------------------

def _not_published(pub, ground, note, actor):
    pub.status = PublicationStatus.not_published.value
    pub.ground = ground.value
    pub.ground_note = note
    pub.reported_to_supervisor_at = utcnow()
    db.session.flush()
    _ledger("publication.not_published", pub, {
        "ground": ground.value, "ground_label": GROUND_LABELS[ground], "note": note,
        "reported_to_supervisor": True, "actor": actor.username if actor else None})


def decline(pub, *, ground, note, actor) -> Publication:
    """不予公开: only on one of SPEC's grounds, with a note; reported to the supervisor."""
    if not permissions.can_decline_publication(actor, pub):
        raise PermissionDenied("只有本机关负责人可以决定不予公开")
    try:
        ground = NonPublicationGround(ground)
    except ValueError:
        raise InvalidInput("不予公开须符合法定情形之一：" + "、".join(GROUND_LABELS.values()),
                           details={"fields": {"ground": ["请选择不予公开的法定情形"]}}) from None
    if not (note or "").strip():
        raise InvalidInput("请说明不予公开的具体理由", details={"fields": {"note": ["请填写理由"]}})
    _not_published(pub, ground, note.strip(), actor)
    return pub


# --- withdrawal -----------------------------------------------------------------------------------------

def request_withdrawal(pub, *, reason, note, event_on: date, actor) -> Publication:
    """Record that the decision was altered, revoked, confirmed illegal or invalid: it must be withdrawn
    within 3 working days of `event_on` (SPEC §3), and is alerted on until it is."""
    if not permissions.can_request_withdrawal(actor, pub):
        raise PermissionDenied("只有本机关执法人员或负责人可以提出撤下已公开的决定")
    try:
        reason = WithdrawalReason(reason)
    except ValueError:
        raise InvalidInput("撤下理由应为决定被变更、撤销、确认违法或确认无效之一",
                           details={"fields": {"reason": ["请选择撤下理由"]}}) from None
    if not (note or "").strip():
        raise InvalidInput("请填写向社会公开的撤下说明", details={"fields": {"note": ["请填写说明"]}})
    if event_on is None or event_on < pub.decided_on:
        raise InvalidInput("请填写决定被变更、撤销或确认违法、无效的日期（不早于决定日期）",
                           details={"fields": {"event_on": ["日期无效"]}})
    pub.withdrawal_reason = reason.value
    pub.withdrawal_note = note.strip()
    pub.withdrawal_event_on = event_on
    pub.withdrawal_due_on = withdrawal_due(event_on, pub.agency_id)
    db.session.flush()
    return pub


def require_withdrawal(pub, *, reason, note, event_on: date, source: str) -> Publication:
    """A higher feature recorded that the decision was altered, revoked, confirmed illegal or invalid (e.g.
    an effective reconsideration decision or judgement, SPEC §15): the publication owes a withdrawal within
    3 working days of `event_on` (SPEC §3, G118). No user check here: the caller's service checked who
    recorded the legal fact; the head still withdraws (alerts run until it is done). `source` names the
    record that set it off, e.g. "remedy:12". A publication that is not public is left as it is."""
    if pub.status != PublicationStatus.published.value:
        return pub
    try:
        reason = WithdrawalReason(reason)
    except ValueError:
        raise InvalidInput("撤下理由应为决定被变更、撤销、确认违法或确认无效之一") from None
    if event_on is None or event_on < pub.decided_on:
        raise InvalidInput("决定被变更、撤销或确认违法、无效的日期不得早于决定日期")
    pub.withdrawal_reason = reason.value
    pub.withdrawal_note = (note or "").strip() or WITHDRAWAL_LABELS[reason]
    pub.withdrawal_event_on = event_on
    pub.withdrawal_due_on = withdrawal_due(event_on, pub.agency_id)
    db.session.flush()
    _ledger("publication.withdrawal_required", pub, {
        "reason": reason.value, "note": pub.withdrawal_note, "event_on": event_on,
        "due_on": pub.withdrawal_due_on, "source": source})
    return pub


def withdraw(pub, *, actor, reason=None, note=None, event_on: date | None = None,
             on: date | None = None) -> Publication:
    """The head withdraws a published decision; its reason stays on the public site."""
    if not permissions.can_withdraw_publication(actor, pub):
        raise PermissionDenied("只有本机关负责人可以撤下已公开的决定")
    if reason is not None or pub.withdrawal_reason is None:
        pub.withdrawal_reason = None  # let request_withdrawal check the new reason
        request_withdrawal(pub, reason=reason, note=note, event_on=event_on or on or today_china(), actor=actor)
    on = on or today_china()
    pub.status = PublicationStatus.withdrawn.value
    pub.withdrawn_at = utcnow()
    pub.withdrawn_on = on
    pub.withdrawn_by_id = actor.id
    db.session.flush()
    _ledger("publication.withdrawn", pub, {
        "reason": pub.withdrawal_reason, "reason_label": WITHDRAWAL_LABELS[WithdrawalReason(pub.withdrawal_reason)],
        "note": pub.withdrawal_note, "event_on": pub.withdrawal_event_on, "due_on": pub.withdrawal_due_on,
        "withdrawn_on": on, "late": on > pub.withdrawal_due_on, "actor": actor.username})
    return pub


# --- display periods ------------------------------------------------------------------------------------

def expire_due(today: date | None = None) -> list[Publication]:
    """Take down every publication whose display period has ended (public queries never show them anyway)."""
    today = today or today_china()
    rows = db.session.scalars(select(Publication).where(
        Publication.status == PublicationStatus.published.value, Publication.display_until < today)).all()
    for pub in rows:
        pub.status = PublicationStatus.expired.value
        pub.expired_at = utcnow()
        _ledger("publication.expired", pub, {"display_until": pub.display_until, "expired_on": today})
    db.session.flush()
    return rows


# --- random-inspection list -----------------------------------------------------------------------------

def add_inspection_item(*, agency, category, name, targets, basis, method, ratio, published_on=None,
                        actor=None) -> InspectionItem:
    from app.auth.models import Role
    from app.auth.permissions import can_act_in_agency, has_role

    if actor is not None and not (can_act_in_agency(actor, agency.id, Role.head) or has_role(actor, Role.admin)):
        raise PermissionDenied("只有本机关负责人或系统管理员可以维护抽查事项清单")
    missing = [label for label, v in (("抽查事项", name), ("抽查对象", targets), ("抽查依据", basis),
                                      ("抽查方式", method), ("抽查比例和频次", ratio)) if not (v or "").strip()]
    if missing:
        raise InvalidInput("请填写" + "、".join(missing))
    if category not in (agency.categories or []):
        raise InvalidInput(f"执法类别“{category}”不在{agency.name}的职权范围内")
    item = InspectionItem(agency_id=agency.id, category=category, name=name.strip(), targets=targets.strip(),
                          basis=basis.strip(), method=method.strip(), ratio=ratio.strip(),
                          published_on=published_on or today_china())
    db.session.add(item)
    db.session.flush()
    ledger_append("inspection_item.published", f"agency:{agency.id}", {
        "item_id": item.id, "category": category, "name": item.name, "targets": item.targets,
        "basis": item.basis, "method": item.method, "ratio": item.ratio, "published_on": item.published_on})
    return item


# --- annual report --------------------------------------------------------------------------------------

def report_due(year: int) -> date:
    """The report on `year` is out by 31 January of the next year (SPEC §3)."""
    return date(year + 1, int(setting("PUBLICITY_REPORT_DUE_MONTH")), int(setting("PUBLICITY_REPORT_DUE_DAY")))


REPORT_FORMATS = ("pdf", "xlsx")


def published_report(year: int, fmt: str) -> AnnualReport:
    """The published report file of a year, for the public site: reading never publishes (SEC-12)."""
    if fmt not in REPORT_FORMATS:
        raise NotFound("年报格式只有 PDF 和 Excel（.xlsx）")
    report = db.session.scalar(select(AnnualReport).where(AnnualReport.year == year, AnnualReport.fmt == fmt))
    if report is None:
        raise NotFound(f"{year}年度统计年报尚未发布（次年1月31日前由执法监督机构发布）")
    return report


def publish_annual_report(year, *, actor, today: date | None = None) -> list[AnnualReport]:
    """A supervisor publishes the statistics report of a past year (SPEC §3: by 31 January): the PDF and
    the .xlsx are rendered once, stored, and entered in the ledger — publishing the report is that entry.
    Publishing again returns the same files. Entry points: the staff page, POST /api/publicity/annual-reports,
    `flask publicity annual-report`."""
    from app.auth.models import Role
    from app.auth.permissions import has_role

    if actor is None or not has_role(actor, Role.supervisor):
        raise PermissionDenied("只有执法监督人员（司法行政部门）可以发布年度统计年报（SPEC §3）")
    try:
        year = int(str(year).strip())
    except (TypeError, ValueError):
        raise InvalidInput("请填写要发布的年度（如2025）", details={"fields": {"year": ["请填写年度"]}}) from None
    today = today or today_china()
    if year >= today.year or year < 2000:
        raise InvalidInput(f"{year}年度统计年报尚未到发布时间：只能发布已结束年度的年报（次年1月31日前发布）")
    return [_publish_report_file(year, fmt, actor, today) for fmt in REPORT_FORMATS]


def _publish_report_file(year, fmt, actor, today) -> AnnualReport:
    existing = db.session.scalar(select(AnnualReport).where(AnnualReport.year == year, AnnualReport.fmt == fmt))
    if existing is not None:
        return existing
    from publicity import reports

    data = reports.render(year, fmt)
    from app.storage import get_store

    digest = hashlib.sha256(data).hexdigest()
    mime = "application/pdf" if fmt == "pdf" else reports.XLSX_MIME
    stored = get_store().put(io.BytesIO(data), content_type=mime, expected_sha256=digest,
                             metadata={"annual-report": str(year)})
    report = AnnualReport(year=year, fmt=fmt, storage_key=stored.key, sha256=stored.sha256, size=stored.size)
    db.session.add(report)
    db.session.flush()
    entry = ledger_append("annual_report.published", f"annual_report:{year}", {
        "year": year, "format": fmt, "sha256": stored.sha256, "size": stored.size, "storage_key": stored.key,
        "due_on": report_due(year), "published_on": today, "late": today > report_due(year),
        "actor": actor.username})
    report.ledger_seq = entry.seq
    return report
