"""Demo power lists and cases of 临江市 (runs after accounts (10) and officers (20)).

Each agency gets a published power list citing the real laws, and the city gets cases at every stage of
the procedure, all driven through `cases.services` with legal dates in the past, so that the same guards
that refuse a real request have passed (two qualified officers, pre-action publicity, limitation, defence
window, service within 7 working days...). Dates are relative to the day the demo is loaded. Steps that
need audio/video carry a written justification approved by the head (recordings come with their feature).
Parties are fictional: ID numbers and credit codes are generated with valid check digits.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from app import calendar
from app.timeutil import CHINA, today_china
from app.validators import make_credit_code, make_id_number
from app.web.demo import register_demo

# --- the power lists (权责清单) ------------------------------------------------------------------------------

ROAD = "《城市道路管理条例》第二十七条第（五）项"
POWER_LIST = {
    "cg": [
        ("CG-001", "road", "擅自占用城市道路", "城市管理",
         "《城市道路管理条例》第二十七条：城市道路范围内禁止擅自在城市道路上建设建筑物、构筑物，禁止擅自占用或者挖掘城市道路",
         "《城市道路管理条例》第四十二条：由市政工程行政主管部门责令限期改正，可以处以2万元以下的罚款",
         "轻微:0-0;一般:50-500;较重:500-5000;严重:5000-20000", ["ordinary", "summary"], ["inquiry"],
         "罚款≥10000"),
        ("CG-002", "billboard", "未按规定设置户外广告", "城市管理",
         "《城市市容和环境卫生管理条例》第十一条；《吉林省城市市容和环境卫生管理条例》第十六条",
         "《城市市容和环境卫生管理条例》第三十四条：责令停止违法行为，限期清理、拆除或者采取其他补救措施，并可处以罚款",
         "轻微:0-0;一般:500-2000;较重:2000-5000;严重:5000-10000", ["ordinary"], [], "罚款≥10000"),
        ("CG-003", "building", "未取得建设工程规划许可证进行建设（违法建设）", "城市管理",
         "《中华人民共和国城乡规划法》第四十条：在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设的，"
         "建设单位或者个人应当申请办理建设工程规划许可证",
         "《中华人民共和国城乡规划法》第六十四条：责令停止建设；尚可采取改正措施消除对规划实施的影响的，限期改正，"
         "处建设工程造价百分之五以上百分之十以下的罚款；无法采取改正措施消除影响的，限期拆除",
         "一般:1000-10000;较重:10000-30000;严重:30000-100000", ["ordinary"], ["forced_demolition"],
         "罚款≥50000或限期拆除或没收实物"),
    ],
    "sj": [
        ("SJ-001", "expired_food", "经营超过保质期的食品", "市场监管",
         "《中华人民共和国食品安全法》第三十四条第（十）项：禁止生产经营标注虚假生产日期、保质期或者超过保质期的食品",
         "《中华人民共和国食品安全法》第一百二十四条：没收违法所得和违法生产经营的食品，货值金额不足一万元的，"
         "并处五万元以上十万元以下罚款；情节严重的，吊销许可证",
         "一般:50000-70000;较重:70000-90000;严重:90000-100000", ["ordinary"], ["sampling"],
         "罚款≥50000或吊销许可证件"),
        ("SJ-002", "no_food_licence", "未取得食品经营许可从事食品经营活动", "市场监管",
         "《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度",
         "《中华人民共和国食品安全法》第一百二十二条：没收违法所得和违法生产经营的食品，货值金额不足一万元的，"
         "并处五万元以上十万元以下罚款",
         "一般:50000-70000;较重:70000-90000;严重:90000-100000", ["ordinary"], [], "罚款≥80000"),
        ("SJ-003", "licence_display", "未将营业执照置于住所或者主要经营场所醒目位置", "市场监管",
         "《中华人民共和国市场主体登记管理条例》第三十六条：市场主体应当将营业执照置于住所或者主要经营场所的醒目位置",
         "《中华人民共和国市场主体登记管理条例》第五十条：由登记机关责令改正；拒不改正的，处3万元以下的罚款",
         "轻微:0-0;一般:500-5000;较重:5000-15000;严重:15000-30000", ["ordinary", "summary"], [], "罚款≥20000"),
    ],
    "zr": [
        ("ZR-001", "land", "非法占用土地", "自然资源",
         "《中华人民共和国土地管理法》第四十四条：建设占用土地，涉及农用地转为建设用地的，应当办理农用地转用审批手续",
         "《中华人民共和国土地管理法》第七十七条：未经批准或者采取欺骗手段骗取批准，非法占用土地的，责令退还非法占用的土地，"
         "限期拆除在非法占用的土地上新建的建筑物和其他设施，恢复土地原状，可以并处罚款；"
         "《中华人民共和国土地管理法实施条例》第五十八条：罚款额为非法占用土地每平方米100元以上1000元以下",
         "一般:10000-50000;较重:50000-200000;严重:200000-1000000", ["ordinary"], ["forced_demolition"],
         "罚款≥200000或非法占用耕地"),
    ],
    "jt": [
        ("JT-001", "no_transport_licence", "未取得道路运输经营许可擅自从事道路运输经营", "交通运输",
         "《中华人民共和国道路运输条例》第十条、第二十四条：从事客运、货运经营的，应当依法取得道路运输经营许可",
         "《中华人民共和国道路运输条例》第六十三条：由县级以上地方人民政府交通运输主管部门责令停止经营，"
         "没收违法所得，处违法所得2倍以上10倍以下的罚款；没有违法所得或者违法所得不足1万元的，处1万元以上2万元以下的罚款",
         "一般:10000-15000;较重:15000-20000;严重:20000-100000", ["ordinary"], ["inquiry"], "罚款≥50000"),
        ("JT-002", "overload", "货运车辆超限运输", "交通运输",
         "《公路安全保护条例》第三十三条：超限运输车辆不得擅自在公路上行驶",
         "《公路安全保护条例》第六十四条：责令改正，可以处3万元以下的罚款",
         "轻微:0-500;一般:500-5000;较重:5000-15000;严重:15000-30000", ["ordinary"], [], "罚款≥20000"),
    ],
}

# --- parties ----------------------------------------------------------------------------------------------

PEOPLE = {
    "zhang": ("张德福", date(1968, 3, 12), 131, "13904390127", "吉林省临江市建国大街128号"),
    "li": ("李秀兰", date(1975, 8, 23), 242, "13943901586", "吉林省临江市新市街56号3单元201室"),
    "wang": ("王志刚", date(1982, 11, 5), 317, "13904396625", "吉林省临江市光华路19号"),
    "zhao": ("赵春生", date(1979, 1, 30), 455, "13756089341", "吉林省临江市兴隆街道鸭绿江社区7组"),
    "sun": ("孙丽娟", date(1990, 6, 18), 528, "13894315270", "吉林省临江市建国大街66号"),
    "liu": ("刘宝山", date(1971, 9, 9), 613, "13904397718", "吉林省临江市兴隆街道光明村三组"),
    "chen": ("陈海涛", date(1986, 4, 27), 771, "13596402218", "吉林省临江市新市街大湖社区12号"),
    "gao": ("高玉梅", date(1983, 12, 1), 862, "13904391043", "吉林省临江市光华路光华小区5号楼"),
}
COMPANIES = {
    "xinda": ("临江市鑫达广告传媒有限公司", 30811762, "周建华", "13904395588", "吉林省临江市建国大街210号"),
    "huarun": ("临江市华润生鲜超市有限公司", 30822419, "吴海燕", "13904391166", "吉林省临江市新市街88号"),
    "yalu": ("临江市鸭绿江餐饮管理有限公司", 30833058, "郑立新", "13943902277", "吉林省临江市光华路36号"),
    "tongda": ("临江市通达物流有限公司", 30844911, "马国庆", "13904393399", "吉林省临江市兴隆街道工业园区2号"),
    "changbai": ("临江市长白山木业有限公司", 30855367, "许长林", "13604394455", "吉林省临江市六道沟镇"),
}


def person(key):
    name, birth, seq, phone, address = PEOPLE[key]
    return {"kind": "person", "name": name, "id_number": make_id_number("220681", birth, seq), "phone": phone,
            "address": address}


def company(key):
    name, seq, rep, phone, address = COMPANIES[key]
    return {"kind": "org", "name": name, "credit_code": make_credit_code("220681", seq, "9", "1"),
            "legal_representative": rep, "phone": phone, "address": address}


# --- driving a case ---------------------------------------------------------------------------------------

ORDINARY = ("draft", "pending_filing", "investigating", "investigated", "notified", "decided", "served",
            "executed", "closed", "archived")


def at(day: date, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA)


class Story:
    """Drives one case through the services, day by day; every act is dated `on` in the past."""

    def __init__(self, ctx, agency_key, officer_keys, officer_user, head_user):
        from app.auth.models import User

        self.ctx = ctx
        self.agency = ctx["agencies"][agency_key]
        self.officers = [ctx["officers"][k] for k in officer_keys]
        self.officer: User = ctx["users"][officer_user]
        self.head: User = ctx["users"][head_user]
        self.case = None

    def create(self, matter, *, title, party, violation_on, on, place, summary, procedure="ordinary",
               source="inspection", harms_safety=False):
        from cases import services

        self.case = services.create_case(
            agency=self.agency, matter_version=matter, title=title, area_code="220681", actor=self.officer,
            procedure=procedure, violation_on=violation_on, summary=summary, place=place, source=source,
            harms_safety=harms_safety, officer_ids=[o.id for o in self.officers], parties=[party], on=on)
        return self

    def act(self, action, on, actor=None, **data):
        from cases import services

        services.apply_action(self.case, action, actor=actor or self.officer, data=data, on=on)
        return self

    def step(self, kind, when: datetime, content, target="", *, place=None, complete=True, justify=True,
             extra=None):
        from cases import services

        step = services.record_step(self.case, {
            "kind": kind, "started_at": when, "ended_at": when + timedelta(minutes=50),
            "place": place or self.case.place, "target": target, "content": content, "extra": extra or {},
            "officer_ids": [o.id for o in self.officers]}, actor=self.officer)
        if step.needs_av and justify:
            services.justify_missing_av(step, "现场执法记录仪电池故障未能录像，已拍摄现场照片12张附卷，"
                                              "当事人在笔录上签字确认", actor=self.officer)
            if complete:
                services.approve_av_justification(step, actor=self.head)
        if complete:
            services.complete_step(step, actor=self.officer, on=when.date())
        return step

    def draft(self, **draft):
        from cases import services

        # APL Art 28: every penalty decision orders the party to correct (immediately unless a date is given).
        draft.setdefault("correction", "立即停止违法行为，消除违法状态")
        services.save_draft(self.case, draft, actor=self.officer)
        return self

    def run(self, target, dates: dict, draft: dict, steps, *, paid=None):
        """From draft along the ordinary path up to `target`; `dates` gives each act's date."""
        path = ORDINARY[:ORDINARY.index(target) + 1]
        if "pending_filing" in path:
            self.act("submit_filing", dates["submitted"], note="违法事实基本清楚，提请立案")
        if "investigating" in path:
            self.act("approve_filing", dates["filed"], actor=self.head, note="同意立案")
            for args in steps:
                self.step(*args)
        if "investigated" in path:
            self.draft(**draft)
            self.act("close_investigation", dates["investigated"])
        if "notified" in path:
            self.act("serve_notice", dates["notice"], served_on=dates["notice"].isoformat())
        if "decided" in path:
            self.act("decide", dates["decided"], actor=self.head, note="经审查，同意按拟处罚意见作出决定")
        if "served" in path:
            self.act("serve_decision", dates["served"], method="direct", served_on=dates["served"].isoformat())
        if "executed" in path:
            self.act("record_execution", dates["paid"], paid_amount=paid or draft.get("fine"),
                     paid_on=dates["paid"].isoformat())
        if "closed" in path:
            self.act("close", dates["closed"], actor=self.head)
        if "archived" in path:
            self.act("archive", dates["archived"])
        return self.case


def timeline(filed: date, closures=()) -> dict:
    """The dates of an ordinary case filed on `filed`: each act leaves the legal windows room to pass."""
    notice = filed + timedelta(days=7)
    decided = calendar.add_working_days(notice, 6, closures)  # after the 5-working-day defence window
    served = decided + timedelta(days=1)
    paid = served + timedelta(days=10)
    return {"submitted": filed - timedelta(days=1), "filed": filed, "investigated": filed + timedelta(days=5),
            "notice": notice, "decided": decided, "served": served, "paid": paid,
            "closed": paid + timedelta(days=3), "archived": paid + timedelta(days=5)}


INQUIRY = ("问：我们是临江市{agency}的执法人员，这是我们的执法证件（出示），你看清楚了吗？\n答：看清楚了。\n"
           "问：你是否需要执法人员回避？\n答：不需要。\n{qa}问：以上笔录你看一下，是否属实？\n答：属实。")


def inquiry(agency, *pairs):
    qa = "".join(f"问：{q}\n答：{a}\n" for q, a in pairs)
    return INQUIRY.format(agency=agency, qa=qa)


@register_demo(30)
def load_cases(ctx):
    from cases import services

    today = today_china()
    agencies, users = ctx["agencies"], ctx["users"]
    heads = {"cg": "cg_chenjz", "sj": "sj_fengguo", "zr": "zr_luozh", "jt": "jt_songwei"}
    published = today - timedelta(days=420)
    matters = ctx.setdefault("matters", {})
    for agency_key, rows in POWER_LIST.items():
        head = users[heads[agency_key]]
        for code, key, name, category, legal, penalty, tiers, procedures, av_steps, major in rows:
            from cases.sheets import parse_major, parse_tiers

            version = services.create_matter(
                agency=agencies[agency_key], code=code, name=name, category=category, legal_basis=legal,
                penalty_basis=penalty, tiers=parse_tiers(tiers), procedures=procedures, av_steps=av_steps,
                major_criteria=parse_major(major), actor=head)
            services.publish_matter(version, on=published)  # historical: loaded by the system
            matters[key] = version

    def cg():
        return Story(ctx, "cg", ("wangqiang", "liuyang"), "cg_wangqiang", "cg_chenjz")

    def d(n):
        return today - timedelta(days=n)

    cases = ctx.setdefault("cases", {})
    cg_name = "城市管理行政执法局"
    road_draft = {"facts": "当事人在建国大街人行道上擅自堆放货物、摆放货架经营，占用城市道路约12平方米，经现场责令改正后仍未清理。",
                  "evidence": "现场检查笔录1份\n询问笔录1份\n现场照片6张\n营业执照复印件1份",
                  "legal_basis": ROAD + "；《城市道路管理条例》第四十二条", "tier": "较重", "penalties": ["fine"],
                  "fine": "2000", "discretion_reason": "占用面积较大，经责令改正拒不改正，适用较重档次"}

    # 登记中: an officer has just registered it.
    story = cg().create(matters["road"], title="孙丽娟擅自占用城市道路摆摊经营案", party=person("sun"),
                        violation_on=d(2), on=d(1), place="临江市建国大街66号门前",
                        summary="日常巡查发现当事人在门店外人行道摆放货架经营。")
    cases["draft"] = story.case

    # 待批准立案: submitted to the head.
    story = cg().create(matters["billboard"], title="临江市鑫达广告传媒有限公司未按规定设置户外广告案",
                        party=company("xinda"), violation_on=d(12), on=d(4), place="临江市光华路与新市街交叉口",
                        summary="群众举报：光华路楼顶新设大型广告牌，未经审批。", source="complaint")
    story.act("submit_filing", d(3), note="经初步核查，广告牌未办理设置审批")
    cases["pending_filing"] = story.case

    # 调查取证: filed, an inquiry done, an inspection waiting for the head to approve the AV justification.
    story = cg().create(matters["building"], title="王志刚未取得建设工程规划许可证进行建设案", party=person("wang"),
                        violation_on=d(30), on=d(11), place="临江市光华路19号院内",
                        summary="巡查发现当事人在自家院内新建二层砖混结构房屋约80平方米。")
    story.act("submit_filing", d(11)).act("approve_filing", d(10), actor=story.head)
    story.step("inquiry", at(d(9), 14), inquiry(cg_name, ("院内新建房屋是谁建的？", "是我建的，今年9月开工。"),
                                                 ("是否办理了建设工程规划许可证？", "没有办，以为自家院子不用办。")),
               target="王志刚")
    story.step("inspection", at(d(8)), "经现场勘验，院内新建二层砖混结构房屋一栋，长10米、宽8米，建筑面积约160平方米，"
                                         "未见规划许可公示。", target="光华路19号院内新建房屋", complete=False)
    cases["investigating"] = story.case

    # 调查取证, overdue: filed 100 days ago, the 90-day decision deadline has passed without an extension.
    story = cg().create(matters["building"], title="刘宝山违法搭建彩钢房案", party=person("liu"),
                        violation_on=d(130), on=d(101), place="临江市兴隆街道光明村三组",
                        summary="村委会反映当事人在村道旁搭建彩钢房。", source="complaint")
    story.act("submit_filing", d(101)).act("approve_filing", d(100), actor=story.head)
    story.step("inspection", at(d(98)), "现场勘验：村道东侧新建彩钢结构房屋一处，面积约45平方米，当事人无法提供规划许可。",
               target="彩钢房")
    cases["overdue"] = story.case

    # 调查终结: report and draft decision ready, advance notice not yet served.
    story = cg().create(matters["road"], title="临江市鸭绿江餐饮管理有限公司擅自占用城市道路案", party=company("yalu"),
                        violation_on=d(20), on=d(16), place="临江市光华路36号门前",
                        summary="门店在人行道上摆放桌椅露天经营。")
    story.run("investigated", {**timeline(d(15)), "investigated": d(8)},
              {**road_draft, "facts": "当事人在光华路36号门前人行道摆放餐桌8张、座椅32把露天经营，占用城市道路约30平方米。"},
              [("inquiry", at(d(13), 10), inquiry(cg_name, ("门前摆放的桌椅是你店里的吗？", "是的，晚上经营烧烤。")),
                "郑立新（法定代表人）")])
    cases["investigated"] = story.case

    # 已事先告知: the defence window is still running, so the head cannot decide yet.
    story = cg().create(matters["billboard"], title="张德福擅自设置户外广告案", party=person("zhang"),
                        violation_on=d(20), on=d(13), place="临江市建国大街128号",
                        summary="当事人在门店外墙设置大型灯箱广告，未经审批。")
    story.run("notified", {**timeline(d(12)), "investigated": d(6), "notice": d(2)},
              {"facts": "当事人在建国大街128号外墙擅自设置灯箱广告一块，面积约6平方米。",
               "evidence": "现场照片4张\n广告设置情况说明1份", "legal_basis": "《城市市容和环境卫生管理条例》第十一条、第三十四条",
               "tier": "一般", "penalties": ["fine"], "fine": "800"},
              [])
    cases["notified"] = story.case

    # 听证中: a 18,000 yuan fine gives the party the right to a hearing, which he requested in time.
    story = cg().create(matters["building"], title="赵春生违法建设案", party=person("zhao"),
                        violation_on=d(60), on=d(26), place="临江市兴隆街道鸭绿江社区7组",
                        summary="巡查发现当事人未经规划许可扩建厂房。")
    dates = timeline(d(25))
    story.run("notified", dates,
              {"facts": "当事人未取得建设工程规划许可证，在兴隆街道鸭绿江社区7组扩建砖混厂房约120平方米，工程造价约18万元。",
               "evidence": "现场勘验笔录1份\n询问笔录1份\n工程造价说明1份\n现场照片8张",
               "legal_basis": "《中华人民共和国城乡规划法》第四十条、第六十四条", "tier": "较重", "penalties": ["fine"],
               "fine": "18000", "discretion_reason": "尚可采取改正措施，按工程造价百分之十处罚"},
              [("inspection", at(d(24)), "现场勘验：扩建砖混厂房一处，长15米、宽8米，已封顶。", "扩建厂房")])
    story.act("request_hearing", dates["notice"] + timedelta(days=2),
              requested_on=(dates["notice"] + timedelta(days=2)).isoformat())
    cases["hearing"] = story.case

    # 简易程序: a 100 yuan fine decided on the spot and handed over at once.
    story = cg().create(matters["road"], title="陈海涛占道摆摊当场处罚案", party=person("chen"), procedure="summary",
                        violation_on=d(5), on=d(5), place="临江市新市街大湖社区路口",
                        summary="当事人在路口占道摆摊销售水果，经劝导后仍未离开。")
    story.draft(facts="当事人在新市街大湖社区路口人行道占道摆摊销售水果，占用道路约3平方米。",
                evidence="现场照片2张", legal_basis=ROAD + "；《城市道路管理条例》第四十二条", tier="一般",
                penalties=["fine"], fine="100")
    story.act("decide_on_spot", d(5)).act("serve_decision", d(5), method="on_spot", served_on=d(5).isoformat())
    cases["summary"] = story.case

    # 市场监管: a major case waiting for legal review (fine over the 50,000 yuan threshold).
    def sj():
        return Story(ctx, "sj", ("zhoujing", "wuhao"), "sj_zhoujing", "sj_fengguo")

    sj_name = "市场监督管理局"
    story = sj().create(matters["expired_food"], title="临江市华润生鲜超市有限公司经营超过保质期的食品案",
                        party=company("huarun"), violation_on=d(35), on=d(31), place="临江市新市街88号",
                        summary="食品安全专项检查中发现货架上有超过保质期的乳制品和熟食。", harms_safety=True)
    story.run("investigated", {**timeline(d(30)), "investigated": d(15)},
              {"facts": "当事人在经营场所销售超过保质期的酸奶36盒、熟食12袋，货值金额共计1,268元。",
               "evidence": "现场检查笔录1份\n抽样记录1份\n进货单据3张\n现场照片10张",
               "legal_basis": "《中华人民共和国食品安全法》第三十四条第（十）项、第一百二十四条", "tier": "一般",
               "penalties": ["fine", "confiscation"], "fine": "60000",
               "confiscation": "没收超过保质期的酸奶36盒、熟食12袋", "confiscated_value": "1268",
               "discretion_reason": "货值金额不足一万元，初次违法，按下限附近处罚"},
              [("inspection", at(d(29)), "现场检查：冷柜内酸奶36盒标注保质期至上月，熟食12袋已过期3日，均在售。",
                "超市冷柜及熟食区"),
               ("sampling", at(d(28), 14), "抽取过期酸奶2盒、熟食2袋作为样品，当场封存，由当事人签字确认。", "过期食品")])
    cases["major"] = story.case

    # 市场监管: served; the fine is due within 15 days of service (即将到期).
    story = sj().create(matters["licence_display"], title="李秀兰未将营业执照置于经营场所醒目位置案",
                        party=person("li"), violation_on=d(40), on=d(30), place="临江市新市街56号",
                        summary="日常检查发现当事人未在经营场所悬挂营业执照，责令改正后复查仍未改正。")
    story.run("served", timeline(d(29)),
              {"facts": "当事人经营的新市街56号食杂店未将营业执照置于经营场所醒目位置，经责令限期改正，逾期复查仍未改正。",
               "evidence": "现场检查笔录2份\n责令改正通知书1份\n现场照片3张",
               "legal_basis": "《中华人民共和国市场主体登记管理条例》第三十六条、第五十条", "tier": "一般",
               "penalties": ["fine"], "fine": "2000", "discretion_reason": "拒不改正，首次处罚，按一般档次处罚"},
              [("inspection", at(d(28)), "复查：食杂店内外均未悬挂营业执照，当事人称执照放在家中。", "食杂店")])
    cases["served"] = story.case

    # 交通运输: decided (service due within 7 working days) and executed.
    def jt():
        return Story(ctx, "jt", ("guojun", "majie"), "jt_guojun", "jt_songwei")

    jt_name = "交通运输局"
    story = jt().create(matters["no_transport_licence"], title="王志刚未取得道路运输经营许可擅自从事客运经营案",
                        party=person("wang"), violation_on=d(24), on=d(21), place="临江市火车站广场",
                        summary="联合检查中查获当事人驾驶私家车在火车站揽客，往返临江至白山。")
    dates = timeline(d(20))
    dates["decided"] = min(dates["decided"], d(3))
    story.run("decided", dates,
              {"facts": "当事人未取得道路运输经营许可，驾驶吉F·7K321小型轿车从事临江至白山的客运经营，每人收费30元。",
               "evidence": "询问笔录2份\n乘客证言2份\n现场照片4张", "legal_basis": "《中华人民共和国道路运输条例》第十条、第六十三条",
               "tier": "一般", "penalties": ["fine"], "fine": "10000",
               "discretion_reason": "违法所得不足1万元，首次查处，按下限处罚"},
              [("inquiry", at(d(19), 10), inquiry(jt_name, ("你是否取得道路运输经营许可？", "没有。"),
                                                   ("今天车上乘客每人收费多少？", "每人30元。")), "王志刚")])
    cases["decided"] = story.case

    story = jt().create(matters["overload"], title="临江市通达物流有限公司货运车辆超限运输案", party=company("tongda"),
                        violation_on=d(42), on=d(41), place="临江市治超检测站",
                        summary="治超检测站检测发现车辆总质量超过限定标准。")
    story.run("executed", timeline(d(40)),
              {"facts": "当事人所属吉F·52018重型半挂车装载木材，经检测车货总质量58.6吨，超过限定标准9.6吨。",
               "evidence": "称重检测单1份\n询问笔录1份\n车辆行驶证复印件1份", "legal_basis": "《公路安全保护条例》第三十三条、第六十四条",
               "tier": "一般", "penalties": ["fine"], "fine": "3000"},
              [])
    cases["executed"] = story.case
    # Finished cases last: their steps come after the open cases' steps (other demos pick the first ones).
    # 已归档: the whole ordinary procedure, paid in time, closed and archived.
    story = cg().create(matters["road"], title="高玉梅擅自占用城市道路堆放建材案", party=person("gao"),
                        violation_on=d(130), on=d(121), place="临江市光华路光华小区5号楼前",
                        summary="装修期间在小区外城市道路上堆放沙石建材。")
    story.run("archived", timeline(d(120)),
              {**road_draft, "facts": "当事人在光华小区5号楼前城市道路上堆放沙子、水泥等建材，占用道路约15平方米，持续5日。",
               "fine": "1500"},
              [("inspection", at(d(119)), "现场检查：5号楼前道路堆放沙子约3立方米、水泥20袋。当事人高玉梅在场，"
                "称系自家装修所用。", "堆放的建材")])
    cases["archived"] = story.case

    # 自然资源: closed.
    story = Story(ctx, "zr", ("hanxue", "yangfan"), "zr_hanxue", "zr_luozh").create(
        matters["land"], title="临江市长白山木业有限公司非法占用土地案", party=company("changbai"),
        violation_on=d(200), on=d(91), place="临江市六道沟镇长白山木业厂区东侧",
        summary="卫片执法检查发现厂区东侧新增建设用地，未办理用地审批。")
    story.run("closed", timeline(d(90)),
              {"facts": "当事人未经批准占用六道沟镇集体土地1,200平方米建设木材堆场及库房，其中不涉及耕地。",
               "evidence": "现场勘测笔录1份\n勘测定界图1份\n询问笔录1份\n卫星影像比对图1份",
               "legal_basis": "《中华人民共和国土地管理法》第四十四条、第七十七条；《中华人民共和国土地管理法实施条例》第五十八条",
               "tier": "一般", "penalties": ["fine"], "fine": "36000",
               "discretion_reason": "按每平方米30元处罚，责令退还土地、限期拆除新建设施"},
              [("inspection", at(d(89)), "现场勘测：厂区东侧新建库房两栋及硬化堆场，占地约1,200平方米。", "木材堆场及库房")])
    cases["closed"] = story.case

    return cases


def init_app(app):
    """Nothing to bind: importing this module registers the loader with `flask demo load`."""
