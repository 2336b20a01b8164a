"""Demo publicity: the publications of the demo's decided cases in every state (published, pending
approval, overdue, withdrawn with its reason, not published because the party is a minor), a few more
on-the-spot decisions whose facts carry personal data for the redaction engine to mask, and the agencies'
random-inspection lists. Dates are relative to the day the demo is loaded.
"""
from datetime import date, timedelta

from app.timeutil import today_china
from app.web.demo import register_demo

INSPECTION_ITEMS = {
    "cg": [("城市管理", "户外广告设施设置情况检查", "辖区内设置户外广告设施的单位和个体工商户",
            "《城市市容和环境卫生管理条例》第十一条；《吉林省城市管理综合行政执法条例》", "现场检查", "每年抽查比例不低于5%，每年1次"),
           ("城市管理", "建设工程施工现场扬尘污染防治检查", "辖区内在建房屋建筑和市政工程施工现场",
            "《中华人民共和国大气污染防治法》第六十九条", "现场检查、查阅资料", "每季度抽查比例不低于10%")],
    "sj": [("市场监管", "食品经营者落实食品安全主体责任情况检查", "辖区内取得食品经营许可的经营者",
            "《中华人民共和国食品安全法》第一百一十条", "现场检查、抽样检验", "每年抽查比例不低于5%，每年2次"),
           ("市场监管", "企业公示信息情况检查", "辖区内登记的企业",
            "《企业信息公示暂行条例》第十四条", "书面检查、实地核查", "每年抽查比例不低于3%")],
    "zr": [("自然资源", "土地利用情况检查", "辖区内取得国有建设用地使用权的单位",
            "《中华人民共和国土地管理法》第六十七条", "实地核查、卫片比对", "每年抽查比例不低于5%")],
    "jt": [("交通运输", "道路运输经营者经营行为检查", "辖区内道路旅客运输、货物运输经营者",
            "《中华人民共和国道路运输条例》第五十八条", "现场检查、查阅资料", "每年抽查比例不低于5%，每半年1次")],
}

# title, party name, birth date, sequence, facts, penalties, fine, days ago decided
ON_SPOT = [
    ("钱小军占道摆摊当场处罚案", "钱小军", date(2010, 5, 4), 193,
     "当事人在临江市新市街学校门口人行道摆摊销售文具，占用道路约2平方米。", ["warning"], None, 12),
    ("吕国华占道经营当场处罚案", "吕国华", date(1966, 2, 17), 215,
     "当事人在建国大街与光华路交叉口占道销售蔬菜，占用道路约4平方米，经群众（联系电话13904391234）举报查实，"
     "当事人身份证号码{id}，现场证人邢春来在场。", ["fine"], "200", 40),
    ("姜淑芬占道堆放杂物当场处罚案", "姜淑芬", date(1958, 10, 9), 322,
     "当事人在住址吉林省临江市建国大街9号楼前城市道路堆放杂物，占用道路约3平方米，出生日期1958年10月9日。",
     ["warning", "fine"], "100", 25),
    ("孔令伟占道洗车当场处罚案", "孔令伟", date(1988, 7, 21), 417,
     "当事人在光华路人行道上为车辆吉F·3A856洗车经营，污水流入道路，影响通行。", ["fine"], "150", 18),
]


def _on_spot(ctx, title, name, birth, seq, facts, penalties, fine, on):
    from app.validators import make_id_number
    from cases import services

    agency, head = ctx["agencies"]["cg"], ctx["users"]["cg_chenjz"]
    officer = ctx["users"]["cg_wangqiang"]
    officers = [ctx["officers"][k] for k in ("wangqiang", "liuyang")]
    id_number = make_id_number("220681", birth, seq)
    case = services.create_case(
        agency=agency, matter_version=ctx["matters"]["road"], title=title, area_code="220681", actor=officer,
        procedure="summary", violation_on=on, summary="日常巡查发现", place="临江市建国大街",
        officer_ids=[o.id for o in officers], on=on,
        parties=[{"kind": "person", "name": name, "id_number": id_number, "phone": "13904390" + f"{seq:03d}",
                  "address": f"吉林省临江市建国大街{seq % 90 + 1}号"}])
    services.save_draft(case, {"facts": facts.format(id=id_number), "evidence": "现场照片2张",
                               "legal_basis": "《城市道路管理条例》第二十七条、第四十二条", "tier": "一般" if fine else "轻微",
                               "penalties": penalties, "fine": fine,
                               "correction": "立即停止占道经营，清理占用的道路"}, actor=officer)
    services.apply_action(case, "decide_on_spot", actor=officer, on=on)
    services.apply_action(case, "serve_decision", actor=officer, data={"method": "on_spot",
                                                                       "served_on": on.isoformat()}, on=on)
    return case, head


@register_demo(50)
def load_publicity(ctx):
    from app.calendar import add_working_days
    from publicity import services
    from publicity.models import Publication
    from app.extensions import db
    from sqlalchemy import select

    today = today_china()
    agencies = ctx["agencies"]
    items = ctx.setdefault("inspection_items", {})
    for key, rows in INSPECTION_ITEMS.items():
        for i, (category, name, targets, basis, method, ratio) in enumerate(rows):
            items[f"{key}{i}"] = services.add_inspection_item(
                agency=agencies[key], category=category, name=name, targets=targets, basis=basis, method=method,
                ratio=ratio, published_on=today - timedelta(days=300))

    extra = {}
    if "matters" in ctx and "officers" in ctx and "road" in ctx.get("matters", {}):
        for title, name, birth, seq, facts, penalties, fine, ago in ON_SPOT:
            extra[name] = _on_spot(ctx, title, name, birth, seq, facts, penalties, fine, today - timedelta(days=ago))
    services.sync()
    pubs = ctx.setdefault("publications", {})
    for pub in db.session.scalars(select(Publication).order_by(Publication.decided_on)):
        pubs[pub.decision_number] = pub
    users = ctx["users"]
    heads = {"临城管": "cg_chenjz", "临市监": "sj_fengguo", "临自然资": "zr_luozh", "临交": "jt_songwei"}
    officers = {"临城管": "cg_wangqiang", "临市监": "sj_zhoujing", "临自然资": "zr_hanxue", "临交": "jt_guojun"}

    def head(pub):
        return users[heads[pub.agency.doc_prefix]]

    def officer(pub):
        return users[officers[pub.agency.doc_prefix]]

    def publish(pub, days_late=0):
        services.submit(pub, actor=officer(pub))
        services.approve(pub, actor=head(pub), on=min(add_working_days(pub.decided_on, 3 + days_late), today))

    cases = ctx.get("cases", {})
    by_case = {p.case_id: p for p in pubs.values()}
    pending = [p for p in pubs.values() if p.status == "draft"]
    # The oldest decisions are published; the most recent ones wait (draft, due soon; or overdue).
    for key in ("archived", "closed", "executed"):
        case = cases.get(key)
        if case is not None and case.id in by_case and by_case[case.id].status == "draft":
            publish(by_case[case.id])
    for name in ("吕国华", "姜淑芬", "孔令伟"):
        if name in extra:
            publish(by_case[extra[name][0].id])
    # Withdrawn with its reason: the on-the-spot fine of 陈海涛 was altered on reconsideration.
    summary = cases.get("summary")
    if summary is not None and summary.id in by_case:
        pub = by_case[summary.id]
        if pub.status == "draft":
            publish(pub)
            pub.published_on = min(pub.published_on, today - timedelta(days=1))
            services.withdraw(pub, actor=head(pub), reason="altered",
                              note="经临江市人民政府行政复议，处罚决定被变更为警告，原决定撤下。",
                              event_on=today - timedelta(days=1), on=today)
    # Pending approval: submitted by the officer.
    served = cases.get("served")
    if served is not None and served.id in by_case and by_case[served.id].status == "draft":
        services.submit(by_case[served.id], actor=officer(by_case[served.id]))
    # Whatever is still a draft stays so: the most recent decisions (due soon) and an overdue one.
    del pending
    services.expire_due(today)
    # Last year's statistics report, published by the city's supervisor (SEC-12: never by a download).
    if "jiandu" in users:
        services.publish_annual_report(today.year - 1, actor=users["jiandu"], today=today)
