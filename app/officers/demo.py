"""Demo officers of Linjiang: 20+ people across the four agencies, with certificates in every state
(valid, expiring this month, expired, missed inspection, suspended, restored, revoked, cancelled, wrong
category, wrong area, a filed ministry certificate) and auxiliary staff who hold none. Dates are relative to
the day the demo is loaded, so the states stay true whenever it is loaded.
"""
import calendar
from datetime import date, timedelta
from xml.sax.saxutils import escape

from app.officers import rules
from app.timeutil import today_china
from app.web.demo import register_demo

# key, name, agency key, employment, username, certificate scenario, categories (None = the agency's first)
PEOPLE = [
    ("wangqiang", "王强", "cg", "established", "cg_wangqiang", "valid", ["城市管理", "住建"]),
    ("liuyang", "刘洋", "cg", "established", "cg_liuyang", "expiring", None),
    ("zhaomin", "赵敏", "cg", "established", "cg_zhaomin", "valid", None),
    ("chenjz", "陈建中", "cg", "established", "cg_chenjz", "valid", None),
    ("lina", "李娜", "cg", "established", None, "expired", None),
    ("zhangwei", "张伟", "cg", "established", None, "missed_inspection", None),
    ("zhouli", "周立", "cg", "established", None, "valid", ["住建"]),  # wrong category for 城市管理 cases
    ("sunhao", "孙浩", "cg", "auxiliary", None, None, None),
    ("xuming", "徐明", "cg", "contract", None, None, None),
    ("zhoujing", "周静", "sj", "established", "sj_zhoujing", "valid", None),
    ("wuhao", "吴昊", "sj", "established", "sj_wuhao", "suspended", None),
    ("zhenglin", "郑琳", "sj", "established", "sj_zhenglin", "valid", None),
    ("fengguo", "冯国栋", "sj", "established", "sj_fengguo", "valid", None),
    ("huanglei", "黄磊", "sj", "established", None, "revoked", None),
    ("gaofeng", "高峰", "sj", "established", None, "wrong_area", None),
    ("hanxue", "韩雪", "zr", "established", "zr_hanxue", "valid", None),
    ("yangfan", "杨帆", "zr", "established", "zr_yangfan", "ministry", None),
    ("heping", "何平", "zr", "established", "zr_heping", "valid", None),
    ("luozh", "罗志海", "zr", "established", "zr_luozh", "valid", None),
    ("lintao", "林涛", "zr", "established", None, "cancelled", None),
    ("guojun", "郭军", "jt", "established", "jt_guojun", "valid", None),
    ("majie", "马杰", "jt", "established", "jt_majie", "valid", None),
    ("tangli", "唐丽", "jt", "established", "jt_tangli", "valid", None),
    ("songwei", "宋伟", "jt", "established", "jt_songwei", "valid", None),
    ("qinchuan", "秦川", "jt", "established", None, "restored", None),
    ("caoyang", "曹阳", "jt", "temporary", None, None, None),
    ("xieting", "谢婷", "jt", "public_welfare", None, None, None),
]

#: Reviewers get a recorded 法律职业资格 (SPEC §6.1).
QUALIFICATIONS = {"zhaomin": "A20192206810012", "zhenglin": "A20172206810034", "heping": "A20202206810051",
                  "tangli": "A20182206810077"}

AGENCY_DIGIT = {"cg": 1, "sj": 2, "zr": 3, "jt": 4}
COLORS = ["#1d4ed8", "#15803d", "#b45309", "#7c3aed", "#0f766e", "#be123c"]


def avatar_svg(name: str, index: int = 0) -> bytes:
    """A placeholder photo: the surname on a coloured background (generated, so safe to serve)."""
    color = COLORS[index % len(COLORS)]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="160" viewBox="0 0 120 160">'
            f'<rect width="120" height="160" fill="{color}"/>'
            f'<circle cx="60" cy="62" r="34" fill="#ffffff" fill-opacity="0.25"/>'
            f'<text x="60" y="76" font-size="40" text-anchor="middle" fill="#ffffff" '
            f'font-family="Noto Sans CJK SC, sans-serif">{escape(name[:1])}</text>'
            f'<text x="60" y="140" font-size="16" text-anchor="middle" fill="#ffffff" '
            f'font-family="Noto Sans CJK SC, sans-serif">{escape(name)}</text></svg>').encode()


def _inspect_through(cert, last_day, actor, services, up_to_year=None):
    """Record a passed inspection each year after issue, on 15 February, up to `last_day`."""
    from app.officers import training

    for year in range(cert.issued_on.year + 1, (up_to_year or last_day.year) + 1):
        on = date(year, 2, 15)
        if cert.issued_on <= on <= last_day:
            # The year's training hours first: the inspection needs them (SPEC §5.5).
            for course, hours, month in (("行政处罚法及配套法规", 24, 1), ("执法全过程记录实务", 16, 2)):
                training.record_training(cert.officer, {"kind": "annual", "course": course, "hours": hours,
                                                        "provider": "临江市司法局", "completed_on": date(year, month, 10)},
                                         actor=actor)
            services.record_inspection(cert, year=year, on=on, actor=actor, reason="年度审验合格")


@register_demo(20)
def load_officers(ctx):
    from app.officers import services

    today = today_china()
    settings = rules.RuleSettings.from_config()
    agencies, users = ctx["agencies"], ctx.get("users", {})
    actor = users.get("jiandu")
    officers = ctx.setdefault("officers", {})
    serial = {}
    for index, (key, name, agency_key, employment, username, scenario, categories) in enumerate(PEOPLE):
        agency = agencies[agency_key]
        officer = services.create_officer(
            name=name, agency=agency, employment_type=employment, user=users.get(username) if username else None,
            qualification_number=QUALIFICATIONS.get(key),
            qualification_date=rules.add_years(today, -5) if key in QUALIFICATIONS else None,
            photo=avatar_svg(name, index), photo_type="image/svg+xml", actor=actor)
        officers[key] = officer
        if scenario is None:
            continue
        serial[agency_key] = serial.get(agency_key, 0) + 1
        number = f"220681{AGENCY_DIGIT[agency_key]}{serial[agency_key]:04d}"
        _certificate(services, officer, scenario, number, categories or [agency.categories[0]], today,
                     settings, actor)
    return officers


def _certificate(services, officer, scenario, number, categories, today, settings, actor):
    issued = rules.add_years(today, -3) - timedelta(days=20)
    expires = rules.add_years(issued, 6) - timedelta(days=1)
    area, kind, issuer, filed_on = "220681", "jilin", "吉林省人民政府", None
    if scenario == "expiring":
        expires = date(today.year, today.month, calendar.monthrange(today.year, today.month)[1])
        issued = rules.add_years(expires, -6) + timedelta(days=1)
    elif scenario == "expired":
        expires = today - timedelta(days=40)
        issued = rules.add_years(expires, -6) + timedelta(days=1)
    elif scenario == "wrong_area":
        area = "220621"  # 抚松县: cannot act in 临江市
    elif scenario == "ministry":
        kind, issuer, filed_on = "ministry", "中华人民共和国自然资源部", issued + timedelta(days=30)
    from app.officers import training

    training.record_training(officer, {"kind": "pre_post", "course": "新进执法人员岗前培训", "hours": 60,
                                       "provider": "白山市司法局", "completed_on": issued - timedelta(days=60)},
                             actor=actor)
    training.record_examination(officer, {"taken_on": issued - timedelta(days=30), "score": 82, "passed": True,
                                          "organiser": "白山市司法局（统一考试）"}, actor=actor)
    cert = services.issue_certificate(officer, number=number, kind=kind, categories=categories, area_code=area,
                                      issued_on=issued, expires_on=expires, issuer=issuer, filed_on=filed_on,
                                      reason="经培训考试合格", actor=actor)
    if scenario == "missed_inspection":
        required = rules.required_inspection_year(cert, today, settings)
        _inspect_through(cert, today, actor, services, up_to_year=required - 1)
        return cert
    if scenario == "revoked":
        revoked_on = today - timedelta(days=200)
        _inspect_through(cert, revoked_on, actor, services)
        services.revoke(cert, on=revoked_on, reason_type="lent", actor=actor,
                        reason="将执法证件出借给辅助人员使用，经查属实")
        return cert
    if scenario == "cancelled":
        cancelled_on = today - timedelta(days=60)
        _inspect_through(cert, cancelled_on, actor, services)
        services.cancel(cert, on=cancelled_on, actor=actor, reason="调离执法岗位")
        return cert
    if scenario == "expired":
        _inspect_through(cert, expires, actor, services)
        return cert
    if scenario == "suspended":
        suspended_on = today - timedelta(days=10)
        _inspect_through(cert, suspended_on, actor, services)
        services.suspend(cert, on=suspended_on, until=today + timedelta(days=30), actor=actor,
                         reason="未按规定出示证件，暂扣证件期间接受培训")
    elif scenario == "restored":
        suspended_on = today - timedelta(days=90)
        _inspect_through(cert, suspended_on, actor, services)
        services.suspend(cert, on=suspended_on, until=None, actor=actor, reason="涉嫌违规执法，暂扣证件接受调查")
        services.restore(cert, on=today - timedelta(days=30), actor=actor, reason="经调查不存在违规行为，发还证件")
    else:
        _inspect_through(cert, today, actor, services)
    # Whatever the load date, the inspection due today is on record (it may fall after the events above).
    required = rules.required_inspection_year(cert, today, settings)
    if required is not None and required not in rules.passed_inspection_years(cert, today):
        services.record_inspection(cert, year=required, on=today, actor=actor, reason="年度审验合格")
    return cert
