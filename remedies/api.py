"""JSON API of remedies (/api/remedies, /api/cases/<id>/remedies): the same services as the HTML pages."""
from flask import Response
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_login
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from remedies import permissions, queries, services
from remedies.schemas import (AgencyRatesSchema, EffectiveInSchema, ExtensionInSchema, HearingInSchema,
                              HearingSchema, OutcomeInSchema, ProgressInSchema, RatesQuerySchema, RemedyInSchema,
                              RemedySchema)

blp = Blueprint("remedies_api", __name__, url_prefix="/api", description="行政复议与行政诉讼")


def _get(remedy_id):
    remedy = services.get_remedy(remedy_id)
    if not (permissions.can_view_agency_remedies(current_user, remedy.agency_id)
            and permissions.can_view_case_remedies(current_user, remedy.case)):
        raise NotFound("复议或诉讼记录不存在")
    return remedy


def _case(case_id):
    from cases import services as case_services

    case = case_services.get_case(case_id)
    if not permissions.can_view_remedies(current_user):
        raise NotFound(f"案件（编号{case_id}）不存在")
    case_services.ensure_can_view(current_user, case)  # SPEC §1 per role; a refusal is logged
    return case


@blp.route("/remedies")
class Remedies(MethodView):
    @require_login
    @blp.response(200, RemedySchema(many=True))
    def get(self):
        """Reconsiderations and lawsuits the caller may see (own agency; supervisors all)."""
        if not permissions.can_view_remedies(current_user):
            raise PermissionDenied("仅限执法机关工作人员和执法监督人员")
        return db.session.scalars(queries.visible_remedies(current_user).limit(500)).all()


@blp.route("/remedies/rates")
class Rates(MethodView):
    @require_login
    @blp.arguments(RatesQuerySchema, location="query")
    @blp.response(200, AgencyRatesSchema(many=True))
    def get(self, args):
        """复议纠错率, 诉讼败诉率, 负责人出庭应诉率 per agency for a year (default: this year)."""
        if not permissions.can_view_rates(current_user):
            raise PermissionDenied("仅限执法机关工作人员和执法监督人员")
        year = args.get("year") or today_china().year
        ids = queries.rate_agency_ids(current_user)
        t = queries.targets()
        return [r.to_dict(t) for r in queries.rates(year, ids)]


@blp.route("/cases/<int:case_id>/remedies")
class CaseRemedies(MethodView):
    @require_login
    @blp.response(200, RemedySchema(many=True))
    def get(self, case_id):
        case = _case(case_id)
        return db.session.scalars(queries.visible_remedies(current_user, case_id=case.id)).all()

    @require_login
    @blp.arguments(RemedyInSchema)
    @blp.response(201, RemedySchema)
    def post(self, args, case_id):
        """Record a reconsideration, lawsuit, appeal or retrial against the case's decision."""
        remedy = services.file_remedy(_case(case_id), args, actor=current_user)
        db.session.commit()
        return remedy


@blp.route("/remedies/<int:remedy_id>")
class RemedyItem(MethodView):
    @require_login
    @blp.response(200, RemedySchema)
    def get(self, remedy_id):
        return _get(remedy_id)


@blp.route("/remedies/<int:remedy_id>/progress")
class Progress(MethodView):
    @require_login
    @blp.arguments(ProgressInSchema)
    @blp.response(200, RemedySchema)
    def post(self, args, remedy_id):
        """受理/立案, 收到副本, 答复/答辩 dates and the case number."""
        remedy = services.record_progress(_get(remedy_id), args, actor=current_user)
        db.session.commit()
        return remedy


@blp.route("/remedies/<int:remedy_id>/extension")
class Extension(MethodView):
    @require_login
    @blp.arguments(ExtensionInSchema)
    @blp.response(200, RemedySchema)
    def post(self, args, remedy_id):
        remedy = services.extend(_get(remedy_id), on=args["on"], reason=args["reason"], actor=current_user)
        db.session.commit()
        return remedy


@blp.route("/remedies/<int:remedy_id>/outcome")
class Outcome(MethodView):
    @require_login
    @blp.arguments(OutcomeInSchema)
    @blp.response(200, RemedySchema)
    def post(self, args, remedy_id):
        """The decision or judgement; an effective correcting outcome withdraws the publication."""
        remedy = services.record_outcome(_get(remedy_id), outcome=args["outcome"], decided_on=args["decided_on"],
                                         note=args["note"], actor=current_user)
        db.session.commit()
        return remedy


@blp.route("/remedies/<int:remedy_id>/effective")
class Effective(MethodView):
    @require_login
    @blp.arguments(EffectiveInSchema)
    @blp.response(200, RemedySchema)
    def post(self, args, remedy_id):
        remedy = services.record_effective(_get(remedy_id), on=args["on"], actor=current_user)
        db.session.commit()
        return remedy


@blp.route("/remedies/<int:remedy_id>/hearings")
class Hearings(MethodView):
    @require_login
    @blp.arguments(HearingInSchema)
    @blp.response(201, HearingSchema)
    def post(self, args, remedy_id):
        """A court session: who appeared for the agency, whether the head appeared (行政诉讼法第三条)."""
        hearing = services.add_hearing(_get(remedy_id), args, actor=current_user)
        db.session.commit()
        return hearing


@blp.route("/remedies/<int:remedy_id>/documents")
class Documents(MethodView):
    @require_login
    @blp.response(201, RemedySchema)
    def post(self, remedy_id):
        """Upload a document (multipart: `file`, `title`): PDF, PNG or JPEG."""
        from flask import request

        remedy = _get(remedy_id)
        upload = request.files.get("file")
        services.add_document(remedy, title=request.form.get("title", ""), filename=upload.filename if upload else "",
                              data=upload.read() if upload else b"", actor=current_user)
        db.session.commit()
        return remedy


@blp.route("/remedies/<int:remedy_id>/documents/<int:doc_id>")
class DocumentFile(MethodView):
    @require_login
    def get(self, remedy_id, doc_id):
        """The stored bytes of a document, with their SHA-256."""
        return document_response(_get(remedy_id), doc_id)


def document_response(remedy, document_id):
    from app.storage import get_store

    doc = services.get_document(remedy, document_id)
    body = b"".join(get_store().open(doc.storage_key))
    from urllib.parse import quote

    return Response(body, mimetype=doc.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(doc.filename)}",
        "X-Content-SHA256": doc.sha256})
