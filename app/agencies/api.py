"""JSON API of agencies and entrusted organisations (/api/agencies, /api/entrusted-organisations)."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.agencies import rules, services
from app.agencies.models import EntrustedOrganisation
from app.auth.models import Agency
from app.auth.permissions import require_login
from app.extensions import db
from app.timeutil import today_china

blp = Blueprint("agencies_api", __name__, url_prefix="/api", description="执法主体与受委托组织")


class AgencySchema(Schema):
    id = fields.Int()
    name = fields.Str()
    short_name = fields.Str()
    doc_prefix = fields.Str()
    credit_code = fields.Str()
    region_code = fields.Str()
    categories = fields.List(fields.Str())
    legal_basis = fields.Str()
    parent_department = fields.Str()
    address = fields.Str()
    phone = fields.Str()
    published_on = fields.Date(allow_none=True)


class AgencyInSchema(Schema):
    name = fields.Str(validate=validate.Length(max=120))
    short_name = fields.Str(validate=validate.Length(max=40))
    doc_prefix = fields.Str(validate=validate.Length(max=20))
    credit_code = fields.Str(validate=validate.Length(max=18))
    region_code = fields.Str(validate=validate.Length(max=20))
    categories = fields.List(fields.Str(validate=validate.Length(max=20)), validate=validate.Length(max=30))
    legal_basis = fields.Str(validate=validate.Length(max=4000))
    parent_department = fields.Str(validate=validate.Length(max=120))
    address = fields.Str(validate=validate.Length(max=200))
    phone = fields.Str(validate=validate.Length(max=40))


class EntrustedSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    credit_code = fields.Str()
    entrusting_agency_id = fields.Int()
    entrusting_agency = fields.Function(lambda o: o.entrusting_agency.name)
    matter_codes = fields.List(fields.Str())
    legal_basis = fields.Str()
    document_number = fields.Str()
    starts_on = fields.Date()
    ends_on = fields.Date()
    published_on = fields.Date(allow_none=True)
    terminated_on = fields.Date(allow_none=True)
    termination_reason = fields.Str()
    problems = fields.Function(lambda o: rules.entrustment_problems(o, today_china()),
                               metadata={"description": "why it may not act today; [] = it may"})


class EntrustedInSchema(Schema):
    name = fields.Str(validate=validate.Length(max=120))
    credit_code = fields.Str(validate=validate.Length(max=18))
    entrusting_agency_id = fields.Int(validate=validate.Range(min=1, max=2**31 - 1))
    matter_codes = fields.List(fields.Str(validate=validate.Length(max=40)), validate=validate.Length(max=200))
    legal_basis = fields.Str(validate=validate.Length(max=4000))
    document_number = fields.Str(validate=validate.Length(max=80))
    starts_on = fields.Date()
    ends_on = fields.Date()
    address = fields.Str(validate=validate.Length(max=200))
    phone = fields.Str(validate=validate.Length(max=40))


class TerminateInSchema(Schema):
    on = fields.Date(required=True)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=500))


@blp.route("/agencies")
class Agencies(MethodView):
    @require_login
    @blp.response(200, AgencySchema(many=True))
    def get(self):
        return db.session.scalars(select(Agency).order_by(Agency.id)).all()

    @require_login
    @blp.arguments(AgencyInSchema)
    @blp.response(201, AgencySchema)
    def post(self, args):
        """Create and publish an agency (supervisors, admins)."""
        agency = services.create_agency(args, actor=current_user)
        db.session.commit()
        return agency


@blp.route("/agencies/<int:agency_id>")
class AgencyItem(MethodView):
    @require_login
    @blp.response(200, AgencySchema)
    def get(self, agency_id):
        return services.get_agency(agency_id)

    @require_login
    @blp.arguments(AgencyInSchema)
    @blp.response(200, AgencySchema)
    def patch(self, args, agency_id):
        """Edit and republish (the credit code is not editable)."""
        args.pop("credit_code", None)
        agency = services.update_agency(services.get_agency(agency_id), args, actor=current_user)
        db.session.commit()
        return agency


@blp.route("/entrusted-organisations")
class EntrustedList(MethodView):
    @require_login
    @blp.response(200, EntrustedSchema(many=True))
    def get(self):
        return db.session.scalars(select(EntrustedOrganisation).order_by(EntrustedOrganisation.id)).all()

    @require_login
    @blp.arguments(EntrustedInSchema)
    @blp.response(201, EntrustedSchema)
    def post(self, args):
        org = services.create_entrusted(args, actor=current_user)
        db.session.commit()
        return org


@blp.route("/entrusted-organisations/<int:org_id>")
class EntrustedItem(MethodView):
    @require_login
    @blp.response(200, EntrustedSchema)
    def get(self, org_id):
        return services.get_entrusted(org_id)

    @require_login
    @blp.arguments(EntrustedInSchema)
    @blp.response(200, EntrustedSchema)
    def patch(self, args, org_id):
        org = services.update_entrusted(services.get_entrusted(org_id), args, actor=current_user)
        db.session.commit()
        return org


@blp.route("/entrusted-organisations/<int:org_id>/terminate")
class EntrustedTerminate(MethodView):
    @require_login
    @blp.arguments(TerminateInSchema)
    @blp.response(200, EntrustedSchema)
    def post(self, args, org_id):
        org = services.terminate_entrusted(services.get_entrusted(org_id), on=args["on"], reason=args["reason"],
                                           actor=current_user)
        db.session.commit()
        return org
