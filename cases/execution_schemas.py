"""Schemas of the execution phase (SPEC §11): the actions' data (registered in cases.schemas.ACTION_SCHEMAS),
payments, deferral/instalment plans, the party's statement on a 催告, and the phase's state."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas import UTCDateTime
from cases.execution_models import PaymentMethod, PlanKind
from cases.models import SERVICE_METHODS
from cases.schemas import ACTION_SCHEMAS, ActionDataSchema, ExecutionSchema, ReasonSchema, _Strict
from cases.services.execution import SUSPENSION_GROUNDS, TERMINATION_GROUNDS

MONEY = {"as_string": True, "places": 2}


class SendReminderSchema(_Strict):
    served_on = fields.Date(allow_none=True, metadata={"description": "催告书送达日（默认今天）"})
    method = fields.String(load_default="direct", validate=validate.OneOf(list(SERVICE_METHODS)))
    note = fields.String(load_default="")


class ApplyEnforcementSchema(_Strict):
    court = fields.String(load_default="", validate=validate.Length(max=100),
                          metadata={"description": "受理申请的人民法院（默认设置COURT）"})
    note = fields.String(load_default="")


class SuspendSchema(_Strict):
    ground = fields.String(required=True, validate=validate.OneOf(list(SUSPENSION_GROUNDS)),
                           metadata={"description": "；".join(f"{k}: {v}" for k, v in SUSPENSION_GROUNDS.items())})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class TerminateSchema(_Strict):
    ground = fields.String(required=True, validate=validate.OneOf(list(TERMINATION_GROUNDS)),
                           metadata={"description": "；".join(f"{k}: {v}" for k, v in TERMINATION_GROUNDS.items())})
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class RecordExecutionSchema(ExecutionSchema):
    receipt_number = fields.String(load_default="", validate=validate.Length(max=60))
    payment_method = fields.String(load_default="bank", validate=validate.OneOf([m.value for m in PaymentMethod]))


ACTION_SCHEMAS.update({
    "send_reminder": SendReminderSchema, "apply_enforcement": ApplyEnforcementSchema,
    "suspend_execution": SuspendSchema, "terminate_execution": TerminateSchema,
    "resume_execution": ReasonSchema, "record_execution": RecordExecutionSchema,
})
# The API's union of every action's fields (documentation and unknown-field check).
ActionDataSchema._declared_fields.update({
    "court": fields.String(), "ground": fields.String(), "receipt_number": fields.String(),
    "payment_method": fields.String(),
})


class PaymentInSchema(_Strict):
    amount = fields.Decimal(required=True, **MONEY, validate=validate.Range(min=0.01, max=1e11),
                            metadata={"minimum": 0.01, "maximum": 1e11})  # numbers, not "0.01"
    paid_on = fields.Date(allow_none=True, metadata={"description": "缴款日（默认今天）"})
    method = fields.String(load_default="bank", validate=validate.OneOf([m.value for m in PaymentMethod]))
    receipt_number = fields.String(load_default="", validate=validate.Length(max=60))


class InstalmentSchema(Schema):
    due_on = fields.Date(required=True)
    amount = fields.Decimal(required=True, **MONEY)


class PlanInSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in PlanKind]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000),
                           metadata={"description": "当事人确有经济困难的情况（行政处罚法第六十六条）"})
    applied_on = fields.Date(allow_none=True)
    deferred_until = fields.Date(allow_none=True, metadata={"description": "deferral: 暂缓至"})
    instalments = fields.List(fields.Nested(InstalmentSchema), load_default=list,
                              metadata={"description": "instalments: 各期日期和金额，合计等于未缴罚款"})


class PlanDecisionSchema(_Strict):
    approve = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class StatementInSchema(_Strict):
    statement = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    adopted = fields.Boolean(required=True)
    handling = fields.String(required=True, validate=validate.Length(min=1, max=5000),
                             metadata={"description": "复核意见及理由"})
    stated_on = fields.Date(allow_none=True)


class PaymentSchema(Schema):
    id = fields.Integer()
    paid_on = fields.Date()
    amount = fields.Decimal(**MONEY)
    to_fine = fields.Decimal(**MONEY)
    to_surcharge = fields.Decimal(**MONEY)
    method = fields.String()
    receipt_number = fields.String()
    created_at = UTCDateTime()


class PlanSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    applied_on = fields.Date()
    reason = fields.String()
    deferred_until = fields.Date(allow_none=True)
    instalments = fields.List(fields.Dict())
    decided_on = fields.Date(allow_none=True)
    decision_note = fields.String()


class ActSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.String()
    on = fields.Date()
    reason = fields.String()
    data = fields.Dict()
    document_id = fields.Integer(allow_none=True)


class SegmentSchema(Schema):
    first = fields.Date()
    last = fields.Date()
    base = fields.Decimal(**MONEY)
    days = fields.Integer()
    amount = fields.Decimal(**MONEY)


class DueSchema(Schema):
    due_on = fields.Date()
    amount = fields.Decimal(**MONEY)


class WindowSchema(Schema):
    first = fields.Date()
    last = fields.Date()


class ExecutionStateSchema(Schema):
    """What is owed today and why, with every record of the phase."""

    status = fields.String()
    as_of = fields.Date()
    fine = fields.Decimal(**MONEY)
    fine_paid = fields.Decimal(**MONEY)
    fine_unpaid = fields.Decimal(**MONEY)
    surcharge = fields.Decimal(**MONEY, metadata={"description": "加处罚款 to date, capped at the fine"})
    surcharge_paid = fields.Decimal(**MONEY)
    surcharge_unpaid = fields.Decimal(**MONEY)
    outstanding = fields.Decimal(**MONEY)
    capped = fields.Boolean()
    surcharge_days = fields.Integer()
    rate_percent = fields.Float()
    segments = fields.List(fields.Nested(SegmentSchema))
    schedule = fields.List(fields.Nested(DueSchema))
    next_due = fields.Date(allow_none=True)
    court_window = fields.Nested(WindowSchema, allow_none=True,
                                 metadata={"description": "when the court may be asked (AEL Art 53)"})
    payments = fields.List(fields.Nested(PaymentSchema))
    plans = fields.List(fields.Nested(PlanSchema))
    acts = fields.List(fields.Nested(ActSchema))
