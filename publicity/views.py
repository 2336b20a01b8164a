"""Staff pages for publications (/publicity): the list with alerts, the redacted preview the officer adjusts,
and the head's approval, non-publication and withdrawal. Every write calls `publicity.services`; a refusal
(e.g. personal data remains) is rendered by the error handler with the service's status and reasons.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.permissions import require_login
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.timeutil import today_china
from app import redaction
from publicity import permissions, queries, services
from publicity.models import GROUND_LABELS, STATUS_LABELS, WITHDRAWAL_LABELS

bp = Blueprint("publicity", __name__, url_prefix="/publicity", template_folder="templates")


def _get(pub_id):
    pub = services.get_publication(pub_id)
    if not permissions.can_view_publication(current_user, pub):
        raise NotFound("公开记录不存在")
    return pub


@bp.get("/")
@require_login
def index():
    status = request.args.get("status") or None
    rows = db.session.scalars(queries.visible_publications(current_user, status=status).limit(200)).all()
    alerts = queries.visible_publicity_alerts(current_user, today_china())
    from app.auth.models import Role
    from app.auth.permissions import has_role

    return render_template("publicity/index.html", rows=rows, alerts=alerts, status=status,
                           STATUS_LABELS={s.value: l for s, l in STATUS_LABELS.items()},
                           may_publish_report=has_role(current_user, Role.supervisor),
                           last_year=today_china().year - 1)


@bp.post("/annual-reports")
@require_login
def publish_annual_report():
    """The supervisor publishes a past year's statistics report (never an anonymous download, SEC-12)."""
    reports = services.publish_annual_report(request.form.get("year"), actor=current_user)
    db.session.commit()
    flash(f"{reports[0].year}年度统计年报已发布（PDF 与 Excel，已记入存证账本 #{reports[0].ledger_seq}）", "success")
    return redirect(url_for(".index"))


@bp.get("/<int:pub_id>")
@require_login
def detail(pub_id):
    pub = _get(pub_id)
    content = services.build_content(pub.case, pub.edits) if pub.case is not None else None
    findings = services.residual(pub)
    return render_template("publicity/detail.html", pub=pub, content=content, findings=findings,
                           labels=services.CONTENT_FIELDS, perm=permissions, user=current_user,
                           GROUND_LABELS={g.value: l for g, l in GROUND_LABELS.items()},
                           WITHDRAWAL_LABELS={r.value: l for r, l in WITHDRAWAL_LABELS.items()},
                           KIND_LABELS=redaction.LABELS)


def _done(pub, message):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", pub_id=pub.id))


@bp.post("/<int:pub_id>/edits")
@require_login
def save_edits(pub_id):
    pub = _get(pub_id)
    terms = [t for t in (request.form.get("extra_terms") or "").replace("，", "\n").replace(",", "\n").splitlines()]
    fields = {name: request.form.get(f"field_{name}", "") for name in services.CONTENT_FIELDS
              if f"field_{name}" in request.form}
    services.save_edits(pub, actor=current_user, extra_terms=terms, fields=fields)
    return _done(pub, "已保存遮蔽调整")


@bp.post("/<int:pub_id>/submit")
@require_login
def submit(pub_id):
    pub = _get(pub_id)
    services.submit(pub, actor=current_user)
    return _done(pub, "已提交机关负责人审批")


@bp.post("/<int:pub_id>/approve")
@require_login
def approve(pub_id):
    pub = _get(pub_id)
    services.approve(pub, actor=current_user)
    return _done(pub, "已批准并公开")


@bp.post("/<int:pub_id>/decline")
@require_login
def decline(pub_id):
    pub = _get(pub_id)
    services.decline(pub, ground=request.form.get("ground", ""), note=request.form.get("note", ""),
                     actor=current_user)
    return _done(pub, "已决定不予公开，并报执法监督机构备案")


def _date(name):
    value = (request.form.get(name) or "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise InvalidInput("日期格式无效", details={"fields": {name: ["日期格式无效"]}}) from None


@bp.post("/<int:pub_id>/withdrawal")
@require_login
def request_withdrawal(pub_id):
    pub = _get(pub_id)
    services.request_withdrawal(pub, reason=request.form.get("reason", ""), note=request.form.get("note", ""),
                                event_on=_date("event_on"), actor=current_user)
    return _done(pub, f"已登记，应于{pub.withdrawal_due_on:%Y-%m-%d}前撤下")


@bp.post("/<int:pub_id>/withdraw")
@require_login
def withdraw(pub_id):
    pub = _get(pub_id)
    if pub.withdrawal_reason:
        services.withdraw(pub, actor=current_user)
    else:
        services.withdraw(pub, actor=current_user, reason=request.form.get("reason", ""),
                          note=request.form.get("note", ""), event_on=_date("event_on"))
    return _done(pub, "已撤下，撤下理由已公开")


def alerts_panel(user):
    """Home panel: overdue or nearly due publications and withdrawals (超期预警)."""
    if not permissions.can_view_publications(user):
        return None
    alerts = queries.visible_publicity_alerts(user, today_china())
    if not alerts:
        return None
    return {"title": "公开预警", "template": "publicity/_alerts_panel.html", "alerts": alerts}
