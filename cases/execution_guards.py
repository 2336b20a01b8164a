"""Guards of the execution phase (SPEC §11; APL Art 66–73, AEL Art 35–54). Registered in cases.guards.GUARDS
on import (cases.init_app imports this module); each problem names its legal source."""
from __future__ import annotations

from app import calendar
from cases import remedy_periods
from cases.guards import guard, officers_guard
from cases.models import CaseStatus


def _execution():
    from cases.services import execution

    return execution


def voided_problem(case, what: str) -> str | None:
    """No further execution of a decision a reconsideration or court revoked or found invalid."""
    act = _execution().voided_by(case)
    if act is None:
        return None
    label = _execution().VOIDING_OUTCOMES.get(act.data.get("outcome"), "撤销")
    return (f"据以执行的行政处罚决定已于{act.on.isoformat()}被{label}，不得再{what}；应当终结执行，已收缴的罚没款项"
            f"依法退还（行政强制法第四十条第四项）")


@guard("execution")
def execution_guard(ctx):
    """执行完毕: nothing owed any more (a final payment may come with the action and is checked there)."""
    ex = _execution()
    if not ex.fine_of(ctx.case) or ctx.data.get("paid_amount") not in (None, ""):
        return []
    s = ex.state(ctx.case, ctx.on)
    if s.outstanding > 0:
        return [f"尚欠罚款{s.fine_unpaid}元、加处罚款{s.surcharge_unpaid}元，不能登记执行完毕（行政处罚法第六十七条、"
                f"第七十二条）；请登记缴款，或者依法催告、申请人民法院强制执行、中止或者终结执行"]
    return []


@guard("reminder")
def reminder_guard(ctx):
    """催告 (AEL Art 35, 54): only once a sum is overdue and unpaid, never during an approved deferral or
    while the party's application for one awaits the head."""
    ex = _execution()
    case = ctx.case
    problems = []
    if not ex.fine_of(case):
        return ["本案处罚决定没有罚款，无需催告缴纳罚款"]
    if (voided := voided_problem(case, "催告")):
        return [voided]
    served = ctx.data.get("served_on") or ctx.on
    try:
        from cases.services.common import _date

        served = _date(served)
    except Exception as err:  # an unreadable date is reported by the effect's parser as well
        return [getattr(err, "message", "日期格式无效")]
    due = ex.next_due(case)
    s = ex.state(case, served)
    if s.outstanding <= 0:
        problems.append("当事人已履行全部缴纳义务，无需催告（行政强制法第三十五条）")
    elif due is not None and served <= due:
        problems.append(f"缴纳期限至{due.isoformat()}尚未届满，不能催告（行政强制法第三十五条、第五十四条："
                        f"当事人逾期不履行的，方可催告）")
    if ex.pending_plan(case) is not None:
        problems.append("当事人暂缓（分期）缴纳申请尚待审批，审批前不能催告（行政处罚法第六十六条）")
    if served < (case.served_on or served):
        problems.append("催告日期不能早于处罚决定书送达日期（行政强制法第三十五条）")
    return problems + officers_guard(ctx)


@guard("court_application")
def court_application_guard(ctx):
    """申请人民法院强制执行 (AEL Art 53–54, 69)."""
    ex = _execution()
    case, on = ctx.case, ctx.on
    problems = []
    if (voided := voided_problem(case, "申请人民法院强制执行")):
        return [voided]
    s = ex.state(case, on)
    if s.outstanding <= 0:
        problems.append("当事人已履行全部缴纳义务，无需申请强制执行（行政强制法第五十三条）")
    reminder = ex.last_reminder(case)
    if reminder is None:
        problems.append("申请人民法院强制执行前应当催告当事人履行义务（行政强制法第五十四条）")
    else:
        perform_by = calendar.add_working_days(reminder.on, int(ctx_setting("REMINDER_WORKING_DAYS", 10)))
        stored = reminder.data.get("perform_by")
        if stored:
            from datetime import date

            perform_by = max(perform_by, date.fromisoformat(stored))
        if on <= perform_by:
            problems.append(f"催告书于{reminder.on.isoformat()}送达，送达十日（行政强制法第六十九条：工作日）后即"
                            f"{perform_by.isoformat()}之后当事人仍未履行的，方可申请（行政强制法第五十四条）")
    pending = remedy_periods.pending(case, on)
    if pending:
        problems.append("当事人申请行政复议或者提起行政诉讼尚未审结，不能申请强制执行（行政强制法第五十三条）")
    else:
        start = remedy_periods.remedies_end(case)
        if start is None:
            problems.append("处罚决定尚未生效送达，不能申请强制执行（行政强制法第五十三条）")
        else:
            from dateutil.relativedelta import relativedelta

            last = start + relativedelta(months=int(ctx_setting("COURT_APPLICATION_MONTHS", 3)))
            if on <= start:
                problems.append(f"当事人申请行政复议、提起行政诉讼的期限至{start.isoformat()}届满，届满后方可申请"
                                f"人民法院强制执行（行政强制法第五十三条）")
            elif on > last:
                problems.append(f"申请期限已过：应当自复议、诉讼期限届满之日起三个月内（至{last.isoformat()}）申请"
                                f"（行政强制法第五十三条）")
    return problems


def ctx_setting(name, default):
    from cases.guards import setting

    return setting(name, default)


@guard("suspension_ground")
def suspension_guard(ctx):
    ex = _execution()
    problems = []
    if ctx.data.get("ground") not in ex.SUSPENSION_GROUNDS:
        problems.append("请选择中止执行的情形（行政强制法第三十九条）：" + "；".join(ex.SUSPENSION_GROUNDS.values()))
    if not (ctx.data.get("reason") or "").strip():
        problems.append("请写明中止执行的具体理由（行政强制法第三十九条）")
    return problems


@guard("termination_ground")
def termination_guard(ctx):
    ex = _execution()
    problems = []
    if ctx.data.get("ground") not in ex.TERMINATION_GROUNDS:
        problems.append("请选择终结执行的情形（行政强制法第四十条）：" + "；".join(ex.TERMINATION_GROUNDS.values()))
    if not (ctx.data.get("reason") or "").strip():
        problems.append("请写明终结执行的具体理由（行政强制法第四十条）")
    return problems


@guard("closing")
def closing_guard(ctx):
    """结案 only once executed, terminated or handed to the court (SPEC §11): the workflow table allows
    'close' from those three states only; here, nothing may be left unpaid without one of them."""
    case = ctx.case
    if case.procedure == "summary" and getattr(case, "summary_filed_on", None) is None:
        return ["当场作出的行政处罚决定须报所属行政机关备案后方可结案（行政处罚法第五十二条）"]
    if CaseStatus(case.status) == CaseStatus.executed:
        ex = _execution()
        if ex.fine_of(case) and ex.state(case, ctx.on).outstanding > 0:
            return ["尚有未缴清的罚款或者加处罚款，不能结案（行政处罚法第六十七条、第七十二条）"]
    return []
