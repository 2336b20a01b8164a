"""Staff HTML pages of 双随机一公开 (国办发〔2015〕58号; SPEC §12, §13): the register of inspected entities
(imported from .xlsx/.csv) and of inspectors (certified officers), a round drawn verifiably, the round with
the verification parameters of its two draws, conflict redraws, and the publication of its results.
The same services as the JSON API and the CLI (`inspections.random_checks`, `inspections.checks`); the
registers and the draws are the agency head's; staff of the agency and supervisors read."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.models import Agency, Role
from app.auth.permissions import can_see_agency, has_role, is_citywide, require_login
from app.draws import services as draws
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.officers.models import Officer
from app.officers.rules import check
from app.timeutil import today_china
from inspections import checks, random_checks
from inspections.checks_models import InspectionTarget, RandomRound, RegisteredInspector

bp = Blueprint("inspections_random", __name__, url_prefix="/random", template_folder="templates")


def can_open(user) -> bool:
    """Nav: the agency's officers and head, and supervisors."""
    return has_role(user, Role.officer, Role.head, Role.supervisor)


def _all_agencies(user) -> bool:
    return has_role(user, Role.supervisor) or is_citywide(user)


def _scoped(stmt, column):
    if _all_agencies(current_user):
        return stmt
    return stmt.where(column == (current_user.agency_id or -1))


def _manager_agency() -> int:
    agency_id = current_user.agency_id or 0
    if not random_checks.can_manage(current_user, agency_id):
        raise PermissionDenied(f"双随机抽查的名录库和抽取由机关负责人管理（{random_checks.RULE}）")
    return agency_id


@bp.get("")
@require_login
def index():
    rounds = list(db.session.scalars(_scoped(db.select(RandomRound), RandomRound.agency_id)
                                     .order_by(RandomRound.id.desc()).limit(200)))
    targets = db.session.scalar(_scoped(db.select(db.func.count(InspectionTarget.id))
                                        .where(InspectionTarget.active), InspectionTarget.agency_id))
    inspectors = db.session.scalar(_scoped(db.select(db.func.count(RegisteredInspector.id))
                                           .where(RegisteredInspector.active), RegisteredInspector.agency_id))
    overdue = [i for i in checks.overdue_results(agency_id=None if _all_agencies(current_user)
                                                 else (current_user.agency_id or -1)) if i.task_id]
    return render_template("inspections/random_index.html", rounds=rounds, targets=targets, inspectors=inspectors,
                           overdue=overdue, progress={r.id: _progress(r) for r in rounds},
                           can_manage=random_checks.can_manage(current_user, current_user.agency_id))


def _progress(rnd) -> dict:
    states = [random_checks.task_status(t) for t in rnd.tasks]
    return {"tasks": len(states), "inspected": sum(1 for s in states if s["inspection"] is not None),
            "published": sum(1 for s in states if s["published"])}


# --- registers -------------------------------------------------------------------------------------------

def _targets_page(status=200):
    rows = list(db.session.scalars(_scoped(db.select(InspectionTarget), InspectionTarget.agency_id)
                                   .order_by(InspectionTarget.agency_id, InspectionTarget.category,
                                             InspectionTarget.code).limit(2000)))
    return render_template("inspections/random_targets.html", rows=rows,
                           can_manage=random_checks.can_manage(current_user, current_user.agency_id)), status


@bp.get("/targets")
@require_login
def targets():
    return _targets_page()


@bp.post("/targets")
@require_login
def import_targets():
    """Import the register of inspected entities (.xlsx/.csv); all or nothing."""
    upload = request.files.get("file")
    try:
        agency_id = _manager_agency()
        if upload is None or not upload.filename:
            from app.errors import InvalidInput

            raise InvalidInput("请上传名录文件（.xlsx 或 .csv）", details={"fields": {"file": ["请上传文件"]}})
        rows = random_checks.parse_targets(upload.filename, upload.read())
        result = random_checks.import_targets(agency_id, rows, actor=current_user)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _targets_page(err.status)
    flash(f"已导入检查对象名录：新增{result['created']}个，更新{result['updated']}个", "success")
    return redirect(url_for("inspections_random.targets"))


def _inspectors_page(status=200):
    rows = list(db.session.scalars(_scoped(db.select(RegisteredInspector), RegisteredInspector.agency_id)
                                   .order_by(RegisteredInspector.agency_id, RegisteredInspector.id)))
    today = today_china()
    listed = {r.officer_id for r in rows}
    candidates = []
    if random_checks.can_manage(current_user, current_user.agency_id):
        candidates = [o for o in db.session.scalars(db.select(Officer).where(
            Officer.agency_id == current_user.agency_id).order_by(Officer.id)) if o.id not in listed]
    return render_template("inspections/random_inspectors.html", rows=rows, candidates=candidates,
                           failures={r.officer_id: check(r.officer, today) for r in rows},
                           can_manage=random_checks.can_manage(current_user, current_user.agency_id)), status


@bp.get("/inspectors")
@require_login
def inspectors():
    return _inspectors_page()


@bp.post("/inspectors")
@require_login
def add_inspector():
    try:
        agency_id = _manager_agency()
        row = random_checks.register_inspector(agency_id, request.form.get("officer_id") or 0, actor=current_user)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _inspectors_page(err.status)
    flash(f"{row.officer.name}已列入执法检查人员名录库", "success")
    return redirect(url_for("inspections_random.inspectors"))


# --- rounds ----------------------------------------------------------------------------------------------

def _items(agency_id):
    from publicity.models import InspectionItem

    return list(db.session.scalars(db.select(InspectionItem).where(InspectionItem.agency_id == agency_id)
                                   .order_by(InspectionItem.id)))


@bp.route("/rounds/new", methods=["GET", "POST"])
@require_login
def new_round():
    agency_id = _manager_agency()
    agency = db.session.get(Agency, agency_id)
    if request.method == "POST":
        form = request.form
        try:
            rnd = random_checks.draw_round(agency_id, {
                "item_id": form.get("item_id"), "target_count": form.get("target_count"),
                "per_target": form.get("per_target") or 2, "area_code": form.get("area_code"),
                "title": form.get("title")}, actor=current_user)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return render_template("inspections/random_round_new.html", items=_items(agency_id), agency=agency,
                                   today=today_china(), form=form), err.status
        flash(f"已抽取：{len(rnd.tasks)}个检查对象，检查人员已分配", "success")
        return redirect(url_for("inspections_random.round_page", random_round_id=rnd.id))
    return render_template("inspections/random_round_new.html", items=_items(agency_id), agency=agency,
                           today=today_china(), form={})


def _round(random_round_id) -> RandomRound:
    rnd = db.session.get(RandomRound, random_round_id)
    if rnd is None or not can_see_agency(current_user, rnd.agency_id):
        raise NotFound("没有该抽查批次")
    return rnd


def _draw_facts(draw) -> dict:
    return {"draw": draw, "params": draw.params, "selected": draw.selected, "exclusions": draw.exclusions}


@bp.get("/rounds/<int:random_round_id>")
@require_login
def round_page(random_round_id):
    rnd = _round(random_round_id)
    try:
        verified, failure = random_checks.verify_round(rnd), None
    except DomainError as err:
        verified, failure = None, err.message
    officers = {o.id: o for o in db.session.scalars(db.select(Officer).where(
        Officer.id.in_({i for t in rnd.tasks for i in t.inspector_ids} or {-1})))}
    tasks = [{"task": t, **random_checks.task_status(t),
              "inspectors": [officers[i] for i in t.inspector_ids if i in officers]} for t in rnd.tasks]
    user_officer = db.session.scalar(db.select(Officer).where(Officer.user_id == current_user.id))
    return render_template("inspections/random_round.html", r=rnd, tasks=tasks, verified=verified,
                           failure=failure, target_draw=_draw_facts(draws.get_draw(rnd.target_draw_id)),
                           inspector_draw=_draw_facts(draws.get_draw(rnd.inspector_draw_id)),
                           my_officer_id=user_officer.id if user_officer else None,
                           can_manage=random_checks.can_manage(current_user, rnd.agency_id),
                           publishable=[s["inspection"] for s in tasks if s["inspection"] is not None
                                        and s["inspection"].outcome and not s["published"]
                                        and checks.can_publish(current_user, s["inspection"])])


@bp.post("/rounds/<int:random_round_id>/redraw")
@require_login
def redraw(random_round_id):
    rnd = _round(random_round_id)
    try:
        new = random_checks.redraw_inspector(rnd, request.form.get("officer_id"), request.form.get("reason") or "",
                                             actor=current_user)
        db.session.commit()
        replacement = db.session.get(Officer, new)
        flash(f"已回避重抽，由{replacement.name if replacement else new}替补（理由已记入台账）", "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("inspections_random.round_page", random_round_id=random_round_id))


@bp.post("/rounds/<int:random_round_id>/publish")
@require_login
def publish(random_round_id):
    """Publish every concluded result of the round not yet public (without personal data)."""
    rnd = _round(random_round_id)
    done = 0
    try:
        for t in rnd.tasks:
            inspection = random_checks.task_status(t)["inspection"]
            if inspection is not None and inspection.outcome and not inspection.published_on:
                checks.publish_result(inspection, actor=current_user)
                done += 1
        if not done:
            from app.errors import InvalidTransition

            raise InvalidTransition("本批次没有已作出结论、尚未公示的检查结果")
        db.session.commit()
        flash(f"已公示{done}项检查结果" + ("，本批次抽查已全部完成" if rnd.completed_on else ""), "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("inspections_random.round_page", random_round_id=random_round_id))
