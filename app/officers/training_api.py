"""JSON API of training records and examinations (/api/officers/<id>/trainings, /examinations, import)."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.auth.models import Role
from app.auth.permissions import require_roles
from app.errors import InvalidInput
from app.extensions import db
from app.officers import queries, training

blp = Blueprint("training_api", __name__, url_prefix="/api/officers", description="执法人员培训与考试")
MANAGE = (Role.supervisor, Role.admin)
VIEW = (Role.supervisor, Role.admin, Role.head)


class TrainingSchema(Schema):
    id = fields.Int()
    kind = fields.Str()
    kind_label = fields.Str()
    course = fields.Str()
    provider = fields.Str()
    completed_on = fields.Date()
    hours = fields.Decimal(as_string=True)


class TrainingInSchema(Schema):
    kind = fields.Str(required=True, validate=validate.Length(max=20))
    course = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    provider = fields.Str(load_default="", validate=validate.Length(max=120))
    completed_on = fields.Date(required=True)
    hours = fields.Decimal(required=True, places=1, validate=validate.Range(min=0.1, max=200),
                           metadata={"minimum": 0.1, "maximum": 200})  # documented as numbers, not "0.1"


class ExaminationSchema(Schema):
    id = fields.Int()
    taken_on = fields.Date()
    score = fields.Decimal(as_string=True)
    passed = fields.Bool()
    organiser = fields.Str()


class ExaminationInSchema(Schema):
    taken_on = fields.Date(required=True)
    score = fields.Decimal(required=True, places=1, validate=validate.Range(min=0, max=1000),
                           metadata={"minimum": 0, "maximum": 1000})
    passed = fields.Bool(required=True)
    organiser = fields.Str(load_default="", validate=validate.Length(max=120))


class YearHoursSchema(Schema):
    year = fields.Int()
    hours = fields.Float()
    required = fields.Float()
    enough = fields.Bool()


class TrainingOverviewSchema(Schema):
    trainings = fields.List(fields.Nested(TrainingSchema))
    examinations = fields.List(fields.Nested(ExaminationSchema))
    hours_by_year = fields.List(fields.Nested(YearHoursSchema))


class ImportCountSchema(Schema):
    imported = fields.Int()


@blp.route("/<int:officer_id>/trainings")
class Trainings(MethodView):
    @require_roles(*VIEW)
    @blp.response(200, TrainingOverviewSchema)
    def get(self, officer_id):
        """Courses, examinations and hours per year (the annual inspection needs the year's hours)."""
        officer = queries.get_officer(current_user, officer_id)
        return {"trainings": officer.trainings, "examinations": officer.examinations,
                "hours_by_year": training.hours_by_year(officer)}

    @require_roles(*MANAGE)
    @blp.arguments(TrainingInSchema)
    @blp.response(201, TrainingSchema)
    def post(self, data, officer_id):
        record = training.record_training(queries.get_officer(current_user, officer_id), data, actor=current_user)
        db.session.commit()
        return record


@blp.route("/<int:officer_id>/examinations")
class Examinations(MethodView):
    @require_roles(*MANAGE)
    @blp.arguments(ExaminationInSchema)
    @blp.response(201, ExaminationSchema)
    def post(self, data, officer_id):
        """The unified examination (a new certificate needs a passed one)."""
        exam = training.record_examination(queries.get_officer(current_user, officer_id), data, actor=current_user)
        db.session.commit()
        return exam


@blp.route("/trainings/import")
class TrainingImport(MethodView):
    @require_roles(*MANAGE)
    @blp.response(201, ImportCountSchema)
    def post(self):
        """Import training records (.xlsx/.csv, field `file`); any row error: 422, nothing imported."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("请上传表格文件（字段 file）", details={"fields": {"file": ["缺少文件"]}})
        count = training.import_sheet(upload.filename, upload.read(), actor=current_user)
        db.session.commit()
        return {"imported": count}
