"""JSON API of case-file evaluation (on the supervision_api blueprint)."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from app.errors import PermissionDenied
from app.extensions import db
from cases.api import secured, writing
from supervision import permissions
from supervision.api import blp
from supervision.services import evaluation


class RoundInSchema(Schema):
    title = fields.String(required=True)
    period_from = fields.Date(required=True)
    period_to = fields.Date(required=True)
    agency_ids = fields.List(fields.Integer(), required=True)
    evaluator_ids = fields.List(fields.Integer(), required=True)
    sample_percent = fields.Integer(load_default=None, allow_none=True)
    sample_min = fields.Integer(load_default=None, allow_none=True)
    sheet = fields.Dict(load_default=None, allow_none=True)


class SheetInSchema(Schema):
    deductions = fields.Dict(keys=fields.String(), values=fields.Float(), load_default=dict)
    auto_fail = fields.List(fields.String(), load_default=list)
    comment = fields.String(load_default="")


def _file(f):
    r = evaluation.file_result(f)
    i = evaluation.integrity(f)
    return {"id": f.id, "case_id": f.case_id, "agency_id": f.agency_id, "draw_id": f.draw_id,
            "evaluator_ids": [f.evaluator1_id, f.evaluator2_id], "sheets": len(f.sheets), "score": r.score,
            "grade": r.grade or None, "auto_fail": r.auto_fail, "rectification_id": f.rectification_id,
            "checkpoint_size": f.checkpoint_size, "unchanged_since_draw": i["unchanged"],
            "changes_since_draw": [seq for seq, _ in i["changes"]]}


def _round(rnd):
    return {"id": rnd.id, "title": rnd.title, "period_from": rnd.period_from.isoformat(),
            "period_to": rnd.period_to.isoformat(), "agency_ids": rnd.agency_ids, "evaluator_ids": rnd.evaluator_ids,
            "sample_percent": rnd.sample_percent, "sample_min": rnd.sample_min, "sheet": rnd.sheet,
            "status": rnd.status, "bulletin_number": rnd.bulletin_number, "bulletin_sha256": rnd.bulletin_sha256,
            "files": [_file(f) for f in rnd.files],
            "agencies": [{"agency_id": a.agency.id, "files": a.files, "score": a.score, "grade": a.grade,
                          "failing": a.failing} for a in (evaluation.agency_results(rnd) if rnd.files else [])]}


def _load(round_id):
    if not permissions.is_supervisor(current_user):
        raise PermissionDenied("案卷评查仅限执法监督人员")
    rnd = evaluation.get(round_id)
    evaluation.ensure_can_view(current_user, rnd)
    return rnd


@blp.route("/evaluations")
class Rounds(MethodView):
    @secured(blp)
    @blp.response(200)
    def get(self):
        """案卷评查 rounds the caller may see."""
        if not permissions.is_supervisor(current_user):
            raise PermissionDenied("案卷评查仅限执法监督人员")
        return [_round(r) for r in evaluation.visible_rounds(current_user)]

    @secured(blp)
    @blp.arguments(RoundInSchema)
    @blp.response(201)
    def post(self, data):
        """Create a round: period, agencies, evaluators, sample rule (≥5%, ≥3), optional sheet."""
        if not permissions.is_supervisor(current_user):
            raise PermissionDenied("案卷评查仅限执法监督人员")
        with writing():
            rnd = evaluation.create_round(actor=current_user, **data)
        return _round(rnd)


@blp.route("/evaluations/<int:round_id>")
class RoundItem(MethodView):
    @secured(blp)
    @blp.response(200)
    def get(self, round_id):
        """One round with its files, scores, grades and the ledger check of each file."""
        return _round(_load(round_id))


@blp.route("/evaluations/<int:round_id>/actions/<any(draw, publish):action>")
class RoundAction(MethodView):
    @secured(blp)
    @blp.response(200)
    def post(self, round_id, action):
        """draw (verifiable sample per agency) · publish (bulletin PDF, rectification per failing file)."""
        rnd = _load(round_id)
        with writing():
            (evaluation.draw if action == "draw" else evaluation.publish)(rnd, actor=current_user)
        return _round(rnd)


@blp.route("/evaluations/<int:round_id>/files/<int:file_id>/sheet")
class FileSheet(MethodView):
    @secured(blp)
    @blp.arguments(SheetInSchema)
    @blp.response(201)
    def post(self, data, round_id, file_id):
        """Submit the caller's sheet for a file (the two assigned evaluators only)."""
        rnd = _load(round_id)
        f = evaluation.get_file(rnd, file_id)
        with writing():
            evaluation.submit_sheet(f, deductions=data["deductions"], auto_fail=data["auto_fail"],
                                    comment=data["comment"], actor=current_user)
        return _file(f)
