"""HTML pages of legal review: the reviewers' queue, a review with its checklist and opinion, the
submission page of a case (linked from the case page), the catalogues and the supervisors' statistics.

Forms post to one handler per action; a refusal rolls back, flashes the reason and goes back to the page.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.permissions import require_login
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from cases import services as case_services
from cases.models import PENALTY_KINDS
from review import permissions, queries, services, workflow
from review.models import ITEM_KIND_LABELS, ItemKind

bp = Blueprint("review", __name__, url_prefix="/review", template_folder="templates")


@bp.app_context_processor
def review_helpers():
    return {"review_permissions": permissions, "review_clock": services.clock,
            "CHECKLIST": services.CHECKLIST, "CHECK_RESULTS": services.RESULTS}


def _refuse(err: DomainError):
    db.session.rollback()
    flash(err.message, "error")


def _load(submission_id):
    submission = services.get_submission(submission_id)
    services.ensure_can_view(current_user, submission)
    return submission


def _load_case(case_id):
    case = case_services.get_case(case_id)
    case_services.ensure_can_view(current_user, case)
    return case


def _lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@bp.route("/")
@require_login
def queue():
    if not permissions.can_view_queue(current_user):
        raise PermissionDenied("法制审核队列仅限法制审核人员、机关负责人和执法监督人员")
    today = today_china()
    rows = [(s, services.clock(s, today)) for s in queries.queue(current_user)]
    recent = list(db.session.scalars(queries.visible_submissions(current_user).limit(30)))
    recent = [s for s in recent if s.status not in {x.value for x in workflow.OPEN}]
    return render_template("review/queue.html", rows=rows, recent=recent, form=EmptyForm())


@bp.route("/<int:submission_id>")
@require_login
def detail(submission_id):
    submission = _load(submission_id)
    today = today_china()
    return render_template("review/detail.html", s=submission, case=submission.case,
                           clock=services.clock(submission, today), state=services.checklist_state(submission),
                           auto=services.auto_checks(submission.case, today),
                           problems=permissions.reviewer_problems(current_user, submission.case, today),
                           penalty_labels=PENALTY_KINDS, form=EmptyForm())


ACTIONS = {
    "take": lambda s, f: services.take_review(s, actor=current_user,
                                              declare_no_conflict=f.get("declare_no_conflict") == "y"),
    "return_incomplete": lambda s, f: services.return_incomplete(s, missing=_lines(f.get("missing")),
                                                                 note=f.get("note", ""), actor=current_user),
    "request_supplement": lambda s, f: services.request_supplement(s, items=_lines(f.get("items")),
                                                                   note=f.get("note", ""), actor=current_user),
    "receive_supplement": lambda s, f: services.receive_supplement(s, reply=f.get("reply", ""),
                                                                   actor=current_user),
    "extend": lambda s, f: services.extend_time_limit(s, reason=f.get("reason", ""),
                                                      working_days=f.get("working_days") or None,
                                                      actor=current_user),
    "checklist": lambda s, f: services.record_checklist(s, f.get("item"), f.get("result"), f.get("note", ""),
                                                        actor=current_user),
    "approve": lambda s, f: services.approve(s, opinion=f.get("opinion", ""), actor=current_user),
    "return": lambda s, f: services.return_for_correction(s, opinion=f.get("opinion", ""), actor=current_user),
}
DONE = {"take": "已领取审核", "return_incomplete": "已退回（材料不全）", "request_supplement": "已要求补充材料，审核计时暂停",
        "receive_supplement": "已提交补充材料，审核计时继续", "extend": "已延长审核期限", "checklist": "已记录审核事项",
        "approve": "审核通过，已出具法制审核意见书", "return": "已退回修改，已出具法制审核意见书"}


@bp.route("/<int:submission_id>/<action>", methods=["POST"])
@require_login
def act(submission_id, action):
    if action not in ACTIONS:
        abort(404)
    submission = _load(submission_id)
    form = EmptyForm()
    if not form.validate():
        flash("页面已过期，请刷新后重试", "error")
        return redirect(url_for("review.detail", submission_id=submission.id))
    try:
        ACTIONS[action](submission, request.form)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
    else:
        flash(DONE[action], "success")
    return redirect(url_for("review.detail", submission_id=submission_id))


@bp.route("/<int:submission_id>/opinion.pdf")
@require_login
def opinion_pdf(submission_id):
    submission = _load(submission_id)
    if submission.opinion is None:
        raise NotFound("尚未出具法制审核意见书")
    return Response(services.opinion_bytes(submission.opinion), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=review-opinion-{submission.id}.pdf"})


@bp.route("/cases/<int:case_id>/submit", methods=["GET", "POST"])
@require_login
def submit(case_id):
    """送审 page of a case: whether it is major and why, earlier rounds, and the package form."""
    case = _load_case(case_id)
    status = 200
    if request.method == "POST":
        form = EmptyForm()
        if not form.validate():
            flash("页面已过期，请刷新后重试", "error")
            return redirect(url_for("review.submit", case_id=case.id))
        package = {"investigation_report": request.form.get("investigation_report"),
                   "evidence_list": _lines(request.form.get("evidence_list")),
                   "legal_basis": request.form.get("legal_basis"),
                   "hearing_report": request.form.get("hearing_report"), "notes": request.form.get("notes", "")}
        try:
            submission = services.submit_for_review(case, {k: v for k, v in package.items() if v},
                                                    actor=current_user)
            db.session.commit()
        except DomainError as err:
            _refuse(err)
            status = err.status
            case = _load_case(case_id)
        else:
            flash(f"已提交法制审核（第{submission.round}次），审核期限至{submission.due_on.isoformat()}", "success")
            return redirect(url_for("review.detail", submission_id=submission.id))
    major, reasons = services.evaluate_major(case)
    check = services.check_package(case, {})
    return render_template("review/submit.html", case=case, major=major, reasons=reasons, check=check,
                           submissions=services.submissions_of(case), approval=services.valid_approval(case),
                           can_submit=permissions.can_submit(current_user, case), form=EmptyForm()), status


@bp.route("/cases/<int:case_id>/conflict", methods=["POST"])
@require_login
def conflict(case_id):
    case = _load_case(case_id)
    form = EmptyForm()
    if form.validate():
        try:
            services.declare_conflict(case, actor=current_user, has_conflict=True, note=request.form.get("note", ""))
            db.session.commit()
        except DomainError as err:
            _refuse(err)
        else:
            flash("已声明回避：您不再审核本案", "success")
    return redirect(url_for("review.submit", case_id=case.id))


@bp.route("/catalogues")
@require_login
def catalogues():
    return render_template("review/catalogues.html", catalogues=queries.visible_catalogues(current_user),
                           ITEM_KIND_LABELS=ITEM_KIND_LABELS, ItemKind=ItemKind)


@bp.route("/stats")
@require_login
def stats():
    if not permissions.can_view_stats(current_user):
        raise PermissionDenied("法制审核统计仅限执法监督人员和机关负责人")
    rows = services.stats(queries.visible_agencies(current_user), today_china())
    return render_template("review/stats.html", rows=rows)


def queue_panel(user):
    """Home panel: the reviews waiting for this reviewer (or the agency's queue for a head), with days left."""
    if not permissions.can_view_queue(user):
        return None
    today = today_china()
    rows = [(s, services.clock(s, today)) for s in queries.queue(user)]
    if permissions.has_role(user, permissions.Role.reviewer):
        rows = [(s, c) for s, c in rows if s.reviewer_id in (None, user.id)]
    return {"title": "法制审核", "template": "review/_queue_panel.html", "rows": rows[:10], "total": len(rows)}


def case_panel(case, user):
    """The legal-review panel on the case page: is the case major, where its review stands, and links."""
    from cases.permissions import can_view_case

    from review import services
    from review.permissions import can_submit, can_view_submission

    if not can_view_case(user, case) or not case.draft:
        return None
    major, reasons = services.evaluate_major(case)
    latest = services.submissions_of(case)
    lines = [("重大执法决定：" + "；".join(reasons)) if major else "本案目前不属于重大执法决定，无需法制审核"]
    links = []
    if latest:
        last = latest[-1]
        lines.append(f"最近一次送审：{last.status_label}")
        if services.valid_approval(case) is None and last.state.value == "approved":
            lines.append("法制审核通过后处罚决定草案已被修改，须重新送审")
        if can_view_submission(user, last):
            links.append(("查看法制审核", url_for("review.detail", submission_id=last.id)))
    if major and can_submit(user, case) and services.open_submission(case) is None \
            and services.valid_approval(case) is None:
        links.append(("提交法制审核", url_for("review.submit", case_id=case.id)))
    return {"title": "法制审核", "lines": lines, "links": links}
