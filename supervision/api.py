"""JSON API of supervision (flask-smorest) under /api/supervision: the hierarchy, the caller's scope and
complaints. Every handler: load → visibility (a complaint outside the caller's scope is a 404) → the
service, which checks the permission predicate → one commit."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.models import Agency, User
from app.auth.scope import readable_agency_ids as visible_agency_ids
from app.errors import NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases.api import secured, writing
from supervision import permissions
from supervision.schemas import (ComplaintActionSchema, ComplaintInSchema, ComplaintPersonSchema,
                                 ComplaintReceiptSchema, ComplaintSchema, OfficeAgencyInSchema, OfficeMemberInSchema,
                                 OfficeSchema, ScopeSchema, WarningSchema)
from supervision.services import complaints, hierarchy

blp = Blueprint("supervision_api", __name__, url_prefix="/api/supervision", description="执法监督")


def _require_use():
    if not permissions.can_use_supervision(current_user):
        raise PermissionDenied("执法监督仅限执法监督人员、系统管理员和机关负责人")


def _dump_complaint(c, log=True):
    if permissions.can_see_complainant(current_user, c):
        if log:
            complaints.log_person_view(current_user, [c])
        return ComplaintPersonSchema().dump(c)
    return ComplaintSchema().dump(c)


def _dump_logged(rows):
    """Dump complaints and commit the access-log rows of those whose complainant data was shown."""
    out = [_dump_complaint(c) for c in rows]
    db.session.commit()
    return out


@blp.route("/scope")
class Scope(MethodView):
    @secured(blp)
    @blp.response(200, ScopeSchema)
    def get(self):
        """The agencies whose records the caller may read (supervisors: their office and the levels below)."""
        scope = visible_agency_ids(current_user)
        office = hierarchy.office_of_user(current_user)
        return {"all": scope is None, "agency_ids": sorted(scope or []), "office_id": office.id if office else None}


@blp.route("/offices")
class Offices(MethodView):
    @secured(blp)
    @blp.response(200, OfficeSchema(many=True))
    def get(self):
        """Supervision offices the caller sees (own office and below)."""
        if not (permissions.is_supervisor(current_user) or permissions.can_manage_offices(current_user)):
            raise PermissionDenied("执法监督机构仅限执法监督人员和系统管理员查看")
        return hierarchy.visible_offices(current_user)

    @secured(blp)
    @blp.arguments(OfficeSchema)
    @blp.response(201, OfficeSchema)
    def post(self, data):
        """设立执法监督机构 (admins, provincial/city-wide supervisors)."""
        parent = hierarchy.get_office(data["parent_id"]) if data.get("parent_id") else None
        with writing():
            office = hierarchy.create_office(name=data["name"], level=data["level"], region_code=data["region_code"],
                                             parent=parent, actor=current_user)
        return office


def _office_for_edit(office_id):
    if not permissions.can_manage_offices(current_user):
        raise PermissionDenied("设置执法监督机构仅限系统管理员和省级（或全市）执法监督人员")
    return hierarchy.get_office(office_id)


@blp.route("/offices/<int:office_id>/agencies")
class OfficeAgencies(MethodView):
    @secured(blp)
    @blp.arguments(OfficeAgencyInSchema)
    @blp.response(200, OfficeSchema)
    def post(self, data, office_id):
        """Place an agency under this office's direct supervision."""
        office = _office_for_edit(office_id)
        agency = db.session.get(Agency, data["agency_id"])
        if agency is None:
            raise NotFound("未找到该执法部门")
        with writing():
            hierarchy.assign_agency(office, agency, actor=current_user)
        return office


@blp.route("/offices/<int:office_id>/members")
class OfficeMembers(MethodView):
    @secured(blp)
    @blp.arguments(OfficeMemberInSchema)
    @blp.response(200, OfficeSchema)
    def post(self, data, office_id):
        """Add a supervisor to this office (limits what they see to the office and below)."""
        office = _office_for_edit(office_id)
        user = db.session.get(User, data["user_id"])
        if user is None:
            raise NotFound("未找到该用户")
        with writing():
            hierarchy.add_member(office, user, actor=current_user)
        return office


@blp.route("/complaints")
class Complaints(MethodView):
    @secured(blp)
    @blp.response(200)
    def get(self):
        """Complaints the caller may see (supervisors: in scope; heads: transferred to them), newest first."""
        _require_use()
        from supervision.privacy import dump_for_list  # lists mask the complainant's phone and address

        rows = list(db.session.scalars(complaints.visible_complaints(current_user).limit(500)))
        return [dump_for_list(d) for d in _dump_logged(rows)]

    @secured(blp)
    @blp.arguments(ComplaintInSchema)
    @blp.response(201, ComplaintReceiptSchema)
    def post(self, data):
        """Enter a complaint received by letter, call or visit. The answer carries the lookup secret once."""
        if not permissions.is_supervisor(current_user):
            raise PermissionDenied("登记来信、来电、来访投诉仅限执法监督人员")
        with writing():
            receipt = complaints.submit(data, channel=data["channel"], actor=current_user, on=data.get("received_on"))
        return {"complaint": receipt.complaint, "secret": receipt.secret}


@blp.route("/complaints/warnings")
class ComplaintWarnings(MethodView):
    @secured(blp)
    @blp.response(200, WarningSchema(many=True))
    def get(self):
        """超期预警: open complaints near or past their acceptance or handling deadline."""
        _require_use()
        return complaints.warnings(current_user, today_china())


def _load_complaint(complaint_id):
    c = complaints.get(complaint_id)
    complaints.ensure_can_view(current_user, c)
    return c


@blp.route("/complaints/<int:complaint_id>")
class ComplaintItem(MethodView):
    @secured(blp)
    @blp.response(200)
    def get(self, complaint_id):
        """One complaint; the complainant's data only for supervisors in scope or with consent (logged)."""
        return _dump_logged([_load_complaint(complaint_id)])[0]


@blp.route("/complaints/<int:complaint_id>/actions/<any(accept, refuse, assign, reply):action>")
class ComplaintAction(MethodView):
    @secured(blp)
    @blp.arguments(ComplaintActionSchema)
    @blp.response(200)
    def post(self, data, complaint_id, action):
        """accept (受理) · refuse (不予受理, `reason`) · assign (交办, `assignee_id`) · reply (答复, `reply`, `outcome`)."""
        c = _load_complaint(complaint_id)
        with writing():
            complaints.apply_action(c, action, data, actor=current_user)
        return _dump_logged([c])[0]
