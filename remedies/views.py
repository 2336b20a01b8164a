"""Staff pages of remedies (/remedies): the list with deadline warnings, the rates per agency, a case's
remedies with the filing form, and one remedy with its progress, hearings, documents and outcome. Every
write calls `remedies.services`; refusals are rendered by the error handler."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.permissions import require_login
from app.errors import InvalidInput, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from remedies import permissions, queries, rules, services

bp = Blueprint("remedies", __name__, url_prefix="/remedies", template_folder="templates")


def _get(remedy_id):
    remedy = services.get_remedy(remedy_id)
    if not (permissions.can_view_agency_remedies(current_user, remedy.agency_id)
            and permissions.can_view_case_remedies(current_user, remedy.case)):
        raise NotFound("复议或诉讼记录不存在")
    return remedy


def _staff():
    if not permissions.can_view_remedies(current_user):
        raise PermissionDenied("仅限执法机关工作人员和执法监督人员")


def _warn_days():
    return int(current_app.config["REMEDY_WARN_DAYS"])


@bp.get("/")
@require_login
def index():
    _staff()
    kind = request.args.get("kind") or None
    rows = db.session.scalars(queries.visible_remedies(current_user, kind=kind).limit(300)).all()
    warnings = queries.warnings(current_user, today_china(), _warn_days())
    return render_template("remedies/index.html", rows=rows, warnings=warnings, kind=kind,
                           KIND_LABELS=rules.KIND_LABELS)


@bp.get("/rates")
@require_login
def rates():
    _staff()
    try:
        year = int(request.args.get("year") or today_china().year)
    except ValueError:
        raise InvalidInput("年度应为四位数字") from None
    if not 2000 <= year <= 2100:
        raise InvalidInput("年度应在2000至2100之间")
    rows = queries.rates(year, queries.rate_agency_ids(current_user))
    return render_template("remedies/rates.html", rows=rows, year=year, total=queries.total(rows, year),
                           targets=queries.targets(), meets=queries.meets)


def _case(case_id):
    from cases import services as case_services

    case = case_services.get_case(case_id)
    if not permissions.can_view_remedies(current_user):
        raise NotFound(f"案件（编号{case_id}）不存在")
    case_services.ensure_can_view(current_user, case)  # SPEC §1 per role; a refusal is logged
    return case


@bp.route("/case/<int:case_id>", methods=["GET", "POST"])
@require_login
def case_remedies(case_id):
    case = _case(case_id)
    if request.method == "POST":
        remedy = services.file_remedy(case, request.form.to_dict(), actor=current_user)
        db.session.commit()
        flash(f"已登记{remedy.kind_label}", "success")
        return redirect(url_for(".detail", remedy_id=remedy.id))
    rows = db.session.scalars(queries.visible_remedies(current_user, case_id=case.id)).all()
    return render_template("remedies/case.html", case=case, rows=rows, perm=permissions, user=current_user,
                           KIND_LABELS=rules.KIND_LABELS, STAGE_LABELS=rules.STAGE_LABELS)


@bp.get("/<int:remedy_id>")
@require_login
def detail(remedy_id):
    remedy = _get(remedy_id)
    return render_template("remedies/detail.html", remedy=remedy, perm=permissions, user=current_user,
                           outcomes=rules.OUTCOMES[remedy.kind], late=services.late_filing_note(remedy),
                           pending=services.is_pending(remedy))


def _done(remedy, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", remedy_id=remedy.id))


@bp.post("/<int:remedy_id>/progress")
@require_login
def progress(remedy_id):
    remedy = services.record_progress(_get(remedy_id), request.form.to_dict(), actor=current_user)
    return _done(remedy, "已登记受理和答复情况")


@bp.post("/<int:remedy_id>/extension")
@require_login
def extension(remedy_id):
    remedy = services.extend(_get(remedy_id), on=request.form.get("on"), reason=request.form.get("reason"),
                             actor=current_user)
    return _done(remedy, "已登记延期")


@bp.post("/<int:remedy_id>/outcome")
@require_login
def outcome(remedy_id):
    remedy = services.record_outcome(_get(remedy_id), outcome=request.form.get("outcome"),
                                     decided_on=request.form.get("decided_on"), note=request.form.get("note", ""),
                                     actor=current_user)
    return _done(remedy, f"已登记结果：{remedy.outcome_label}")


@bp.post("/<int:remedy_id>/effective")
@require_login
def effective(remedy_id):
    remedy = services.record_effective(_get(remedy_id), on=request.form.get("on"), actor=current_user)
    return _done(remedy, "已登记生效")


@bp.post("/<int:remedy_id>/hearings")
@require_login
def hearing(remedy_id):
    remedy = _get(remedy_id)
    services.add_hearing(remedy, request.form.to_dict(), actor=current_user)
    return _done(remedy, "已登记开庭情况")


@bp.post("/<int:remedy_id>/documents")
@require_login
def upload(remedy_id):
    remedy = _get(remedy_id)
    f = request.files.get("file")
    services.add_document(remedy, title=request.form.get("title", ""), filename=f.filename if f else "",
                          data=f.read() if f else b"", actor=current_user)
    return _done(remedy, "已上传文书")


@bp.get("/<int:remedy_id>/documents/<int:doc_id>")
@require_login
def document(remedy_id, doc_id):
    from remedies.api import document_response

    return document_response(_get(remedy_id), doc_id)


def alerts_panel(user):
    """Home panel: answers and decisions overdue or due soon (超期预警)."""
    if not permissions.can_view_remedies(user):
        return None
    warnings = queries.warnings(user, today_china(), int(current_app.config["REMEDY_WARN_DAYS"]))
    if not warnings:
        return None
    return {"title": "复议诉讼预警", "template": "remedies/_alerts_panel.html", "warnings": warnings}
