"""HTML pages for cases, steps, deadlines and the power list.

Every write calls `cases.services`; a refusal re-renders the page with the Chinese reasons and the
service's 4xx status. Buttons come from `services.allowed_actions`, which runs the same predicates and
guards that `apply_action` runs, so a disabled button and a refused request give the same reasons.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user
from sqlalchemy import select

from app import calendar
from app.auth.forms import EmptyForm
from app.auth.models import Agency, Role
from app.auth.permissions import has_role, require_login, require_roles
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import CHINA, today_china
from cases import forms, guards, permissions, queries, services, sheets, workflow
from cases.models import (PENALTY_KINDS, PROCEDURE_LABELS, SERVICE_METHODS, STATUS_LABELS, STEP_LABELS, Case,
                          CaseDocument, CaseOfficer, CaseStatus, Matter, MatterVersion, Procedure)

bp = Blueprint("cases", __name__, template_folder="templates")

PER_PAGE = 20
CASE_ROLES = (Role.officer, Role.head, Role.reviewer, Role.supervisor, Role.admin)
DEADLINE_ROLES = (Role.officer, Role.head, Role.supervisor)


def can_open_cases(user) -> bool:
    return has_role(user, *CASE_ROLES)


def can_open_deadlines(user) -> bool:
    return has_role(user, *DEADLINE_ROLES)


def can_open_power_list(user) -> bool:
    return getattr(user, "is_authenticated", False)


def warn_days() -> int:
    return int(current_app.config.get("DEADLINE_WARNING_DAYS", 7))


# --- queries ---------------------------------------------------------------------------------------------

def _deadlines_for(user, today, *, mine=False, limit=None):
    """超期预警 from `queries.visible_deadlines`; `mine`: only cases the user handles as an officer."""
    rows = queries.visible_deadlines(user, today, warn_days())
    if mine:
        rows = [d for d in rows if permissions.is_case_officer(user, d.case)]
    return rows[:limit] if limit else rows


def load_case(case_id) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件（编号{case_id}）不存在")
    services.ensure_can_view(current_user, case)
    return case


# --- helpers for templates --------------------------------------------------------------------------------

@bp.app_template_filter("deadline_badge")
def deadline_badge(due, met_on=None, kind=None):
    if due is None or met_on is not None:
        return ""
    if kind in services.PARTY_WINDOWS and due < today_china():
        return ("", "已届满")  # the party's window is over: the agency may proceed, nothing is late
    state = calendar.deadline_status(due, today_china(), warn_days())
    return {"overdue": ("red", "超期"), "due_soon": ("amber", "即将到期")}.get(state, ("", ""))


@bp.app_context_processor
def case_helpers():
    return {"STATUS_LABELS": {s.value: label for s, label in STATUS_LABELS.items()},
            "PROCEDURE_LABELS": {p.value: label for p, label in PROCEDURE_LABELS.items()},
            "STEP_LABELS": {k.value: label for k, label in STEP_LABELS.items()},
            "PENALTY_KINDS": PENALTY_KINDS, "SERVICE_METHODS": SERVICE_METHODS,
            "ACTION_LABELS": workflow.ACTION_LABELS, "EVENT_LABELS": EVENT_LABELS,
            "can_manage_power_list": permissions.can_manage_power_list}


EVENT_LABELS = {**workflow.ACTION_LABELS, "created": "登记案件", "party_added": "登记当事人",
                "officers_assigned": "指派承办人员", "draft_saved": "保存处罚决定草案",
                "flags_changed": "认定重大/复杂案件", "deadline_extended": "延长办案期限",
                "step_recorded": "记录执法环节", "step_completed": "完成执法环节",
                "av_justified": "提交未音像记录书面说明", "av_justification_approved": "批准未音像记录书面说明",
                "payment_recorded": "登记缴款", "payment_plan_applied": "登记暂缓（分期）缴纳申请",
                "payment_plan_decided": "审批暂缓（分期）缴纳申请", "reminder_statement": "记录对催告的陈述申辩",
                "deadlines_recomputed": "按新日历重新计算期限"}


def add_event_labels(labels: dict):
    """Features that record case events of their own (e.g. "measure_taken") name them for the timeline."""
    for action, label in labels.items():
        EVENT_LABELS.setdefault(action, label)


def officer_rows(officers, case=None, on=None):
    """Officers with the certificate to show and today's check (for the case's category and area)."""
    from app.officers import rules

    on = on or today_china()
    rows = []
    for officer in officers:
        certs = [c for c in officer.certificates if c.issued_on <= on] or list(officer.certificates)
        cert = max(certs, key=lambda c: (c.issued_on, c.id)) if certs else None
        failures = rules.check(officer, on, category=case.category if case else None,
                               area=case.area_code if case else None)
        rows.append({"officer": officer, "certificate": cert, "failures": failures})
    return rows


def _field_errors(err) -> dict:
    return (err.details or {}).get("fields") or {}


def _problems(err) -> list[str]:
    problems = (err.details or {}).get("problems") or {}
    return [p for ps in problems.values() for p in ps] or [err.message]


def _refuse(err: DomainError):
    db.session.rollback()
    flash(err.message, "error")


# --- case list --------------------------------------------------------------------------------------------

@bp.route("/cases")
@require_roles(*CASE_ROLES)
def index():
    from app.officers.models import Officer

    today = today_china()
    args = request.args
    q = (args.get("q") or "").strip()[:60]
    status = args.get("status") or ""
    procedure = args.get("procedure") or ""
    matter_id = args.get("matter_id", type=int)
    officer_id = args.get("officer_id", type=int)
    overdue = args.get("overdue") == "1"
    page = max(args.get("page", 1, type=int), 1)

    result = queries.paginate(queries.visible_cases(
        current_user, status=status if status in {s.value for s in CaseStatus} else None,
        procedure=procedure if procedure in {p.value for p in Procedure} else None, matter_id=matter_id,
        officer_id=officer_id, overdue=True if overdue else None, q=q, today=today), page, PER_PAGE)
    rows, total = result.items, result.total
    matters = db.session.scalars(queries.visible_matters(current_user)).all()
    officers = db.session.scalars(
        select(Officer).where(Officer.id.in_(select(CaseOfficer.officer_id).where(
            CaseOfficer.case_id.in_(queries.visible_cases(current_user).with_only_columns(Case.id)
                                     .order_by(None)))))
        .order_by(Officer.agency_id, Officer.id)).all()
    filters = {"q": q, "status": status, "procedure": procedure, "matter_id": matter_id or "",
               "officer_id": officer_id or "", "overdue": "1" if overdue else ""}
    pages = result.pages
    return render_template("cases/index.html", rows=rows, total=total, page=page, pages=pages,
                           filters=filters, matters=matters, officers=officers, today=today,
                           can_create=permissions.can_create_case(current_user, current_user.agency_id))


def page_url(page, filters):
    return url_for("cases.index", page=page, **{k: v for k, v in filters.items() if v})


# --- new case ---------------------------------------------------------------------------------------------

def _case_form_choices(form, agency):
    from app.officers.models import Officer

    matters = db.session.scalars(select(Matter).where(Matter.agency_id == agency.id).order_by(Matter.code)).all()
    form.matter_version_id.choices = [(m.current.id, f"{m.code} {m.current.name}（第{m.current.version}版）")
                                      for m in matters if m.current is not None]
    officers = db.session.scalars(select(Officer).where(Officer.agency_id == agency.id)
                                  .order_by(Officer.id)).all()
    rows = officer_rows(officers)
    form.officer_ids.choices = [(r["officer"].id, _officer_label(r)) for r in rows]
    return rows


def _officer_label(row):
    cert = row["certificate"]
    number = f"证号{cert.number}，{'、'.join(cert.categories or [])}" if cert else "无执法证件"
    if row["failures"]:
        return f"{row['officer'].name}（{number}，今日不符合：{row['failures'][0].message}）"
    return f"{row['officer'].name}（{number}，今日有效）"


@bp.route("/cases/new", methods=["GET", "POST"])
@require_roles(Role.officer)
def new():
    agency = current_user.agency
    if agency is None or not permissions.can_create_case(current_user, agency.id):
        raise PermissionDenied("只有执法机关的执法人员可以登记案件")
    form = forms.CaseForm()
    if request.method == "GET":
        form.area_code.data = agency.region_code
        mine = _my_officer(agency)
        if mine is not None:
            form.officer_ids.data = [mine.id]
    _case_form_choices(form, agency)
    status, service_errors = 200, {}
    if form.validate_on_submit():
        version = db.session.get(MatterVersion, form.matter_version_id.data)
        try:
            case = services.create_case(
                agency=agency, matter_version=version, title=form.title.data, area_code=form.area_code.data.strip(),
                actor=current_user, procedure=form.procedure.data, violation_on=form.violation_on.data,
                discovered_on=form.discovered_on.data,
                summary=form.summary.data, place=form.place.data, source=form.source.data,
                harms_safety=form.harms_safety.data, officer_ids=form.officer_ids.data or [],
                parties=[form.party()])
            db.session.commit()
        except DomainError as err:
            _refuse(err)
            status = err.status
            service_errors = {forms.CASE_FIELD_MAP.get(k, k): v for k, v in _field_errors(err).items()}
        else:
            flash(f"已登记案件“{case.title}”", "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    elif request.method == "POST":
        status = 422
    return render_template("cases/new.html", form=form, errors=service_errors, agency=agency), status


def _my_officer(agency):
    from app.officers.models import Officer

    return db.session.scalar(select(Officer).where(Officer.agency_id == agency.id,
                                                   Officer.user_id == current_user.id))


# --- the case page ----------------------------------------------------------------------------------------

def _draft_form(case, formdata=None):
    form = forms.DraftForm(formdata=formdata, data=None if formdata is not None else _draft_data(case))
    form.tier.choices = [("", "请选择")] + [
        (t["name"], f"{t['name']}（{t.get('min', 0)}—{t.get('max', 0)}元）")
        for t in case.matter_version.tiers or []]
    return form


def _draft_data(case):
    from datetime import date
    from decimal import Decimal

    draft = forms.draft_form_data(case.draft or {})
    for key in ("fine", "confiscated_gains", "confiscated_value"):
        if draft.get(key) not in (None, ""):
            draft[key] = Decimal(str(draft[key]))
    if draft.get("correction_by"):
        draft["correction_by"] = date.fromisoformat(draft["correction_by"])
    return draft


#: Features that build on cases (review, recordings, publicity) add to the case page without cases
#: importing them: a panel is func(case, user) -> {"title", "lines": [str], "links": [(label, url)]} or
#: None; a step link is func(step, user) -> [(label, url)].
CASE_PANELS = "sanxiang_case_panels"
STEP_LINKS = "sanxiang_step_links"


def add_case_panel(app, func):
    app.extensions.setdefault(CASE_PANELS, []).append(func)


def add_step_link(app, func):
    app.extensions.setdefault(STEP_LINKS, []).append(func)


def _case_panels(case, user):
    panels = (func(case, user) for func in current_app.extensions.get(CASE_PANELS, []))
    return [p for p in panels if p]


def _step_links(step):
    return [link for func in current_app.extensions.get(STEP_LINKS, []) for link in func(step, current_user)]


def _action_form(case):
    form = forms.ActionForm(formdata=None, data={"place": case.place,
                                                 "certificate_shown_ids": [co.officer_id for co in case.officers]})
    form.certificate_shown_ids.choices = [(co.officer_id, co.officer.name) for co in case.officers]
    return form


def render_case(case, status=200, *, draft_form=None, refused=None, action_form=None, flags_form=None,
                extend_form=None, party_form=None, errors=None):
    from cases import privacy

    if privacy.disclose_case(case, current_user):  # the handling officers, head and reviewer: logged view
        db.session.commit()
    today = today_china()
    actions = services.allowed_actions(case, current_user, on=today)
    flat = [(t, [p for ps in problems.values() for p in ps]) for t, problems in actions]
    major, major_reasons = guards.is_major(case)
    return render_template(
        "cases/detail.html", case=case, today=today, actions=flat, refused=refused or {},
        action_form=action_form or _action_form(case), action_fields=forms.ACTION_FIELDS,
        correction_form=forms.CorrectionCheckForm(formdata=None),
        draft_form=draft_form or _draft_form(case), flags_form=flags_form or forms.FlagsForm(
            formdata=None, data={"marked_major": case.marked_major, "is_complex": case.is_complex}),
        extend_form=extend_form or forms.ExtendForm(formdata=None),
        party_form=party_form or forms.PartyForm(formdata=None), errors=errors or {},
        empty_form=EmptyForm(formdata=None), justify_form=forms.JustifyForm(formdata=None),
        officers=officer_rows([co.officer for co in case.officers], case, today),
        can_edit=permissions.can_edit_case(current_user, case),
        can_head=permissions.can_head_approve(current_user, case),
        can_record_steps=permissions.can_edit_case(current_user, case)
        and CaseStatus(case.status) in workflow.STEP_STATUSES,
        can_edit_draft=permissions.can_edit_case(current_user, case)
        and CaseStatus(case.status) in workflow.DRAFT_STATUSES,
        major=major, major_reasons=major_reasons, recording_problems=guards.recording_problems,
        hearing_right=guards.hearing_right(case) if case.draft else False,
        panels=_case_panels(case, current_user), step_links=_step_links,
    ), status


@bp.route("/cases/<int:case_id>")
@require_roles(*CASE_ROLES)
def detail(case_id):
    return render_case(load_case(case_id))


@bp.route("/cases/<int:case_id>/actions/<action>", methods=["POST"])
@require_roles(*CASE_ROLES)
def act(case_id, action):
    case = load_case(case_id)
    if action not in workflow.actions():
        abort(404)
    form = forms.ActionForm()
    form.certificate_shown_ids.choices = [(co.officer_id, co.officer.name) for co in case.officers]
    if not form.validate():
        return render_case(case, 422, action_form=form,
                           refused={action: [e for es in form.errors.values() for e in es]})
    label = workflow.ACTION_LABELS[action]
    try:
        services.apply_action(case, action, actor=current_user, data=form.data_for(action))
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        case = load_case(case_id)
        return render_case(case, err.status, action_form=form, refused={action: _problems(err)})
    flash(f"已{label}：案件现为“{case.status_label}”", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/draft", methods=["POST"])
@require_roles(*CASE_ROLES)
def save_draft(case_id):
    case = load_case(case_id)
    form = _draft_form(case, formdata=request.form)
    if not form.validate():
        return render_case(case, 422, draft_form=form)
    try:
        services.save_draft(case, form.data_for_service(), actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        case = load_case(case_id)
        form = _draft_form(case, formdata=request.form)
        form.validate()
        for name, messages in _field_errors(err).items():
            if hasattr(form, name):
                getattr(form, name).errors = list(getattr(form, name).errors) + list(messages)
        return render_case(case, err.status, draft_form=form)
    flash("处罚决定草案已保存", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="draft"))


@bp.route("/cases/<int:case_id>/parties", methods=["POST"])
@require_roles(*CASE_ROLES)
def add_party(case_id):
    case = load_case(case_id)
    form = forms.PartyForm()
    if not form.validate():
        return render_case(case, 422, party_form=form)
    try:
        services.add_party(case, {k: v for k, v in form.data.items() if k != "csrf_token"}, actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        case = load_case(case_id)
        return render_case(case, err.status, party_form=form, errors={"party": _field_errors(err)})
    flash("已登记当事人", "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="parties"))


@bp.route("/cases/<int:case_id>/flags", methods=["POST"])
@require_roles(Role.head)
def set_flags(case_id):
    case = load_case(case_id)
    form = forms.FlagsForm()
    if not form.validate():
        return render_case(case, 422, flags_form=form)
    try:
        services.set_case_flags(case, actor=current_user, marked_major=form.marked_major.data,
                                is_complex=form.is_complex.data)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        return render_case(load_case(case_id), err.status, flags_form=form)
    flash("已保存案件认定", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/extend", methods=["POST"])
@require_roles(Role.head)
def extend(case_id):
    case = load_case(case_id)
    form = forms.ExtendForm()
    if not form.validate():
        return render_case(case, 422, extend_form=form)
    try:
        services.extend_decision_deadline(case, days=form.days.data, reason=form.reason.data, actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        form_errors = _field_errors(err)
        for name, messages in form_errors.items():
            if hasattr(form, name):
                getattr(form, name).errors = list(messages)
        return render_case(load_case(case_id), err.status, extend_form=form)
    flash(f"办案期限已延长{form.days.data}日", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/documents/<int:document_id>")
@require_roles(*CASE_ROLES)
def document(case_id, document_id):
    from app.storage import get_store

    case = load_case(case_id)
    doc = db.session.get(CaseDocument, document_id)
    if doc is None or doc.case_id != case.id:
        raise NotFound("文书不存在")
    store = get_store()
    store.stat(doc.storage_key)  # a missing object or an unreachable store fails here, before streaming starts
    from cases import privacy

    # The PDF carries the party's data unmasked: the download is an export of personal data (logged).
    privacy.log_export(case, current_user, what=f"下载文书 {doc.number or ''}{doc.title}")
    db.session.commit()
    chunks = store.open(doc.storage_key)
    filename = f"{doc.title}-{doc.number}.pdf"
    resp = Response(stream_with_context(chunks), mimetype="application/pdf")
    resp.headers["Content-Disposition"] = (f"attachment; filename=\"document-{doc.id}.pdf\"; "
                                           f"filename*=UTF-8''{quote(filename)}")
    resp.headers["Content-Length"] = str(doc.size)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- steps ------------------------------------------------------------------------------------------------

def _step_form_choices(form, case):
    from app.officers.models import Officer

    rows = officer_rows([co.officer for co in case.officers], case)
    form.officer_ids.choices = [(r["officer"].id, _officer_label(r)) for r in rows]
    form.shown_ids.choices = [(r["officer"].id, f"{r['officer'].name}已出示执法证件") for r in rows]
    on_case = {co.officer_id for co in case.officers}
    others = db.session.scalars(select(Officer).where(Officer.agency_id == case.agency_id,
                                                      Officer.id.not_in(on_case)).order_by(Officer.id)).all()
    form.host_officer_id.choices = [("", "—")] + [(str(o.id), o.name) for o in others]
    return rows


@bp.route("/cases/<int:case_id>/steps/new", methods=["GET", "POST"])
@require_roles(Role.officer)
def new_step(case_id):
    case = load_case(case_id)
    if not permissions.can_edit_case(current_user, case):
        raise PermissionDenied("只有本案承办执法人员可以记录执法环节")
    form = forms.StepForm()
    if request.method == "GET":
        form.kind.data = request.args.get("kind") or "inspection"
        form.started_at.data = datetime.now(CHINA).replace(second=0, microsecond=0, tzinfo=None)
        form.place.data = case.place
        form.officer_ids.data = [co.officer_id for co in case.officers]
        form.shown_ids.data = [co.officer_id for co in case.officers]
    _step_form_choices(form, case)
    status, errors, problems = 200, {}, []
    if form.validate_on_submit():
        try:
            step = services.record_step(case, form.data_for_service(), actor=current_user)
            db.session.commit()
        except DomainError as err:
            _refuse(err)
            case = load_case(case_id)
            _step_form_choices(form, case)
            status, errors = err.status, _field_errors(err)
            problems = _problems(err) if not errors else []
        else:
            flash(f"已记录“{step.label}”", "success")
            return redirect(url_for("cases.detail", case_id=case.id, _anchor=f"step-{step.id}"))
    elif request.method == "POST":
        status = 422
    return render_template("cases/step_form.html", case=case, form=form, errors=errors, problems=problems,
                           av_kinds=sorted(k.value for k in (guards.AV_ALWAYS | guards.AV_DEFAULT))), status


def _step_action(case_id, step_id, func, success):
    case = load_case(case_id)
    step = services.get_step(case, step_id)
    form = forms.JustifyForm() if func is services.justify_missing_av else EmptyForm()
    if not form.validate():
        return render_case(case, 422, refused={f"step-{step.id}": [e for es in form.errors.values() for e in es]})
    try:
        if func is services.justify_missing_av:
            func(step, form.text.data, actor=current_user)
        else:
            func(step, actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        case = load_case(case_id)
        return render_case(case, err.status, refused={f"step-{step_id}": _problems(err)})
    flash(success, "success")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor=f"step-{step.id}"))


@bp.route("/cases/<int:case_id>/steps/<int:step_id>/complete", methods=["POST"])
@require_roles(*CASE_ROLES)
def complete_step(case_id, step_id):
    return _step_action(case_id, step_id, services.complete_step, "执法环节已完成")


@bp.route("/cases/<int:case_id>/steps/<int:step_id>/justify", methods=["POST"])
@require_roles(*CASE_ROLES)
def justify_step(case_id, step_id):
    return _step_action(case_id, step_id, services.justify_missing_av, "书面说明已提交，待机关负责人批准")


@bp.route("/cases/<int:case_id>/steps/<int:step_id>/approve-av", methods=["POST"])
@require_roles(*CASE_ROLES)
def approve_av(case_id, step_id):
    return _step_action(case_id, step_id, services.approve_av_justification, "已批准书面说明")


# --- deadlines --------------------------------------------------------------------------------------------

@bp.route("/deadlines")
@require_roles(*DEADLINE_ROLES)
def deadlines():
    today = today_china()
    rows = _deadlines_for(current_user, today)
    overdue = [d for d in rows if d.due_on < today]
    soon = [d for d in rows if d.due_on >= today]
    return render_template("cases/deadlines.html", overdue=overdue, soon=soon, today=today, days=warn_days())


def home_panel(user):
    """The user's overdue and due-soon deadlines; for heads, the cases waiting for them."""
    if not has_role(user, *DEADLINE_ROLES):
        return None
    today = today_china()
    mine = has_role(user, Role.officer) and not has_role(user, Role.head, Role.supervisor)
    deadlines_ = _deadlines_for(user, today, mine=mine, limit=10)
    waiting, av_waiting = [], []
    if has_role(user, Role.head) and user.agency_id:
        waiting = db.session.scalars(
            select(Case).where(Case.agency_id == user.agency_id, Case.status.in_(
                [CaseStatus.pending_filing.value, CaseStatus.notified.value, CaseStatus.heard.value,
                 CaseStatus.executed.value])).order_by(Case.updated_at).limit(20)).all()
        from cases.models import CaseStep

        av_waiting = db.session.scalars(
            select(CaseStep).join(Case, Case.id == CaseStep.case_id)
            .where(Case.agency_id == user.agency_id, CaseStep.av_justification.is_not(None),
                   CaseStep.av_justification_approved_by_id.is_(None), CaseStep.completed_at.is_(None))
            .limit(20)).all()
    return {"title": "办案期限与待办", "template": "cases/_home_panel.html", "deadlines": deadlines_,
            "waiting": waiting, "av_waiting": av_waiting, "today": today, "mine": mine}


# --- the power list ---------------------------------------------------------------------------------------

def _managed_agencies():
    if has_role(current_user, Role.admin) and current_user.agency_id is None:
        return db.session.scalars(select(Agency).order_by(Agency.id)).all()
    if current_user.agency_id and permissions.can_manage_power_list(current_user, current_user.agency_id):
        return [current_user.agency]
    return []


def _chosen_agency(form):
    agencies = _managed_agencies()
    if not agencies:
        raise PermissionDenied("只有本机关负责人或系统管理员可以维护权责清单")
    form.agency_id.choices = [(a.id, a.name) for a in agencies]
    if len(agencies) == 1:
        form.agency_id.data = agencies[0].id
    return {a.id: a for a in agencies}


@bp.route("/matters")
@require_login
def matters(status=200):
    rows = db.session.scalars(queries.visible_matters(current_user)).all()
    return render_template("cases/matters.html", matters=rows, publish_form=forms.PublishForm(formdata=None),
                           today=today_china(), format_tiers=sheets.format_tiers,
                           format_major=sheets.format_major, can_manage=bool(_managed_agencies())), status


def _matter_fields(form):
    major = {}
    if form.major_fine.data is not None:
        major["fine_at_least"] = int(form.major_fine.data)
    if form.major_penalties.data:
        major["penalties"] = list(form.major_penalties.data)
    if (form.major_note.data or "").strip():
        major["note"] = form.major_note.data.strip()
    return {"name": form.name.data, "category": (form.category.data or "").strip(),
            "legal_basis": form.legal_basis.data, "penalty_basis": form.penalty_basis.data,
            "tiers": sheets.parse_tiers(form.tiers.data), "procedures": list(form.procedures.data or []),
            "av_steps": list(form.av_steps.data or []), "major_criteria": major}


def _save_matter(form, save):
    """Parse the form, call the service; returns (version or None, status, field errors)."""
    try:
        fields = _matter_fields(form)
    except ValueError as err:
        form.tiers.errors = list(form.tiers.errors) + [str(err)]
        return None, 422, {}
    try:
        version = save(fields)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        return None, err.status, _field_errors(err)
    return version, 200, {}


@bp.route("/matters/new", methods=["GET", "POST"])
@require_login
def new_matter():
    form = forms.MatterForm()
    agencies = _chosen_agency(form)
    status, errors = 200, {}
    if form.validate_on_submit():
        agency = agencies.get(form.agency_id.data)
        if agency is None:
            raise PermissionDenied("只能维护本机关的权责清单")
        version, status, errors = _save_matter(form, lambda f: services.create_matter(
            agency=agency, code=form.code.data, actor=current_user, **f))
        if version is not None:
            flash(f"已新增执法事项“{version.name}”（未公开；公开后方可据以立案）", "success")
            return redirect(url_for("cases.matters", _anchor=f"matter-{version.matter_id}"))
    elif request.method == "POST":
        status = 422
    return render_template("cases/matter_form.html", form=form, errors=errors, matter=None), status


@bp.route("/matters/<int:matter_id>/revise", methods=["GET", "POST"])
@require_login
def revise_matter(matter_id):
    matter = db.session.get(Matter, matter_id)
    if matter is None or not permissions.can_manage_power_list(current_user, matter.agency_id):
        raise NotFound("执法事项不存在")
    base = matter.versions[-1]
    form = forms.MatterForm(data=None if request.method == "POST" else {
        "code": matter.code, "name": base.name, "category": base.category, "legal_basis": base.legal_basis,
        "penalty_basis": base.penalty_basis, "tiers": sheets.format_tiers(base.tiers),
        "procedures": base.procedures, "av_steps": base.av_steps,
        "major_fine": (base.major_criteria or {}).get("fine_at_least"),
        "major_penalties": (base.major_criteria or {}).get("penalties") or [],
        "major_note": (base.major_criteria or {}).get("note") or ""})
    form.agency_id.choices = [(matter.agency_id, matter.agency.name)]
    form.agency_id.data = matter.agency_id
    status, errors = 200, {}
    if form.validate_on_submit():
        version, status, errors = _save_matter(form, lambda f: services.revise_matter(
            matter, actor=current_user, **f))
        if version is not None:
            flash(f"已保存“{version.name}”第{version.version}版（未公开）", "success")
            return redirect(url_for("cases.matters", _anchor=f"matter-{matter.id}"))
    elif request.method == "POST":
        status = 422
    return render_template("cases/matter_form.html", form=form, errors=errors, matter=matter), status


@bp.route("/matters/versions/<int:version_id>/publish", methods=["POST"])
@require_login
def publish_matter(version_id):
    version = db.session.get(MatterVersion, version_id)
    if version is None or not permissions.can_manage_power_list(current_user, version.matter.agency_id):
        raise NotFound("执法事项不存在")
    form = forms.PublishForm()
    if not form.validate():
        flash("；".join(e for es in form.errors.values() for e in es), "error")
        return matters(status=422)
    try:
        services.publish_matter(version, on=form.published_on.data, actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        return matters(status=err.status)
    flash(f"“{version.name}”第{version.version}版已于{version.published_on.isoformat()}事前公开", "success")
    return redirect(url_for("cases.matters", _anchor=f"matter-{version.matter_id}"))


@bp.route("/matters/import", methods=["GET", "POST"])
@require_login
def import_matters():
    form = forms.ImportForm()
    agencies = _chosen_agency(form)
    status, rows, created = 200, [], []
    if form.validate_on_submit():
        upload = form.file.data
        agency = agencies.get(form.agency_id.data)
        if agency is None:
            raise PermissionDenied("只能维护本机关的权责清单")
        if not upload or not getattr(upload, "filename", ""):
            form.file.errors = ["请选择要导入的 .xlsx 文件"]
            status = 422
        else:
            try:
                created = sheets.import_matters(agency, upload.read(), actor=current_user,
                                                publish_on=form.publish_on.data)
                db.session.commit()
            except DomainError as err:
                _refuse(err)
                status = err.status
                rows = (err.details or {}).get("rows") or []
                form.file.errors = [m for ms in _field_errors(err).values() for m in ms]
                created = []
            else:
                flash(f"已导入{len(created)}个执法事项", "success")
    elif request.method == "POST":
        status = 422
    return render_template("cases/import.html", form=form, rows=rows, created=created,
                           columns=sheets.COLUMNS, example=sheets.EXAMPLE_ROW), status


@bp.route("/matters/template.xlsx")
@require_login
def matters_template():
    return Response(sheets.template_workbook(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=\"power-list-template.xlsx\"; "
                                                    f"filename*=UTF-8''{quote('权责清单导入模板.xlsx')}"})


def init_app(app):
    from app.web.views import add_home_panel, add_nav_item

    app.register_blueprint(bp)
    app.jinja_env.globals["case_page_url"] = page_url
    add_nav_item(app, "案件", "cases.index", can_open_cases)
    add_nav_item(app, "权责清单", "cases.matters", can_open_power_list)
    add_nav_item(app, "期限预警", "cases.deadlines", can_open_deadlines)
    add_home_panel(app, home_panel)
