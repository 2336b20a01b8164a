"""JSON API of the appraisal (评议考核, SPEC §14), on the supervision_api blueprint."""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields

from app.timeutil import today_china
from cases.api import secured
from supervision import appraisal
from supervision.api import blp


class AppraisalQuerySchema(Schema):
    year = fields.Integer(load_default=None, allow_none=True, metadata={"description": "考核年度，默认本年"})


@blp.route("/appraisal")
class Appraisal(MethodView):
    @secured(blp)
    @blp.arguments(AppraisalQuerySchema, location="query")
    @blp.response(200)
    def get(self, args):
        """评议考核: per agency in the caller's scope, the year's figures computed from the records, each
        with its target (a setting) and whether it is met."""
        year, rows = appraisal.for_user(current_user, args.get("year"), today_china())
        return {"year": year, "agencies": [
            {"agency_id": a.agency.id, "agency": a.agency.name, "missed": a.missed,
             "figures": {k: f.to_dict() for k, f in a.figures.items()}} for a in rows]}
