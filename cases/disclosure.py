"""The explicit "show" of personal data on a case (个人信息保护法 Art 6, 55): a user who may read the case
but does not need its personal data for the act at hand (a colleague, a supervisor) asks to see one party's
or one step's person unmasked, choosing a purpose and writing what for; the access is logged.

JSON: POST /api/cases/<id>/parties/<pid>/disclosure and /api/cases/<id>/steps/<sid>/disclosure with
{"purpose": "...", "note": "..."}; the purposes are GET /api/cases/disclosure-purposes.
Web: the "显示完整信息" form under a party or step on the case page posts to /cases/<id>/personal-data.
"""
from __future__ import annotations

from flask import flash, request
from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from app.auth.forms import EmptyForm
from app.auth.permissions import require_roles
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.privacy import services as privacy_services
from cases import privacy
from cases.api import blp, load_case as api_load_case, secured
from cases.schemas import CasePartySchema, CaseStepSchema
from cases.views import CASE_ROLES, bp, load_case as web_load_case, render_case


class DisclosureSchema(Schema):
    purpose = fields.String(required=True, metadata={"description": "one of GET /api/cases/disclosure-purposes"})
    note = fields.String(required=True, metadata={"description": "what the data is needed for (logged)"})


class PurposeSchema(Schema):
    code = fields.String()
    label = fields.String()


@blp.route("/disclosure-purposes")
class DisclosurePurposes(MethodView):
    @secured(blp)
    @blp.response(200, PurposeSchema(many=True))
    def get(self):
        """The purposes a caller may state to see a person's data unmasked."""
        return [{"code": k, "label": v} for k, v in privacy_services.REVEAL_PURPOSES.items()]


def _reveal(case_id, kind, record_id, data):
    case = api_load_case(case_id)
    try:
        record = privacy.reveal(case, current_user, kind, record_id, data.get("purpose"), data.get("note"))
        db.session.commit()
    except DomainError:
        db.session.rollback()
        raise
    return record


@blp.route("/<int:case_id>/parties/<int:party_id>/disclosure")
class PartyDisclosure(MethodView):
    @secured(blp)
    @blp.arguments(DisclosureSchema)
    @blp.response(200, CasePartySchema)
    def post(self, data, case_id, party_id):
        """Show one party's personal data unmasked, with a stated purpose (logged; PIPL Art 6, 55)."""
        return _reveal(case_id, "party", party_id, data)


@blp.route("/<int:case_id>/steps/<int:step_id>/disclosure")
class StepDisclosure(MethodView):
    @secured(blp)
    @blp.arguments(DisclosureSchema)
    @blp.response(200, CaseStepSchema)
    def post(self, data, case_id, step_id):
        """Show the personal data of the person in a step record (interviewee, witness), with a purpose."""
        return _reveal(case_id, "step", step_id, data)


@bp.route("/cases/<int:case_id>/personal-data", methods=["POST"])
@require_roles(*CASE_ROLES)
def reveal_personal(case_id):
    """The web "显示完整信息": the case page again, with that party or step shown unmasked."""
    case = web_load_case(case_id)
    form = EmptyForm()
    kind = request.form.get("kind", "")
    try:
        if not form.validate():
            raise InvalidInput("页面已过期，请刷新后重试")
        try:
            record_id = int(request.form.get("record_id", ""))
        except ValueError:
            raise InvalidInput("请选择要显示的当事人或执法环节") from None
        privacy.reveal(case, current_user, kind, record_id, request.form.get("purpose"), request.form.get("note"))
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        details = (err.details or {}).get("fields") or {}
        flash("；".join([err.message] + [m for ms in details.values() for m in ms]), "error")
        return render_case(web_load_case(case_id), err.status)
    flash("已显示完整个人信息，本次查看及其目的已记入个人信息访问记录", "success")
    return render_case(case)
