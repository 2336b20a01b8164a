"""Supervisor pages: the access log of personal data and the answer to a person's request to know."""
from datetime import date

from flask import Blueprint, flash, render_template, request, url_for
from flask_login import current_user

from app.auth.forms import EmptyForm
from app.auth.permissions import ensure, require_login
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.privacy import permissions, queries, services
from app.privacy.api import page_of
from app.privacy.models import ACTION_LABELS

bp = Blueprint("privacy", __name__, url_prefix="/privacy", template_folder="templates")


def _date(name):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"日期格式应为YYYY-MM-DD：{raw}") from None


def _int(name):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput(f"应为数字：{raw}")
    return int(raw)


@bp.route("/accesses")
@require_login
def accesses():
    ensure(permissions.can_read_access_log(current_user),
           "仅执法监督人员或机关负责人可查看个人信息访问记录（《个人信息保护法》第五十一条）")
    action = request.args.get("action") or None
    if action and action not in {a.value for a in ACTION_LABELS}:
        raise InvalidInput(f"未知的访问类型：{action}")
    filters = {"action": action, "case_id": _int("case_id"), "user_id": _int("user_id"),
               "date_from": _date("date_from"), "date_to": _date("date_to")}
    page = max(1, _int("page") or 1)
    result = page_of(queries.visible_accesses(current_user, **filters), page, 50)
    next_url = None
    if result["total"] > page * 50:
        args = {k: v for k, v in request.args.items() if k != "page"}
        next_url = url_for("privacy.accesses", page=page + 1, **args)
    return render_template("privacy/accesses.html", result=result, filters=filters, actions=ACTION_LABELS,
                           next_url=next_url,
                           purposes=services.PURPOSES,
                           can_answer=permissions.can_answer_person_request(current_user))


@bp.route("/person-requests", methods=["GET", "POST"])
@require_login
def person_request():
    ensure(permissions.can_answer_person_request(current_user),
           "仅执法监督人员可答复个人信息查阅请求（《个人信息保护法》第四十四条、第四十五条）")
    form = EmptyForm()
    report, status, values = None, 200, {}
    if request.method == "POST":
        values = {k: (request.form.get(k) or "").strip() for k in ("id_number", "name", "note")}
        try:
            if not form.validate():
                raise InvalidInput("页面已过期，请刷新后重试")
            if not values["id_number"] and not values["name"]:
                raise InvalidInput("请填写身份证号码或姓名")
            if len(values["note"]) < 4:
                raise InvalidInput("请填写请求编号及核实身份的方式（至少4个字）")
            report = services.answer_person_request(current_user, values["id_number"] or None,
                                                    values["name"] or None, values["note"])
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
    return render_template("privacy/person_request.html", form=form, report=report, values=values,
                           purposes=services.PURPOSES), status
