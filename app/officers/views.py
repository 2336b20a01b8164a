"""Supervisor pages: the officer and certificate registry, lifecycle actions, import/export, the card."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.models import Agency, Role, User
from app.auth.permissions import require_roles
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.officers import banner, queries, rules, services
from app.officers.forms import CertificateForm, EventForm, ImportForm, OfficerEditForm, OfficerForm
from app.officers.models import CERT_KIND_LABELS, EMPLOYMENT_LABELS, EVENT_LABELS, REVOCATION_LABELS
from app.officers.permissions import can_manage_officers, can_print_card
from app.officers.regions import region_label, region_name
from app.timeutil import today_china

bp = Blueprint("officers", __name__, url_prefix="/officers", template_folder="templates")

MANAGE = (Role.supervisor, Role.admin)
VIEW = (Role.supervisor, Role.admin, Role.head)


@bp.app_context_processor
def officer_helpers():
    return {"region_name": region_name, "region_label": region_label, "EMPLOYMENT_LABELS": EMPLOYMENT_LABELS,
            "CERT_KIND_LABELS": CERT_KIND_LABELS, "EVENT_LABELS": EVENT_LABELS,
            "REVOCATION_LABELS": REVOCATION_LABELS, "ACTION_LABELS": services.ACTION_LABELS,
            "can_manage_officers": can_manage_officers, "can_print_card": can_print_card,
            "certificate_banner": lambda: banner.for_user(current_user, today_china())}


def _user_by_name(username):
    username = (username or "").strip()
    if not username:
        return None
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None:
        raise InvalidInput(f"账户“{username}”不存在", details={"fields": {"username": ["账户不存在"]}})
    return user


def _photo(field):
    data = field.data.read() if field.data and hasattr(field.data, "read") else None
    return data or None


def _form_errors(form):
    return {name: list(errs) for name, errs in form.errors.items()}


@bp.route("/")
@require_roles(*VIEW)
def index():
    today = today_china()
    q = request.args.get("q", "").strip()
    status = request.args.get("status") or None
    if status not in (None, "ok", "failing", "expiring"):
        status = None
    agency_id = request.args.get("agency_id", type=int)
    rows = queries.search_officers(current_user, q=q, agency_id=agency_id, status=status, on=today)
    agencies = queries.kpi_agencies(current_user)
    from app.privacy.services import REVEAL_PURPOSES

    return render_template("officers/index.html", rows=rows, q=q, status=status, agency_id=agency_id,
                           agencies=agencies, today=today, pi_purposes=REVEAL_PURPOSES)


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*MANAGE)
def new():
    form = OfficerForm()
    form.agency_id.choices = [(a.id, a.name) for a in db.session.scalars(select(Agency).order_by(Agency.id))]
    status = 200
    if form.validate_on_submit():
        try:
            officer = services.create_officer(
                name=form.name.data, agency=db.session.get(Agency, form.agency_id.data),
                employment_type=form.employment_type.data, id_number=form.id_number.data or None,
                user=_user_by_name(form.username.data), qualification_number=form.qualification_number.data,
                qualification_date=form.qualification_date.data, photo=_photo(form.photo), actor=current_user)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            flash(f"已登记执法人员{officer.name}", "success")
            return redirect(url_for("officers.detail", officer_id=officer.id))
    elif request.method == "POST":
        status = 422
    return render_template("officers/officer_form.html", form=form, officer=None), status


@bp.route("/<int:officer_id>")
@require_roles(*VIEW)
def detail(officer_id, status=200):
    officer = queries.get_officer(current_user, officer_id)
    today = today_china()
    return render_template("officers/detail.html", officer=officer, today=today,
                           failures=rules.check(officer, today), rules=rules,
                           event_form=EventForm(formdata=None), settings=rules.RuleSettings.from_config()), status


@bp.route("/<int:officer_id>/edit", methods=["GET", "POST"])
@require_roles(*MANAGE)
def edit(officer_id):
    officer = queries.get_officer(current_user, officer_id)
    form = OfficerEditForm(obj=officer)
    if request.method == "GET":
        form.username.data = officer.user.username if officer.user else ""
    status = 200
    if form.validate_on_submit():
        try:
            services.update_officer(officer, actor=current_user, employment_type=form.employment_type.data,
                                    user=_user_by_name(form.username.data),
                                    qualification_number=form.qualification_number.data,
                                    qualification_date=form.qualification_date.data, photo=_photo(form.photo))
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            flash("已保存", "success")
            return redirect(url_for("officers.detail", officer_id=officer.id))
    elif request.method == "POST":
        status = 422
    return render_template("officers/officer_form.html", form=form, officer=officer), status


@bp.route("/<int:officer_id>/photo")
@require_roles(*VIEW)
def photo(officer_id):
    officer = queries.get_officer(current_user, officer_id)
    return photo_response(officer)


def photo_response(officer):
    from flask import abort

    if not officer.photo:
        abort(404)
    resp = Response(officer.photo, mimetype=officer.photo_type or "application/octet-stream")
    # Photos are only ever shown as images: nothing inside one may run or load anything.
    resp.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, max-age=300"
    return resp


@bp.route("/<int:officer_id>/certificates/new", methods=["GET", "POST"])
@require_roles(*MANAGE)
def issue(officer_id):
    officer = queries.get_officer(current_user, officer_id)
    form = CertificateForm()
    status = 200
    refusals = rules.issue_refusals(officer, today_china(), services.person_certificates(officer))
    if form.validate_on_submit():
        try:
            cert = services.issue_certificate(
                officer, number=form.number.data, kind=form.kind.data, categories=form.categories.data,
                area_code=form.area_code.data, issued_on=form.issued_on.data, expires_on=form.expires_on.data,
                issuer=form.issuer.data, filed_on=form.filed_on.data, reason=form.reason.data,
                actor=current_user)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            flash(f"已发放证件{cert.number}", "success")
            return redirect(url_for("officers.detail", officer_id=officer.id))
    elif request.method == "POST":
        status = 422
    return render_template("officers/certificate_form.html", form=form, officer=officer,
                           refusals=refusals), status


@bp.route("/certificates/<int:certificate_id>/<action>", methods=["POST"])
@require_roles(*MANAGE)
def act(certificate_id, action):
    cert = queries.get_certificate(current_user, certificate_id)
    if action not in services.ACTIONS:
        from flask import abort

        abort(404)
    form = EventForm()
    if not form.validate():
        for errs in form.errors.values():
            for e in errs:
                flash(e, "error")
        return detail(cert.officer_id, status=422)
    data = {"on": form.on.data, "reason": form.reason.data, "until": form.until.data, "year": form.year.data,
            "passed": form.passed.data, "reason_type": form.reason_type.data}
    try:
        services.apply_action(cert, action, data, actor=current_user)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(f"{services.ACTION_LABELS[action]}未完成：{err.message}", "error")
        return detail(cert.officer_id, status=err.status)
    flash(f"证件{cert.number}已{services.ACTION_LABELS[action]}", "success")
    return redirect(url_for("officers.detail", officer_id=cert.officer_id))


@bp.route("/certificates/<int:certificate_id>/card")
@require_roles(*MANAGE)
def card(certificate_id):
    from app.officers.public import qr_svg, verify_url

    cert = queries.get_certificate(current_user, certificate_id)
    today = today_china()
    return render_template("officers/card.html", cert=cert, officer=cert.officer, today=today,
                           qr=qr_svg(cert), url=verify_url(cert), mark=rules.inspection_mark(cert, today))


@bp.route("/import", methods=["GET", "POST"])
@require_roles(*MANAGE)
def import_sheet():
    form = ImportForm()
    status, errors, result = 200, [], None
    if form.validate_on_submit():
        upload = form.file.data
        if not upload or not getattr(upload, "filename", ""):
            flash("请选择要导入的表格文件", "error")
            status = 422
        else:
            try:
                result = services.import_sheet(upload.filename, upload.read(), actor=current_user)
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                flash(err.message, "error")
                errors = err.details.get("rows", [])
                status = err.status
            else:
                flash(f"导入完成：{result.rows}行，新登记执法人员{result.officers_created}名，"
                      f"发放证件{result.certificates}个"
                      + (f"（其中{result.legacy_certificates}个证件、{result.legacy_inspections}次年检按历史记录登记）"
                         if result.legacy_certificates or result.legacy_inspections else ""), "success")
    elif request.method == "POST":
        status = 422
    from app.officers.sheets import COLUMNS, REQUIRED_COLUMNS

    return render_template("officers/import.html", form=form, errors=errors, result=result,
                           columns=COLUMNS, required=REQUIRED_COLUMNS), status


@bp.route("/export.xlsx")
@require_roles(*VIEW)
def export():
    officers = db.session.scalars(queries.visible_officers(current_user)).all()
    today = today_china()
    data = services.roster_export(officers, today, actor=current_user, purpose=request.args.get("purpose"),
                                  note=request.args.get("note"))
    db.session.commit()
    filename = f"officers-{today.isoformat()}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


# --- home panel -------------------------------------------------------------------------------------------

def kpi_panel(user):
    agencies = queries.kpi_agencies(user)
    if not agencies:
        return None
    return {"title": "执法人员持证与法制审核人员配备", "template": "officers/_kpi_panel.html",
            "kpis": queries.agency_kpis(agencies, today_china())}
