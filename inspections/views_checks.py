"""HTML pages of inspections (行政检查): the list, the record form, one inspection with its conclusion, follow-up,
case filing and publication. Same services as the JSON API; refusals are flashed with their legal reason."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.permissions import has_role, is_citywide, require_login
from app.auth.models import Role
from app.errors import DomainError, NotFound
from app.extensions import db
from app.officers.models import Officer
from cases.models import Matter
from inspections import checks
from inspections.checks_models import INSPECTION_KIND_LABELS, Inspection

bp = Blueprint("inspections_checks", __name__, template_folder="templates")


def _visible():
    stmt = db.select(Inspection).order_by(Inspection.id.desc()).limit(200)
    if not (has_role(current_user, Role.supervisor) or is_citywide(current_user)):
        stmt = stmt.where(Inspection.agency_id == (current_user.agency_id or -1))
    return list(db.session.scalars(stmt))


@bp.get("/inspections")
@require_login
def index():
    return render_template("inspections/checks_index.html", rows=_visible(),
                           can_record=checks.can_record(current_user, current_user.agency_id))


def _form_data(form) -> dict:
    return {"kind": form.get("kind"), "plan_ref": form.get("plan_ref"), "task_id": form.get("task_id") or None,
            "basis": form.get("basis"), "target_name": form.get("target_name"),
            "target_kind": form.get("target_kind") or "org", "target_code": form.get("target_code"),
            "target_address": form.get("target_address"), "category": form.get("category") or None,
            "place": form.get("place"), "started_at": form.get("started_at"), "ended_at": form.get("ended_at"),
            "officer_ids": [int(i) for i in form.getlist("officer_ids") if i.isdigit()],
            "certificate_shown_ids": [int(i) for i in form.getlist("shown_ids") if i.isdigit()],
            "findings": form.get("findings"),
            "evidence": [{"name": n.strip(), "description": ""} for n in (form.get("evidence") or "").splitlines()
                         if n.strip()]}


@bp.route("/inspections/new", methods=["GET", "POST"])
@require_login
def new():
    agency_id = current_user.agency_id
    officers = list(db.session.scalars(db.select(Officer).where(Officer.agency_id == (agency_id or -1))
                                       .order_by(Officer.id)))
    if request.method == "POST":
        try:
            row = checks.record_inspection(agency_id or 0, _form_data(request.form), actor=current_user)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return render_template("inspections/checks_new.html", officers=officers, kinds=INSPECTION_KIND_LABELS,
                                   form=request.form), err.status
        flash(f"已登记行政检查（第{row.id}号）", "success")
        return redirect(url_for("inspections_checks.detail", inspection_id=row.id))
    # A 双随机 task's page links here with the task, its target and inspectors filled in.
    prefill = {k: request.args[k] for k in ("kind", "task_id", "target_name", "target_code", "target_address",
                                             "plan_ref") if request.args.get(k)}
    prefill["officer_ids"] = [int(i) for i in request.args.getlist("officer_ids") if i.isdigit()]
    return render_template("inspections/checks_new.html", officers=officers, kinds=INSPECTION_KIND_LABELS,
                           form=prefill)


@bp.get("/inspections/<int:inspection_id>")
@require_login
def detail(inspection_id):
    row = checks.get_inspection(inspection_id, current_user)
    matters = [m for m in db.session.scalars(db.select(Matter).where(Matter.agency_id == row.agency_id))
               if m.current is not None]
    from flask import current_app

    return render_template("inspections/checks_detail.html", i=row, matters=matters,
                           recordings=checks.recordings_of(row) if not row.case_id else [],
                           upload_hours=current_app.config.get("RECORDING_UPLOAD_HOURS", 24),
                           can_conclude=checks.can_conclude(current_user, row),
                           can_publish=checks.can_publish(current_user, row))


@bp.post("/inspections/<int:inspection_id>/<action>")
@require_login
def act(inspection_id, action):
    row = checks.get_inspection(inspection_id, current_user)
    form = request.form
    target = url_for("inspections_checks.detail", inspection_id=inspection_id)
    try:
        if action == "conclude":
            checks.conclude(row, {"outcome": form.get("outcome"), "correction_due": form.get("correction_due"),
                                  "no_recording_reason": form.get("no_recording_reason")}, actor=current_user)
        elif action == "follow-up":
            checks.follow_up(row, result=form.get("result"), note=form.get("note") or "", actor=current_user)
        elif action == "case":
            case = checks.file_case(row, {"matter_version_id": form.get("matter_version_id"),
                                          "title": form.get("title"),
                                          "legal_representative": form.get("legal_representative")},
                                    actor=current_user)
            target = url_for("cases.detail", case_id=case.id)
        elif action == "publish":
            checks.publish_result(row, actor=current_user)
        else:
            raise NotFound("没有该操作")
        db.session.commit()
        flash("已办理", "success")
    except NotFound:
        raise
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        target = url_for("inspections_checks.detail", inspection_id=inspection_id)
    return redirect(target)
