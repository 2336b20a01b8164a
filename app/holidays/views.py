"""Supervisor pages: calendar coverage, the history of imports, the import form (file or typed)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.permissions import require_login
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.holidays import services
from app.holidays.forms import ImportForm
from app.timeutil import today_china

bp = Blueprint("calendar", __name__, url_prefix="/calendar", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@require_login
def index():
    form = ImportForm()
    errors = []
    if request.method == "POST":
        if not services.can_import_calendar(current_user):
            raise PermissionDenied(services._PERMISSION_MESSAGE)
        if form.validate_on_submit():
            try:
                upload = form.file.data
                if upload and getattr(upload, "filename", ""):
                    result = services.import_file(upload.filename, upload.read(), actor=current_user,
                                                  year=form.year.data, source=form.source.data or None)
                else:
                    result = services.import_calendar(
                        year=form.year.data, source=form.source.data,
                        holidays=services.parse_lines(form.holidays.data, "holidays"),
                        workdays=services.parse_lines(form.workdays.data, "workdays"), actor=current_user)
                db.session.commit()
            except DomainError as err:
                db.session.rollback()
                errors = [m for ms in err.details.get("fields", {}).values() for m in ms] or [err.message]
                flash(err.message, "error")
            else:
                if result.changed:
                    moved = sum(s.get("deadlines_moved", 0) for s in result.summaries)
                    cases = sum(s.get("cases", 0) for s in result.summaries)
                    flash(f"已导入{result.calendar.year}年节假日安排并记入台账（第{result.calendar.ledger_seq}条）；"
                          f"重新计算未届满期限：{cases}个案件的{moved}个期限发生变化", "success")
                else:
                    flash(f"{result.calendar.year}年节假日安排与现行版本相同，未作更改", "info")
                return redirect(url_for("calendar.index"))
        else:
            errors = [m for ms in form.errors.values() for m in ms]
    page = render_template("holidays/index.html", form=form, errors=errors,
                           years=services.years_status(today_china()), history=services.history(),
                           can_import=services.can_import_calendar(current_user))
    return page, 422 if errors else 200


def missing_panel(user):
    """Home page: this year or next year without a calendar (deadlines routinely run into next year)."""
    years = services.missing_years_ahead(today_china())
    if not years:
        return None
    return {"title": "日历缺失", "template": "holidays/_panel.html", "years": years,
            "can_import": services.can_import_calendar(user)}
