"""Demo entrusted organisation: a township enforcement team entrusted by the city-management bureau, one
officer of the team (trained, examined, certified) and the case he registered, which carries both names."""
from datetime import date, timedelta

from app.timeutil import today_china
from app.web.demo import register_demo


@register_demo(35)
def load_entrusted(ctx):
    from app.agencies import services

    agency, matter = ctx["agencies"].get("cg"), ctx.get("matters", {}).get("road")
    if agency is None or matter is None:
        return
    today = today_china()
    ctx["entrusted"] = services.create_entrusted({
        "name": "临江市花山镇综合行政执法队", "entrusting_agency_id": agency.id,
        "matter_codes": [matter.matter.code], "document_number": f"临城管委〔{today.year}〕1号",
        "legal_basis": "《中华人民共和国行政处罚法》第二十条；《吉林省城市管理综合行政执法条例》",
        "starts_on": date(today.year, 1, 1), "ends_on": date(today.year + 2, 12, 31),
        "address": "临江市花山镇人民政府院内"}, actor=None, today=date(today.year, 1, 1))
    _team_officer_and_case(ctx, agency, matter, ctx["entrusted"], today)


def _team_officer_and_case(ctx, agency, matter, org, today):
    from app.agencies import services
    from app.auth.services import create_user
    from app.officers import services as officers, training
    from app.validators import make_id_number
    from app.web.demo import DEMO_PASSWORD
    from cases import services as case_services

    user = create_user(username="hs_zhouhai", password=DEMO_PASSWORD, full_name="周海", roles=("officer",),
                       agency=agency)
    officer = officers.create_officer(name="周海", agency=agency, employment_type="established", user=user)
    issued = date(today.year - 1, 3, 1)
    training.record_training(officer, {"kind": "pre_post", "course": "新进执法人员岗前培训", "hours": 60,
                                       "provider": "白山市司法局", "completed_on": issued - timedelta(days=60)})
    training.record_examination(officer, {"taken_on": issued - timedelta(days=30), "score": 86, "passed": True,
                                          "organiser": "白山市司法局（统一考试）"})
    cert = officers.issue_certificate(officer, number="JL2206811HS001", categories=["城市管理"], area_code="220681",
                                      issued_on=issued, expires_on=date(today.year + 5, 2, 28),
                                      issuer="吉林省人民政府", reason="经培训考试合格")
    on = min(date(today.year, 1, 20), today)
    training.record_training(officer, {"kind": "annual", "course": "年度行政执法培训（乡镇综合执法）", "hours": 40,
                                       "provider": "临江市司法局", "completed_on": on})
    officers.record_inspection(cert, year=today.year, on=on, reason="年度审验合格")
    services.assign_officer(org, officer, actor=None)
    partner = ctx.get("officers", {}).get("wangqiang")
    ctx.setdefault("cases", {})["entrusted"] = case_services.create_case(
        agency=agency, matter_version=matter, title="刘某在花山镇中心街擅自占用城市道路经营案", area_code="220681",
        actor=user, violation_on=today - timedelta(days=1), discovered_on=today - timedelta(days=1),
        summary="花山镇综合行政执法队巡查发现当事人在中心街占道摆摊经营。", place="临江市花山镇中心街",
        officer_ids=[officer.id] + ([partner.id] if partner is not None else []),
        parties=[{"kind": "person", "name": "刘某", "id_number": make_id_number("220681", date(1980, 5, 12), 31),
                  "phone": "13904358899", "address": "吉林省临江市花山镇中心街20号"}], on=today)
