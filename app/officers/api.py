"""JSON API for the officer and certificate registry, the rules check, import and export."""
from flask import Response, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app.auth.models import Agency, Role, User
from app.auth.permissions import require_roles
from app.errors import InvalidInput
from app.extensions import db
from app.officers import queries, rules, services
from app.officers.schemas import (CertificateInSchema, CertificateSchema, CertificateSummarySchema, CheckQuerySchema, CheckResultSchema,
                                  EventInSchema, EventSchema, ImportResultSchema, KpiSchema, OfficerInSchema,
                                  OfficerPatchSchema, OfficerRowSchema, OfficerSchema, SearchQuerySchema, TeamCheckSchema,
                                  TeamResultSchema)
from app.officers.regions import parse_region
from app.timeutil import today_china

blp = Blueprint("officers_api", __name__, url_prefix="/api/officers", description="执法人员与执法证件")

MANAGE = (Role.supervisor, Role.admin)
VIEW = (Role.supervisor, Role.admin, Role.head)


def _user(username):
    if not username:
        return None
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise InvalidInput(f"账户“{username}”不存在", details={"fields": {"username": ["账户不存在"]}})
    return user


def _area(value):
    if not value:
        return None
    code = parse_region(value)
    if code is None:
        raise InvalidInput("执法区域应为6位行政区划代码或已知地名", details={"fields": {"area": ["无法识别"]}})
    return code


def _check_result(officer, on, category, area):
    failures = rules.check(officer, on, category=category, area=area)
    return {"officer_id": officer.id, "name": officer.name, "on": on, "ok": not failures,
            "failures": [f.to_dict() for f in failures]}


@blp.route("/")
class Officers(MethodView):
    @require_roles(*VIEW)
    @blp.arguments(SearchQuerySchema, location="query")
    @blp.response(200, OfficerRowSchema(many=True))
    def get(self, args):
        """Officers visible to the caller; search by name, ID or certificate number, filter by status.
        ID numbers are masked in the list (GET /api/officers/<id> shows one officer's)."""
        rows = queries.search_officers(current_user, on=today_china(), **args)
        return [r["officer"] for r in rows]

    @require_roles(*MANAGE)
    @blp.arguments(OfficerInSchema)
    @blp.response(201, OfficerSchema)
    def post(self, data):
        """Register an officer (or auxiliary staff)."""
        agency = db.session.get(Agency, data["agency_id"])
        if agency is None:
            raise InvalidInput("执法主体不存在", details={"fields": {"agency_id": ["执法主体不存在"]}})
        officer = services.create_officer(
            name=data["name"], agency=agency, employment_type=data["employment_type"],
            id_number=data["id_number"], user=_user(data["username"]),
            qualification_number=data["qualification_number"], qualification_date=data["qualification_date"],
            actor=current_user)
        db.session.commit()
        return officer


@blp.route("/<int:officer_id>")
class OfficerItem(MethodView):
    @require_roles(*VIEW)
    @blp.response(200, OfficerSchema)
    def get(self, officer_id):
        return queries.get_officer(current_user, officer_id)

    @require_roles(*MANAGE)
    @blp.arguments(OfficerPatchSchema)
    @blp.response(200, OfficerSchema)
    def patch(self, data, officer_id):
        """Change employment type, linked account or legal qualification."""
        officer = queries.get_officer(current_user, officer_id)
        kwargs = {k: v for k, v in data.items() if k != "username"}
        if "username" in data:
            kwargs["user"] = _user(data["username"])
        services.update_officer(officer, actor=current_user, **kwargs)
        db.session.commit()
        return officer


@blp.route("/<int:officer_id>/certificates")
class OfficerCertificates(MethodView):
    @require_roles(*MANAGE)
    @blp.arguments(CertificateInSchema)
    @blp.response(201, CertificateSchema)
    def post(self, data, officer_id):
        """Issue a certificate (refused for non-established staff and during the revocation bar)."""
        officer = queries.get_officer(current_user, officer_id)
        cert = services.issue_certificate(officer, actor=current_user, **data)
        db.session.commit()
        return cert


@blp.route("/<int:officer_id>/check")
class OfficerCheck(MethodView):
    @require_roles(*VIEW)
    @blp.arguments(CheckQuerySchema, location="query")
    @blp.response(200, CheckResultSchema)
    def get(self, args, officer_id):
        """Every failed certificate rule for this officer on a date (default today), category and area."""
        officer = queries.get_officer(current_user, officer_id)
        return _check_result(officer, args["on"] or today_china(), args["category"], _area(args["area"]))


@blp.route("/check-team")
class TeamCheck(MethodView):
    @require_roles(*VIEW)
    @blp.arguments(TeamCheckSchema)
    @blp.response(200, TeamResultSchema)
    def post(self, data):
        """The two-officer rule: at least `minimum` distinct officers who pass every rule."""
        on = data["on"] or today_china()
        area = _area(data["area"])
        officers = [queries.get_officer(current_user, i) for i in data["officer_ids"]]
        result = rules.check_team(officers, on, category=data["category"], area=area, minimum=data["minimum"])
        failing = {o.id: fs for o, fs in result.failing}
        seen, rows = set(), []
        for o in officers:
            if o.id in seen:
                continue
            seen.add(o.id)
            fs = failing.get(o.id, [])
            rows.append({"officer_id": o.id, "name": o.name, "on": on, "ok": not fs,
                         "failures": [f.to_dict() for f in fs]})
        return {"ok": result.ok, "minimum": result.minimum, "passing": [o.id for o in result.passing],
                "officers": rows}


@blp.route("/certificates")
class Certificates(MethodView):
    @require_roles(*VIEW)
    @blp.arguments(SearchQuerySchema(only=("q", "agency_id")), location="query")
    @blp.response(200, CertificateSummarySchema(many=True))
    def get(self, args):
        return db.session.scalars(queries.visible_certificates(current_user, **args)).all()


@blp.route("/certificates/<int:certificate_id>")
class CertificateItem(MethodView):
    @require_roles(*VIEW)
    @blp.response(200, CertificateSchema)
    def get(self, certificate_id):
        return queries.get_certificate(current_user, certificate_id)


@blp.route("/certificates/<int:certificate_id>/events")
class CertificateEvents(MethodView):
    @require_roles(*MANAGE)
    @blp.arguments(EventInSchema)
    @blp.response(201, EventSchema)
    def post(self, data, certificate_id):
        """A lifecycle action with its reason: inspect, suspend, restore, revoke or cancel."""
        cert = queries.get_certificate(current_user, certificate_id)
        action = data.pop("action")
        event = services.apply_action(cert, action, data, actor=current_user)
        db.session.commit()
        return event


@blp.route("/import")
class Import(MethodView):
    @require_roles(*MANAGE)
    @blp.response(201, ImportResultSchema)
    def post(self):
        """Import an .xlsx or .csv sheet (multipart field `file`). Any row error: 422, nothing imported."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("请上传表格文件（字段 file）", details={"fields": {"file": ["缺少文件"]}})
        result = services.import_sheet(upload.filename, upload.read(), actor=current_user)
        db.session.commit()
        return result


@blp.route("/export.xlsx")
class Export(MethodView):
    @require_roles(*VIEW)
    @blp.response(200, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    def get(self):
        """The visible officers with their certificates and today's status, as .xlsx.

        ID numbers are masked; `?purpose=<code>&note=<text>` (app.privacy's purposes) exports them whole,
        and that export is written to the personal-data access log."""
        officers = db.session.scalars(queries.visible_officers(current_user)).all()
        data = services.roster_export(officers, today_china(), actor=current_user,
                                      purpose=request.args.get("purpose"), note=request.args.get("note"))
        db.session.commit()
        return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": "attachment; filename=officers.xlsx"})


@blp.route("/kpi")
class Kpi(MethodView):
    @require_roles(*VIEW)
    @blp.response(200, KpiSchema(many=True))
    def get(self):
        """Per agency: certified officers, qualified reviewers, and whether reviewers reach the ratio."""
        return queries.agency_kpis(queries.kpi_agencies(current_user), today_china())
