"""HTML pages of supervision for supervisors (and agency heads for what was sent to them): the overview with
超期预警, the hierarchy of offices, complaints. Forms post to one handler per action; a refusal rolls back,
flashes the reason and goes back to the page.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.models import Agency, User
from app.auth.permissions import require_login
from app.auth.scope import readable_agency_ids as visible_agency_ids
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from supervision import permissions
from supervision.models.complaints import CHANNEL_LABELS, EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS
from supervision.models.hierarchy import LEVEL_LABELS
from supervision.services import complaints, hierarchy

bp = Blueprint("supervision", __name__, url_prefix="/supervision", template_folder="templates")


#: Sub-pages that later sub-capabilities add to the supervision navigation: (label, endpoint).
LINKS: list[tuple[str, str]] = []


@bp.app_context_processor
def supervision_helpers():
    from supervision import dashboard

    return {"supervision_permissions": permissions, "supervision_links": lambda: LINKS,
            "board_columns": lambda: list(dashboard.COLUMN_LABELS.items()), "complaint_events": EVENT_LABELS}


def _refuse(err: DomainError):
    db.session.rollback()
    flash(err.message, "error")


def _require_use():
    if not permissions.can_use_supervision(current_user):
        raise PermissionDenied("执法监督仅限执法监督人员、系统管理员和机关负责人")


def visible_agencies(user) -> list[Agency]:
    scope = visible_agency_ids(user)
    stmt = db.select(Agency).order_by(Agency.id)
    if scope is not None:
        stmt = stmt.where(Agency.id.in_(sorted(scope)))
    return list(db.session.scalars(stmt))


def warnings_panel(user):
    """Home page panel: complaints near or past their deadlines (超期预警)."""
    if not permissions.can_use_supervision(user):
        return None
    rows = complaints.warnings(user, today_china())
    if not rows:
        return None
    return {"title": "投诉举报超期预警", "template": "supervision/_warnings_panel.html", "warnings": rows[:10]}


@bp.route("/")
@require_login
def index():
    _require_use()
    from supervision import dashboard

    today = today_china()
    board = dashboard.board(current_user, today)
    from supervision.services import rectification

    office = hierarchy.office_of_user(current_user)
    escalated = rectification.escalated_to({office.id}) if office is not None else []
    return render_template("supervision/index.html", warnings=complaints.warnings(current_user, today),
                           office=office, board=board, chart=dashboard.chart(board), today=today,
                           escalated=escalated)


# --- hierarchy ----------------------------------------------------------------------------------------------

@bp.route("/offices", methods=["GET", "POST"])
@require_login
def offices():
    if not (permissions.is_supervisor(current_user) or permissions.can_manage_offices(current_user)):
        raise PermissionDenied("执法监督机构仅限执法监督人员和系统管理员查看")
    form = EmptyForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                from app.inputs import as_id

                parent = (hierarchy.get_office(as_id(request.form["parent_id"], "parent_id", label="上级机构"))
                          if request.form.get("parent_id") else None)
                hierarchy.create_office(name=request.form.get("name"), level=request.form.get("level"),
                                        region_code=request.form.get("region_code"), parent=parent,
                                        actor=current_user)
                db.session.commit()
                flash("执法监督机构已设立", "success")
            except (DomainError, ValueError) as err:
                _refuse(err if isinstance(err, DomainError) else DomainError("上级机构无效"))
        return redirect(url_for("supervision.offices"))
    rows = hierarchy.visible_offices(current_user)
    return render_template("supervision/offices.html", offices=rows, levels=LEVEL_LABELS, form=form,
                           agencies_of=hierarchy.agencies_of, members_of=hierarchy.members_of,
                           all_agencies=list(db.session.scalars(db.select(Agency).order_by(Agency.id))),
                           supervisors=[u for u in db.session.scalars(db.select(User).order_by(User.id))
                                        if permissions.is_supervisor(u)],
                           can_manage=permissions.can_manage_offices(current_user))


def _office_edit(office_id, what):
    if not permissions.can_manage_offices(current_user):
        raise PermissionDenied("设置执法监督机构仅限系统管理员和省级（或全市）执法监督人员")
    office = hierarchy.get_office(office_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            if what == "agencies":
                from app.inputs import as_id

                raw = request.form.get("agency_id")
                agency = db.session.get(Agency, as_id(raw, "agency_id", label="执法部门")) if raw else None
                if agency is None:
                    raise DomainError("请选择执法部门", status=422)
                hierarchy.assign_agency(office, agency, actor=current_user)
            else:
                from app.inputs import as_id

                raw = request.form.get("user_id")
                user = db.session.get(User, as_id(raw, "user_id", label="人员")) if raw else None
                if user is None:
                    raise DomainError("请选择执法监督人员", status=422)
                hierarchy.add_member(office, user, actor=current_user)
            db.session.commit()
            flash("已保存", "success")
        except DomainError as err:
            _refuse(err)
    return redirect(url_for("supervision.offices"))


@bp.route("/offices/<int:office_id>/agencies", methods=["POST"])
@require_login
def office_agencies(office_id):
    return _office_edit(office_id, "agencies")


@bp.route("/offices/<int:office_id>/members", methods=["POST"])
@require_login
def office_members(office_id):
    return _office_edit(office_id, "members")


# --- complaints ---------------------------------------------------------------------------------------------

@bp.route("/complaints")
@require_login
def complaint_list():
    _require_use()
    status = request.args.get("status") or None
    if status not in {s.value for s in STATUS_LABELS}:
        status = None
    rows = list(db.session.scalars(complaints.visible_complaints(current_user, status=status).limit(200)))
    today = today_china()
    return render_template("supervision/complaints.html", rows=rows, status=status, statuses=STATUS_LABELS,
                           warning_for=lambda c: complaints.warning_for(c, today), channels=CHANNEL_LABELS)


@bp.route("/complaints/new", methods=["GET", "POST"])
@require_login
def complaint_new():
    if not permissions.is_supervisor(current_user):
        raise PermissionDenied("登记来信、来电、来访投诉仅限执法监督人员")
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            receipt = complaints.submit(request.form.to_dict(), channel=request.form.get("channel", "letter"),
                                        actor=current_user)
            db.session.commit()
            flash(f"已登记，受理编号{receipt.complaint.reference}，查询码{receipt.secret}（请告知投诉人，仅显示一次）",
                  "success")
            return redirect(url_for("supervision.complaint_detail", complaint_id=receipt.complaint.id))
        except DomainError as err:
            _refuse(err)
    return render_template("supervision/complaint_new.html", form=form, agencies=visible_agencies(current_user),
                           channels=complaints.channel_choices(), data=request.form, today=today_china())


@bp.route("/complaints/<int:complaint_id>")
@require_login
def complaint_detail(complaint_id):
    complaint = complaints.get(complaint_id)
    complaints.ensure_can_view(current_user, complaint)
    show_person = permissions.can_see_complainant(current_user, complaint)
    if show_person:
        complaints.log_person_view(current_user, [complaint])
        db.session.commit()
    return render_template("supervision/complaint.html", c=complaint, form=EmptyForm(),
                           show_person=show_person,
                           can_supervise=permissions.can_supervise(current_user, complaint.agency_id),
                           can_reply=permissions.can_reply_complaint(current_user, complaint),
                           assignable=complaints.assignable_users(complaint), outcomes=OUTCOME_LABELS,
                           channels=CHANNEL_LABELS, warning=complaints.warning_for(complaint, today_china()))


@bp.route("/complaints/<int:complaint_id>/<any(accept, refuse, assign, reply):action>", methods=["POST"])
@require_login
def complaint_act(complaint_id, action):
    complaint = complaints.get(complaint_id)
    complaints.ensure_can_view(current_user, complaint)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            complaints.apply_action(complaint, action, request.form.to_dict(), actor=current_user)
            db.session.commit()
            flash("已保存", "success")
        except DomainError as err:
            _refuse(err)
    return redirect(url_for("supervision.complaint_detail", complaint_id=complaint_id))
