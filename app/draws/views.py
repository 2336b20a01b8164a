"""Public pages of the draws (no login): the list, one draw recomputed in front of the reader from its
public bundle (the same `verify_bundle` an outsider runs), and the bundle itself as JSON."""
from flask import Blueprint, jsonify, render_template, request

from app import draws as algo
from app.draws import services

bp = Blueprint("draws_public", __name__, url_prefix="/public/draws", template_folder="templates")


@bp.get("")
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    items = services.list_draws(limit=51, offset=(page - 1) * 50)
    return render_template("draws/index.html", draws=items[:50], page=page, has_next=len(items) > 50)


@bp.get("/<int:draw_id>")
def detail(draw_id):
    draw = services.get_draw(draw_id)
    data = services.bundle(draw)
    try:
        result, failure = algo.verify_bundle(data, data["verifier_key"]), None
    except algo.VerificationFailed as exc:
        result, failure = None, exc
    return render_template("draws/detail.html", draw=draw, bundle=data, result=result, failure=failure)


@bp.get("/<int:draw_id>/bundle.json")
def bundle_json(draw_id):
    resp = jsonify(services.bundle(services.get_draw(draw_id)))
    resp.headers["Content-Disposition"] = f'attachment; filename="draw-{draw_id}.json"'
    return resp
