"""Public pages (no login): published inspection results without personal data, and the 双随机 rounds with
their verifiable draws recomputed from public data (SPEC §3, §12, §13)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template

from app.apidoc import PUBLIC, ObjectSchema, PageBlueprintDocs
from app.errors import DomainError
from app.extensions import db
from app.officers.models import Officer
from inspections import checks, random_checks
from inspections.checks_models import Inspection, RandomRound

bp = Blueprint("inspections_public", __name__, url_prefix="/public", template_folder="templates")
docs = PageBlueprintDocs("inspections_public", __name__, description="公开：行政检查结果与“双随机”抽查（无需登录）")


def _public_result(i: Inspection) -> dict:
    return {"id": i.id, "agency": i.agency.name, "kind": i.kind_label, "category": i.category,
            "target": checks.public_target(i), "date": i.concluded_on.isoformat() if i.concluded_on else None,
            "outcome": i.outcome_label, "correction_due": i.correction_due.isoformat() if i.correction_due else None,
            "published_on": i.published_on.isoformat() if i.published_on else None}


def _published():
    return list(db.session.scalars(db.select(Inspection).where(Inspection.published_on.is_not(None))
                                   .order_by(Inspection.published_on.desc(), Inspection.id.desc()).limit(200)))


@bp.get("/inspections/results")
def results():
    return render_template("inspections/public_results.html", rows=[_public_result(i) for i in _published()])


@bp.get("/api/inspections/results")
@docs.documented()
@docs.response(200, ObjectSchema(many=True))
@docs.doc(**PUBLIC)
def results_json():
    """Published results of inspections."""
    return jsonify([_public_result(i) for i in _published()])


def _round_public(rnd: RandomRound) -> dict:
    officers = {o.id: o for o in db.session.scalars(db.select(Officer).where(
        Officer.id.in_({i for t in rnd.tasks for i in t.inspector_ids} or {-1})))}
    tasks = []
    for t in rnd.tasks:
        state = random_checks.task_status(t)
        ins = state["inspection"]
        target = t.target.name if t.target.kind == "org" else f"{t.target.name[:1]}某（个人）"
        tasks.append({"target_id": f"T-{t.target_id}", "target": target,
                      "inspectors": [officers[i].name for i in t.inspector_ids if i in officers],
                      "result": _public_result(ins) if ins is not None and ins.published_on else None})
    try:
        random_checks.verify_round(rnd)
        verified, failure = True, None
    except DomainError as err:
        verified, failure = False, err.message
    return {"id": rnd.id, "agency": rnd.agency.name, "item": rnd.item.name, "title": rnd.title,
            "category": rnd.category, "drawn_on": rnd.drawn_on.isoformat(),
            "completed_on": rnd.completed_on.isoformat() if rnd.completed_on else None,
            "target_draw_id": rnd.target_draw_id, "inspector_draw_id": rnd.inspector_draw_id,
            "per_target": rnd.per_target, "tasks": tasks, "verified": verified, "failure": failure}


@bp.get("/random/rounds")
def rounds():
    rows = list(db.session.scalars(db.select(RandomRound).order_by(RandomRound.id.desc()).limit(100)))
    return render_template("inspections/public_rounds.html", rounds=rows)


@bp.get("/random/rounds/<int:random_round_id>")
def round_page(random_round_id):
    return render_template("inspections/public_round.html", r=_round_public(random_checks.get_round(random_round_id)))


@bp.get("/api/random/rounds/<int:random_round_id>")
@docs.documented()
@docs.response(200, ObjectSchema)
@docs.doc(**PUBLIC)
def round_json(random_round_id):
    """A random-inspection round: its draw, the targets and who inspects them."""
    return jsonify(_round_public(random_checks.get_round(random_round_id)))
