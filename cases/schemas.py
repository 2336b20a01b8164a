"""Marshmallow schemas for the cases JSON API and CLI, chosen by audience.

Input schemas check shapes and formats (types, enumerations, ID-number and credit-code check digits);
the business rules stay in `cases.services` and `cases.guards`. Output schemas are for the internal API:
`CasePartySchema` carries a party's personal data (ID number, phone, address) and appears only in a case's
detail; lists and summaries show names only. Personal fields (a natural person's ID number, phone,
address, electronic-service address; an interviewee's or witness's in a step's `extra`) are dumped masked
unless `cases.privacy` disclosed them for this request (PIPL Art 6 minimum necessary). Nothing here may be dumped on a public page (publicity has
its own schemas).
"""
from __future__ import annotations

from flask import url_for
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate, validates_schema

from app.schemas import UTCDateTime
from cases.models import (DECISION_KINDS, DISCRETION_KINDS, NO_PENALTY_GROUNDS, PENALTY_KINDS, PROCEDURE_LABELS,
                          SERVICE_METHODS, STATUS_LABELS, CaseStatus, Procedure, StepKind)

PROCEDURES = [p.value for p in Procedure]
STATUSES = [s.value for s in CaseStatus]
STEP_KINDS = [k.value for k in StepKind]


class _Strict(Schema):
    class Meta:
        unknown = RAISE


def _id_number(value):
    from app.validators import validate_id_number

    problem = validate_id_number(value or "")
    if problem:
        raise ValidationError(problem)


def _credit_code(value):
    from app.validators import validate_credit_code

    problem = validate_credit_code(value or "")
    if problem:
        raise ValidationError(problem)


# --- input ------------------------------------------------------------------------------------------------

class PartyInSchema(_Strict):
    """当事人: a natural person (ID number) or an organisation (credit code, legal representative)."""

    kind = fields.String(required=True, validate=validate.OneOf(["person", "org"]),
                         metadata={"description": "person 自然人 / org 法人或其他组织"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    id_number = fields.String(allow_none=True, validate=_id_number, metadata={"description": "居民身份证号码"})
    credit_code = fields.String(allow_none=True, validate=_credit_code, metadata={"description": "统一社会信用代码"})
    legal_representative = fields.String(allow_none=True, validate=validate.Length(max=64))
    phone = fields.String(allow_none=True, validate=validate.Length(max=20))
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    e_service_consent = fields.Boolean(load_default=False, metadata={"description": "书面同意电子送达"})
    e_service_address = fields.String(allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _required_by_kind(self, data, **kwargs):
        if data.get("kind") == "person" and not data.get("id_number"):
            raise ValidationError("请填写居民身份证号码", "id_number")
        if data.get("kind") == "org" and not data.get("credit_code"):
            raise ValidationError("请填写统一社会信用代码", "credit_code")


class CaseCreateSchema(_Strict):
    matter_version_id = fields.Integer(required=True, metadata={"description": "a published version of a matter"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"description": "案由"})
    area_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="请填写6位行政区划代码"))
    procedure = fields.String(load_default="ordinary", validate=validate.OneOf(PROCEDURES))
    violation_on = fields.Date(allow_none=True, metadata={"description": "违法行为发生（终了）日"})
    discovered_on = fields.Date(allow_none=True, metadata={
        "description": "发现违法行为之日：追责时效计算至此日（行政处罚法第三十六条）"})
    summary = fields.String(load_default="")
    place = fields.String(load_default="", validate=validate.Length(max=200))
    source = fields.String(load_default="inspection", validate=validate.Length(max=40))
    harms_safety = fields.Boolean(load_default=False,
                                  metadata={"description": "危害生命健康或金融安全（追责时效5年）"})
    is_complex = fields.Boolean(load_default=False)
    officer_ids = fields.List(fields.Integer(), load_default=list)
    parties = fields.List(fields.Nested(PartyInSchema), load_default=list)


class OfficersAssignSchema(_Strict):
    officer_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1))


class DefencePointSchema(_Strict):
    point = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "陈述申辩意见"})
    adopted = fields.Boolean(required=True, metadata={"description": "是否采纳"})
    reason = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "理由"})


class DiscretionFactorSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(list(DISCRETION_KINDS)),
                         metadata={"description": "lighter 从轻、mitigated 减轻、heavier 从重"})
    factor = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "具体情节"})


class DraftSchema(_Strict):
    """调查终结报告 / 处罚决定草案. Each save gives a new SHA-256 (a review approval binds to it)."""

    facts = fields.String(allow_none=True, metadata={"description": "违法事实"})
    evidence = fields.String(allow_none=True, metadata={"description": "证据"})
    legal_basis = fields.String(allow_none=True, metadata={"description": "法律依据"})
    tier = fields.String(allow_none=True, metadata={"description": "裁量档次名称"})
    penalties = fields.List(fields.String(validate=validate.OneOf(list(PENALTY_KINDS))), load_default=list)
    fine = fields.Decimal(allow_none=True, as_string=True, places=2, validate=validate.Range(min=0),
                          metadata={"minimum": 0})  # documented as a number, not "0.00"
    confiscation = fields.String(allow_none=True, metadata={"description": "没收的违法所得、非法财物（文字说明）"})
    confiscated_gains = fields.Decimal(allow_none=True, as_string=True, places=2, validate=validate.Range(min=0),
                                       metadata={"description": "没收违法所得金额（元）", "minimum": 0})
    confiscated_value = fields.Decimal(allow_none=True, as_string=True, places=2, validate=validate.Range(min=0),
                                       metadata={"description": "没收非法财物的价值（元）", "minimum": 0})
    reasoning = fields.String(allow_none=True)
    discretion_reason = fields.String(allow_none=True)
    penalty_basis = fields.String(allow_none=True, metadata={"description": "处罚依据（默认：执法事项的处罚依据）"})
    decision_kind = fields.String(allow_none=True, validate=validate.OneOf(list(DECISION_KINDS)), metadata={
        "description": "、".join(f"{k} {v}" for k, v in DECISION_KINDS.items()) + "（默认 penalty）"})
    no_penalty_ground = fields.String(allow_none=True, validate=validate.OneOf(list(NO_PENALTY_GROUNDS)),
                                      metadata={"description": "不予行政处罚的情形（行政处罚法第三十至三十三条）"})
    transfer_organ = fields.String(allow_none=True, metadata={"description": "移送的司法机关"})
    correction = fields.String(allow_none=True, metadata={"description": "责令改正的内容（行政处罚法第二十八条）"})
    correction_by = fields.Date(allow_none=True, metadata={"description": "改正期限；空：立即改正"})
    defence_points = fields.List(fields.Nested(DefencePointSchema), allow_none=True, metadata={
        "description": "陈述申辩意见，每条是否采纳及理由（行政处罚法第四十五条）"})
    discretion_factors = fields.List(fields.Nested(DiscretionFactorSchema), allow_none=True, metadata={
        "description": "从轻、减轻、从重情节（减轻可低于裁量档次下限）"})


class FlagsSchema(_Strict):
    marked_major = fields.Boolean(allow_none=True, metadata={"description": "机关负责人认定为重大执法决定"})
    is_complex = fields.Boolean(allow_none=True, metadata={"description": "情节复杂，须集体讨论"})


class ExtensionSchema(_Strict):
    days = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1))


class StepInSchema(_Strict):
    """执法环节记录: the officers acting (default: the case's officers) and whose certificates were shown."""

    kind = fields.String(required=True, validate=validate.OneOf(STEP_KINDS))
    started_at = UTCDateTime(required=True, metadata={"description": "ISO 8601; without offset: China time"})
    ended_at = UTCDateTime(allow_none=True)
    place = fields.String(required=True, validate=validate.Length(min=1, max=200))
    target = fields.String(load_default="", validate=validate.Length(max=200))
    content = fields.String(required=True, validate=validate.Length(min=1))
    officer_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    certificate_shown_ids = fields.List(fields.Integer(), load_default=None, allow_none=True)
    signature = fields.String(load_default="signed", validate=validate.OneOf(["signed", "refused", "absent"]))
    refusal_note = fields.String(load_default="")
    extra = fields.Dict(load_default=dict, metadata={
        "description": "service: {method}; hearing: {host_officer_id, noticed_on}; seizure: {items}"})


class AvJustificationSchema(_Strict):
    text = fields.String(required=True, validate=validate.Length(min=1),
                         metadata={"description": "未能音像记录的书面说明"})


# Action data, one schema per workflow action (the CLI's --data and the API body go through them).

class NoteSchema(_Strict):
    note = fields.String(load_default="")


class ReasonSchema(_Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1))


class ServeNoticeSchema(_Strict):
    served_on = fields.Date(allow_none=True, metadata={"description": "事先告知书送达日（默认今天）"})
    method = fields.String(load_default="direct", validate=validate.OneOf(list(SERVICE_METHODS)), metadata={
        "description": "送达方式（默认直接送达）；公告送达自公告之日起经过三十日视为送达，陈述申辩期限自该日起算"})
    waived = fields.Boolean(load_default=False, metadata={"description": "当事人明确放弃陈述、申辩"})
    note = fields.String(load_default="")


class RequestHearingSchema(_Strict):
    requested_on = fields.Date(allow_none=True, metadata={"description": "当事人提出听证要求的日期（默认今天）"})
    note = fields.String(load_default="")


class ServeDecisionSchema(_Strict):
    method = fields.String(required=True, validate=validate.OneOf(list(SERVICE_METHODS)),
                           metadata={"description": "、".join(f"{k} {v}" for k, v in SERVICE_METHODS.items())})
    served_on = fields.Date(allow_none=True)
    late_reason = fields.String(load_default="", metadata={"description": "逾期送达的理由"})
    note = fields.String(load_default="")


class ExecutionSchema(_Strict):
    paid_amount = fields.Decimal(allow_none=True, as_string=True, validate=validate.Range(min=0))
    paid_on = fields.Date(allow_none=True)
    note = fields.String(load_default="")


class DecideSchema(_Strict):
    note = fields.String(load_default="")
    received_on = fields.Date(allow_none=True, metadata={"description": "移送司法机关：接收日期（回执）"})
    receipt_number = fields.String(allow_none=True, metadata={"description": "移送司法机关：回执编号"})


class DecideOnSpotSchema(_Strict):
    note = fields.String(load_default="")
    place = fields.String(allow_none=True, validate=validate.Length(max=200),
                          metadata={"description": "违法行为地点（默认：案件登记的地点）"})
    certificate_shown_ids = fields.List(fields.Integer(), load_default=None, allow_none=True, metadata={
        "description": "向当事人出示执法证件的执法人员（默认：本案全部执法人员）"})


class OnSpotFilingSchema(_Strict):
    note = fields.String(load_default="")


class CorrectionCheckSchema(_Strict):
    checked_on = fields.Date(allow_none=True, metadata={"description": "复查日期（默认今天）"})
    corrected = fields.Boolean(required=True, metadata={"description": "当事人是否已改正"})
    result = fields.String(required=True, validate=validate.Length(min=1), metadata={"description": "复查情况"})


ACTION_SCHEMAS: dict[str, type[Schema]] = {
    "decide": DecideSchema, "decide_on_spot": DecideOnSpotSchema,
    "reject_filing": ReasonSchema, "reopen_investigation": ReasonSchema, "terminate": ReasonSchema,
    "serve_notice": ServeNoticeSchema, "request_hearing": RequestHearingSchema,
    "serve_decision": ServeDecisionSchema, "record_execution": ExecutionSchema,
}


def load_action_data(action: str, raw: dict | None) -> dict:
    """Validate an action's data with its schema (other actions take an optional `note`)."""
    return ACTION_SCHEMAS.get(action, NoteSchema)().load(raw or {})


class ActionDataSchema(Schema):
    """The union of every action's fields, for the documentation; each action accepts only its own
    (reason: reject_filing, reopen_investigation, terminate; served_on/waived/method: serve_notice; requested_on:
    request_hearing; method/served_on/late_reason: serve_decision; paid_amount/paid_on: record_execution;
    received_on/receipt_number: decide (移送司法机关); place/certificate_shown_ids: decide_on_spot)."""

    class Meta:
        unknown = RAISE

    note = fields.String()
    reason = fields.String()
    served_on = fields.Date(allow_none=True)
    waived = fields.Boolean()
    requested_on = fields.Date(allow_none=True)
    method = fields.String(validate=validate.OneOf(list(SERVICE_METHODS)))
    late_reason = fields.String()
    paid_amount = fields.Decimal(allow_none=True, as_string=True)
    paid_on = fields.Date(allow_none=True)
    received_on = fields.Date(allow_none=True)
    receipt_number = fields.String(allow_none=True)
    place = fields.String(allow_none=True)
    certificate_shown_ids = fields.List(fields.Integer(), allow_none=True)


class TierSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    min = fields.Decimal(required=True, as_string=True)
    max = fields.Decimal(required=True, as_string=True)
    penalties = fields.List(fields.String(validate=validate.OneOf(list(PENALTY_KINDS))), load_default=list)
    description = fields.String(load_default="")

    @post_load
    def _json_numbers(self, data, **kwargs):
        # Stored in a JSON column: whole yuan as int, otherwise float (as the xlsx import does).
        for key in ("min", "max"):
            d = data[key]
            data[key] = int(d) if d == d.to_integral_value() else float(d)
        return data


class _MatterFields(_Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    category = fields.String(validate=validate.Length(min=1, max=40))
    legal_basis = fields.String(validate=validate.Length(min=1))
    penalty_basis = fields.String(validate=validate.Length(min=1))
    tiers = fields.List(fields.Nested(TierSchema), validate=validate.Length(min=1))
    procedures = fields.List(fields.String(validate=validate.OneOf(PROCEDURES)), validate=validate.Length(min=1))
    av_steps = fields.List(fields.String(validate=validate.OneOf(STEP_KINDS)))
    major_criteria = fields.Dict(metadata={"description": '{"fine_at_least": 50000, "penalties": [...]}'})


class MatterCreateSchema(_MatterFields):
    agency_id = fields.Integer(metadata={"description": "default: the caller's agency"})
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    legal_basis = fields.String(required=True, validate=validate.Length(min=1))
    penalty_basis = fields.String(required=True, validate=validate.Length(min=1))
    tiers = fields.List(fields.Nested(TierSchema), required=True, validate=validate.Length(min=1))
    procedures = fields.List(fields.String(validate=validate.OneOf(PROCEDURES)), load_default=lambda: ["ordinary"])
    av_steps = fields.List(fields.String(validate=validate.OneOf(STEP_KINDS)), load_default=list)
    major_criteria = fields.Dict(load_default=dict)


class MatterReviseSchema(_MatterFields):
    """Changes to a matter: a new version if the latest is published, else an edit of the draft version."""

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("没有要修改的内容", "_schema")


class MatterPublishSchema(_Strict):
    version = fields.Integer(metadata={"description": "default: the latest version"})


class CaseListQuerySchema(Schema):
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)), load_default=None)
    procedure = fields.String(validate=validate.OneOf(PROCEDURES))
    matter_id = fields.Integer()
    officer_id = fields.Integer()
    agency_id = fields.Integer()
    filed_from = fields.Date()
    filed_to = fields.Date()
    overdue = fields.Boolean()
    q = fields.String(metadata={"description": "case number, title or party name (substring)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class DeadlineQuerySchema(Schema):
    overdue = fields.Boolean(load_default=False, metadata={"description": "only overdue deadlines"})
    horizon_days = fields.Integer(load_default=7, validate=validate.Range(min=0, max=365))


class MatterListQuerySchema(Schema):
    q = fields.String()
    published_only = fields.Boolean(load_default=False)


# --- output -----------------------------------------------------------------------------------------------

def _certificate_number(officer, on=None):
    """The certificate that counts today (passing the rules), else the latest one."""
    from app.officers.rules import check
    from app.timeutil import today_china

    certs = list(officer.certificates)
    if not certs:
        return None
    on = on or today_china()
    if not check(officer, on):
        valid = [c for c in certs if c.issued_on <= on <= c.expires_on]
        if valid:
            return valid[-1].number
    return certs[-1].number


class CaseAgencySchema(Schema):
    id = fields.Integer()
    name = fields.String()


class CaseOfficerSchema(Schema):
    """An officer on a case: name and certificate number only."""

    officer_id = fields.Integer()
    name = fields.Function(lambda co: co.officer.name)
    certificate_number = fields.Function(lambda co: _certificate_number(co.officer))
    role = fields.String()


class PartyNameSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    name = fields.String()


def _personal(field):
    def get(party):
        from cases.privacy import party_value

        return party_value(party, field)

    return fields.Function(get, allow_none=True, metadata={
        "description": "masked (e.g. 220681********1234) unless shown to this caller for the act at hand "
                       "or through POST .../disclosure with a stated purpose; see `masked`"})


class CasePartySchema(PartyNameSchema):
    """Internal only: personal data of the party, masked unless disclosed (cases.privacy)."""

    id_number = _personal("id_number")
    credit_code = fields.String(allow_none=True)
    legal_representative = fields.String(allow_none=True)
    phone = _personal("phone")
    address = _personal("address")
    e_service_consent = fields.Boolean()
    e_service_address = _personal("e_service_address")
    masked = fields.Function(lambda p: _party_masked(p), metadata={
        "description": "true when the personal fields above are masked for this caller"})


def _party_masked(party):
    from cases.privacy import party_has_personal_data

    return party_has_personal_data(party)


class MatterRefSchema(Schema):
    matter_id = fields.Integer()
    version_id = fields.Integer(attribute="id")
    code = fields.Function(lambda v: v.matter.code)
    name = fields.String()
    version = fields.Integer()
    category = fields.String()


class CaseSummarySchema(Schema):
    id = fields.Integer()
    number = fields.String(allow_none=True)
    title = fields.String()
    status = fields.String()
    status_label = fields.String()
    procedure = fields.String()
    procedure_label = fields.Function(lambda c: PROCEDURE_LABELS[Procedure(c.procedure)])
    agency = fields.Nested(CaseAgencySchema)
    matter = fields.Nested(MatterRefSchema, attribute="matter_version")
    parties = fields.List(fields.Nested(PartyNameSchema))
    filed_on = fields.Date(allow_none=True)
    decision_due = fields.Date(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    created_at = UTCDateTime()


def _draft(case):
    from cases.privacy import draft_value

    return draft_value(case)


def _step_extra(step):
    from cases.privacy import step_extra

    return step_extra(step)


class CaseStepSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    started_at = UTCDateTime()
    ended_at = UTCDateTime(allow_none=True)
    place = fields.String()
    target = fields.String()
    content = fields.String()
    officers = fields.List(fields.Dict(), metadata={"description": "name, certificate_number, certificate_shown"})
    signature = fields.String()
    refusal_note = fields.String()
    extra = fields.Function(lambda s: _step_extra(s), metadata={
        "description": "kind-specific data; an interviewee's or witness's personal fields are masked unless "
                       "shown (cases.privacy)"})
    needs_av = fields.Boolean()
    av_justification = fields.String(allow_none=True)
    av_justification_approved = fields.Function(lambda s: s.av_justification_approved_by_id is not None)
    completed_at = UTCDateTime(allow_none=True)


class CaseEventSchema(Schema):
    id = fields.Integer()
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    actor = fields.Function(lambda e: e.actor.full_name if e.actor else None)
    at = UTCDateTime()
    note = fields.String()
    data = fields.Dict()
    ledger_seq = fields.Integer(allow_none=True)


class CaseDocumentSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    title = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    created_at = UTCDateTime()
    ledger_seq = fields.Integer(allow_none=True)
    download_url = fields.Function(lambda d: url_for("cases_api.CaseDocumentFile", case_id=d.case_id,
                                                     document_id=d.id))


def _deadline_status(deadline):
    from app.timeutil import today_china
    from cases.queries import deadline_status

    return deadline_status(deadline, today_china())


def _calendar_known(year):
    from app import calendar

    return calendar.calendar_known(year)


class CaseDeadlineSchema(Schema):
    kind = fields.String()
    label = fields.String()
    basis = fields.String()
    due_on = fields.Date()
    met_on = fields.Date(allow_none=True)
    status = fields.Function(lambda d: _deadline_status(d), metadata={"description": "met / overdue / due_soon / ok"})
    calendar_known = fields.Function(
        lambda d: _calendar_known(d.due_on.year),
        metadata={"description": "false: the due date's year has no official holiday calendar (imported or "
                                 "built in), so it was counted Monday to Friday (SPEC §16)"})


class DeadlineRowSchema(CaseDeadlineSchema):
    """A deadline in the 超期预警 list, with its case."""

    case_id = fields.Integer()
    case_number = fields.Function(lambda d: d.case.number)
    case_title = fields.Function(lambda d: d.case.title)


class AllowedActionSchema(Schema):
    action = fields.String()
    label = fields.String()
    target = fields.String()
    ok = fields.Boolean(metadata={"description": "no guard refuses it now (data-dependent rules are checked "
                                                "when it is taken)"})
    problems = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


def allowed_actions_for(case, user):
    from cases import services

    return [{"action": t.action, "label": t.label, "target": t.target.value, "ok": not problems,
             "problems": problems} for t, problems in services.allowed_actions(case, user)]


class CaseDetailSchema(CaseSummarySchema):
    """The internal view of a case, for its agency's staff and supervisors."""

    summary = fields.String()
    source = fields.String()
    place = fields.String()
    area_code = fields.String()
    violation_on = fields.Date(allow_none=True)
    harms_safety = fields.Boolean()
    is_complex = fields.Boolean()
    marked_major = fields.Boolean()
    extension_days = fields.Integer()
    draft = fields.Function(lambda c: _draft(c), allow_none=True, metadata={
        "description": "the draft decision; ID and phone numbers in its text masked unless disclosed"})
    draft_sha256 = fields.String(allow_none=True)
    discovered_on = fields.Date(allow_none=True)
    notice_served_on = fields.Date(allow_none=True)
    noticed = fields.Dict(allow_none=True, metadata={"description": "事先告知的拟处罚内容"})
    notice_count = fields.Integer()
    notice_method = fields.String(allow_none=True)
    notice_effective_on = fields.Date(allow_none=True, metadata={"description": "事先告知书送达生效日"})
    decision_kind = fields.String(allow_none=True)
    gains_amount = fields.Decimal(as_string=True, allow_none=True)
    property_value = fields.Decimal(as_string=True, allow_none=True)
    decision_record = fields.Dict(allow_none=True)
    summary_filed_on = fields.Date(allow_none=True)
    correction_checked_on = fields.Date(allow_none=True)
    correction_result = fields.String(allow_none=True)
    service_effective_on = fields.Date(allow_none=True)
    defence_waived = fields.Boolean()
    hearing_requested_on = fields.Date(allow_none=True)
    hearing_on = fields.Date(allow_none=True)
    decision_number = fields.String(allow_none=True)
    fine_amount = fields.Decimal(as_string=True, allow_none=True)
    penalties = fields.List(fields.String())
    served_on = fields.Date(allow_none=True)
    service_method = fields.String(allow_none=True)
    payment_due = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    paid_amount = fields.Decimal(as_string=True, allow_none=True)
    surcharge_amount = fields.Decimal(as_string=True, allow_none=True)
    executed_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    archived_on = fields.Date(allow_none=True)
    parties = fields.List(fields.Nested(CasePartySchema))
    officers = fields.List(fields.Nested(CaseOfficerSchema))
    steps = fields.List(fields.Nested(CaseStepSchema))
    events = fields.List(fields.Nested(CaseEventSchema))
    documents = fields.List(fields.Nested(CaseDocumentSchema))
    deadlines = fields.List(fields.Nested(CaseDeadlineSchema))
    allowed_actions = fields.Method("get_allowed_actions", metadata={
        "description": "actions the caller may take in this state, each with the guards' current problems"})

    def get_allowed_actions(self, case):
        from app.auth.permissions import actor

        return AllowedActionSchema(many=True).dump(allowed_actions_for(case, actor()))


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSummarySchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class MatterVersionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    name = fields.String()
    category = fields.String()
    legal_basis = fields.String()
    penalty_basis = fields.String()
    tiers = fields.List(fields.Dict())
    procedures = fields.List(fields.String())
    av_steps = fields.List(fields.String())
    major_criteria = fields.Dict()
    published_on = fields.Date(allow_none=True)


class MatterSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    agency_id = fields.Integer()
    current = fields.Nested(MatterVersionSchema, allow_none=True,
                            metadata={"description": "the latest published version"})
    versions = fields.List(fields.Nested(MatterVersionSchema))


#: For `flask cases show` and tests: the label of a status value.
def status_label(value: str) -> str:
    return STATUS_LABELS[CaseStatus(value)]
