"""Case page of the execution phase (SPEC §11): the panel with what is owed, and the forms for payments,
deferral/instalment applications, the head's decision on them and the party's statement on a 催告.
The transitions (催告, 申请强制执行, 中止/恢复/终结执行) are the case page's action buttons like every other."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from flask import flash, redirect, url_for
from flask_login import current_user

from app.auth.permissions import require_roles
from app.errors import DomainError, InvalidInput, PermissionDenied
from app.extensions import db
from cases import forms, permissions, services, workflow
from cases.models import CaseStatus
from cases.queries import execution_state
from cases.views import CASE_ROLES, bp, load_case, render_case


def panel_context(case, user):
    """For cases/_execution.html, included by the case page once a decision has been served."""
    if not case.served_on or not case.fine_amount:
        return None
    in_phase = CaseStatus(case.status) in workflow.EXECUTION_STATUSES
    officer = permissions.can_edit_case(user, case)
    return {"state": execution_state(case),
            "payment_form": forms.PaymentForm(formdata=None) if in_phase and officer else None,
            "plan_form": forms.PlanForm(formdata=None)
            if officer and CaseStatus(case.status) in (CaseStatus.served, CaseStatus.reminded) else None,
            "decision_form": forms.PlanDecisionForm(formdata=None)
            if permissions.can_head_approve(user, case) else None,
            "statement_form": forms.StatementForm(formdata=None)
            if officer and CaseStatus(case.status) == CaseStatus.reminded else None}


def _run(case_id, func, success, allowed=permissions.can_edit_case):
    case = load_case(case_id)
    try:
        if not allowed(current_user, case):  # refuse before reading the form: the same answer whatever was sent
            raise PermissionDenied("此项须由本案承办执法人员登记" if allowed is permissions.can_edit_case
                                   else "暂缓或者分期缴纳罚款须经行政机关负责人批准（行政处罚法第六十六条）")
        func(case)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_case(load_case(case_id), err.status, errors=(err.details or {}).get("fields") or {})
    flash(success, "success")
    return redirect(url_for("cases.detail", case_id=case_id) + "#execution")


def _form_or_422(form):
    if not form.validate():
        raise InvalidInput("；".join(e for es in form.errors.values() for e in es),
                           details={"fields": dict(form.errors)})


@bp.route("/cases/<int:case_id>/payments", methods=["POST"])
@require_roles(*CASE_ROLES)
def record_payment(case_id):
    form = forms.PaymentForm()

    def do(case):
        _form_or_422(form)
        services.record_payment(case, {"amount": str(form.amount.data), "paid_on": form.paid_on.data,
                                       "method": form.method.data, "receipt_number": form.receipt_number.data},
                                actor=current_user)

    return _run(case_id, do, "已登记缴款")


def _instalments(text):
    rows = []
    for i, line in enumerate((text or "").splitlines(), 1):
        parts = line.replace("，", " ").replace(",", " ").split()
        if not parts:
            continue
        try:
            rows.append({"due_on": date.fromisoformat(parts[0]).isoformat(), "amount": str(Decimal(parts[1]))})
        except (ValueError, IndexError, InvalidOperation):
            raise InvalidInput(f"分期第{i}行应为“日期 金额”，如 2026-01-15 500",
                               details={"fields": {"instalments": [f"第{i}行格式有误"]}}) from None
    return rows


@bp.route("/cases/<int:case_id>/payment-plans", methods=["POST"])
@require_roles(*CASE_ROLES)
def apply_for_plan(case_id):
    form = forms.PlanForm()

    def do(case):
        _form_or_422(form)
        services.apply_for_plan(case, {"kind": form.kind.data, "reason": form.reason.data,
                                       "applied_on": form.applied_on.data, "deferred_until": form.deferred_until.data,
                                       "instalments": _instalments(form.instalments.data)}, actor=current_user)

    return _run(case_id, do, "已登记暂缓（分期）缴纳申请，待机关负责人审批")


@bp.route("/cases/<int:case_id>/payment-plans/<int:plan_id>/decision", methods=["POST"])
@require_roles(*CASE_ROLES)
def decide_plan(case_id, plan_id):
    form = forms.PlanDecisionForm()

    def do(case):
        plan = services.get_plan(case, plan_id)
        _form_or_422(form)
        services.decide_plan(case, plan, approve=form.approve.data == "1",
                             note=form.note.data or "", actor=current_user)

    return _run(case_id, do, "已审批暂缓（分期）缴纳申请", allowed=permissions.can_head_approve)


@bp.route("/cases/<int:case_id>/reminder-statements", methods=["POST"])
@require_roles(*CASE_ROLES)
def record_statement(case_id):
    form = forms.StatementForm()

    def do(case):
        _form_or_422(form)
        services.record_reminder_statement(case, {"statement": form.statement.data, "adopted": form.adopted.data,
                                                  "handling": form.handling.data, "stated_on": form.stated_on.data},
                                           actor=current_user)

    return _run(case_id, do, "已记录当事人的陈述、申辩")


def init_app(app):
    app.jinja_env.globals["execution_panel"] = panel_context
