"""JSON API of the execution phase (SPEC §11) on the cases blueprint: the phase's state, payments,
deferral/instalment plans and their decision, the party's statement on a 催告. The transitions (催告,
申请强制执行, 中止/恢复/终结执行, 执行完毕) are POST /api/cases/<id>/actions/<action> like every other."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user

from app.errors import PermissionDenied
from cases import permissions, services
from cases.api import blp, load_case, secured, writing
from cases.execution_schemas import (ActSchema, ExecutionStateSchema, PaymentInSchema, PaymentSchema,
                                     PlanDecisionSchema, PlanInSchema, PlanSchema, StatementInSchema)
from cases.queries import execution_state


@blp.route("/<int:case_id>/execution")
class CaseExecution(MethodView):
    @secured(blp)
    @blp.response(200, ExecutionStateSchema)
    def get(self, case_id):
        """执行情况: the amounts owed today (fine, 加处罚款 day by day, capped), the schedule, payments,
        plans and acts, and the window for an application to the court."""
        return execution_state(load_case(case_id))


@blp.route("/<int:case_id>/payments")
class CasePayments(MethodView):
    @secured(blp)
    @blp.arguments(PaymentInSchema)
    @blp.response(201, PaymentSchema)
    def post(self, data, case_id):
        """登记缴款 (the case's officers): partial payments allowed; fine first, then the surcharge; a payment
        that settles everything moves the case to executed. More than is owed is refused."""
        case = load_case(case_id)
        with writing():
            payment = services.record_payment(case, data, actor=current_user)
        return payment


@blp.route("/<int:case_id>/payment-plans")
class CasePaymentPlans(MethodView):
    @secured(blp)
    @blp.arguments(PlanInSchema)
    @blp.response(201, PlanSchema)
    def post(self, data, case_id):
        """The party's application for 暂缓 (deferral) or 分期 (instalments) payment (APL Art 66)."""
        case = load_case(case_id)
        data = {**data, "instalments": [{"due_on": r["due_on"].isoformat(), "amount": str(r["amount"])}
                                        for r in data.get("instalments") or []]}
        with writing():
            plan = services.apply_for_plan(case, data, actor=current_user)
        return plan


@blp.route("/<int:case_id>/payment-plans/<int:plan_id>/decision")
class CasePaymentPlanDecision(MethodView):
    @secured(blp)
    @blp.arguments(PlanDecisionSchema)
    @blp.response(200, PlanSchema)
    def post(self, data, case_id, plan_id):
        """The head approves or refuses (with reasons); the decision is issued as a document."""
        case = load_case(case_id)
        if not permissions.can_head_approve(current_user, case):
            raise PermissionDenied("暂缓或者分期缴纳罚款须经行政机关负责人批准（行政处罚法第六十六条）")
        plan = services.get_plan(case, plan_id)
        with writing():
            services.decide_plan(case, plan, approve=data["approve"], note=data["note"], actor=current_user)
        return plan


@blp.route("/<int:case_id>/reminder-statements")
class CaseReminderStatements(MethodView):
    @secured(blp)
    @blp.arguments(StatementInSchema)
    @blp.response(201, ActSchema)
    def post(self, data, case_id):
        """The party's statement and defence on a 催告, whether adopted and why (AEL Art 36)."""
        case = load_case(case_id)
        with writing():
            act = services.record_reminder_statement(case, data, actor=current_user)
        return act


def init_app(app):
    """Routes are on the cases blueprint (imported before it is registered)."""
