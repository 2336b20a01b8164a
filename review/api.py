"""JSON API for legal review (flask-smorest) under /api/reviews.

Every handler: load → visibility (another agency's submission is a 404) → the service, which checks the
permission predicate and the review's state table → one commit. An incomplete package is 422
`package_incomplete` with `details.missing`; an ineligible reviewer 403 with `details.problems`.
The decision itself stays with the cases API (POST /api/cases/<id>/actions/decide), where the gate runs.
"""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.models import Agency
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases.api import load_case, secured, writing
from review import permissions, queries, services
from review.models import MajorCatalogue
from review.schemas import (MajorCatalogueInSchema, MajorCataloguePublishSchema, MajorCatalogueSchema, ReviewChecklistInSchema,
                            ReviewChecklistResultSchema, ReviewConflictSchema, ReviewExtensionInSchema, MajorDecisionSchema, ReviewMissingSchema,
                            ReviewOpinionInSchema, ReviewStatsSchema, ReviewSubmissionDetailSchema, ReviewSubmissionSchema, ReviewSubmitSchema,
                            ReviewSupplementRequestSchema, ReviewSupplementSchema, ReviewTakeSchema)

blp = Blueprint("review_api", __name__, url_prefix="/api/reviews", description="法制审核（重大执法决定）")


def load_submission(submission_id):
    submission = services.get_submission(submission_id)
    services.ensure_can_view(current_user, submission)
    return submission


def _package(data):
    return {k: v for k, v in data.items() if v not in (None, "", [])}


@blp.route("/")
class Queue(MethodView):
    @secured(blp)
    @blp.response(200, ReviewSubmissionSchema(many=True))
    def get(self):
        """The review queue the caller may see (waiting, in review, waiting for supplements), by due date."""
        if not permissions.can_view_queue(current_user):
            raise PermissionDenied("法制审核队列仅限法制审核人员、机关负责人和执法监督人员")
        return queries.queue(current_user)


@blp.route("/cases/<int:case_id>")
class CaseReviews(MethodView):
    @secured(blp)
    @blp.response(200, ReviewSubmissionSchema(many=True))
    def get(self, case_id):
        """Every review submission of a case, in order."""
        return services.submissions_of(load_case(case_id))

    @secured(blp)
    @blp.arguments(ReviewSubmitSchema)
    @blp.response(201, ReviewSubmissionDetailSchema)
    def post(self, data, case_id):
        """送审: submit the package (the case's officers or the head). Incomplete: 422 package_incomplete."""
        case = load_case(case_id)
        with writing():
            submission = services.submit_for_review(case, _package(data), actor=current_user)
        return submission


@blp.route("/cases/<int:case_id>/major")
class CaseMajor(MethodView):
    @secured(blp)
    @blp.response(200, MajorDecisionSchema)
    def get(self, case_id):
        """Whether deciding the case is major (catalogue, head's mark, built-ins) and why."""
        case = load_case(case_id)
        major, reasons = services.evaluate_major(case)
        approval = services.valid_approval(case)
        return {"case_id": case.id, "major": major, "reasons": reasons,
                "valid_approval_id": approval.id if approval else None}


@blp.route("/cases/<int:case_id>/conflict")
class CaseConflict(MethodView):
    @secured(blp)
    @blp.arguments(ReviewConflictSchema)
    @blp.response(201, ReviewSubmissionSchema(many=True))
    def post(self, data, case_id):
        """A reviewer declares a conflict of interest with the case (回避): they can no longer review it."""
        case = load_case(case_id)
        with writing():
            services.declare_conflict(case, actor=current_user, has_conflict=True, note=data["note"])
        return services.submissions_of(case)


@blp.route("/<int:submission_id>")
class Submission(MethodView):
    @secured(blp)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def get(self, submission_id):
        """A submission with its package, checklist (with the system's own checks), pauses and opinion."""
        return load_submission(submission_id)


def _action(submission_id, func, **kwargs):
    submission = load_submission(submission_id)
    with writing():
        func(submission, actor=current_user, **kwargs)
    return submission


@blp.route("/<int:submission_id>/take")
class Take(MethodView):
    @secured(blp)
    @blp.arguments(ReviewTakeSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """领取: an eligible reviewer takes the review, declaring no conflict of interest."""
        return _action(submission_id, services.take_review, declare_no_conflict=data["declare_no_conflict"])


@blp.route("/<int:submission_id>/return-incomplete")
class ReturnIncomplete(MethodView):
    @secured(blp)
    @blp.arguments(ReviewMissingSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """材料不全退回, with what is missing."""
        return _action(submission_id, services.return_incomplete, missing=data["missing"], note=data["note"])


@blp.route("/<int:submission_id>/supplement-request")
class SupplementRequest(MethodView):
    @secured(blp)
    @blp.arguments(ReviewSupplementRequestSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """要求补充材料: the clock stops."""
        return _action(submission_id, services.request_supplement, items=data["items"], note=data["note"])


@blp.route("/<int:submission_id>/supplement")
class Supplement(MethodView):
    @secured(blp)
    @blp.arguments(ReviewSupplementSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """补充材料 (the case's officers): the clock runs again."""
        reply = data.pop("reply")
        return _action(submission_id, services.receive_supplement, reply=reply, package=_package(data))


@blp.route("/<int:submission_id>/extension")
class Extension(MethodView):
    @secured(blp)
    @blp.arguments(ReviewExtensionInSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """延长审核期限 (the agency head; default +5 working days, in all at most the setting)."""
        return _action(submission_id, services.extend_time_limit, reason=data["reason"],
                       working_days=data["working_days"])


@blp.route("/<int:submission_id>/checklist")
class Checklist(MethodView):
    @secured(blp)
    @blp.arguments(ReviewChecklistInSchema)
    @blp.response(201, ReviewChecklistResultSchema)
    def post(self, data, submission_id):
        """One checklist item: pass, or problem with a note."""
        submission = load_submission(submission_id)
        with writing():
            row = services.record_checklist(submission, data["item"], data["result"], data["note"],
                                            actor=current_user)
        return row


@blp.route("/<int:submission_id>/approve")
class Approve(MethodView):
    @secured(blp)
    @blp.arguments(ReviewOpinionInSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """审核通过 (every item passed): issues the 法制审核意见书 bound to the draft's hash."""
        return _action(submission_id, services.approve, opinion=data["opinion"])


@blp.route("/<int:submission_id>/return")
class Return(MethodView):
    @secured(blp)
    @blp.arguments(ReviewOpinionInSchema)
    @blp.response(200, ReviewSubmissionDetailSchema)
    def post(self, data, submission_id):
        """退回修改 with the problems found; the officers correct and resubmit."""
        return _action(submission_id, services.return_for_correction, opinion=data["opinion"])


@blp.route("/<int:submission_id>/opinion.pdf")
class OpinionPdf(MethodView):
    @secured(blp)
    def get(self, submission_id):
        """The 法制审核意见书 as stored (its SHA-256 is in the ledger)."""
        submission = load_submission(submission_id)
        if submission.opinion is None:
            raise NotFound("尚未出具法制审核意见书")
        return Response(services.opinion_bytes(submission.opinion), mimetype="application/pdf",
                        headers={"X-Content-SHA256": submission.opinion.sha256})


@blp.route("/catalogues")
class Catalogues(MethodView):
    @secured(blp)
    @blp.response(200, MajorCatalogueSchema(many=True))
    def get(self):
        """Major-decision catalogues visible to the caller (every version)."""
        return queries.visible_catalogues(current_user)

    @secured(blp)
    @blp.arguments(MajorCatalogueInSchema)
    @blp.response(201, MajorCatalogueSchema)
    def post(self, data):
        """A new catalogue version for the caller's agency (heads; admins name the agency)."""
        agency_id = data.get("agency_id") or current_user.agency_id
        agency = db.session.get(Agency, agency_id) if agency_id else None
        if agency is None:
            raise InvalidInput("请指定执法主体", details={"fields": {"agency_id": ["请指定执法主体"]}})
        with writing():
            catalogue = services.create_catalogue(agency, title=data["title"], items=data["items"],
                                                  actor=current_user)
        return catalogue


@blp.route("/catalogues/<int:catalogue_id>/publish")
class CataloguePublish(MethodView):
    @secured(blp)
    @blp.arguments(MajorCataloguePublishSchema)
    @blp.response(200, MajorCatalogueSchema)
    def post(self, data, catalogue_id):
        """公布: the catalogue is in force from `published_on` (default today) and can no longer change."""
        catalogue = db.session.get(MajorCatalogue, catalogue_id)
        if catalogue is None or not permissions.can_see_agency(current_user, catalogue.agency_id):
            raise NotFound("目录不存在")
        with writing():
            services.publish_catalogue(catalogue, on=data["published_on"], actor=current_user)
        return catalogue


@blp.route("/stats")
class Stats(MethodView):
    @secured(blp)
    @blp.response(200, ReviewStatsSchema(many=True))
    def get(self):
        """Supervisor view: reviews per agency, return rate, time-limit breaches and the 5% reviewer ratio."""
        if not permissions.can_view_stats(current_user):
            raise PermissionDenied("法制审核统计仅限执法监督人员和机关负责人")
        return services.stats(queries.visible_agencies(current_user), today_china())
