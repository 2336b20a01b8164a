"""JSON API of inspections (行政检查) and random inspections (双随机): same services as the CLI and pages."""
from __future__ import annotations

from flask import jsonify, request
from flask_smorest import Blueprint

from app.apidoc import ObjectSchema
from flask_login import current_user

from app.auth.permissions import can_see_agency, require_login
from app.errors import InvalidInput, NotFound
from inspections import checks, random_checks
from inspections.api import body, writing
from inspections.checks_models import Inspection, RandomRound

bp = Blueprint("inspections_checks_api", __name__, url_prefix="/api", description="行政检查与“双随机”抽查")


def _d(v):
    return v.isoformat() if v is not None else None


def inspection_json(i: Inspection) -> dict:
    return {"id": i.id, "agency_id": i.agency_id, "kind": i.kind, "kind_label": i.kind_label, "plan_ref": i.plan_ref,
            "task_id": i.task_id, "category": i.category, "area_code": i.area_code, "basis": i.basis,
            "target_name": i.target_name, "target_kind": i.target_kind, "target_code": i.target_code,
            "place": i.place, "started_at": _d(i.started_at), "ended_at": _d(i.ended_at),
            "inspectors": i.inspectors, "findings": i.findings, "evidence": i.evidence, "outcome": i.outcome,
            "outcome_label": i.outcome_label, "correction_due": _d(i.correction_due),
            "followed_up_on": _d(i.followed_up_on), "follow_up_result": i.follow_up_result,
            "case_id": i.case_id, "concluded_on": _d(i.concluded_on), "results_due": _d(i.results_due),
            "published_on": _d(i.published_on), "ledger_seq": i.ledger_seq}


def round_json(r: RandomRound) -> dict:
    tasks = []
    for t in r.tasks:
        state = random_checks.task_status(t)
        tasks.append({"id": t.id, "target_id": t.target_id, "target": t.target.name, "inspector_ids": t.inspector_ids,
                      "inspection_id": state["inspection"].id if state["inspection"] else None,
                      "published": state["published"]})
    return {"id": r.id, "agency_id": r.agency_id, "item_id": r.item_id, "title": r.title, "category": r.category,
            "target_count": r.target_count, "per_target": r.per_target, "target_draw_id": r.target_draw_id,
            "inspector_draw_id": r.inspector_draw_id, "drawn_on": _d(r.drawn_on), "completed_on": _d(r.completed_on),
            "tasks": tasks}


def _inspection(inspection_id):
    return checks.get_inspection(inspection_id, current_user)


@bp.post("/inspections")
@require_login
@bp.response(201, ObjectSchema)
def record():
    data = body()
    agency_id = data.get("agency_id") or current_user.agency_id
    with writing():
        row = checks.record_inspection(checks.ref(agency_id, "agency_id", "执法部门"), data, actor=current_user)
    return jsonify(inspection_json(row)), 201


@bp.get("/inspections/<int:inspection_id>")
@require_login
@bp.response(200, ObjectSchema)
def inspection(inspection_id):
    return jsonify(inspection_json(_inspection(inspection_id)))


@bp.post("/inspections/<int:inspection_id>/conclusion")
@require_login
@bp.response(200, ObjectSchema)
def conclude(inspection_id):
    row, data = _inspection(inspection_id), body()
    with writing():
        checks.conclude(row, data, actor=current_user)
    return jsonify(inspection_json(row))


@bp.post("/inspections/<int:inspection_id>/follow-up")
@require_login
@bp.response(200, ObjectSchema)
def follow_up(inspection_id):
    row, data = _inspection(inspection_id), body()
    with writing():
        checks.follow_up(row, result=data.get("result"), note=data.get("note") or "", actor=current_user)
    return jsonify(inspection_json(row))


@bp.post("/inspections/<int:inspection_id>/case")
@require_login
@bp.response(201, ObjectSchema)
def file_case(inspection_id):
    row, data = _inspection(inspection_id), body()
    with writing():
        case = checks.file_case(row, data, actor=current_user)
    return jsonify({"case_id": case.id, "inspection": inspection_json(row)}), 201


@bp.post("/inspections/<int:inspection_id>/publication")
@require_login
@bp.response(200, ObjectSchema)
def publish(inspection_id):
    row = _inspection(inspection_id)
    with writing():
        checks.publish_result(row, actor=current_user)
    return jsonify(inspection_json(row))


@bp.post("/random/targets")
@require_login
@bp.response(200, ObjectSchema)
def import_targets():
    agency_id = checks.ref(request.form.get("agency_id") or current_user.agency_id, "agency_id", "执法部门")
    random_checks.ensure_manager(agency_id, current_user)
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("请上传名录文件（.xlsx 或 .csv）", details={"fields": {"file": ["请上传文件"]}})
    with writing():
        rows = random_checks.parse_targets(upload.filename, upload.read())
        result = random_checks.import_targets(agency_id, rows, actor=current_user)
    return jsonify(result)


@bp.post("/random/inspectors")
@require_login
@bp.response(201, ObjectSchema)
def add_inspector():
    data = body()
    with writing():
        row = random_checks.register_inspector(checks.ref(data.get("agency_id") or current_user.agency_id,
                                                          "agency_id", "执法部门"),
                                               data.get("officer_id"), actor=current_user)
    return jsonify({"id": row.id, "officer_id": row.officer_id}), 201


@bp.post("/random/rounds")
@require_login
@bp.response(201, ObjectSchema)
def draw_round():
    data = body()
    with writing():
        rnd = random_checks.draw_round(checks.ref(data.get("agency_id") or current_user.agency_id, "agency_id",
                                                  "执法部门"), data,
                                       actor=current_user)
    return jsonify(round_json(rnd)), 201


def _round(random_round_id):
    rnd = random_checks.get_round(random_round_id)
    if not can_see_agency(current_user, rnd.agency_id):
        raise NotFound("没有该抽查批次")
    return rnd


@bp.get("/random/rounds/<int:random_round_id>")
@require_login
@bp.response(200, ObjectSchema)
def round_detail(random_round_id):
    return jsonify(round_json(_round(random_round_id)))


@bp.post("/random/rounds/<int:random_round_id>/redraw")
@require_login
@bp.response(200, ObjectSchema)
def redraw(random_round_id):
    rnd, data = _round(random_round_id), body()
    with writing():
        replacement = random_checks.redraw_inspector(rnd, checks.ref(data.get("officer_id"), "officer_id", "执法人员"),
                                                     data.get("reason") or "",
                                                     actor=current_user)
    return jsonify({"replacement_officer_id": replacement, "round": round_json(rnd)})
