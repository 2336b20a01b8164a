"""Agency pages (/agencies): the list, create and edit (supervisors, admins); entrusted organisations with
their entrustment, termination and officers."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from app.agencies import permissions, rules, services
from app.agencies.models import EntrustedOrganisation
from app.auth.models import Agency, Role
from app.auth.permissions import require_roles
from app.errors import InvalidInput
from app.extensions import db
from app.timeutil import today_china

bp = Blueprint("agencies", __name__, url_prefix="/agencies", template_folder="templates")
MANAGE = (Role.supervisor, Role.admin)
FIELDS = ("name", "short_name", "doc_prefix", "credit_code", "region_code", "categories", "legal_basis",
          "parent_department", "address", "phone")


def _form():
    return {k: request.form.get(k, "") for k in FIELDS if k in request.form}


@bp.get("/")
@require_roles(*MANAGE)
def index():
    agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
    orgs = db.session.scalars(select(EntrustedOrganisation).order_by(EntrustedOrganisation.id)).all()
    today = today_china()
    return render_template("agencies/index.html", agencies=agencies, orgs=orgs,
                           problems={o.id: rules.entrustment_problems(o, today) for o in orgs})


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*MANAGE)
def new():
    from flask_login import current_user

    if request.method == "POST":
        agency = services.create_agency(_form(), actor=current_user)
        db.session.commit()
        flash(f"已创建并公开执法主体“{agency.name}”", "success")
        return redirect(url_for(".index"))
    return render_template("agencies/agency_form.html", agency=None, labels=services.LABELS)


@bp.route("/<int:agency_id>/edit", methods=["GET", "POST"])
@require_roles(*MANAGE)
def edit(agency_id):
    from flask_login import current_user

    agency = services.get_agency(agency_id)
    if request.method == "POST":
        data = _form()
        data.pop("credit_code", None)  # the credit code identifies the agency: never edited
        services.update_agency(agency, data, actor=current_user)
        db.session.commit()
        flash("已保存并重新公开", "success")
        return redirect(url_for(".index"))
    return render_template("agencies/agency_form.html", agency=agency, labels=services.LABELS)


@bp.route("/entrusted/new", methods=["GET", "POST"])
@require_roles(*MANAGE)
def new_entrusted():
    from flask_login import current_user

    if request.method == "POST":
        org = services.create_entrusted(request.form.to_dict(), actor=current_user)
        db.session.commit()
        flash(f"已登记并公开受委托组织“{org.name}”", "success")
        return redirect(url_for(".entrusted", org_id=org.id))
    agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
    return render_template("agencies/entrusted_form.html", agencies=agencies)


@bp.get("/entrusted/<int:org_id>")
@require_roles(*MANAGE)
def entrusted(org_id):
    from app.officers.models import Officer

    org = services.get_entrusted(org_id)
    officers = db.session.scalars(select(Officer).where(Officer.agency_id == org.entrusting_agency_id)
                                  .order_by(Officer.id)).all()
    return render_template("agencies/entrusted.html", org=org, officers=officers,
                           problems=rules.entrustment_problems(org, today_china()))


@bp.post("/entrusted/<int:org_id>/terminate")
@require_roles(*MANAGE)
def terminate(org_id):
    from flask_login import current_user

    org = services.terminate_entrusted(services.get_entrusted(org_id), on=request.form.get("on"),
                                       reason=request.form.get("reason"), actor=current_user)
    db.session.commit()
    flash("已解除委托", "success")
    return redirect(url_for(".entrusted", org_id=org.id))


@bp.post("/entrusted/<int:org_id>/officers")
@require_roles(*MANAGE)
def assign(org_id):
    from flask_login import current_user

    from app.officers.models import Officer

    org = services.get_entrusted(org_id)
    try:
        officer = db.session.get(Officer, int(request.form.get("officer_id") or 0))
    except ValueError:
        officer = None
    if officer is None:
        raise InvalidInput("请选择执法人员", details={"fields": {"officer_id": ["请选择执法人员"]}})
    services.assign_officer(org if request.form.get("detach") != "1" else None, officer, actor=current_user)
    db.session.commit()
    flash(f"已{'移出' if request.form.get('detach') == '1' else '加入'}{officer.name}", "success")
    return redirect(url_for(".entrusted", org_id=org.id))
