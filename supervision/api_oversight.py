"""JSON API for checks and findings, rectification and accountability (on the supervision_api blueprint)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.auth.models import Agency
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from cases.api import secured, writing
from supervision import permissions
from supervision.api import blp
from supervision.services import accountability, checks, rectification


class FindingInSchema(Schema):
    agency_id = fields.Integer(required=True)
    text = fields.String(required=True)
    case_id = fields.Integer(load_default=None, allow_none=True)
    officer_id = fields.Integer(load_default=None, allow_none=True)


class FindingSchema(Schema):
    id = fields.Integer()
    agency_id = fields.Integer()
    case_id = fields.Integer(allow_none=True)
    officer_id = fields.Integer(allow_none=True)
    check_id = fields.Integer(allow_none=True)
    source = fields.String()
    text = fields.String()
    found_on = fields.Date()
    ledger_seq = fields.Integer(allow_none=True)


class CheckPlanInSchema(Schema):
    agency_id = fields.Integer(required=True)
    year = fields.Integer(required=True)
    title = fields.String(required=True)
    planned_on = fields.Date(required=True)
    scope = fields.String(load_default="")


class CheckPlanSchema(Schema):
    id = fields.Integer()
    agency_id = fields.Integer()
    year = fields.Integer()
    title = fields.String()
    scope = fields.String()
    planned_on = fields.Date()
    check_count = fields.Function(lambda p: len(p.checks))


class CheckFindingInSchema(Schema):
    text = fields.String(required=True)
    case_id = fields.Integer(load_default=None, allow_none=True)
    officer_id = fields.Integer(load_default=None, allow_none=True)


class CheckInSchema(Schema):
    agency_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(["annual", "spot"]))
    checked_on = fields.Date(required=True)
    summary = fields.String(required=True)
    plan_id = fields.Integer(load_default=None, allow_none=True)
    findings = fields.List(fields.Nested(CheckFindingInSchema), load_default=list)


class CheckSchema(Schema):
    id = fields.Integer()
    agency_id = fields.Integer()
    kind = fields.String()
    checked_on = fields.Date()
    summary = fields.String()
    plan_id = fields.Integer(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))


class RectificationInSchema(Schema):
    agency_id = fields.Integer(required=True)
    findings = fields.List(fields.String(), required=True)
    due_working_days = fields.Integer(load_default=None, allow_none=True)


class ReportSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    attachments = fields.List(fields.Dict())
    submitted_on = fields.Date()
    decision = fields.String(allow_none=True)
    decision_note = fields.String()
    decided_on = fields.Date(allow_none=True)


class RectificationSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    agency_id = fields.Integer()
    office_id = fields.Integer(allow_none=True)
    findings = fields.List(fields.String())
    source = fields.String()
    issued_on = fields.Date()
    due_on = fields.Date()
    status = fields.String()
    notice_sha256 = fields.String(allow_none=True)
    ledger_seq = fields.Integer(allow_none=True)
    escalated_on = fields.Date(allow_none=True)
    escalated_office_id = fields.Integer(allow_none=True)
    accepted_on = fields.Date(allow_none=True)
    reports = fields.List(fields.Nested(ReportSchema))


class ReportInSchema(Schema):
    text = fields.String(required=True)


class DecisionInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accepted", "returned"]))
    note = fields.String(load_default="")


class AccountabilityInSchema(Schema):
    measure = fields.String(required=True, validate=validate.OneOf(["criticism", "training", "suspension", "revocation"]))
    reason = fields.String(required=True)
    until = fields.Date(load_default=None, allow_none=True)


class AccountabilitySchema(Schema):
    id = fields.Integer()
    officer_id = fields.Integer()
    finding_id = fields.Integer()
    measure = fields.String()
    reason = fields.String()
    status = fields.String()
    proposed_on = fields.Date()
    statement = fields.String()
    statement_waived = fields.Boolean()
    statement_on = fields.Date(allow_none=True)
    executed_on = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    certificate_event_id = fields.Integer(allow_none=True)


class AccountabilityActionSchema(Schema):
    statement = fields.String(load_default="")
    waived = fields.Boolean(load_default=False)


def _agency(agency_id) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None or not permissions.sees_agency(current_user, agency_id):
        raise NotFound("未找到该执法部门")
    return agency


def _require_supervisor():
    if not permissions.is_supervisor(current_user):
        raise PermissionDenied("此操作仅限执法监督人员")


@blp.route("/plans")
class Plans(MethodView):
    @secured(blp)
    @blp.response(200, CheckPlanSchema(many=True))
    def get(self):
        """年度检查计划 of the agencies in the caller's scope."""
        _require_supervisor()
        return list(db.session.scalars(checks.visible_plans(current_user).limit(500)))

    @secured(blp)
    @blp.arguments(CheckPlanInSchema)
    @blp.response(201, CheckPlanSchema)
    def post(self, data):
        """制定年度检查计划."""
        _require_supervisor()
        with writing():
            plan = checks.create_plan(agency=_agency(data["agency_id"]), year=data["year"], title=data["title"],
                                      planned_on=data["planned_on"], scope=data["scope"], actor=current_user)
        return plan


@blp.route("/checks")
class Checks(MethodView):
    @secured(blp)
    @blp.arguments(CheckInSchema)
    @blp.response(201, CheckSchema)
    def post(self, data):
        """Record a check (annual under a plan, or spot) with its findings."""
        _require_supervisor()
        plan = checks.get_plan(data["plan_id"]) if data.get("plan_id") else None
        with writing():
            check = checks.record_check(agency=_agency(data["agency_id"]), kind=data["kind"],
                                        checked_on=data["checked_on"], summary=data["summary"], plan=plan,
                                        findings=data["findings"], actor=current_user)
        return check


@blp.route("/findings")
class Findings(MethodView):
    @secured(blp)
    @blp.arguments(FindingInSchema)
    @blp.response(201, FindingSchema)
    def post(self, data):
        """登记监督发现的问题 (linked to a case and/or an officer of the agency)."""
        _require_supervisor()
        with writing():
            finding = checks.add_finding(agency=_agency(data["agency_id"]), text_=data["text"],
                                         case_id=data.get("case_id"), officer_id=data.get("officer_id"),
                                         source="api", actor=current_user)
        return finding


def _finding(finding_id):
    finding = checks.get_finding(finding_id)
    if not permissions.can_supervise(current_user, finding.agency_id):
        raise NotFound("未找到该问题")
    return finding


@blp.route("/findings/<int:finding_id>/accountability")
class FindingAccountability(MethodView):
    @secured(blp)
    @blp.arguments(AccountabilityInSchema)
    @blp.response(201, AccountabilitySchema)
    def post(self, data, finding_id):
        """Open an accountability decision against the officer of the finding."""
        finding = _finding(finding_id)
        with writing():
            decision = accountability.open_decision(finding, measure=data["measure"], reason=data["reason"],
                                                    until=data.get("until"), actor=current_user)
        return decision


def _decision(decision_id):
    decision = accountability.get(decision_id)
    accountability.ensure_can_view(current_user, decision)
    return decision


@blp.route("/accountability/<int:decision_id>")
class AccountabilityItem(MethodView):
    @secured(blp)
    @blp.response(200, AccountabilitySchema)
    def get(self, decision_id):
        """One accountability decision."""
        return _decision(decision_id)


@blp.route("/accountability/<int:decision_id>/actions/<any(statement, execute):action>")
class AccountabilityAction(MethodView):
    @secured(blp)
    @blp.arguments(AccountabilityActionSchema)
    @blp.response(200, AccountabilitySchema)
    def post(self, data, decision_id, action):
        """statement (陈述申辩: `statement` or `waived`) · execute (through the certificate lifecycle)."""
        decision = _decision(decision_id)
        with writing():
            accountability.apply_action(decision, action, data, actor=current_user)
        return decision


@blp.route("/rectifications")
class Rectifications(MethodView):
    @secured(blp)
    @blp.response(200, RectificationSchema(many=True))
    def get(self):
        """整改通知 the caller may see (supervisors: in scope; heads: their agency's)."""
        if not permissions.can_use_supervision(current_user):
            raise PermissionDenied("整改通知仅限执法监督人员和被通知单位负责人")
        return list(db.session.scalars(rectification.visible(current_user).limit(500)))

    @secured(blp)
    @blp.arguments(RectificationInSchema)
    @blp.response(201, RectificationSchema)
    def post(self, data):
        """下达整改通知 (the notice PDF is rendered, stored and entered in the ledger)."""
        _require_supervisor()
        with writing():
            rect = rectification.issue(agency=_agency(data["agency_id"]), findings=data["findings"],
                                       due_working_days=data.get("due_working_days"), source="api",
                                       actor=current_user)
        return rect


def _rect(rect_id):
    rect = rectification.get(rect_id)
    rectification.ensure_can_view(current_user, rect)
    return rect


@blp.route("/rectifications/<int:rect_id>")
class RectificationItem(MethodView):
    @secured(blp)
    @blp.response(200, RectificationSchema)
    def get(self, rect_id):
        """One rectification notice with its reports."""
        return _rect(rect_id)


@blp.route("/rectifications/<int:rect_id>/report")
class RectificationReportResource(MethodView):
    @secured(blp)
    @blp.arguments(ReportInSchema)
    @blp.response(201, RectificationSchema)
    def post(self, data, rect_id):
        """整改报告 by the agency's head (attachments: through the web form)."""
        rect = _rect(rect_id)
        with writing():
            rectification.submit_report(rect, text_=data["text"], actor=current_user)
        return rect


@blp.route("/rectifications/<int:rect_id>/decision")
class RectificationDecision(MethodView):
    @secured(blp)
    @blp.arguments(DecisionInSchema)
    @blp.response(200, RectificationSchema)
    def post(self, data, rect_id):
        """验收 (accepted) or 退回 (returned, `note` required) the latest report."""
        rect = _rect(rect_id)
        with writing():
            rectification.decide(rect, decision=data["decision"], note=data["note"], actor=current_user)
        return rect
