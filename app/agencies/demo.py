"""Demo entrusted organisation: a township enforcement team entrusted by the city-management bureau."""
from datetime import date

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
