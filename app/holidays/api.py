"""JSON API for the official holiday calendar (SPEC §16): coverage, a year's arrangement, import.

POST /api/calendar/ takes the JSON file format documented in app.holidays.services. Every JSON answer of
the app carries `X-Calendar-Missing: 2027,...` when the request computed or showed a deadline in a year
that has no calendar (see app.holidays.init_app).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.auth.permissions import require_login
from app.schemas import UTCDateTime
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.holidays import services
from app.timeutil import today_china

blp = Blueprint("calendar_api", __name__, url_prefix="/api/calendar", description="法定节假日安排（工作日日历）")

BEARER = [{"bearer": []}]


class CalendarDaySchema(Schema):
    date = fields.String(required=True, metadata={"description": "YYYY-MM-DD"})
    name = fields.String()


class CalendarSchema(Schema):
    id = fields.Integer()
    year = fields.Integer()
    source = fields.String()
    holidays = fields.List(fields.Nested(CalendarDaySchema))
    workdays = fields.List(fields.Nested(CalendarDaySchema))
    sha256 = fields.String()
    filename = fields.String()
    imported_at = UTCDateTime()
    ledger_seq = fields.Integer(allow_none=True)


class CalendarYearStatusSchema(Schema):
    year = fields.Integer()
    source = fields.String(allow_none=True, metadata={"description": "imported, package, or null (Mon–Fri)"})
    label = fields.String()
    calendar = fields.Nested(CalendarSchema, allow_none=True, attribute="row")


_ENTRY = ('"YYYY-MM-DD", "YYYY-MM-DD~YYYY-MM-DD", {"date", "name"} or {"from", "to", "name"}; '
          'checked by the service, which reports every bad entry')


class CalendarImportSchema(Schema):
    year = fields.Integer(required=True)
    source = fields.String(required=True, validate=validate.Length(max=300))
    holidays = fields.List(fields.Raw(metadata={"description": _ENTRY}), required=True)
    workdays = fields.List(fields.Raw(metadata={"description": _ENTRY}), load_default=list)


class CalendarInForceSchema(Schema):
    year = fields.Integer()
    source = fields.String(allow_none=True, metadata={"description": "imported, package, or null (Mon–Fri)"})
    notice = fields.String(allow_none=True)
    holidays = fields.List(fields.Nested(CalendarDaySchema))
    workdays = fields.List(fields.Nested(CalendarDaySchema))
    imports = fields.List(fields.Nested(CalendarSchema), metadata={"description": "newest (in force) first"})


class CalendarImportResultSchema(Schema):
    changed = fields.Boolean()
    calendar = fields.Nested(CalendarSchema)
    summaries = fields.List(fields.Dict())


def require_importer(func):
    """Refuse staff before reading the body: a refusal is the same whatever they sent."""
    from functools import wraps

    @wraps(func)
    def wrapper(*args, **kwargs):
        if not services.can_import_calendar(current_user):
            raise PermissionDenied(services._PERMISSION_MESSAGE)
        return func(*args, **kwargs)

    return wrapper


@blp.route("/")
class Calendars(MethodView):
    @blp.doc(security=BEARER)
    @require_login
    @blp.response(200, CalendarYearStatusSchema(many=True))
    def get(self):
        """Calendar coverage from last year to two years ahead: imported, built in, or missing."""
        return services.years_status(today_china())

    @blp.doc(security=BEARER)
    @require_login
    @require_importer
    @blp.arguments(CalendarImportSchema)
    @blp.response(201, CalendarImportResultSchema)
    def post(self, body):
        """Import a year's arrangement (supervisors, admins); recomputes open deadlines."""
        try:
            result = services.import_calendar(
                year=body["year"], source=body["source"], holidays=body["holidays"], workdays=body["workdays"],
                actor=current_user)
            db.session.commit()
        except DomainError:
            db.session.rollback()
            raise
        return {"changed": result.changed, "calendar": result.calendar, "summaries": result.summaries}


@blp.route("/<int:year>")
class CalendarYear(MethodView):
    @blp.doc(security=BEARER)
    @require_login
    @blp.response(200, CalendarInForceSchema)
    def get(self, year):
        """The arrangement in force for `year` (imported, else built in, else none) and every import."""
        if not services.MIN_YEAR <= year <= services.MAX_YEAR:
            raise NotFound(f"年份应为{services.MIN_YEAR}—{services.MAX_YEAR}")
        return services.year_in_force(year)
