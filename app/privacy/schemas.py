"""Schemas of the access-log API (internal: supervisors and heads)."""
from marshmallow import Schema, fields, validate

from app.schemas import UTCDateTime


class AccessSchema(Schema):
    id = fields.Integer()
    at = UTCDateTime()
    user_id = fields.Integer(allow_none=True)
    username = fields.String()
    agency_id = fields.Integer(allow_none=True)
    action = fields.String()
    action_label = fields.String()
    subject_kind = fields.String()
    subject_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")
    purpose = fields.String()
    purpose_label = fields.Function(lambda r: _purpose_label(r.purpose))
    purpose_note = fields.String()
    channel = fields.String()
    path = fields.String()
    ip = fields.String()


def _purpose_label(code):
    from app.privacy.services import PURPOSES

    return PURPOSES.get(code, code or "")


class AccessQuerySchema(Schema):
    action = fields.String(validate=validate.OneOf(["view", "reveal", "export", "refused", "purge"]))
    user_id = fields.Integer()
    case_id = fields.Integer()
    subject_kind = fields.String(validate=validate.Length(max=20))
    subject_id = fields.Integer()
    date_from = fields.Date()
    date_to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class AccessPageSchema(Schema):
    items = fields.List(fields.Nested(AccessSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PersonRequestSchema(Schema):
    """A person's request to know who processed their data (PIPL Art 44-45)."""

    id_number = fields.String(validate=validate.Length(min=15, max=18), metadata={"description": "居民身份证号码"})
    name = fields.String(validate=validate.Length(min=1, max=64),
                         metadata={"description": "the name, when the person has no ID number on file"})
    note = fields.String(required=True, validate=validate.Length(min=4, max=500),
                         metadata={"description": "the request's reference and how the person was identified"})


class SubjectSchema(Schema):
    kind = fields.String()
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)


class PersonReportSchema(Schema):
    subjects = fields.List(fields.Nested(SubjectSchema))
    accesses = fields.List(fields.Nested(AccessSchema))
