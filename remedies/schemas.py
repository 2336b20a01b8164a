"""JSON shapes of remedies for agency staff and supervisors (never on a public page: the applicant is
personal information)."""
from marshmallow import Schema, fields, validate

from app.schemas import UTCDateTime
from remedies import rules


class HearingSchema(Schema):
    id = fields.Int()
    held_on = fields.Date()
    place = fields.Str()
    representatives = fields.Str()
    head_appeared = fields.Bool()
    head_name = fields.Str()
    absence_reason = fields.Str()


class DocumentSchema(Schema):
    id = fields.Int()
    title = fields.Str()
    filename = fields.Str()
    content_type = fields.Str()
    sha256 = fields.Str()
    size = fields.Int()
    created_at = UTCDateTime()
    ledger_seq = fields.Int(allow_none=True)


class RemedySchema(Schema):
    id = fields.Int()
    case_id = fields.Int()
    case_number = fields.Str(metadata={"description": "复议或法院案号"})
    decision_number = fields.Function(lambda r: r.case.decision_number)
    agency_id = fields.Int()
    kind = fields.Str()
    kind_label = fields.Str()
    stage = fields.Str()
    parent_id = fields.Int(allow_none=True)
    body = fields.Str()
    applicant = fields.Str()
    applied_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    notified_on = fields.Date(allow_none=True)
    answer_due = fields.Date(allow_none=True)
    answered_on = fields.Date(allow_none=True)
    decision_due = fields.Date(allow_none=True)
    extended_on = fields.Date(allow_none=True)
    extension_reason = fields.Str()
    outcome = fields.Str(allow_none=True)
    outcome_label = fields.Str()
    decided_on = fields.Date(allow_none=True)
    effective_on = fields.Date(allow_none=True)
    outcome_note = fields.Str()
    effects = fields.Dict()
    hearings = fields.List(fields.Nested(HearingSchema))
    documents = fields.List(fields.Nested(DocumentSchema))
    created_at = UTCDateTime()


class RemedyInSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf([k.value for k in rules.Kind]))
    stage = fields.Str(load_default="first", validate=validate.OneOf([s.value for s in rules.Stage]))
    parent_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    body = fields.Str(required=True, validate=validate.Length(min=1, max=120))
    case_number = fields.Str(load_default="", validate=validate.Length(max=80))
    applicant = fields.Str(load_default="", validate=validate.Length(max=200))
    applied_on = fields.Date(required=True)
    accepted_on = fields.Date(load_default=None, allow_none=True)
    notified_on = fields.Date(load_default=None, allow_none=True)


class ProgressInSchema(Schema):
    accepted_on = fields.Date(load_default=None, allow_none=True)
    notified_on = fields.Date(load_default=None, allow_none=True)
    answered_on = fields.Date(load_default=None, allow_none=True)
    case_number = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=80))


class ExtensionInSchema(Schema):
    on = fields.Date(required=True)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class OutcomeInSchema(Schema):
    outcome = fields.Str(required=True, validate=validate.Length(min=1, max=30))
    decided_on = fields.Date(required=True)
    note = fields.Str(load_default="", validate=validate.Length(max=500))


class EffectiveInSchema(Schema):
    on = fields.Date(required=True)


class HearingInSchema(Schema):
    held_on = fields.Date(required=True)
    place = fields.Str(load_default="", validate=validate.Length(max=200))
    representatives = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    head_appeared = fields.Bool(required=True)
    head_name = fields.Str(load_default="", validate=validate.Length(max=64))
    absence_reason = fields.Str(load_default="", validate=validate.Length(max=500))


class RatesQuerySchema(Schema):
    year = fields.Int(load_default=None, allow_none=True, validate=validate.Range(min=2000, max=2100))


class RateSchema(Schema):
    numerator = fields.Int()
    denominator = fields.Int()
    rate = fields.Float(allow_none=True)


class AgencyRatesSchema(Schema):
    agency_id = fields.Int()
    agency = fields.Str()
    year = fields.Int()
    reconsiderations_received = fields.Int()
    lawsuits_received = fields.Int()
    reconsideration_correction = fields.Nested(RateSchema)
    lawsuit_loss = fields.Nested(RateSchema)
    head_appearance = fields.Nested(RateSchema)
    targets = fields.Dict()
    meets_targets = fields.Dict()
