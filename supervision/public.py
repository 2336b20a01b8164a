"""The public side of complaints (投诉举报): the form (no login, CSRF kept, rate-limited per client address
with Flask-Limiter), the receipt with the reference, the one-time secret and the ledger entry, and the status
look-up by reference and secret. No complainant data is ever shown here, and no page is cached.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from app.auth.forms import EmptyForm
from app.auth.models import Agency
from app.errors import DomainError, NotFound
from app.extensions import db, limiter
from app.ledger.services import get_entry
from supervision.models.complaints import ComplaintChannel
from supervision.services import complaints

bp = Blueprint("supervision_public", __name__, url_prefix="/public/complaints", template_folder="templates")


@bp.after_request
def _no_store(resp):
    # The pages carry a CSRF token, a secret or a complaint's status: never cached anywhere.
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _agencies():
    return list(db.session.scalars(db.select(Agency).order_by(Agency.id)))


def _submit_limit():
    return current_app.config["COMPLAINT_RATE_LIMIT"]


def _lookup_limit():
    return current_app.config["COMPLAINT_LOOKUP_RATE_LIMIT"]


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(_submit_limit, methods=["POST"])
def new():
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("supervision/public/new.html", form=form, agencies=_agencies(), data=request.form,
                                   error="页面已过期或请求来源无法验证（CSRF），请刷新页面后重试"), 400
        try:
            receipt = complaints.submit(request.form.to_dict(), channel=ComplaintChannel.web)
            entry = get_entry(receipt.complaint.ledger_seq)
            db.session.commit()
        except DomainError as err:
            db.session.rollback()
            return render_template("supervision/public/new.html", form=form, agencies=_agencies(),
                                   data=request.form, error=err.message, details=err.details), err.status
        return render_template("supervision/public/receipt.html", c=receipt.complaint, secret=receipt.secret,
                               entry=entry), 201
    # A link may prefill the agency and what the complaint is about (the certificate page does).
    prefill = {k: request.args.get(k, "")[:200] for k in ("agency_id", "subject", "related") if request.args.get(k)}
    return render_template("supervision/public/new.html", form=form, agencies=_agencies(), data=prefill)


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def status():
    form = EmptyForm()
    complaint = entry = error = None
    code = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            error, code = "页面已过期或请求来源无法验证（CSRF），请刷新页面后重试", 400
        else:
            try:
                complaint = complaints.lookup(request.form.get("reference"), request.form.get("secret"))
            except NotFound as err:
                error, code = err.message, 404
    if complaint is not None and complaint.ledger_seq is not None:
        entry = get_entry(complaint.ledger_seq)
    return render_template("supervision/public/status.html", form=form, c=complaint, entry=entry, error=error,
                           reference=request.form.get("reference", "")), code
