"""Schemas by audience. Public*Schema are the only shapes the public site, the public API and the feeds are
built from: they list publishable, redacted fields and nothing else (never a case, a party or an edit).
`PublicationSchema` is for agency staff.
"""
from flask import url_for
from marshmallow import Schema, fields

from app.timeutil import local
from cases.models import PENALTY_KINDS


class PublicAgencySchema(Schema):
    id = fields.Int()
    name = fields.Str()
    short_name = fields.Str()
    credit_code = fields.Str()
    region_code = fields.Str()
    categories = fields.List(fields.Str())
    legal_basis = fields.Str()
    address = fields.Str()
    phone = fields.Str()


class PublicEntrustedSchema(Schema):
    """A published entrustment (委托书, APL Art 20): who acts, for whom, on what, until when."""

    id = fields.Int()
    name = fields.Str()
    entrusting_agency_id = fields.Int()
    entrusting_agency = fields.Function(lambda o: o.entrusting_agency.name)
    matter_codes = fields.List(fields.Str())
    legal_basis = fields.Str()
    document_number = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date()
    terminated_on = fields.Date(allow_none=True)
    published_on = fields.Date()


class PublicDecisionSchema(Schema):
    """A published decision: redacted text, its public PDF and hash. No personal data."""

    id = fields.Int()
    decision_number = fields.Str()
    agency = fields.Function(lambda p: p.agency.name)
    agency_id = fields.Int()
    category = fields.Str()
    kind = fields.Str()
    kind_label = fields.Str()
    decided_on = fields.Date()
    published_on = fields.Date()
    display_until = fields.Date()
    title = fields.Str()
    party = fields.Str(attribute="party_text")
    facts = fields.Str()
    legal_basis = fields.Str()
    penalty = fields.Str(attribute="penalty_text")
    penalties = fields.List(fields.Str())
    #: The 双公示 fields: party type, penalty types in words, the agency's credit code.
    party_kind_label = fields.Function(lambda p: "法人或其他组织" if p.party_kind == "org" else "自然人")
    penalty_labels = fields.Function(lambda p: [PENALTY_KINDS.get(k, k) for k in (p.penalties or [])])
    agency_credit_code = fields.Function(lambda p: p.agency.credit_code)
    fine_amount_wan = fields.Function(lambda p: _wan(p.fine_amount))  #: 罚款金额（万元）, as 双公示 lists it
    fine_amount = fields.Decimal(as_string=True, allow_none=True)
    pdf_sha256 = fields.Str()
    url = fields.Function(lambda p: url_for("publicity_public.decision", pub_id=p.id, _external=True))
    pdf_url = fields.Function(lambda p: url_for("publicity_public.decision_pdf", pub_id=p.id, _external=True))
    ledger_seq = fields.Int()


def _wan(amount):
    if amount is None:
        return None
    return format((amount / 10000).normalize(), "f")


class PublicDecisionSummarySchema(Schema):
    id = fields.Int()
    decision_number = fields.Str()
    agency = fields.Function(lambda p: p.agency.name)
    category = fields.Str()
    decided_on = fields.Date()
    title = fields.Str()
    party = fields.Str(attribute="party_text")
    penalty = fields.Str(attribute="penalty_text")
    url = fields.Function(lambda p: url_for("publicity_public.decision", pub_id=p.id, _external=True))


class PublicWithdrawalSchema(Schema):
    id = fields.Int()
    decision_number = fields.Str()
    agency = fields.Function(lambda p: p.agency.name)
    category = fields.Str()
    decided_on = fields.Date()
    published_on = fields.Date()
    title = fields.Str()
    reason = fields.Str(attribute="withdrawal_reason")
    reason_label = fields.Str(attribute="withdrawal_label")
    note = fields.Str(attribute="withdrawal_note")
    withdrawn_on = fields.Date()


class PublicPowerSchema(Schema):
    matter_id = fields.Int()
    code = fields.Function(lambda v: v.matter.code)
    agency = fields.Function(lambda v: v.matter.agency.name)
    version = fields.Int()
    name = fields.Str()
    category = fields.Str()
    legal_basis = fields.Str()
    penalty_basis = fields.Str()
    tiers = fields.List(fields.Dict())
    procedures = fields.List(fields.Str())
    av_steps = fields.List(fields.Str())
    major_criteria = fields.Dict()
    published_on = fields.Date()


class PublicInspectionItemSchema(Schema):
    id = fields.Int()
    agency = fields.Function(lambda i: i.agency.name)
    category = fields.Str()
    name = fields.Str()
    targets = fields.Str()
    basis = fields.Str()
    method = fields.Str()
    ratio = fields.Str()
    published_on = fields.Date()


class PublicationSchema(Schema):
    """For the agency's staff: status, deadlines, grounds and the redacted content with the edits."""

    id = fields.Int()
    case_id = fields.Int()
    agency_id = fields.Int()
    decision_number = fields.Str()
    kind = fields.Str()
    status = fields.Str()
    status_label = fields.Str()
    category = fields.Str()
    decided_on = fields.Date()
    due_on = fields.Date()
    published_on = fields.Date(allow_none=True)  # not yet published
    display_until = fields.Date(allow_none=True)
    title = fields.Str()
    party_text = fields.Str()
    facts = fields.Str()
    legal_basis = fields.Str()
    penalty_text = fields.Str()
    edits = fields.Dict()
    ground = fields.Str(allow_none=True)
    ground_note = fields.Str()
    reported_to_supervisor_at = fields.Function(lambda p: local(p.reported_to_supervisor_at).isoformat()
                                                if p.reported_to_supervisor_at else None)
    withdrawal_reason = fields.Str(allow_none=True)
    withdrawal_note = fields.Str()
    withdrawal_event_on = fields.Date(allow_none=True)
    withdrawal_due_on = fields.Date(allow_none=True)
    withdrawn_on = fields.Date(allow_none=True)
    pdf_sha256 = fields.Str(allow_none=True)
    ledger_seq = fields.Int(allow_none=True)


class EditsInSchema(Schema):
    extra_terms = fields.List(fields.Str(), load_default=None)
    fields_ = fields.Dict(keys=fields.Str(), values=fields.Str(allow_none=True), data_key="fields",
                          load_default=None)


class DeclineInSchema(Schema):
    ground = fields.Str(required=True)
    note = fields.Str(required=True)


class WithdrawInSchema(Schema):
    reason = fields.Str(load_default=None)
    note = fields.Str(load_default=None)
    event_on = fields.Date(load_default=None)


class AnnualReportSchema(Schema):
    """A published annual report file (staff API answer of the supervisor's publish action)."""

    year = fields.Integer()
    fmt = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    ledger_seq = fields.Integer()
    url = fields.Function(lambda r: url_for("publicity_public.annual_report", year=r.year, fmt=r.fmt,
                                            _external=True))
