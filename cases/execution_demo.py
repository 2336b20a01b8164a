"""Demo cases in each state of the execution phase (SPEC §11), after the procedure's demo (order 30).

On-the-spot decisions (简易程序, two documents each) keep the demo fast; the execution phase is the same for
both procedures. Every act goes through the services with legal dates in the past, so the guards passed:
the 催告 after the payment period, the court application inside its AEL Art 53 window, and so on.
"""
from __future__ import annotations

from datetime import timedelta

from app.timeutil import today_china
from app.web.demo import register_demo

ROAD_BASIS = "《城市道路管理条例》第二十七条第（五）项；《城市道路管理条例》第四十二条"


@register_demo(35)
def load_execution(ctx):
    from cases import remedy_periods, services
    from cases.demo import ROAD, Story, person

    today = today_china()
    matter = ctx["matters"]["road"]
    cases = ctx.setdefault("cases", {})

    def d(n):
        return today - timedelta(days=n)

    def on_the_spot(key, name, day, title, fine="200"):
        story = Story(ctx, "cg", ("wangqiang", "liuyang"), "cg_wangqiang", "cg_chenjz")
        story.create(matter, title=title, party=person(name), procedure="summary", violation_on=day, on=day,
                     place="临江市新市街", summary="巡查发现当事人占道经营，经劝导后仍未改正。")
        story.draft(facts="当事人在新市街人行道占道经营，占用道路约3平方米。", evidence="现场照片2张",
                    legal_basis=ROAD + "；《城市道路管理条例》第四十二条", tier="一般", penalties=["fine"], fine=fine)
        story.act("decide_on_spot", day).act("serve_decision", day, method="on_spot", served_on=day.isoformat())
        cases[key] = story.case
        return story

    # 分期缴纳中: instalments approved by the head, the first one paid on time.
    s = on_the_spot("exec_instalments", "gao", d(40), "高玉梅占道经营案（分期缴纳）")
    plan = services.apply_for_plan(s.case, {"kind": "instalments", "reason": "下岗职工，收入微薄", "applied_on": d(38),
                                            "instalments": [{"due_on": d(20).isoformat(), "amount": "100"},
                                                            {"due_on": (today + timedelta(days=10)).isoformat(),
                                                             "amount": "100"}]}, actor=s.officer, on=d(38))
    services.decide_plan(s.case, plan, approve=True, actor=s.head, on=d(36))
    services.record_payment(s.case, {"amount": "100", "paid_on": d(21)}, actor=s.officer, on=d(21))

    # 已执行: paid late in two parts, the second with the surcharge on the unpaid part.
    s = on_the_spot("exec_executed", "li", d(70), "李秀兰占道经营案（逾期缴纳）")
    due = s.case.payment_due
    services.record_payment(s.case, {"amount": "100", "paid_on": due + timedelta(days=4)}, actor=s.officer,
                            on=due + timedelta(days=4))
    owed = services.execution.state(s.case, due + timedelta(days=9)).outstanding
    services.record_payment(s.case, {"amount": str(owed), "paid_on": due + timedelta(days=9)}, actor=s.officer,
                            on=due + timedelta(days=9))

    # 已催告: unpaid after the period; reminded, and the party's statement recorded and answered.
    s = on_the_spot("exec_reminded", "zhang", d(60), "张德福占道经营案（已催告）")
    reminded = s.case.payment_due + timedelta(days=7)
    s.act("send_reminder", reminded, served_on=reminded.isoformat(), method="direct")
    services.record_reminder_statement(s.case, {
        "statement": "近期经营困难，请求延缓缴纳", "adopted": False, "stated_on": reminded + timedelta(days=2),
        "handling": "当事人未提出暂缓缴纳申请及经济困难证明，陈述理由不成立，不予采纳"},
        actor=s.officer, on=reminded + timedelta(days=2))

    # 中止执行: the party is in hospital with no means to pay (AEL Art 39 (1)).
    s = on_the_spot("exec_suspended", "zhao", d(90), "赵春生占道经营案（中止执行）")
    s.act("suspend_execution", s.case.payment_due + timedelta(days=10), actor=s.head, ground="hardship",
          reason="当事人因病住院治疗，暂无履行能力，有医院诊断证明")

    # 终结执行: the decision was revoked on reconsideration (AEL Art 40 (4)).
    s = on_the_spot("exec_terminated", "liu", d(120), "刘宝山占道经营案（终结执行）")
    s.act("terminate_execution", s.case.payment_due + timedelta(days=20), actor=s.head, ground="decision_revoked",
          reason="临江市人民政府行政复议决定撤销本处罚决定")

    # 已申请人民法院强制执行: reminded, still unpaid after the remedy periods, handed to the court in time.
    s = on_the_spot("exec_court", "wang", d(235), "王志刚占道经营案（申请强制执行）")
    reminded = s.case.payment_due + timedelta(days=10)
    s.act("send_reminder", reminded, served_on=reminded.isoformat(), method="direct")
    apply_on = min(remedy_periods.remedies_end(s.case) + timedelta(days=5), today)
    s.act("apply_enforcement", apply_on, actor=s.head, court="临江市人民法院")


def init_app(app):
    """Nothing to bind: importing this module registers the loader with `flask demo load`."""
