"""JSON shapes of recordings for the internal API (never for public pages)."""
from marshmallow import Schema, fields

from app.apidoc import ObjectSchema
from app.schemas import UTCDateTime


class DerivativeSchema(Schema):
    kind = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    created_at = UTCDateTime()
    ledger_seq = fields.Integer(allow_none=True)


class RecordingSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    subject = fields.String(allow_none=True)
    agency_id = fields.Integer(allow_none=True)
    step_id = fields.Integer(allow_none=True)
    status = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    content_type = fields.String()
    filename = fields.String()
    media_kind = fields.String()
    duration_seconds = fields.Float(allow_none=True)
    probe = fields.Dict()
    device_id = fields.String()
    officers = fields.List(fields.Dict())
    started_at = UTCDateTime()
    ended_at = UTCDateTime()
    location = fields.String()
    interruptions = fields.List(fields.Dict())
    uploaded_at = UTCDateTime()
    late_reason = fields.String(allow_none=True)
    ledger_seq = fields.Integer(allow_none=True)
    original_key = fields.String()
    original_version_id = fields.String(allow_none=True)
    retention_until = UTCDateTime()
    legal_hold = fields.Boolean()
    last_scan_at = UTCDateTime(allow_none=True)
    last_scan_ok = fields.Boolean(allow_none=True)
    derivatives = fields.List(fields.Nested(DerivativeSchema))


class ExportSchema(Schema):
    id = fields.Integer()
    recording_id = fields.Integer()
    purpose = fields.String()
    status = fields.String()
    requested_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)
    decision_note = fields.String()


class RecordingUploadSchema(RecordingSchema):
    duplicate = fields.Boolean(metadata={"description": "true：本案已登记过相同 SHA-256 的文件，应答的是已有记录"})


class UploadCreatedSchema(Schema):
    id = fields.String()
    offset = fields.Integer()
    length = fields.Integer()
    expires_at = fields.String(metadata={"format": "date-time"})


class UploadStateSchema(Schema):
    offset = fields.Integer()
    length = fields.Integer()
    status = fields.String(metadata={"enum": ["open", "finalizing", "completed", "aborted", "refused"]})
    recording_id = fields.Integer(allow_none=True)
    duplicate = fields.Boolean()


class BundleSchema(ObjectSchema):
    """A proof bundle: the recording's ledger entry with its inclusion proof and signed checkpoint (see
    app.ledger and the README's ledger section for the full shape)."""
