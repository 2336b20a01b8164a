"""Training pages: record a course or an examination on the officer's page, import training records."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import require_roles
from app.errors import InvalidInput
from app.extensions import db
from app.officers import queries, training
from app.officers.models import TRAINING_LABELS

bp = Blueprint("training", __name__, url_prefix="/officers", template_folder="templates")
MANAGE = (Role.supervisor, Role.admin)


@bp.post("/<int:officer_id>/trainings")
@require_roles(*MANAGE)
def add_training(officer_id):
    officer = queries.get_officer(current_user, officer_id)
    training.record_training(officer, request.form.to_dict(), actor=current_user)
    db.session.commit()
    flash("已登记培训记录", "success")
    return redirect(url_for("officers.detail", officer_id=officer.id))


@bp.post("/<int:officer_id>/examinations")
@require_roles(*MANAGE)
def add_examination(officer_id):
    officer = queries.get_officer(current_user, officer_id)
    training.record_examination(officer, request.form.to_dict(), actor=current_user)
    db.session.commit()
    flash("已登记考试成绩", "success")
    return redirect(url_for("officers.detail", officer_id=officer.id))


@bp.route("/trainings/import", methods=["GET", "POST"])
@require_roles(*MANAGE)
def import_trainings():
    errors = []
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise InvalidInput("请选择 .xlsx 或 .csv 文件")
        count = training.import_sheet(upload.filename, upload.read(), actor=current_user)
        db.session.commit()
        flash(f"已导入{count}条培训记录", "success")
        return redirect(url_for(".import_trainings"))
    return render_template("officers/training_import.html", columns=training.TRAINING_COLUMNS,
                           kinds=list(TRAINING_LABELS.values()), errors=errors)
