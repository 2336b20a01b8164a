"""Marshmallow schemas, chosen by audience.

Internal schemas serve supervisors and agency heads. `PublicCertificateSchema` is the only one used on
public pages and the public API: it lists the certificate card's fields (SPEC §5) and nothing else: no
ID number, employment type, account, qualification or phone ever reaches it.
"""
from marshmallow import Schema, fields, validate

from app.officers import rules
from app.officers.models import CERT_KIND_LABELS, EVENT_LABELS, CertificateKind, EventKind, RevocationReason
from app.officers.regions import region_name
from app.schemas import UTCDateTime
from app.timeutil import today_china


class FailureSchema(Schema):
    code = fields.String()
    message = fields.String()
    rule = fields.String()
    certificate = fields.String(allow_none=True)


class EventSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    label = fields.Method("get_label")
    on = fields.Date()
    until = fields.Date(allow_none=True)
    year = fields.Integer(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    reason_type = fields.String(allow_none=True)
    reason = fields.String()
    created_at = UTCDateTime()

    def get_label(self, event):
        return EVENT_LABELS[EventKind(event.kind)]


class CertificateSchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    officer_name = fields.Function(lambda c: c.officer.name)
    number = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda c: CERT_KIND_LABELS[CertificateKind(c.kind)])
    issuer = fields.String()
    filed_on = fields.Date(allow_none=True)
    categories = fields.List(fields.String())
    area_code = fields.String()
    area_name = fields.Function(lambda c: region_name(c.area_code))
    issued_on = fields.Date()
    expires_on = fields.Date()
    status = fields.Function(lambda c: rules.status_on(c, today_china()).state)
    status_label = fields.Function(lambda c: rules.status_on(c, today_china()).label)
    inspection_mark = fields.Function(lambda c: rules.inspection_mark(c, today_china()))
    failures = fields.Function(lambda c: [f.to_dict() for f in rules.certificate_failures(c, today_china())])
    public_token = fields.String()
    events = fields.List(fields.Nested(EventSchema))


class CertificateSummarySchema(CertificateSchema):
    class Meta:
        exclude = ("events",)


class OfficerSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    agency_id = fields.Integer()
    agency_name = fields.Function(lambda o: o.agency.name)
    employment_type = fields.String()
    employment_label = fields.Function(lambda o: o.employment.label)
    id_number = fields.String(allow_none=True)
    user_id = fields.Integer(allow_none=True)
    username = fields.Function(lambda o: o.user.username if o.user else None)
    qualification_number = fields.String(allow_none=True)
    qualification_date = fields.Date(allow_none=True)
    has_photo = fields.Function(lambda o: bool(o.photo))
    qualified_today = fields.Function(lambda o: not rules.check(o, today_china()))
    failures_today = fields.Function(lambda o: [f.to_dict() for f in rules.check(o, today_china())])
    certificates = fields.List(fields.Nested(CertificateSummarySchema))


class OfficerRowSchema(OfficerSchema):
    """A row of the officers list: the ID number masked (PIPL Art 6: lists never need it whole)."""

    id_number = fields.Function(lambda o: _masked_id(o.id_number), allow_none=True)


def _masked_id(value):
    from app.privacy.masking import mask_id_number

    return mask_id_number(value)


# --- input ------------------------------------------------------------------------------------------------

EMPLOYMENT_VALUES = ["established", "auxiliary", "contract", "temporary", "public_welfare"]


class OfficerInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=64))
    agency_id = fields.Integer(required=True)
    employment_type = fields.String(required=True, validate=validate.OneOf(EMPLOYMENT_VALUES))
    id_number = fields.String(load_default=None, allow_none=True)
    username = fields.String(load_default=None, allow_none=True,
                             metadata={"description": "Login account to link (same agency)"})
    qualification_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    qualification_date = fields.Date(load_default=None, allow_none=True)


class OfficerPatchSchema(Schema):
    employment_type = fields.String(validate=validate.OneOf(EMPLOYMENT_VALUES))
    username = fields.String(allow_none=True)
    qualification_number = fields.String(allow_none=True, validate=validate.Length(max=40))
    qualification_date = fields.Date(allow_none=True)


class CertificateInSchema(Schema):
    number = fields.String(required=True, validate=validate.Length(min=1, max=32))
    kind = fields.String(load_default="jilin", validate=validate.OneOf([k.value for k in CertificateKind]))
    categories = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    area_code = fields.String(required=True)
    issued_on = fields.Date(required=True)
    expires_on = fields.Date(required=True)
    issuer = fields.String(load_default="", validate=validate.Length(max=80))
    filed_on = fields.Date(load_default=None, allow_none=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class EventInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["inspect", "suspend", "restore", "revoke",
                                                                   "cancel"]))
    on = fields.Date(required=True)
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    until = fields.Date(load_default=None, allow_none=True)
    year = fields.Integer(load_default=None, allow_none=True)
    passed = fields.Boolean(load_default=True)
    reason_type = fields.String(load_default="other", validate=validate.OneOf([r.value for r in RevocationReason]))


class CheckQuerySchema(Schema):
    on = fields.Date(load_default=None)
    category = fields.String(load_default=None)
    area = fields.String(load_default=None)


class TeamCheckSchema(Schema):
    officer_ids = fields.List(fields.Integer(), required=True, validate=validate.Length(min=1, max=50))
    on = fields.Date(load_default=None)
    category = fields.String(load_default=None)
    area = fields.String(load_default=None)
    minimum = fields.Integer(load_default=2, validate=validate.Range(min=1, max=10))


class SearchQuerySchema(Schema):
    q = fields.String(load_default=None)
    agency_id = fields.Integer(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(["ok", "failing", "expiring"]))


class CheckResultSchema(Schema):
    officer_id = fields.Integer()
    name = fields.String()
    on = fields.Date()
    ok = fields.Boolean()
    failures = fields.List(fields.Nested(FailureSchema))


class TeamResultSchema(Schema):
    ok = fields.Boolean()
    minimum = fields.Integer()
    passing = fields.List(fields.Integer())
    officers = fields.List(fields.Nested(CheckResultSchema))


class ImportResultSchema(Schema):
    rows = fields.Integer()
    officers_created = fields.Integer()
    officers_reused = fields.Integer()
    certificates = fields.Integer()
    inspections = fields.Integer()
    #: registered as history from before OFFICER_RECORDS_SINCE (examination and hours on paper)
    legacy_certificates = fields.Integer()
    legacy_inspections = fields.Integer()


class KpiSchema(Schema):
    agency_id = fields.Function(lambda k: k.agency.id)
    agency_name = fields.Function(lambda k: k.agency.name)
    certified = fields.Integer()
    reviewers = fields.Integer()
    required = fields.Integer()
    percent = fields.Integer()
    ratio = fields.Float(allow_none=True)
    reaches = fields.Boolean()


# --- public -----------------------------------------------------------------------------------------------

class PublicCertificateSchema(Schema):
    """The certificate card (SPEC §5) as the public may see it, with its status on `context["on"]`.

    Dump a Certificate with `PublicCertificateSchema(on=date)` (default: today in China).
    """

    def __init__(self, *args, on=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on = on

    name = fields.Function(lambda c: c.officer.name)
    agency = fields.Function(lambda c: c.officer.agency.name)
    number = fields.String()
    kind = fields.Function(lambda c: CERT_KIND_LABELS[CertificateKind(c.kind)])
    categories = fields.List(fields.String())
    area = fields.Function(lambda c: region_name(c.area_code))
    area_code = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date()
    inspection_mark = fields.Method("get_mark")
    status = fields.Method("get_status")
    status_label = fields.Method("get_status_label")
    valid = fields.Method("get_valid")
    reasons = fields.Method("get_reasons")
    as_of = fields.Method("get_on")
    has_photo = fields.Function(lambda c: bool(c.officer.photo))

    def _on(self):
        return self.on or today_china()

    def get_on(self, cert):
        return self._on().isoformat()

    def get_mark(self, cert):
        return rules.inspection_mark(cert, self._on())

    def get_status(self, cert):
        return rules.status_on(cert, self._on()).state

    def get_status_label(self, cert):
        if self.get_valid(cert):
            return "有效"
        state = rules.status_on(cert, self._on()).state
        return rules.STATE_LABELS[state] if state != "valid" else "无效"

    def get_valid(self, cert):
        return not rules.public_failures(cert, self._on(), cert.officer)

    def get_reasons(self, cert):
        return [f.message for f in rules.public_failures(cert, self._on(), cert.officer)
                if f.code in rules.PUBLIC_CODES or f.code == "holder_unqualified"]
