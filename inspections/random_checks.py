"""双随机、一公开 (国办发〔2015〕58号; SPEC §12, §13): the target register (imported from .xlsx/.csv), the
inspector register (certified officers), rounds drawn verifiably with `app.draws`, conflicts redrawn with
their reason kept, tasks assigned, results published within 20 working days *(default)*.

Population ids are opaque ("T-<target id>", "O-<officer id>"): the draw's public bundle carries no personal
data. Inspectors are assigned from the inspector draw's result in order: task i gets results
[per_target*i + j mod k] — a rule anyone can re-apply to the published result.
"""
from __future__ import annotations

import csv
import io

from flask import current_app

from app.auth.models import Agency, Role
from app.auth.permissions import can_act_in_agency
from app.draws import services as draws
from app.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from app.ledger.services import append as ledger_append
from app.officers.models import Officer
from app.officers.rules import check
from app.timeutil import today_china
from app.inputs import as_ref
from inspections.checks_models import (Inspection, InspectionTarget, RandomRound, RandomTask,
                                       RegisteredInspector)

RULE = "国办发〔2015〕58号"
HEADERS = {"编号": "code", "统一社会信用代码": "code", "代码": "code", "code": "code", "名称": "name", "name": "name",
           "类型": "kind", "kind": "kind", "类别": "category", "执法类别": "category", "category": "category",
           "区划代码": "area_code", "行政区划代码": "area_code", "area_code": "area_code", "地址": "address",
           "address": "address"}
KINDS = {"单位": "org", "org": "org", "企业": "org", "个人": "person", "个体": "person", "person": "person"}


def can_manage(user, agency_id) -> bool:
    return can_act_in_agency(user, agency_id, Role.head)


def ensure_manager(agency_id, actor) -> Agency:
    return _agency(agency_id, actor)


def _agency(agency_id, actor) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None or not can_manage(actor, agency_id):
        raise PermissionDenied(f"双随机抽查的名录库和抽取由机关负责人管理（{RULE}）")
    return agency


# --- registers -------------------------------------------------------------------------------------------

#: Rows of one target register file (a city's register of market entities fits in several files if larger).
MAX_TARGET_ROWS = 50000


def parse_targets(filename: str, data: bytes) -> list[dict]:
    """Rows of a target register file (.xlsx or .csv, first row = headers in Chinese or English)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        from app.sheets import read_xlsx_table

        # Streaming, size and row limits, no DTD, the dimension record not believed (SEC-6, SEC-16).
        table = read_xlsx_table(data, max_rows=MAX_TARGET_ROWS)
        rows = [["" if v is None else str(v).strip() for v in row] for row in table]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("CSV 文件须为 UTF-8 编码", details={"fields": {"file": ["编码无效"]}}) from None
        rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise InvalidInput("名录文件只能是 .xlsx 或 .csv", details={"fields": {"file": ["文件类型无效"]}})
    rows = [r for r in rows if any(r)]
    if not rows:
        raise InvalidInput("名录文件为空", details={"fields": {"file": ["文件为空"]}})
    header = [HEADERS.get(h) for h in rows[0]]
    missing = {"code", "name", "category", "area_code"} - set(header)
    if missing:
        raise InvalidInput("名录文件缺少列：" + "、".join(sorted(missing)) + "（需要：编号、名称、类型、类别、区划代码、地址）",
                           details={"fields": {"file": ["缺少列"]}})
    out = []
    for row in rows[1:]:
        out.append({key: (row[i] if i < len(row) else "") for i, key in enumerate(header) if key})
    return out


def import_targets(agency_id: int, rows: list[dict], *, actor) -> dict:
    """All or nothing: every row is checked first; a bad row refuses the file with its line number."""
    agency = _agency(agency_id, actor)
    errors, clean = [], []
    seen = set()
    for n, row in enumerate(rows, 2):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        kind = KINDS.get((row.get("kind") or "单位").strip())
        category, area = (row.get("category") or "").strip(), (row.get("area_code") or "").strip()
        problems = []
        if not code or len(code) > 40:
            problems.append("编号为空或过长")
        if code in seen:
            problems.append("编号重复")
        if not name or len(name) > 200:
            problems.append("名称为空或过长")
        if kind is None:
            problems.append("类型只能是单位或个人")
        if category not in (agency.categories or []):
            problems.append(f"类别“{category}”不在本机关执法类别内")
        if not (area.isdigit() and len(area) == 6):
            problems.append("区划代码须为6位数字")
        if problems:
            errors.append(f"第{n}行：" + "，".join(problems))
        seen.add(code)
        clean.append({"code": code, "name": name, "kind": kind, "category": category, "area_code": area,
                      "address": (row.get("address") or "").strip()[:200]})
    if errors:
        raise InvalidInput("名录文件有误，未导入任何记录：" + "；".join(errors[:20]), details={"rows": errors})
    existing = {t.code: t for t in db.session.scalars(db.select(InspectionTarget).where(
        InspectionTarget.agency_id == agency_id))}
    created = updated = 0
    for row in clean:
        target = existing.get(row["code"])
        if target is None:
            db.session.add(InspectionTarget(agency_id=agency_id, active=True, **row))
            created += 1
        else:
            for k, v in row.items():
                setattr(target, k, v)
            target.active = True
            updated += 1
    db.session.flush()
    ledger_append("random.targets_imported", f"agency:{agency_id}", {
        "agency_id": agency_id, "created": created, "updated": updated, "codes_count": len(clean)})
    return {"created": created, "updated": updated}


def register_inspector(agency_id: int, officer_id: int, *, actor) -> RegisteredInspector:
    _agency(agency_id, actor)
    officer = db.session.get(Officer, as_ref(officer_id, "officer_id", label="执法人员"))
    if officer is None or officer.agency_id != agency_id:
        raise InvalidInput("检查人员须是本机关的执法人员", details={"fields": {"officer_id": ["人员无效"]}})
    failures = check(officer, today_china())
    if failures:
        raise InvalidInput(f"{officer.name}不能列入执法检查人员名录库：" + "；".join(f.message for f in failures)
                           + "（吉林省行政执法证件管理办法）", details={"fields": {"officer_id": ["证件不符合要求"]}})
    row = db.session.scalar(db.select(RegisteredInspector).where(RegisteredInspector.agency_id == agency_id,
                                                                 RegisteredInspector.officer_id == officer.id))
    if row is None:
        row = RegisteredInspector(agency_id=agency_id, officer_id=officer.id, active=True)
        db.session.add(row)
    row.active = True
    db.session.flush()
    return row


# --- rounds ----------------------------------------------------------------------------------------------

def _assign(selected: list, n_targets: int, per_target: int) -> list[list[int]]:
    k = len(selected)
    return [[int(selected[(per_target * i + j) % k].split("-", 1)[1]) for j in range(per_target)]
            for i in range(n_targets)]


def draw_round(agency_id: int, data: dict, *, actor) -> RandomRound:
    """Draw targets and inspectors for one matter of the published random-inspection list."""
    from publicity.models import InspectionItem

    agency = _agency(agency_id, actor)
    today = today_china()
    item = db.session.get(InspectionItem, as_ref(data.get("item_id"), "item_id", label="抽查事项"))
    if item is None or item.agency_id != agency_id:
        raise InvalidInput("请选择本机关随机抽查事项清单中的事项", details={"fields": {"item_id": ["事项无效"]}})
    if item.published_on is None or item.published_on >= today:
        raise InvalidTransition(f"抽查事项“{item.name}”须在抽查前向社会公开（{RULE}；SPEC §3 事前公开）")
    try:
        count = int(data.get("target_count"))
        per_target = int(data.get("per_target") or 2)
    except (TypeError, ValueError):
        raise InvalidInput("请填写抽取对象数量", details={"fields": {"target_count": ["数量无效"]}}) from None
    if count < 1 or per_target < 2:
        raise InvalidInput("抽取对象数量至少为1，每个对象至少选派两名检查人员（行政处罚法第四十二条）",
                           details={"fields": {"target_count": ["数量无效"]}})
    area = (data.get("area_code") or "").strip() or None
    stmt = db.select(InspectionTarget).where(InspectionTarget.agency_id == agency_id, InspectionTarget.active,
                                             InspectionTarget.category == item.category)
    if area:
        stmt = stmt.where(InspectionTarget.area_code == area)
    targets = list(db.session.scalars(stmt))
    pool = [r.officer for r in db.session.scalars(db.select(RegisteredInspector).where(
        RegisteredInspector.agency_id == agency_id, RegisteredInspector.active))]
    pool = [o for o in pool if not check(o, today, category=item.category, area=area or agency.region_code)]
    if len(targets) < count:
        raise InvalidInput(f"名录库中符合条件的检查对象只有{len(targets)}个，少于抽取数量{count}",
                           details={"fields": {"target_count": ["超过名录库数量"]}})
    if len(pool) < per_target:
        raise InvalidInput(f"执法检查人员名录库中持有效证件的人员只有{len(pool)}名，不足{per_target}名（{RULE}）",
                           details={"fields": {"per_target": ["人员不足"]}})
    title = (data.get("title") or f"{item.name}（{today.year}年）").strip()[:200]
    context = {"agency_id": agency_id, "item_id": item.id, "item": item.name, "title": title}
    target_draw = draws.perform_draw(f"双随机抽查对象：{title}", [f"T-{t.id}" for t in targets], count,
                                     subject=f"inspections.round:{agency_id}:targets", actor=actor,
                                     agency_id=agency_id, context=context)
    k = min(len(pool), per_target * count)
    inspector_draw = draws.perform_draw(f"双随机执法检查人员：{title}", [f"O-{o.id}" for o in pool], k,
                                        subject=f"inspections.round:{agency_id}:inspectors", actor=actor,
                                        agency_id=agency_id, context={**context, "per_target": per_target})
    rnd = RandomRound(agency_id=agency_id, item_id=item.id, title=title, category=item.category, area_code=area,
                      target_count=count, per_target=per_target, target_draw_id=target_draw.id,
                      inspector_draw_id=inspector_draw.id, drawn_on=today, created_by_id=actor.id)
    db.session.add(rnd)
    chosen = [int(x.split("-", 1)[1]) for x in target_draw.selected]
    for target_id, inspectors in zip(chosen, _assign(inspector_draw.selected, count, per_target)):
        rnd.tasks.append(RandomTask(target_id=target_id, inspector_ids=inspectors))
    db.session.flush()
    ledger_append("random.round_drawn", f"random_round:{rnd.id}", {
        "round_id": rnd.id, "agency_id": agency_id, "item_id": item.id, "target_draw": target_draw.id,
        "inspector_draw": inspector_draw.id, "tasks": [{"target": f"T-{t.target_id}", "inspectors":
                                                        [f"O-{i}" for i in t.inspector_ids]} for t in rnd.tasks]})
    return rnd


def get_round(round_id) -> RandomRound:
    rnd = db.session.get(RandomRound, round_id)
    if rnd is None:
        raise NotFound("没有该抽查批次")
    return rnd


def redraw_inspector(rnd: RandomRound, officer_id: int, reason: str, *, actor) -> int:
    """An inspector with a conflict of interest (回避) is replaced by the next in the ranking; the reason is
    kept in the draw and the ledger, and the tasks are re-assigned by the published rule."""
    _agency(rnd.agency_id, actor)
    officer_id = as_ref(officer_id, "officer_id", label="执法人员")
    done = {t.id for t in rnd.tasks if db.session.scalar(db.select(Inspection.id).where(Inspection.task_id == t.id))}
    if any(officer_id in t.inspector_ids and t.id in done for t in rnd.tasks):
        raise InvalidTransition("该检查人员已实施抽查任务，不能再回避重抽")
    draw = draws.get_draw(rnd.inspector_draw_id)
    replacement = draws.redraw(draw, f"O-{officer_id}", reason, actor=actor)
    for task, inspectors in zip(rnd.tasks, _assign(draw.selected, len(rnd.tasks), rnd.per_target)):
        if task.id not in done:
            task.inspector_ids = inspectors
    db.session.flush()
    return int(replacement.split("-", 1)[1])


def task_status(task) -> dict:
    inspection = db.session.scalar(db.select(Inspection).where(Inspection.task_id == task.id))
    return {"inspection": inspection, "published": bool(inspection and inspection.published_on)}


def refresh_completion(rnd: RandomRound):
    if rnd.completed_on:
        return
    states = [task_status(t) for t in rnd.tasks]
    if states and all(s["published"] for s in states):
        rnd.completed_on = today_china()
        ledger_append("random.round_completed", f"random_round:{rnd.id}", {"round_id": rnd.id,
                                                                            "completed_on": rnd.completed_on})


def verify_round(rnd: RandomRound) -> dict:
    """Recompute both draws from the ledger and re-apply the assignment rule to the published result."""
    targets = draws.verify_draw(draws.get_draw(rnd.target_draw_id))
    inspectors = draws.verify_draw(draws.get_draw(rnd.inspector_draw_id))
    expected = _assign(inspectors["selected"], len(targets["selected"]), rnd.per_target)
    chosen = [f"T-{t.target_id}" for t in rnd.tasks]
    if chosen != targets["selected"]:
        raise InvalidTransition("抽查任务的检查对象与重算的抽取结果不符")
    done = {t.id for t in rnd.tasks if task_status(t)["inspection"] is not None}
    for task, want in zip(rnd.tasks, expected):
        if task.id not in done and task.inspector_ids != want:
            raise InvalidTransition("抽查任务的检查人员与重算的抽取结果不符")
    return {"targets": targets["selected"], "inspectors": inspectors["selected"], "assignments": expected}


def warn_days() -> int:
    return current_app.config.get("MEASURE_WARNING_DAYS", 5)
