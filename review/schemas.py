"""Marshmallow schemas for the review API. Internal audience only (agency staff and supervisors): nothing
here is ever dumped on a public page."""
from marshmallow import Schema, fields, validate

from app.schemas import UTCDateTime
from app.timeutil import today_china
from review import services
from review.models import ITEM_KIND_LABELS, STATUS_LABELS, ItemKind, SubmissionStatus


class ReviewPackageSchema(Schema):
    investigation_report = fields.String(load_default=None, allow_none=True)
    evidence_list = fields.List(fields.String(), load_default=None, allow_none=True)
    legal_basis = fields.String(load_default=None, allow_none=True)
    hearing_report = fields.String(load_default=None, allow_none=True)
    notes = fields.String(load_default="")


class ReviewSubmitSchema(ReviewPackageSchema):
    pass


class ReviewTakeSchema(Schema):
    declare_no_conflict = fields.Boolean(required=True, metadata={"description": "声明与本案无利害关系"})


class ReviewConflictSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1))


class ReviewMissingSchema(Schema):
    missing = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    note = fields.String(load_default="")


class ReviewSupplementRequestSchema(Schema):
    items = fields.List(fields.String(), required=True, validate=validate.Length(min=1))
    note = fields.String(load_default="")


class ReviewSupplementSchema(ReviewPackageSchema):
    reply = fields.String(load_default="")


class ReviewExtensionInSchema(Schema):
    reason = fields.String(required=True)
    working_days = fields.Integer(load_default=None, allow_none=True)


class ReviewChecklistInSchema(Schema):
    item = fields.String(required=True, validate=validate.OneOf(list(services.CHECKLIST)))
    result = fields.String(required=True, validate=validate.OneOf(list(services.RESULTS)))
    note = fields.String(load_default="")


class ReviewOpinionInSchema(Schema):
    opinion = fields.String(load_default="")


class ReviewChecklistResultSchema(Schema):
    item = fields.String()
    label = fields.Function(lambda r: services.CHECKLIST.get(r.item, r.item))
    result = fields.String()
    note = fields.String()
    auto = fields.Dict()
    recorded_by_id = fields.Integer(allow_none=True)
    recorded_at = UTCDateTime()


class ReviewPauseSchema(Schema):
    requested_on = fields.Date()
    received_on = fields.Date(allow_none=True)
    items = fields.List(fields.String())
    note = fields.String()
    reply = fields.String()


class ReviewExtensionSchema(Schema):
    working_days = fields.Integer()
    reason = fields.String()
    approved_by_id = fields.Integer(allow_none=True)
    approved_on = fields.Date()


class ReviewOpinionSchema(Schema):
    id = fields.Integer()
    outcome = fields.String()
    number = fields.String()
    text = fields.String()
    issued_on = fields.Date()
    sha256 = fields.String()
    size = fields.Integer()
    ledger_seq = fields.Integer(allow_none=True)


class ReviewClockSchema(Schema):
    limit = fields.Integer()
    used = fields.Integer()
    left = fields.Integer()
    overdue = fields.Integer()
    paused = fields.Boolean()
    running = fields.Boolean()
    due_on = fields.Date(allow_none=True)
    label = fields.String()


class ReviewSubmissionSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.Function(lambda s: s.case.number)
    case_title = fields.Function(lambda s: s.case.title)
    agency_id = fields.Integer()
    round = fields.Integer()
    status = fields.String()
    status_label = fields.Function(lambda s: STATUS_LABELS[SubmissionStatus(s.status)])
    draft_sha256 = fields.String()
    #: Whether this approval still covers the case's current draft (computed on each request).
    covers_current_draft = fields.Function(lambda s: s.case.draft_sha256 == s.draft_sha256)
    major_reasons = fields.List(fields.String())
    submitted_by_id = fields.Integer(allow_none=True)
    submitted_on = fields.Date()
    due_on = fields.Date(allow_none=True)
    reviewer_id = fields.Integer(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    missing = fields.List(fields.String())
    clock = fields.Function(lambda s: ReviewClockSchema().dump(services.clock(s, today_china())))


class ReviewSubmissionDetailSchema(ReviewSubmissionSchema):
    package = fields.Dict()
    draft = fields.Dict()
    checklist = fields.Method("get_checklist")
    auto_checks = fields.Method("get_auto")
    pauses = fields.List(fields.Nested(ReviewPauseSchema))
    extensions = fields.List(fields.Nested(ReviewExtensionSchema))
    opinion = fields.Nested(ReviewOpinionSchema, allow_none=True)

    def get_checklist(self, s):
        state = services.checklist_state(s)
        return [{"item": k, "label": label, **(ReviewChecklistResultSchema().dump(state[k]) if state[k] else
                                              {"result": None, "note": ""})}
                for k, label in services.CHECKLIST.items()]

    def get_auto(self, s):
        return services.auto_checks(s.case)


class MajorDecisionSchema(Schema):
    case_id = fields.Integer()
    major = fields.Boolean()
    reasons = fields.List(fields.String())
    valid_approval_id = fields.Integer(allow_none=True)


class MajorCatalogueItemSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in ItemKind]))
    kind_label = fields.Function(lambda i: ITEM_KIND_LABELS[ItemKind(i.kind)], dump_only=True)
    label = fields.String(load_default="")
    category = fields.String(load_default=None, allow_none=True)
    fine_at_least = fields.Decimal(load_default=None, allow_none=True, as_string=True)
    penalties = fields.List(fields.String(), load_default=list)
    matter_codes = fields.List(fields.String(), load_default=list)


class MajorCatalogueInSchema(Schema):
    agency_id = fields.Integer(load_default=None, allow_none=True)
    title = fields.String(required=True)
    items = fields.List(fields.Nested(MajorCatalogueItemSchema), required=True)


class MajorCataloguePublishSchema(Schema):
    published_on = fields.Date(load_default=None, allow_none=True)


class MajorCatalogueSchema(Schema):
    id = fields.Integer()
    agency_id = fields.Integer()
    version = fields.Integer()
    title = fields.String()
    published_on = fields.Date(allow_none=True)
    ledger_seq = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(MajorCatalogueItemSchema))


class ReviewStatsSchema(Schema):
    agency_id = fields.Function(lambda r: r.agency.id)
    agency = fields.Function(lambda r: r.agency.name)
    submissions = fields.Integer()
    open = fields.Integer()
    approved = fields.Integer()
    returned = fields.Integer()
    decided = fields.Integer()
    return_rate = fields.Float(allow_none=True)
    breaches = fields.Integer()
    certified_officers = fields.Function(lambda r: r.reviewer_kpi.certified if r.reviewer_kpi else None)
    qualified_reviewers = fields.Function(lambda r: r.reviewer_kpi.reviewers if r.reviewer_kpi else None)
    reviewer_ratio = fields.Function(lambda r: r.reviewer_kpi.ratio if r.reviewer_kpi else None)
    reviewers_required = fields.Function(lambda r: r.reviewer_kpi.required if r.reviewer_kpi else None)
    reviewer_ratio_reached = fields.Function(lambda r: r.reviewer_kpi.reaches if r.reviewer_kpi else None)
