"""JSON API of the access log (/api/privacy): the supervisor's report and the answer to a person's request."""
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import func, select

from app.auth.permissions import ensure, require_login
from app.errors import InvalidInput
from app.extensions import db
from app.privacy import permissions, queries, services
from app.privacy.schemas import AccessPageSchema, AccessQuerySchema, PersonReportSchema, PersonRequestSchema

blp = Blueprint("privacy_api", __name__, url_prefix="/api/privacy", description="个人信息访问记录")


def page_of(stmt, page, per_page):
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return {"items": items, "total": total, "page": page, "per_page": per_page}


@blp.route("/accesses")
class Accesses(MethodView):
    @require_login
    @blp.arguments(AccessQuerySchema, location="query")
    @blp.response(200, AccessPageSchema)
    def get(self, args):
        """Who saw, revealed or exported personal data, and who was refused, newest first (supervisors:
        all; an agency head: their staff)."""
        ensure(permissions.can_read_access_log(current_user), "仅执法监督人员或机关负责人可查看个人信息访问记录（《个人信息保护法》第五十一条）")
        page, per_page = args.pop("page"), args.pop("per_page")
        return page_of(queries.visible_accesses(current_user, **args), page, per_page)


@blp.route("/person-requests")
class PersonRequests(MethodView):
    @require_login
    @blp.arguments(PersonRequestSchema)
    @blp.response(200, PersonReportSchema)
    def post(self, data):
        """Answer a person's request to know who accessed their data (PIPL Art 44-45): every record holding
        it and every access, reveal, export and refusal, oldest first. The query itself is logged."""
        ensure(permissions.can_answer_person_request(current_user),
               "仅执法监督人员可答复个人信息查阅请求（《个人信息保护法》第四十四条、第四十五条）")
        if not data.get("id_number") and not data.get("name"):
            raise InvalidInput("请填写身份证号码或姓名", details={"fields": {"id_number": ["请填写身份证号码或姓名"]}})
        report = services.answer_person_request(current_user, data.get("id_number"), data.get("name"),
                                                data["note"])
        db.session.commit()
        return report
