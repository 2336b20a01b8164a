"""Demo supervision: 吉林省司法厅 → 白山市司法局 → 临江市司法局 with the demo's agencies under 临江, the
city-wide demo supervisor placed nowhere (sees all), and open and closed complaints."""
from __future__ import annotations

from app.timeutil import today_china
from app.web.demo import register_demo


@register_demo(90)
def load_supervision(ctx):
    from app import calendar
    from supervision.models.complaints import ComplaintChannel
    from supervision.services import complaints, hierarchy

    province = hierarchy.create_office(name="吉林省司法厅", level="province", region_code="220000")
    city = hierarchy.create_office(name="白山市司法局", level="city", region_code="220600", parent=province)
    county = hierarchy.create_office(name="临江市司法局", level="county", region_code="220681", parent=city)
    offices = ctx.setdefault("offices", {})
    offices.update({"province": province, "city": city, "county": county})
    for agency in ctx.get("agencies", {}).values():
        hierarchy.assign_agency(county, agency)
    users = ctx.get("users", {})
    supervisor = users.get("jiandu")
    today = today_china()
    agencies = ctx.get("agencies", {})
    if not agencies:
        return
    cg = agencies.get("cg") or next(iter(agencies.values()))
    sj = agencies.get("sj") or cg
    made = ctx.setdefault("complaints", {})
    # An open complaint received today through the public form.
    r = complaints.submit({"agency_id": cg.id, "subject": "占道经营执法人员未出示证件",
                           "content": "某日在建国街，两名执法人员检查摊位时未出示执法证件，态度生硬。",
                           "complainant_name": "李明", "complainant_phone": "13904350001"},
                          channel=ComplaintChannel.web)
    made["open"] = r.complaint
    # A letter received some working days ago, accepted, assigned and replied (closed).
    received = calendar.add_working_days(today, -12)
    r2 = complaints.submit({"agency_id": sj.id, "subject": "罚款决定未告知陈述申辩权利",
                            "content": "市场监管局对我店作出罚款决定前，未告知我陈述、申辩的权利。",
                            "complainant_name": "赵丽", "complainant_phone": "13904350002",
                            "complainant_address": "临江市新市街5号"},
                           channel=ComplaintChannel.letter, actor=supervisor, on=received)
    c2 = r2.complaint
    complaints.accept(c2, note="属于执法监督范围", on=calendar.add_working_days(received, 2), actor=supervisor)
    complaints.assign(c2, supervisor, on=calendar.add_working_days(received, 3), actor=supervisor)
    complaints.reply(c2, text_="经调取案卷核查，该局在作出决定前已送达《行政处罚事先告知书》并告知陈述、申辩权利，"
                               "当事人签收记录在卷。投诉事项不属实。", outcome="not_upheld",
                     on=calendar.add_working_days(received, 8), actor=supervisor)
    made["closed"] = c2
    # A call received and accepted, in handling, its acceptance almost late.
    received3 = calendar.add_working_days(today, -4)
    r3 = complaints.submit({"agency_id": cg.id, "subject": "强制拆除前未催告",
                            "content": "城管局拆除我家门前彩钢棚前未书面催告。", "complainant_name": "王刚",
                            "complainant_phone": "13904350003", "consent_disclose": True},
                           channel=ComplaintChannel.call, actor=supervisor, on=received3)
    complaints.accept(r3.complaint, on=received3, actor=supervisor)
    made["handling"] = r3.complaint


@register_demo(91)
def load_oversight(ctx):
    """A 2026 inspection plan per agency, the city-management bureau's annual check with two findings, and a
    rectification notice in progress (report submitted, awaiting the supervisor)."""
    from app import calendar
    from supervision.services import checks, rectification

    agencies = ctx.get("agencies", {})
    if not agencies:
        return
    today = today_china()
    plans = {}
    for key, agency in agencies.items():
        plans[key] = checks.create_plan(agency=agency, year=today.year, title=f"{today.year}年度行政执法检查",
                                        planned_on=today.replace(month=6, day=15),
                                        scope="行政执法“三项制度”落实情况、案卷质量、执法人员持证情况")
    cg = agencies.get("cg") or next(iter(agencies.values()))
    checked_on = calendar.add_working_days(today, -20)
    check = checks.record_check(agency=cg, kind="annual", plan=plans.get("cg"), checked_on=checked_on,
                                summary="抽查行政处罚案卷12件，现场检查执法记录仪使用情况。",
                                findings=[{"text": "部分案件现场检查未全程音像记录，也无书面说明"},
                                          {"text": "两件案件的行政处罚决定书未载明申请行政复议、提起行政诉讼的途径和期限"}])
    rect = rectification.issue(agency=cg, findings=[f.text for f in check.findings], finding=check.findings[0],
                               source=f"check:{check.id}", on=calendar.add_working_days(checked_on, 2))
    head = ctx.get("users", {}).get("cg_chenjz")
    rectification.submit_report(rect, text_="已组织全局执法人员开展执法记录仪使用培训，对两件案件的决定书依法补正送达。",
                                files=[("培训签到表.pdf", "application/pdf", b"%PDF-1.4\n% demo attachment\n")],
                                on=calendar.add_working_days(checked_on, 10), actor=head)
    ctx.setdefault("rectifications", {})["in_progress"] = rect


@register_demo(92)
def load_evaluation(ctx):
    """A completed 案卷评查 round over the last twelve months' closed cases, drawn verifiably, scored by two
    evaluators and published with its bulletin. Needs the ledger signing key (the draw's seed is a signed
    checkpoint): without one, the round is left out with a message."""
    import logging
    from datetime import timedelta

    from app.auth.services import create_user
    from app.ledger.services import LedgerKeyMissing
    from supervision.services import evaluation

    agencies = ctx.get("agencies", {})
    users = ctx.get("users", {})
    lead = users.get("jiandu")
    if not agencies or lead is None:
        return
    second = create_user(username="jiandu_pc", password=_password(), full_name="钱文静", roles=["supervisor"])
    users["jiandu_pc"] = second
    today = today_china()
    try:
        with _savepoint():
            rnd = evaluation.create_round(title=f"{today.year}年度行政处罚案卷评查", period_from=today - timedelta(days=365),
                                          period_to=today, agency_ids=[a.id for a in agencies.values()],
                                          evaluator_ids=[lead.id, second.id], actor=lead)
            files = evaluation.draw(rnd, actor=lead)
            for i, f in enumerate(files):
                evaluation.submit_sheet(f, deductions={"documents": 3, "archive": 1}, actor=lead,
                                        comment="送达回证填写不完整，卷内目录未标页码")
                evaluation.submit_sheet(f, deductions={"documents": 2, "discretion": 4}, actor=second,
                                        comment="裁量理由说明较简略")
            evaluation.publish(rnd, actor=lead)
            ctx.setdefault("evaluation_rounds", {})["published"] = rnd
    except LedgerKeyMissing as exc:
        logging.getLogger(__name__).warning("demo: no 案卷评查 round (%s)", exc.message)
    except Exception as exc:  # noqa: BLE001 - e.g. no closed case in the period: the demo goes on without it
        from app.errors import DomainError

        if not isinstance(exc, DomainError):
            raise
        logging.getLogger(__name__).warning("demo: no 案卷评查 round (%s)", exc.message)


def _password():
    from app.web.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def _savepoint():
    from app.extensions import db

    return db.session.begin_nested()
