"""JSON API of coercive measures (session or bearer token). Each handler: load → visibility (another
agency's measure is a 404) → the service (permission, state, law) → one commit; refusals roll back and are
rendered once by app.errors as {"error", "message", "details"}."""
from __future__ import annotations

from contextlib import contextmanager

from flask import jsonify, request
from flask_smorest import Blueprint

from app.apidoc import ObjectSchema
from flask_login import current_user

from app.auth.permissions import require_login
from app.errors import DomainError, InvalidInput, NotFound
from app.extensions import db
from cases import services as case_services
from inspections import measure_terms as terms
from inspections import measures, queries
from inspections.schemas import measure_json

bp = Blueprint("inspections_api", __name__, url_prefix="/api", description="行政强制措施（查封、扣押等）")


@contextmanager
def writing():
    try:
        yield
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()


def body() -> dict:
    data = request.get_json(silent=True)
    if data is None and request.form:
        data = request.form.to_dict()
    if not isinstance(data, dict):
        raise InvalidInput("请求体必须是 JSON 对象")
    return data


def load_measure(measure_id):
    m = queries.get_measure(measure_id)
    if m is None or not measures.can_view(current_user, m):
        raise NotFound("行政强制措施不存在")
    return m


@bp.get("/cases/<int:case_id>/measures")
@require_login
@bp.response(200, ObjectSchema(many=True))
def case_measures(case_id):
    case = case_services.get_case(case_id)
    case_services.ensure_can_view(current_user, case)
    return jsonify([measure_json(m) for m in queries.measures_of_case(case)])


@bp.post("/cases/<int:case_id>/measures")
@require_login
@bp.response(201, ObjectSchema)
def request_measure(case_id):
    case = case_services.get_case(case_id)
    case_services.ensure_can_view(current_user, case)
    data = body()
    with writing():
        m = measures.request_measure(case, data, actor=current_user)
    return jsonify(measure_json(m)), 201


@bp.get("/measures/<int:measure_id>")
@require_login
@bp.response(200, ObjectSchema)
def measure(measure_id):
    return jsonify(measure_json(load_measure(measure_id), events=True))


@bp.post("/measures/<int:measure_id>/decision")
@require_login
@bp.response(200, ObjectSchema)
def decide(measure_id):
    m, data = load_measure(measure_id), body()
    if not isinstance(data.get("approve"), bool):
        raise InvalidInput("approve 必须是 true 或 false", details={"fields": {"approve": ["必须是布尔值"]}})
    with writing():
        measures.decide_request(m, approve=data["approve"], actor=current_user, note=data.get("note") or "")
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/take")
@require_login
@bp.response(200, ObjectSchema)
def take(measure_id):
    m, data = load_measure(measure_id), body()
    with writing():
        measures.take_measure(m, data, actor=current_user)
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/report")
@require_login
@bp.response(200, ObjectSchema)
def report(measure_id):
    m, data = load_measure(measure_id), body()
    with writing():
        measures.report_emergency(m, actor=current_user, note=data.get("note") or "",
                                  late_reason=data.get("late_reason") or "")
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/complete")
@require_login
@bp.response(200, ObjectSchema)
def complete(measure_id):
    m = load_measure(measure_id)
    with writing():
        measures.complete_record(m, actor=current_user)
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/extension")
@require_login
@bp.response(200, ObjectSchema)
def extend(measure_id):
    m, data = load_measure(measure_id), body()
    with writing():
        terms.extend(m, actor=current_user, days=data.get("days"), reason=data.get("reason") or "",
                     on=data.get("on"))
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/testing")
@require_login
@bp.response(200, ObjectSchema)
def testing(measure_id):
    m, data = load_measure(measure_id), body()
    with writing():
        terms.add_testing(m, actor=current_user, start=data.get("start"), end=data.get("end"),
                          purpose=data.get("purpose") or "", on=data.get("on"))
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/release")
@require_login
@bp.response(200, ObjectSchema)
def release(measure_id):
    m, data = load_measure(measure_id), body()
    with writing():
        terms.release(m, data, actor=current_user)
    return jsonify(measure_json(m))


@bp.post("/measures/<int:measure_id>/conversion")
@require_login
@bp.response(201, ObjectSchema)
def convert(measure_id):
    m, data = load_measure(measure_id), body()
    with writing():
        new = terms.convert_preservation(m, actor=current_user, kind=data.get("kind"), on=data.get("on"))
    return jsonify(measure_json(new)), 201


@bp.post("/measures/<int:measure_id>/items/<int:item_id>/photos")
@require_login
@bp.response(201, ObjectSchema)
@bp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "properties": {"photo": {"type": "string", "format": "binary"}}}}}})
def add_photo(measure_id, item_id):
    """Upload a photo of an item (multipart/form-data, field `photo`; JPEG or PNG). Returns the photo's
    stored hash and its ledger entry."""
    m = load_measure(measure_id)
    upload = request.files.get("photo")
    with writing():
        photo = measures.add_item_photo(m, item_id, filename=upload.filename if upload else "",
                                        data=upload.read() if upload else b"", actor=current_user)
    return jsonify(photo), 201


@bp.get("/measures/overview")
@require_login
@bp.response(200, ObjectSchema)
def overview():
    """Supervisor view: measures past their term, refused but unreleased, items still held."""
    return jsonify(queries.overview_json(current_user))
