"""Demo cases for the decision kinds other than a penalty (APL Art 57), after the execution demo (order 36):
a 不予行政处罚 on a first minor violation corrected at once (APL Art 33), and a transfer to the judicial organs
(移送司法机关, APL Art 27) with the public security bureau's receipt. Both go through the services with legal
dates in the past; neither needs an advance notice (APL Art 44 concerns penalties only).
"""
from __future__ import annotations

from datetime import timedelta

from app.timeutil import today_china
from app.web.demo import register_demo


@register_demo(36)
def load_decision_kinds(ctx):
    from cases.demo import ROAD, Story, person

    today = today_china()
    matter = ctx["matters"]["road"]
    cases = ctx.setdefault("cases", {})

    def d(n):
        return today - timedelta(days=n)

    def story(title, party, day, place, summary):
        s = Story(ctx, "cg", ("wangqiang", "liuyang"), "cg_wangqiang", "cg_chenjz")
        s.create(matter, title=title, party=party, violation_on=day, on=day, place=place, summary=summary)
        s.act("submit_filing", day).act("approve_filing", day + timedelta(days=1), actor=s.head)
        return s

    # 不予行政处罚: the first time, a small stall, cleared at once when told (APL Art 33 (1)).
    s = story("陈海涛擅自占用城市道路摆摊案（不予处罚）", person("chen"), d(30), "临江市新市街大湖社区门前",
              "巡查发现当事人在人行道摆放水果摊，经劝导当场撤除。")
    s.draft(decision_kind="no_penalty", no_penalty_ground="first_minor", penalties=[],
            facts="当事人于人行道摆放水果摊，占用城市道路约1平方米，经执法人员指出后当场撤除，系初次违法，未造成危害后果。",
            evidence="当事人陈述1份\n现场照片2张", legal_basis=ROAD, correction="不得再占用城市道路摆摊经营")
    s.act("close_investigation", d(25)).act("decide", d(22), actor=s.head, note="初次违法且及时改正，不予处罚")
    cases["no_penalty"] = s.case

    # 移送司法机关: the party injured an officer to stop the removal of his goods (涉嫌妨害公务罪).
    s = story("赵春生暴力阻碍执法案（移送公安机关）", person("zhao"), d(50), "临江市兴隆街道农贸市场东侧",
              "当事人占道经营，执法人员依法暂扣其货物时，当事人殴打执法人员致轻微伤。")
    s.draft(decision_kind="transfer", penalties=[], transfer_organ="临江市公安局",
            facts="当事人在农贸市场东侧占道经营，执法人员依法实施暂扣时，当事人殴打执法人员致一人轻微伤，涉嫌妨害公务罪。",
            evidence="执法记录仪视频1段\n证人证言2份\n伤情鉴定意见书1份", legal_basis=ROAD)
    s.act("close_investigation", d(46)).act("decide", d(45), actor=s.head, received_on=d(45).isoformat(),
                                            receipt_number=f"临公（治）受字〔{d(45).year}〕17号")
    cases["transfer"] = s.case


def init_app(app):
    """Nothing to bind: importing this module registers the loader with `flask demo load`."""
