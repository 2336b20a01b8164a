"""Demo records for inspections (through the services): a seizure in progress, a released sealing, and a
completed 双随机 round whose results are published."""
from datetime import datetime, timedelta, timezone

import click
from sqlalchemy import select

from app.web.demo import register_demo

ITEMS = [{"name": "烧烤炉具", "quantity": 3, "unit": "套", "place": "临江市建国大街88号门前", "condition": "使用过，完好"},
         {"name": "遮阳棚", "quantity": 1, "unit": "顶", "place": "同上", "condition": "折叠完好"}]
TARGETS = [("91220681MA0C{:04d}".format(i), f"临江市{name}", "220681", f"建国大街{10 + i}号")
           for i, name in enumerate(("鸭绿江商贸有限公司", "长白山广告有限公司", "老街坊餐饮店", "新华书店临江分店",
                                     "江源烧烤店", "兴隆超市", "金鑫五金商店", "临江宾馆"))]


def _justified_complete(m, officer, head):
    from cases import services as case_services
    from inspections import measures

    case_services.justify_missing_av(m.step, "演示数据：历史记录补录，执法记录仪视频另行归档", actor=officer)
    case_services.approve_av_justification(m.step, actor=head)
    measures.complete_record(m, actor=officer)


def _record(inspection, actor, start):
    """A real body-camera clip (ffmpeg) of the inspection, ingested as a recording of the inspection."""
    import os
    import tempfile

    from inspections import checks
    from recordings import services
    from recordings.demo import _make

    with tempfile.TemporaryDirectory(prefix="sanxiang-demo-") as tmp:
        path = os.path.join(tmp, "inspection.mp4")
        _make(path, video=True, seconds=8, created=start)
        _, _, meta = services.prepare(None, {
            "subject": checks.subject_key(inspection), "device_id": "DSJ-LJ-0031", "location": inspection.place,
            "started_at": start.isoformat(), "filename": f"行政检查-{inspection.id}.mp4",
            "late_reason": "演示数据：补录历史记录"}, actor=actor)
        with open(path, "rb") as fh:
            services.ingest(fh, case=None, step=None, meta=meta, actor=actor)


@register_demo(85)
def load_inspections(ctx):
    from app.extensions import db
    from app.ledger.services import LedgerKeyMissing, load_signer
    from cases.models import Case, CaseStatus
    from inspections import checks, measure_terms, measures, random_checks

    users, officers = ctx.get("users", {}), ctx.get("officers", {})
    head, officer = users.get("cg_chenjz"), users.get("cg_wangqiang")
    wang = officers.get("wangqiang")
    if head is None or officer is None or wang is None:
        return
    made = ctx.setdefault("measures", {})
    case = next((c for c in db.session.scalars(select(Case).where(
        Case.agency_id == head.agency_id, Case.status == CaseStatus.investigating.value).order_by(Case.id))
        if any(co.officer_id == wang.id for co in c.officers)), None)
    if case is not None:
        now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        base = {"reason": "当事人占道经营，经责令改正拒不改正，涉案物品可能被转移", "storage_place": "市城管执法局暂扣物品仓库",
                "basis": "《吉林省城市管理综合行政执法条例》第二十七条；《中华人民共和国行政强制法》第二十二条"}
        seized = measures.request_measure(case, {"kind": "seize", "items": ITEMS, **base}, actor=officer)
        measures.decide_request(seized, approve=True, actor=head, note="同意扣押")
        start = now - timedelta(days=10)
        measures.take_measure(seized, {"started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=35)).isoformat(),
                                       "place": "临江市建国大街88号门前"}, actor=officer)
        _justified_complete(seized, officer, head)
        made["seizure_in_progress"] = seized
        sealed = measures.request_measure(case, {"kind": "seal", "items": [
            {"name": "流动餐车", "quantity": 1, "unit": "辆", "place": "建国大街90号", "condition": "可正常使用"}], **base},
            actor=officer)
        measures.decide_request(sealed, approve=True, actor=head, note="同意查封")
        start = now - timedelta(days=20)
        measures.take_measure(sealed, {"started_at": start.isoformat(), "ended_at": (start + timedelta(minutes=25)).isoformat(),
                                       "place": "临江市建国大街90号"}, actor=officer)
        measure_terms.release(sealed, {"ground": "no_longer_needed", "note": "当事人已自行改正",
                                       "place": "市城管执法局暂扣物品仓库",
                                       "started_at": (now - timedelta(days=5)).replace(tzinfo=None).isoformat()},
                              actor=officer)
        made["released"] = sealed

    item = ctx.get("inspection_items", {}).get("cg0")
    pool = [o for o in (officers.get("wangqiang"), officers.get("liuyang")) if o is not None and o.user is not None]
    if item is None or len(pool) < 2:
        return
    random_checks.import_targets(head.agency_id, [
        {"code": code, "name": name, "kind": "单位", "category": item.category, "area_code": area, "address": addr}
        for code, name, area, addr in TARGETS], actor=head)
    for o in pool:
        random_checks.register_inspector(head.agency_id, o.id, actor=head)
    try:
        load_signer()
    except LedgerKeyMissing:
        click.echo("demo: no ledger signing key (flask ledger keygen): the random-inspection round is skipped")
        return
    rnd = random_checks.draw_round(head.agency_id, {"item_id": item.id, "target_count": 2,
                                                    "title": f"{item.name}（演示批次）"}, actor=head)
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    by_id = {o.id: o for o in pool}
    for n, task in enumerate(rnd.tasks):
        inspectors = [by_id[i] for i in task.inspector_ids]
        actor = inspectors[0].user
        start = now - timedelta(days=3 - n, hours=2)
        ins = checks.record_inspection(head.agency_id, {
            "kind": "random", "task_id": task.id, "basis": item.basis, "target_name": task.target.name,
            "target_code": task.target.code, "place": task.target.address or "临江市",
            "category": item.category, "started_at": start.isoformat(),
            "ended_at": (start + timedelta(minutes=40)).isoformat(), "officer_ids": task.inspector_ids,
            "findings": "户外广告设施设置规范，未发现违法行为" if n == 0 else "门头广告牌松动，存在安全隐患",
            "evidence": [{"name": "现场照片", "description": "3张"}]}, actor=actor)
        _record(ins, actor, start)  # the whole-process recording, kept although no case follows
        if n == 0:
            checks.conclude(ins, {"outcome": "no_problem"}, actor=actor)
        else:
            checks.conclude(ins, {"outcome": "order_correct",
                                  "correction_due": (now + timedelta(days=15)).date().isoformat()}, actor=actor)
        checks.publish_result(ins, actor=actor)
    random_checks.refresh_completion(rnd)
    ctx.setdefault("random_rounds", {})[rnd.id] = rnd
