"""HTML pages for supervision checks and findings, rectification notices and accountability decisions
(registered on the supervision blueprint)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.models import Agency
from app.auth.permissions import require_login
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.officers.models import Officer
from app.timeutil import today_china
from supervision import permissions
from supervision.models.oversight import MEASURE_LABELS, RECTIFICATION_LABELS
from supervision.services import accountability, checks, rectification
from supervision.views import LINKS, _refuse, bp, visible_agencies

LINKS.extend([("监督检查", "supervision.check_list"), ("整改", "supervision.rectification_list"),
              ("责任追究", "supervision.accountability_list")])


def _agency(field="agency_id") -> Agency:
    from app.inputs import as_id

    raw = request.form.get(field)
    agency = db.session.get(Agency, as_id(raw, field, label="执法部门")) if raw else None
    if agency is None:
        raise DomainError("请选择执法部门", status=422)
    return agency


def _require_supervisor():
    if not permissions.is_supervisor(current_user):
        raise PermissionDenied("此操作仅限执法监督人员")


# --- checks and findings ----------------------------------------------------------------------------------

@bp.route("/checks", methods=["GET", "POST"])
@require_login
def check_list():
    _require_supervisor()
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            what = request.form.get("what")
            agency = _agency()
            if what == "plan":
                checks.create_plan(agency=agency, year=request.form.get("year"), title=request.form.get("title"),
                                   planned_on=request.form.get("planned_on"), scope=request.form.get("scope", ""),
                                   actor=current_user)
            else:
                from app.inputs import as_id

                plan = (checks.get_plan(as_id(request.form["plan_id"], "plan_id", label="检查计划"))
                        if request.form.get("plan_id") else None)
                findings = [{"text": line.strip()} for line in request.form.get("findings", "").splitlines()
                            if line.strip()]
                checks.record_check(agency=agency, kind=request.form.get("kind", "spot"),
                                    checked_on=request.form.get("checked_on"), summary=request.form.get("summary"),
                                    plan=plan, findings=findings, actor=current_user)
            db.session.commit()
            flash("已保存", "success")
        except DomainError as err:
            _refuse(err)
        return redirect(url_for("supervision.check_list"))
    today = today_china()
    return render_template("supervision/checks.html", form=form, today=today,
                           plans=list(db.session.scalars(checks.visible_plans(current_user).limit(200))),
                           checks=list(db.session.scalars(checks.visible_checks(current_user).limit(200))),
                           agencies=visible_agencies(current_user))


@bp.route("/findings/<int:finding_id>", methods=["GET", "POST"])
@require_login
def finding_detail(finding_id):
    finding = checks.get_finding(finding_id)
    if not permissions.can_supervise(current_user, finding.agency_id):
        raise NotFound("未找到该问题")
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            if request.form.get("what") == "rectification":
                rect = rectification.issue(agency=finding.agency, findings=[finding.text], finding=finding,
                                           source=f"finding:{finding.id}",
                                           due_working_days=request.form.get("due_working_days") or None,
                                           actor=current_user)
                db.session.commit()
                return redirect(url_for("supervision.rectification_detail", rect_id=rect.id))
            decision = accountability.open_decision(finding, measure=request.form.get("measure"),
                                                    reason=request.form.get("reason"),
                                                    until=request.form.get("until") or None, actor=current_user)
            db.session.commit()
            return redirect(url_for("supervision.accountability_detail", decision_id=decision.id))
        except DomainError as err:
            _refuse(err)
    return render_template("supervision/finding.html", f=finding, form=form, measures=MEASURE_LABELS)


# --- rectification ------------------------------------------------------------------------------------------

@bp.route("/rectifications", methods=["GET", "POST"])
@require_login
def rectification_list():
    if not permissions.can_use_supervision(current_user):
        raise PermissionDenied("整改通知仅限执法监督人员和被通知单位负责人")
    form = EmptyForm()
    if request.method == "POST":
        _require_supervisor()
        if form.validate_on_submit():
            try:
                rect = rectification.issue(agency=_agency(), findings=request.form.get("findings", "").splitlines(),
                                           due_working_days=request.form.get("due_working_days") or None,
                                           source="manual", actor=current_user)
                db.session.commit()
                return redirect(url_for("supervision.rectification_detail", rect_id=rect.id))
            except DomainError as err:
                _refuse(err)
        return redirect(url_for("supervision.rectification_list"))
    today = today_china()
    rows = list(db.session.scalars(rectification.visible(current_user).limit(200)))
    return render_template("supervision/rectifications.html", rows=rows, form=form, today=today,
                           labels=RECTIFICATION_LABELS, overdue=lambda r: rectification.is_overdue(r, today),
                           agencies=visible_agencies(current_user),
                           default_days=rectification.setting("RECTIFICATION_WORKING_DAYS"))


def _load_rect(rect_id):
    rect = rectification.get(rect_id)
    rectification.ensure_can_view(current_user, rect)
    return rect


@bp.route("/rectifications/<int:rect_id>")
@require_login
def rectification_detail(rect_id):
    rect = _load_rect(rect_id)
    return render_template("supervision/rectification.html", r=rect, form=EmptyForm(),
                           overdue=rectification.is_overdue(rect, today_china()),
                           can_report=permissions.can_head_agency(current_user, rect.agency_id),
                           can_decide=permissions.can_supervise(current_user, rect.agency_id))


@bp.route("/rectifications/<int:rect_id>/notice.pdf")
@require_login
def rectification_pdf(rect_id):
    rect = _load_rect(rect_id)
    return Response(rectification.notice_pdf(rect), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=rectification-{rect.id}.pdf"})


@bp.route("/rectifications/<int:rect_id>/<any(report, decide):action>", methods=["POST"])
@require_login
def rectification_act(rect_id, action):
    rect = _load_rect(rect_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            if action == "report":
                files = [(f.filename, f.mimetype, f.stream) for f in request.files.getlist("files") if f.filename]
                rectification.submit_report(rect, text_=request.form.get("text"), files=files, actor=current_user)
            else:
                rectification.decide(rect, decision=request.form.get("decision"), note=request.form.get("note", ""),
                                     actor=current_user)
            db.session.commit()
            flash("已保存", "success")
        except DomainError as err:
            _refuse(err)
    return redirect(url_for("supervision.rectification_detail", rect_id=rect_id))


@bp.route("/rectifications/<int:rect_id>/reports/<int:report_id>/<int:index>")
@require_login
def rectification_attachment(rect_id, report_id, index):
    from app.storage import get_store

    rect = _load_rect(rect_id)
    report = next((r for r in rect.reports if r.id == report_id), None)
    if report is None or not 0 <= index < len(report.attachments):
        raise NotFound("未找到该附件")
    a = report.attachments[index]
    return Response(b"".join(get_store().open(a["key"])), mimetype=a["content_type"],
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''" + _quote(a["filename"])})


def _quote(name):
    from urllib.parse import quote

    return quote(name)


# --- accountability -----------------------------------------------------------------------------------------

@bp.route("/accountability")
@require_login
def accountability_list():
    _require_supervisor()
    rows = list(db.session.scalars(accountability.visible(current_user).limit(200)))
    return render_template("supervision/accountability_list.html", rows=rows, measures=MEASURE_LABELS)


@bp.route("/accountability/<int:decision_id>", methods=["GET", "POST"])
@require_login
def accountability_detail(decision_id):
    decision = accountability.get(decision_id)
    accountability.ensure_can_view(current_user, decision)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            accountability.apply_action(decision, request.form.get("action"), request.form.to_dict(),
                                        actor=current_user)
            db.session.commit()
            flash("已保存", "success")
        except DomainError as err:
            _refuse(err)
        return redirect(url_for("supervision.accountability_detail", decision_id=decision_id))
    officer: Officer = decision.officer
    from app.officers import rules

    return render_template("supervision/accountability.html", d=decision, form=form, measures=MEASURE_LABELS,
                           failures=rules.check(officer, today_china()))
