"""JSON API for cases and the power list (flask-smorest), for field devices and other systems.

Every handler: load → visibility (an unknown case and another agency's case are the same 404) → the
service, which checks the permission, the workflow and the guards → one commit. Refusals are DomainErrors
rendered once by app.errors as {"error", "message", "details"}; schema errors are 422 with field errors.
Session cookies and bearer tokens both work (see app.auth); the OpenAPI document is /api/openapi.json.
"""
from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import quote

from flask import Response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.models import Agency
from app.auth.permissions import require_login
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases import queries, services, workflow
from cases.models import CaseDocument, Matter, MatterVersion
from cases.schemas import (ActionDataSchema, AvJustificationSchema, CaseCreateSchema, CaseDeadlineSchema,
                           CaseDetailSchema, CaseDocumentSchema, CaseEventSchema, CaseListQuerySchema,
                           CaseOfficerSchema, CasePageSchema, CasePartySchema, CaseStepSchema, CorrectionCheckSchema,
                           DeadlineQuerySchema, OnSpotFilingSchema,
                           DeadlineRowSchema, DraftSchema, ExtensionSchema, FlagsSchema, MatterCreateSchema,
                           MatterListQuerySchema, MatterPublishSchema, MatterReviseSchema, MatterSchema,
                           OfficersAssignSchema, PartyInSchema, StepInSchema, load_action_data)

blp = Blueprint("cases_api", __name__, url_prefix="/api/cases", description="案件：登记、调查、决定、送达、执行、归档")
matters_blp = Blueprint("matters_api", __name__, url_prefix="/api/matters", description="权责清单（执法事项）")

BEARER = [{"bearer": []}]


def secured(bp):
    """Login (session or bearer token) required; the operation is documented with `security: bearer`."""

    def decorator(func):
        return bp.doc(security=BEARER)(require_login(func))

    return decorator


@contextmanager
def writing():
    """One transaction per request: commit on success; on a refusal roll back, so nothing is half-written."""
    try:
        yield
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()


def load_case(case_id):
    case = services.get_case(case_id)
    services.ensure_can_view(current_user, case)
    return case


def _disclose(case):
    """Unmask the case's personal data for an entitled caller and commit the access-log rows."""
    from cases import privacy

    if privacy.disclose_case(case, current_user):
        db.session.commit()


def load_step(case_id, step_id):
    return services.get_step(load_case(case_id), step_id)


# --- cases ------------------------------------------------------------------------------------------------

@blp.route("/")
class Cases(MethodView):
    @secured(blp)
    @blp.arguments(CaseListQuerySchema, location="query")
    @blp.response(200, CasePageSchema)
    def get(self, args):
        """List and search the cases the caller may see (own agency; supervisors: all).

        `q` matches a substring of the case number, the title or a party's name.
        """
        page, per_page = args.pop("page"), args.pop("per_page")
        stmt = queries.visible_cases(current_user, today=today_china(), **args)
        return queries.paginate(stmt, page, per_page)

    @secured(blp)
    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseDetailSchema)
    def post(self, data):
        """登记: a draft case of the caller's agency (officers), with parties and at least two officers."""
        version = db.session.get(MatterVersion, data.pop("matter_version_id"))
        agency = db.session.get(Agency, current_user.agency_id) if current_user.agency_id else None
        if agency is None:
            raise PermissionDenied("只有本机关的执法人员可以登记案件")
        with writing():
            case = services.create_case(agency=agency, matter_version=version, actor=current_user, **data)
        return case


@blp.route("/deadlines")
class Deadlines(MethodView):
    @secured(blp)
    @blp.arguments(DeadlineQuerySchema, location="query")
    @blp.response(200, DeadlineRowSchema(many=True))
    def get(self, args):
        """超期预警: unmet deadlines of the caller's open cases, overdue or due within `horizon_days`."""
        return queries.visible_deadlines(current_user, today_china(), args["horizon_days"],
                                         overdue_only=args["overdue"])


@blp.route("/<int:case_id>")
class CaseItem(MethodView):
    @secured(blp)
    @blp.response(200, CaseDetailSchema)
    def get(self, case_id):
        """A case with parties, officers, steps, events, documents, deadlines and the caller's actions.

        Personal data (a natural person's ID number, phone, address) is unmasked only for the case's
        officers, the agency head and the case's reviewer, and each such view is logged; others get it
        masked and use POST .../parties/<id>/disclosure with a purpose."""
        case = load_case(case_id)
        _disclose(case)
        return case


@blp.route("/<int:case_id>/parties")
class CaseParties(MethodView):
    @secured(blp)
    @blp.arguments(PartyInSchema)
    @blp.response(201, CasePartySchema)
    def post(self, data, case_id):
        """Add a party (the case's officers)."""
        case = load_case(case_id)
        with writing():
            party = services.add_party(case, data, actor=current_user)
        return party


@blp.route("/<int:case_id>/officers")
class CaseOfficers(MethodView):
    @secured(blp)
    @blp.arguments(OfficersAssignSchema)
    @blp.response(200, CaseOfficerSchema(many=True))
    def put(self, data, case_id):
        """指派承办人员: at least two officers passing the certificate rules (case officers or the head)."""
        case = load_case(case_id)
        with writing():
            services.assign_officers(case, data["officer_ids"], actor=current_user)
        return case.officers


@blp.route("/<int:case_id>/draft")
class CaseDraft(MethodView):
    @secured(blp)
    @blp.arguments(DraftSchema)
    @blp.response(200, CaseDetailSchema)
    def put(self, data, case_id):
        """Save the draft decision (case officers); a changed draft gets a new SHA-256."""
        case = load_case(case_id)
        with writing():
            services.save_draft(case, data, actor=current_user)
        return case


@blp.route("/<int:case_id>/flags")
class CaseFlags(MethodView):
    @secured(blp)
    @blp.arguments(FlagsSchema)
    @blp.response(200, CaseDetailSchema)
    def put(self, data, case_id):
        """Mark the case major or complex (the agency head)."""
        case = load_case(case_id)
        with writing():
            services.set_case_flags(case, actor=current_user, **data)
        return case


@blp.route("/<int:case_id>/extensions")
class CaseExtensions(MethodView):
    @secured(blp)
    @blp.arguments(ExtensionSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """Extend the 90-day decision deadline (the agency head; default at most +30 days in all)."""
        case = load_case(case_id)
        with writing():
            services.extend_decision_deadline(case, days=data["days"], reason=data["reason"], actor=current_user)
        return case


@blp.route("/<int:case_id>/on-spot-filing")
class CaseOnSpotFiling(MethodView):
    @secured(blp)
    @blp.arguments(OnSpotFilingSchema, required=False)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """备案 of an on-the-spot decision with the agency, within the filing period and whether or not the
        fine is paid (APL Art 52). Dated today."""
        case = load_case(case_id)
        with writing():
            services.file_on_spot_decision(case, actor=current_user, note=(data or {}).get("note", ""))
        return case


@blp.route("/<int:case_id>/correction-checks")
class CaseCorrectionChecks(MethodView):
    @secured(blp)
    @blp.arguments(CorrectionCheckSchema)
    @blp.response(200, CaseDetailSchema)
    def post(self, data, case_id):
        """复查: the follow-up of the order to correct (APL Art 28) — date, corrected or not, what was found."""
        case = load_case(case_id)
        with writing():
            services.record_correction_check(case, checked_on=data.get("checked_on"), corrected=data["corrected"],
                                             result=data["result"], actor=current_user)
        return case


@blp.route("/<int:case_id>/steps")
class CaseSteps(MethodView):
    @secured(blp)
    @blp.response(200, CaseStepSchema(many=True))
    def get(self, case_id):
        """The case's step records (执法环节记录); interviewees' and witnesses' data as in the case."""
        case = load_case(case_id)
        _disclose(case)
        return case.steps

    @secured(blp)
    @blp.arguments(StepInSchema)
    @blp.response(201, CaseStepSchema)
    def post(self, data, case_id):
        """Record a step: two qualified officers with certificates shown for officer acts (case officers)."""
        case = load_case(case_id)
        for key in ("started_at", "ended_at"):
            if data.get(key) is not None:
                data[key] = data[key].isoformat()
        with writing():
            step = services.record_step(case, data, actor=current_user)
        return step


@blp.route("/<int:case_id>/steps/<int:step_id>/complete")
class CaseStepComplete(MethodView):
    @secured(blp)
    @blp.response(200, CaseStepSchema)
    def post(self, case_id, step_id):
        """Complete a step; one that needs audio/video needs a recording or an approved justification."""
        step = load_step(case_id, step_id)
        with writing():
            services.complete_step(step, actor=current_user)
        return step


@blp.route("/<int:case_id>/steps/<int:step_id>/av-justification")
class CaseStepJustification(MethodView):
    @secured(blp)
    @blp.arguments(AvJustificationSchema)
    @blp.response(200, CaseStepSchema)
    def post(self, data, case_id, step_id):
        """The written justification for a step without audio/video (case officers)."""
        step = load_step(case_id, step_id)
        with writing():
            services.justify_missing_av(step, data["text"], actor=current_user)
        return step


@blp.route("/<int:case_id>/steps/<int:step_id>/av-justification/approval")
class CaseStepJustificationApproval(MethodView):
    @secured(blp)
    @blp.response(200, CaseStepSchema)
    def post(self, case_id, step_id):
        """Approve the written justification (the agency head)."""
        step = load_step(case_id, step_id)
        with writing():
            services.approve_av_justification(step, actor=current_user)
        return step


@blp.route("/<int:case_id>/actions/<action>")
class CaseAction(MethodView):
    @secured(blp)
    @blp.arguments(ActionDataSchema, required=False)
    @blp.response(200, CaseDetailSchema)
    def post(self, _union, case_id, action):
        """Take a workflow action (submit_filing, approve_filing, close_investigation, serve_notice, decide,
        serve_decision, record_execution, close, archive, ...), dated today.

        Who may take it is in the workflow table; every guard must pass, else 409 with each problem in
        `details.problems`. The body holds only the action's own fields (see ActionData).
        """
        if action not in workflow.actions():
            raise NotFound(f"未知的操作：{action}")
        case = load_case(case_id)
        data = load_action_data(action, request.get_json(silent=True) or {})
        with writing():
            services.apply_action(case, action, actor=current_user, data=data)
        return case


@blp.route("/<int:case_id>/events")
class CaseEvents(MethodView):
    @secured(blp)
    @blp.response(200, CaseEventSchema(many=True))
    def get(self, case_id):
        """The case's timeline: every state change and record, each with its ledger entry."""
        return load_case(case_id).events


@blp.route("/<int:case_id>/deadlines")
class CaseDeadlines(MethodView):
    @secured(blp)
    @blp.response(200, CaseDeadlineSchema(many=True))
    def get(self, case_id):
        """The case's legal deadlines (computed once), met or not."""
        return load_case(case_id).deadlines


@blp.route("/<int:case_id>/documents")
class CaseDocuments(MethodView):
    @secured(blp)
    @blp.response(200, CaseDocumentSchema(many=True))
    def get(self, case_id):
        """Documents issued for the case: number, title, SHA-256 and download URL."""
        return load_case(case_id).documents


@blp.route("/<int:case_id>/documents/<int:document_id>/pdf")
class CaseDocumentFile(MethodView):
    @secured(blp)
    @blp.doc(responses={"200": {"description": "The PDF as issued (its SHA-256 is in the ledger)", "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    def get(self, case_id, document_id):
        """Download a document's PDF bytes from the object store."""
        from app.storage import get_store

        case = load_case(case_id)
        document = db.session.get(CaseDocument, document_id)
        if document is None or document.case_id != case.id:
            raise NotFound("文书不存在")
        from cases import privacy

        # The PDF carries the party's data unmasked: the download is an export of personal data (logged).
        privacy.log_export(case, current_user, what=f"下载文书 {document.number or ''}{document.title}")
        db.session.commit()
        stream = get_store().open(document.storage_key)
        filename = f"{document.number}{document.title}.pdf"
        return Response(stream, mimetype="application/pdf", headers={
            "Content-Length": str(document.size),
            "Content-Disposition": f"attachment; filename=\"document-{document.id}.pdf\"; "
                                   f"filename*=UTF-8''{quote(filename)}",
            "X-Content-SHA256": document.sha256,
        })


# --- power list -------------------------------------------------------------------------------------------

def load_matter(matter_id) -> Matter:
    from app.auth.permissions import can_see_agency

    matter = db.session.get(Matter, matter_id)
    if matter is None or not can_see_agency(current_user, matter.agency_id):
        raise NotFound(f"执法事项（编号{matter_id}）不存在")
    return matter


@matters_blp.route("/")
class Matters(MethodView):
    @secured(matters_blp)
    @matters_blp.arguments(MatterListQuerySchema, location="query")
    @matters_blp.response(200, MatterSchema(many=True))
    def get(self, args):
        """The power list of the caller's agency (supervisors: all agencies)."""
        return db.session.scalars(queries.visible_matters(current_user, **args)).all()

    @secured(matters_blp)
    @matters_blp.arguments(MatterCreateSchema)
    @matters_blp.response(201, MatterSchema)
    def post(self, data):
        """A new matter, version 1, not yet public (the agency head or an administrator)."""
        agency_id = data.pop("agency_id", None) or current_user.agency_id
        agency = db.session.get(Agency, agency_id) if agency_id else None
        if agency is None:
            raise NotFound("执法主体不存在")
        with writing():
            version = services.create_matter(agency=agency, actor=current_user, **data)
        return version.matter


@matters_blp.route("/<int:matter_id>")
class MatterItem(MethodView):
    @secured(matters_blp)
    @matters_blp.response(200, MatterSchema)
    def get(self, matter_id):
        """A matter with all its versions."""
        return load_matter(matter_id)

    @secured(matters_blp)
    @matters_blp.arguments(MatterReviseSchema)
    @matters_blp.response(200, MatterSchema)
    def patch(self, data, matter_id):
        """Revise: a new version when the latest is public (published versions never change)."""
        matter = load_matter(matter_id)
        with writing():
            services.revise_matter(matter, actor=current_user, **data)
        db.session.refresh(matter)
        return matter


@matters_blp.route("/<int:matter_id>/publish")
class MatterPublish(MethodView):
    @secured(matters_blp)
    @matters_blp.arguments(MatterPublishSchema)
    @matters_blp.response(200, MatterSchema)
    def post(self, data, matter_id):
        """事前公开: publish a version today (default: the latest); cases may be filed from tomorrow."""
        matter = load_matter(matter_id)
        number = data.get("version") or matter.versions[-1].version
        version = next((v for v in matter.versions if v.version == number), None)
        if version is None:
            raise NotFound(f"该事项没有第{number}版")
        with writing():
            services.publish_matter(version, actor=current_user)
        return matter


def init_app(app):
    from app.extensions import api

    api.register_blueprint(blp)
    api.register_blueprint(matters_blp)
