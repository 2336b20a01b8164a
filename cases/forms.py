"""HTML forms for cases and the power list (Flask-WTF: each carries a CSRF token).

Forms only shape input; every rule (ID check digits, guards, permissions) is the services' business, and
their field errors are shown beside these fields.
"""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, DateField, DateTimeLocalField, DecimalField, IntegerField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from cases.models import (DECISION_KINDS, DISCRETION_KINDS, NO_PENALTY_GROUNDS, PENALTY_KINDS, PROCEDURE_LABELS,
                          SERVICE_METHODS, STEP_LABELS, Procedure)
from cases.execution_models import PAYMENT_METHOD_LABELS, PLAN_KIND_LABELS
from cases.services.execution import (SUSPENSION_GROUNDS as _SUSPENSION_GROUNDS,
                                      TERMINATION_GROUNDS as _TERMINATION_GROUNDS)

PARTY_KINDS = [("person", "自然人"), ("org", "法人或其他组织")]
SIGNATURES = [("signed", "当事人已签名"), ("refused", "当事人拒绝签名"), ("absent", "当事人不在场")]
SOURCES = [("inspection", "监督检查"), ("complaint", "投诉、举报"), ("referral", "其他机关移送"),
           ("assigned", "上级交办"), ("media", "媒体曝光"), ("other", "其他")]


class MultiCheckboxField(SelectMultipleField):
    """Checkboxes instead of a multi-select: usable with a thumb on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CaseForm(FlaskForm):
    matter_version_id = SelectField("执法事项（已事前公开）", coerce=int,
                                    validators=[DataRequired("请选择执法事项")])
    procedure = SelectField("程序", choices=[(p.value, PROCEDURE_LABELS[p]) for p in Procedure],
                            default=Procedure.ordinary.value)
    title = StringField("案由", validators=[DataRequired("请填写案由"), Length(max=200)])
    source = SelectField("案件来源", choices=SOURCES, default="inspection")
    area_code = StringField("违法行为地（6位行政区划代码）", default="220681",
                            validators=[DataRequired("请填写行政区划代码"), Length(max=6)])
    violation_on = DateField("违法行为发生（终了）日期", validators=[Optional()])
    discovered_on = DateField("发现违法行为的日期（追责时效计算至此日）", validators=[Optional()])
    harms_safety = BooleanField("涉及公民生命健康安全、金融安全且有危害后果（追责时效五年）")
    place = StringField("违法行为地点", validators=[Optional(), Length(max=200)])
    summary = TextAreaField("案情摘要", validators=[Optional(), Length(max=4000)])
    officer_ids = MultiCheckboxField("承办执法人员（至少两名持有效证件）", coerce=int)
    party_kind = SelectField("当事人类型", choices=PARTY_KINDS, default="person")
    party_name = StringField("姓名或名称", validators=[Optional(), Length(max=120)])
    id_number = StringField("居民身份证号码", validators=[Optional(), Length(max=20)])
    credit_code = StringField("统一社会信用代码", validators=[Optional(), Length(max=20)])
    legal_representative = StringField("法定代表人（负责人）", validators=[Optional(), Length(max=64)])
    party_phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    party_address = StringField("住址或住所", validators=[Optional(), Length(max=200)])

    def party(self) -> dict:
        return {"kind": self.party_kind.data, "name": self.party_name.data, "id_number": self.id_number.data,
                "credit_code": self.credit_code.data, "legal_representative": self.legal_representative.data,
                "phone": self.party_phone.data, "address": self.party_address.data}


#: Service field names (cases.services.clean_party / create_case) → the form field that shows the error.
CASE_FIELD_MAP = {"kind": "party_kind", "name": "party_name", "phone": "party_phone",
                  "address": "party_address"}


class PartyForm(FlaskForm):
    kind = SelectField("当事人类型", choices=PARTY_KINDS, default="person")
    name = StringField("姓名或名称", validators=[DataRequired("请填写姓名或名称"), Length(max=120)])
    id_number = StringField("居民身份证号码", validators=[Optional(), Length(max=20)])
    credit_code = StringField("统一社会信用代码", validators=[Optional(), Length(max=20)])
    legal_representative = StringField("法定代表人（负责人）", validators=[Optional(), Length(max=64)])
    phone = StringField("联系电话", validators=[Optional(), Length(max=20)])
    address = StringField("住址或住所", validators=[Optional(), Length(max=200)])
    e_service_consent = BooleanField("当事人书面同意电子送达")
    e_service_address = StringField("电子送达地址", validators=[Optional(), Length(max=200)])


class DraftForm(FlaskForm):
    facts = TextAreaField("违法事实", validators=[Optional(), Length(max=8000)])
    evidence = TextAreaField("证据（每行一项）", validators=[Optional(), Length(max=8000)])
    legal_basis = TextAreaField("法律依据", validators=[Optional(), Length(max=4000)])
    tier = SelectField("裁量档次", choices=[])
    penalties = MultiCheckboxField("处罚种类", choices=list(PENALTY_KINDS.items()))
    fine = DecimalField("罚款金额（元）", places=2, validators=[Optional()])
    discretion_reason = TextAreaField("裁量理由", validators=[Optional(), Length(max=4000)])
    decision_kind = SelectField("决定种类", choices=list(DECISION_KINDS.items()), default="penalty")
    no_penalty_ground = SelectField("不予行政处罚的情形", choices=[("", "—")] + list(NO_PENALTY_GROUNDS.items()),
                                    default="")
    transfer_organ = StringField("移送的司法机关", validators=[Optional(), Length(max=200)])
    confiscation = StringField("没收的违法所得、非法财物（说明）", validators=[Optional(), Length(max=2000)])
    confiscated_gains = DecimalField("没收违法所得金额（元）", places=2, validators=[Optional(), NumberRange(min=0)])
    confiscated_value = DecimalField("没收非法财物的价值（元）", places=2, validators=[Optional(), NumberRange(min=0)])
    correction = TextAreaField("责令改正的内容（行政处罚法第二十八条）", validators=[Optional(), Length(max=2000)])
    correction_by = DateField("改正期限（空：立即改正）", validators=[Optional()])
    defence_points = TextAreaField("陈述申辩意见及复核（每行一条：意见｜采纳/不采纳｜理由）",
                                   validators=[Optional(), Length(max=8000)])
    discretion_factors = TextAreaField("裁量情节（每行一项：从轻/减轻/从重｜具体情节）",
                                       validators=[Optional(), Length(max=4000)])

    def data_for_service(self) -> dict:
        def money(field):
            return str(field.data) if field.data is not None else None

        return {"facts": self.facts.data, "evidence": self.evidence.data, "legal_basis": self.legal_basis.data,
                "tier": self.tier.data or None, "penalties": self.penalties.data or [],
                "fine": money(self.fine), "discretion_reason": self.discretion_reason.data,
                "decision_kind": self.decision_kind.data or None,
                "no_penalty_ground": self.no_penalty_ground.data or None,
                "transfer_organ": self.transfer_organ.data, "confiscation": self.confiscation.data or None,
                "confiscated_gains": money(self.confiscated_gains), "confiscated_value": money(self.confiscated_value),
                "correction": self.correction.data, "correction_by": self.correction_by.data,
                "defence_points": _defence_rows(self.defence_points.data),
                "discretion_factors": _factor_rows(self.discretion_factors.data)}


_ADOPTED = {"采纳": True, "不采纳": False, "不予采纳": False, "部分采纳": True}
_FACTOR_KINDS = {label: kind for kind, label in DISCRETION_KINDS.items()}


def _cells(line):
    return [c.strip() for c in line.replace("|", "｜").split("｜")]


def _defence_rows(text) -> list[dict]:
    """One line per point: 意见｜采纳/不采纳｜理由. A malformed line reaches the service as it is and is refused
    there with the rule (APL Art 45)."""
    rows = []
    for line in (text or "").splitlines():
        if line.strip():
            cells = _cells(line) + ["", ""]
            rows.append({"point": cells[0], "adopted": _ADOPTED.get(cells[1]),
                         "reason": "｜".join(cells[2:]).strip("｜")})
    return rows


def _factor_rows(text) -> list[dict]:
    rows = []
    for line in (text or "").splitlines():
        if line.strip():
            cells = _cells(line) + [""]
            rows.append({"kind": _FACTOR_KINDS.get(cells[0], cells[0]), "factor": "｜".join(cells[1:]).strip("｜")})
    return rows


def draft_form_data(draft: dict) -> dict:
    """A saved draft as the form shows it (lists back to lines)."""
    data = dict(draft or {})
    data["defence_points"] = "\n".join(
        f"{p.get('point')}｜{'采纳' if p.get('adopted') else '不采纳'}｜{p.get('reason')}"
        for p in draft.get("defence_points") or [])
    data["discretion_factors"] = "\n".join(
        f"{DISCRETION_KINDS.get(f.get('kind'), f.get('kind'))}｜{f.get('factor')}"
        for f in draft.get("discretion_factors") or [])
    return data


class ActionForm(FlaskForm):
    """One form for every lifecycle action; `ACTION_FIELDS` says which fields each shows."""

    reason = TextAreaField("理由", validators=[Optional(), Length(max=2000)])
    note = TextAreaField("备注", validators=[Optional(), Length(max=2000)])
    served_on = DateField("送达日期", validators=[Optional()])
    waived = BooleanField("当事人书面明确放弃陈述、申辩")
    requested_on = DateField("当事人提出听证要求的日期", validators=[Optional()])
    method = SelectField("送达方式", choices=[("", "请选择")] + list(SERVICE_METHODS.items()), default="")
    late_reason = TextAreaField("逾期送达的理由", validators=[Optional(), Length(max=2000)])
    paid_amount = DecimalField("实缴金额（元）", places=2, validators=[Optional()])
    paid_on = DateField("缴纳日期", validators=[Optional()])
    place = StringField("违法行为地点", validators=[Optional(), Length(max=200)])
    certificate_shown_ids = MultiCheckboxField("已向当事人出示执法证件的执法人员", coerce=int)
    received_on = DateField("司法机关接收日期（回执）", validators=[Optional()])
    receipt_number = StringField("回执编号", validators=[Optional(), Length(max=100)])
    payment_receipt = StringField("缴款凭证号", validators=[Optional(), Length(max=60)])
    court = StringField("受理申请的人民法院（默认本市法院）", validators=[Optional(), Length(max=100)])
    suspend_ground = SelectField("中止执行的情形（行政强制法第三十九条）", default="",
                                 choices=[("", "请选择")] + list(_SUSPENSION_GROUNDS.items()))
    terminate_ground = SelectField("终结执行的情形（行政强制法第四十条）", default="",
                                   choices=[("", "请选择")] + list(_TERMINATION_GROUNDS.items()))

    def data_for(self, action) -> dict:
        data = {}
        for name in ACTION_FIELDS.get(action, ("note",)):
            value = getattr(self, name).data
            if value is None or value == "":
                continue
            key = {"suspend_ground": "ground", "terminate_ground": "ground",
                   "payment_receipt": "receipt_number"}.get(name, name)
            data[key] = str(value) if name == "paid_amount" else value
        return data


ACTION_FIELDS = {
    "submit_filing": ("note",), "approve_filing": ("note",), "reject_filing": ("reason",),
    "close_investigation": ("note",), "reopen_investigation": ("reason",),
    "serve_notice": ("served_on", "waived", "method"), "request_hearing": ("requested_on",), "hold_hearing": ("note",),
    "decide": ("note", "received_on", "receipt_number"),
    "decide_on_spot": ("note", "place", "certificate_shown_ids"),
    "serve_decision": ("served_on", "method", "late_reason"),
    "record_execution": ("paid_amount", "paid_on", "payment_receipt"), "close": ("note",), "archive": ("note",),
    "terminate": ("reason",),
    "send_reminder": ("served_on", "method"), "apply_enforcement": ("court", "note"),
    "suspend_execution": ("suspend_ground", "reason"), "resume_execution": ("reason",),
    "terminate_execution": ("terminate_ground", "reason"),
}


class PaymentForm(FlaskForm):
    amount = DecimalField("缴款金额（元）", places=2, validators=[DataRequired("请填写缴款金额")])
    paid_on = DateField("缴款日期", validators=[Optional()])
    method = SelectField("缴款方式", choices=[(m.value, label) for m, label in PAYMENT_METHOD_LABELS.items()])
    receipt_number = StringField("缴款凭证号", validators=[Optional(), Length(max=60)])


class PlanForm(FlaskForm):
    kind = SelectField("申请事项", choices=[(k.value, v) for k, v in PLAN_KIND_LABELS.items()])
    applied_on = DateField("申请日期", validators=[Optional()])
    reason = TextAreaField("确有经济困难的情况（行政处罚法第六十六条）", validators=[Optional(), Length(max=2000)])
    deferred_until = DateField("暂缓至（暂缓缴纳）", validators=[Optional()])
    instalments = TextAreaField("分期（每行：日期 金额，如 2026-01-15 500）", validators=[Optional(), Length(max=2000)])


class PlanDecisionForm(FlaskForm):
    approve = SelectField("审批意见", choices=[("1", "批准"), ("0", "不予批准")], default="1")
    note = TextAreaField("理由或说明", validators=[Optional(), Length(max=2000)])


class StatementForm(FlaskForm):
    statement = TextAreaField("当事人陈述、申辩的内容", validators=[Optional(), Length(max=5000)])
    adopted = SelectField("是否采纳", choices=[("0", "不予采纳"), ("1", "采纳")], default="0")
    handling = TextAreaField("复核意见及理由（行政强制法第三十六条）", validators=[Optional(), Length(max=5000)])
    stated_on = DateField("陈述申辩日期", validators=[Optional()])


class FlagsForm(FlaskForm):
    marked_major = BooleanField("认定为重大执法决定（须法制审核）")
    is_complex = BooleanField("情节复杂（须集体讨论）")


class CorrectionCheckForm(FlaskForm):
    checked_on = DateField("复查日期", validators=[Optional()])
    corrected = SelectField("当事人是否已改正", choices=[("yes", "已改正"), ("no", "未改正")], default="yes")
    result = TextAreaField("复查情况", validators=[DataRequired("请填写复查情况"), Length(max=4000)])


class ExtendForm(FlaskForm):
    days = IntegerField("延长天数", default=30, validators=[DataRequired("请填写延长天数"), NumberRange(min=1)])
    reason = TextAreaField("延长理由", validators=[DataRequired("请填写延长理由"), Length(max=2000)])


class StepForm(FlaskForm):
    kind = SelectField("环节", choices=[(k.value, v) for k, v in STEP_LABELS.items()])
    started_at = DateTimeLocalField("开始时间", format="%Y-%m-%dT%H:%M",
                                    validators=[DataRequired("请填写开始时间")])
    ended_at = DateTimeLocalField("结束时间", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    place = StringField("地点", validators=[Optional(), Length(max=200)])
    target = StringField("检查对象或被询问人", validators=[Optional(), Length(max=200)])
    content = TextAreaField("内容（询问笔录按“问：”“答：”分行记录）", validators=[Optional(), Length(max=20000)])
    officer_ids = MultiCheckboxField("在场执法人员", coerce=int)
    shown_ids = MultiCheckboxField("已出示执法证件", coerce=int)
    signature = SelectField("签名情况", choices=SIGNATURES, default="signed")
    refusal_note = TextAreaField("拒绝签名情况说明", validators=[Optional(), Length(max=2000)])
    method = SelectField("送达方式（送达环节）", choices=[("", "—")] + list(SERVICE_METHODS.items()), default="")
    host_officer_id = SelectField("听证主持人（听证环节，非本案调查人员）", default="")
    noticed_on = DateField("听证通知送达日期（听证环节）", validators=[Optional()])

    def data_for_service(self) -> dict:
        extra = {}
        if self.method.data:
            extra["method"] = self.method.data
        if self.host_officer_id.data:
            extra["host_officer_id"] = int(self.host_officer_id.data)
        if self.noticed_on.data:
            extra["noticed_on"] = self.noticed_on.data.isoformat()
        return {"kind": self.kind.data, "started_at": self.started_at.data, "ended_at": self.ended_at.data,
                "place": self.place.data, "target": self.target.data, "content": self.content.data,
                "officer_ids": self.officer_ids.data or [], "certificate_shown_ids": self.shown_ids.data or [],
                "signature": self.signature.data, "refusal_note": self.refusal_note.data, "extra": extra}


class JustifyForm(FlaskForm):
    text = TextAreaField("未能音像记录的书面说明", validators=[DataRequired("请填写书面说明"), Length(max=4000)])


class MatterForm(FlaskForm):
    agency_id = SelectField("执法主体", coerce=int, validators=[Optional()])
    code = StringField("事项编码", validators=[Optional(), Length(max=40)])
    name = StringField("事项名称", validators=[DataRequired("请填写事项名称"), Length(max=200)])
    category = StringField("执法类别", validators=[DataRequired("请填写执法类别"), Length(max=40)])
    legal_basis = TextAreaField("违法依据（法律及条款）", validators=[DataRequired("请填写违法依据")])
    penalty_basis = TextAreaField("处罚依据", validators=[DataRequired("请填写处罚依据")])
    tiers = TextAreaField("裁量档次（如 轻微:0-0;一般:500-2000;较重:2000-5000）",
                          validators=[DataRequired("请填写裁量档次")])
    procedures = MultiCheckboxField("适用程序", choices=[(p.value, PROCEDURE_LABELS[p]) for p in Procedure],
                                    default=[Procedure.ordinary.value])
    av_steps = MultiCheckboxField("需音像记录环节", choices=[(k.value, v) for k, v in STEP_LABELS.items()])
    major_fine = DecimalField("重大标准：罚款达到（元）", places=0, validators=[Optional()])
    major_penalties = MultiCheckboxField("重大标准：处罚种类", choices=list(PENALTY_KINDS.items()))
    major_note = StringField("重大标准说明", validators=[Optional(), Length(max=500)])


class PublishForm(FlaskForm):
    published_on = DateField("事前公开日期", validators=[DataRequired("请填写公开日期")])


class ImportForm(FlaskForm):
    agency_id = SelectField("执法主体", coerce=int, validators=[Optional()])
    file = FileField("权责清单表格（.xlsx）")
    publish_on = DateField("导入后即事前公开，公开日期（可空）", validators=[Optional()])
