"""HTML pages of case-file evaluation (案卷评查): rounds, the draw, the two evaluators' sheets, the results
and the 通报 bulletin (registered on the supervision blueprint)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.models import User
from app.auth.permissions import require_login
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.timeutil import today_china
from supervision import permissions
from supervision.services import evaluation
from supervision.views import LINKS, _refuse, bp, visible_agencies

LINKS.append(("案卷评查", "supervision.rounds"))


def _require_supervisor():
    if not permissions.is_supervisor(current_user):
        raise PermissionDenied("案卷评查仅限执法监督人员")


def _load(round_id):
    _require_supervisor()
    rnd = evaluation.get(round_id)
    evaluation.ensure_can_view(current_user, rnd)
    return rnd


@bp.route("/evaluations", methods=["GET", "POST"])
@require_login
def rounds():
    _require_supervisor()
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            rnd = evaluation.create_round(
                title=request.form.get("title"), period_from=request.form.get("period_from"),
                period_to=request.form.get("period_to"), agency_ids=request.form.getlist("agency_ids"),
                evaluator_ids=request.form.getlist("evaluator_ids"),
                sample_percent=request.form.get("sample_percent") or None,
                sample_min=request.form.get("sample_min") or None, actor=current_user)
            db.session.commit()
            return redirect(url_for("supervision.round_detail", round_id=rnd.id))
        except DomainError as err:
            _refuse(err)
    evaluators = [u for u in db.session.scalars(db.select(User).order_by(User.id)) if permissions.is_supervisor(u)]
    return render_template("supervision/rounds.html", rounds=evaluation.visible_rounds(current_user), form=form,
                           agencies=visible_agencies(current_user), evaluators=evaluators, today=today_china(),
                           percent=evaluation.setting("EVALUATION_SAMPLE_PERCENT"),
                           minimum=evaluation.setting("EVALUATION_SAMPLE_MIN"))


@bp.route("/evaluations/<int:round_id>")
@require_login
def round_detail(round_id):
    rnd = _load(round_id)
    results = [evaluation.file_result(f) for f in rnd.files]
    return render_template("supervision/round.html", rnd=rnd, results=results, form=EmptyForm(),
                           agencies=evaluation.agency_results(rnd) if rnd.files else [],
                           integrity={f.id: evaluation.integrity(f) for f in rnd.files})


@bp.route("/evaluations/<int:round_id>/<any(draw, publish):action>", methods=["POST"])
@require_login
def round_act(round_id, action):
    rnd = _load(round_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            (evaluation.draw if action == "draw" else evaluation.publish)(rnd, actor=current_user)
            db.session.commit()
            flash("已抽取评查案卷" if action == "draw" else "评查通报已发布", "success")
        except DomainError as err:
            _refuse(err)
    return redirect(url_for("supervision.round_detail", round_id=round_id))


@bp.route("/evaluations/<int:round_id>/bulletin.pdf")
@require_login
def round_bulletin(round_id):
    rnd = _load(round_id)
    return Response(evaluation.bulletin_pdf(rnd), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=evaluation-{rnd.id}-bulletin.pdf"})


@bp.route("/evaluations/<int:round_id>/files/<int:file_id>", methods=["GET", "POST"])
@require_login
def file_sheet(round_id, file_id):
    rnd = _load(round_id)
    f = evaluation.get_file(rnd, file_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            deductions = {i["code"]: request.form.get(f"deduct_{i['code']}") or 0 for i in rnd.sheet["items"]}
            evaluation.submit_sheet(f, deductions=deductions, auto_fail=request.form.getlist("auto_fail"),
                                    comment=request.form.get("comment", ""), actor=current_user)
            db.session.commit()
            flash("评查表已提交", "success")
            return redirect(url_for("supervision.round_detail", round_id=round_id))
        except DomainError as err:
            _refuse(err)
    mine = any(s.evaluator_id == current_user.id for s in f.sheets)
    return render_template("supervision/file_sheet.html", rnd=rnd, f=f, form=form, result=evaluation.file_result(f),
                           integrity=evaluation.integrity(f), mine=mine,
                           assigned=current_user.id in (f.evaluator1_id, f.evaluator2_id))
