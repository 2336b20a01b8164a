"""Marshmallow schemas for the supervision API. Internal audience (supervisors, agency heads); the
complainant's personal data is dumped only by `ComplaintPersonSchema`, chosen per caller and record by
`can_see_complainant`."""
from marshmallow import Schema, fields, validate

from app.schemas import UTCDateTime


class OfficeSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    level = fields.String(required=True, validate=validate.OneOf(["province", "city", "county"]))
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{6}$", error="行政区划代码应为6位数字"))
    parent_id = fields.Integer(load_default=None, allow_none=True)
    agency_ids = fields.Method("_agency_ids", dump_only=True)
    member_ids = fields.Method("_member_ids", dump_only=True)

    def _agency_ids(self, office):
        from supervision.services.hierarchy import agencies_of

        return [a.id for a in agencies_of(office.id)]

    def _member_ids(self, office):
        from supervision.services.hierarchy import members_of

        return [u.id for u in members_of(office.id)]


class OfficeAgencyInSchema(Schema):
    agency_id = fields.Integer(required=True)


class OfficeMemberInSchema(Schema):
    user_id = fields.Integer(required=True)


class ScopeSchema(Schema):
    all = fields.Boolean(metadata={"description": "true: every agency"})
    agency_ids = fields.List(fields.Integer())
    office_id = fields.Integer(allow_none=True)


class ComplaintInSchema(Schema):
    channel = fields.String(load_default="letter", validate=validate.OneOf(["letter", "call", "visit"]))
    received_on = fields.Date(load_default=None, allow_none=True)
    agency_id = fields.Integer(required=True)
    subject = fields.String(required=True)
    content = fields.String(required=True)
    related = fields.String(load_default="")
    complainant_name = fields.String(load_default="")
    complainant_phone = fields.String(load_default="")
    complainant_address = fields.String(load_default="")
    consent_disclose = fields.Boolean(load_default=False)


class ComplaintEventSchema(Schema):
    kind = fields.String()
    on = fields.Date()
    note = fields.String()
    ledger_seq = fields.Integer()


class ComplaintSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    channel = fields.String()
    agency_id = fields.Integer()
    office_id = fields.Integer(allow_none=True)
    subject = fields.String()
    content = fields.String()
    related = fields.String()
    status = fields.String()
    received_on = fields.Date()
    accept_due = fields.Date()
    decided_on = fields.Date(allow_none=True)
    decision_reason = fields.String()
    handle_due = fields.Date(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    assigned_on = fields.Date(allow_none=True)
    reply = fields.String()
    outcome = fields.String(allow_none=True)
    replied_on = fields.Date(allow_none=True)
    ledger_seq = fields.Integer(allow_none=True)
    consent_disclose = fields.Boolean()
    created_at = UTCDateTime()
    events = fields.List(fields.Nested(ComplaintEventSchema))


class ComplaintPersonSchema(ComplaintSchema):
    complainant_name = fields.String()
    complainant_phone = fields.String()
    complainant_address = fields.String()


class ComplaintReceiptSchema(Schema):
    complaint = fields.Nested(ComplaintPersonSchema)
    secret = fields.String(metadata={"description": "查询码：只返回这一次"})


class ComplaintActionSchema(Schema):
    note = fields.String(load_default="")
    reason = fields.String(load_default=None)
    assignee_id = fields.Integer(load_default=None)
    reply = fields.String(load_default=None)
    outcome = fields.String(load_default=None)
    on = fields.Date(load_default=None, allow_none=True)


class WarningSchema(Schema):
    complaint_id = fields.Function(lambda w: w.complaint.id)
    reference = fields.Function(lambda w: w.complaint.reference)
    what = fields.String()
    due = fields.Date()
    state = fields.String()
