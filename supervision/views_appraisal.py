"""HTML page and downloads of the appraisal (评议考核, SPEC §14), on the supervision blueprint."""
from __future__ import annotations

from flask import Response, render_template, request
from flask_login import current_user

from app.auth.permissions import require_login
from app.timeutil import today_china
from supervision import appraisal
from supervision.views import LINKS, bp

LINKS.append(("评议考核", "supervision.appraisal_page"))

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/appraisal")
@require_login
def appraisal_page():
    today = today_china()
    year, rows = appraisal.for_user(current_user, request.args.get("year"), today)
    return render_template("supervision/appraisal.html", rows=rows, year=year, today=today,
                           labels=appraisal.LABELS, sources=appraisal.SOURCES,
                           years=range(today.year, appraisal.FIRST_YEAR - 1, -1)[:8])


@bp.get("/appraisal.xlsx")
@require_login
def appraisal_xlsx():
    year, rows = appraisal.for_user(current_user, request.args.get("year"), today_china())
    return Response(appraisal.workbook(rows, year), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename=appraisal-{year}.xlsx"})


@bp.get("/appraisal.pdf")
@require_login
def appraisal_pdf():
    today = today_china()
    year, rows = appraisal.for_user(current_user, request.args.get("year"), today)
    return Response(appraisal.render_pdf(rows, year, issued_on=today, user=current_user), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=appraisal-{year}.pdf"})
