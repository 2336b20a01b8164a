"""HTML for the records that follow a decision without moving the case: the 备案 of an on-the-spot decision
(APL Art 52) and the follow-up check of the order to correct (APL Art 28). Same services as the API and CLI;
a refusal re-renders the case page with the Chinese reason and its legal source."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.permissions import require_roles
from app.errors import DomainError
from app.extensions import db
from cases import forms, services
from cases.views import CASE_ROLES, _refuse, load_case, render_case

bp = Blueprint("cases_decision", __name__)


@bp.route("/cases/<int:case_id>/on-spot-filing", methods=["POST"])
@require_roles(*CASE_ROLES)
def on_spot_filing(case_id):
    case = load_case(case_id)
    if not EmptyForm().validate():
        return render_case(case, 422, refused={"on_spot_filing": ["表单已过期，请刷新后重试"]})
    try:
        services.file_on_spot_decision(case, actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        return render_case(load_case(case_id), err.status, refused={"on_spot_filing": [err.message]})
    flash(f"当场处罚决定已于{case.summary_filed_on.isoformat()}备案", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/correction-check", methods=["POST"])
@require_roles(*CASE_ROLES)
def correction_check(case_id):
    case = load_case(case_id)
    form = forms.CorrectionCheckForm()
    if not form.validate():
        return render_case(case, 422, refused={"correction_check": [e for es in form.errors.values() for e in es]})
    try:
        services.record_correction_check(case, checked_on=form.checked_on.data, corrected=form.corrected.data == "yes",
                                         result=form.result.data, actor=current_user)
        db.session.commit()
    except DomainError as err:
        _refuse(err)
        return render_case(load_case(case_id), err.status, refused={"correction_check": [err.message]})
    flash("已登记改正复查情况", "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def init_app(app):
    app.register_blueprint(bp)
