"""Public pages, no login: certificate verification (the QR code's target), its QR image and photo, and
the officers directory for pre-action publicity (SPEC §3). Everything here is dumped through
`PublicCertificateSchema`, which holds only the card's fields.
"""
import io

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from sqlalchemy import select

from marshmallow import Schema, fields

from app.apidoc import PUBLIC, PageBlueprintDocs
from app.extensions import db
from app.officers import queries
from app.officers.models import Certificate, EmploymentType, Officer
from app.officers.schemas import PublicCertificateSchema
from app.timeutil import today_china

bp = Blueprint("officers_public", __name__, template_folder="templates")
docs = PageBlueprintDocs("officers_public", __name__, description="公开：执法人员名录与执法证件核验（无需登录）")


class CardListSchema(Schema):
    as_of = fields.String(metadata={"format": "date"})
    officers = fields.List(fields.Nested(PublicCertificateSchema))


def verify_url(cert) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/verify/" + cert.public_token


def _qr(cert):
    import segno

    return segno.make(verify_url(cert), error="m")


def qr_svg(cert) -> str:
    """Inline SVG markup of the certificate's QR code."""
    return _qr(cert).svg_inline(scale=4, border=2)


def _card(cert, on):
    return PublicCertificateSchema(on=on).dump(cert)


def _certificate_or_404(token):
    cert = queries.find_certificate(token)
    if cert is None:
        abort(404)
    return cert


@bp.route("/verify/<token>")
def verify(token):
    cert = queries.find_certificate(token)
    today = today_china()
    if cert is None:
        return render_template("officers/verify.html", card=None, token=token, today=today), 404
    return render_template("officers/verify.html", card=_card(cert, today), cert_token=cert.public_token,
                           cert_id=cert.id, agency_id=cert.officer.agency_id, today=today)


@bp.route("/verify/<token>/photo")
def verify_photo(token):
    from app.officers.views import photo_response

    return photo_response(_certificate_or_404(token).officer)


@bp.route("/verify/<token>/qr.png")
def qr_png(token):
    cert = _certificate_or_404(token)
    buf = io.BytesIO()
    scale = min(max(request.args.get("scale", default=6, type=int) or 6, 1), 20)
    _qr(cert).save(buf, kind="png", scale=scale, border=2)
    return Response(buf.getvalue(), mimetype="image/png")


@bp.route("/verify/<token>/qr.svg")
def qr_svg_file(token):
    cert = _certificate_or_404(token)
    buf = io.BytesIO()
    _qr(cert).save(buf, kind="svg", scale=4, border=2, xmldecl=False)
    return Response(buf.getvalue(), mimetype="image/svg+xml")


@bp.route("/public/api/certificates/<token>")
@docs.documented()
@docs.response(200, PublicCertificateSchema)
@docs.doc(**PUBLIC)
def verify_json(token):
    """Check an enforcement certificate by the token on its QR code (or its number)."""
    cert = queries.find_certificate(token)
    if cert is None:
        return jsonify({"error": "not_found", "message": "未查询到该执法证件"}), 404
    return jsonify(_card(cert, today_china()))


#: Cards per page of the public directory.
DIRECTORY_PER_PAGE = 24


def directory_certificates(q=None, agency_id=None):
    """The certificates shown in the public directory: each established officer's latest certificate."""
    today = today_china()
    stmt = (select(Officer).where(Officer.employment_type == EmploymentType.established.value)
            .order_by(Officer.agency_id, Officer.id))
    if agency_id:
        stmt = stmt.where(Officer.agency_id == agency_id)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(Officer.name.ilike(f"%{q}%") | Officer.id.in_(
            select(Certificate.officer_id).where(Certificate.number == q)))
    out = []
    for officer in db.session.scalars(stmt):
        cert = queries.current_certificate(officer, today)
        if cert is not None:
            out.append(cert)
    return out


@bp.route("/public/officers")
def directory():
    from app.auth.models import Agency

    today = today_china()
    q = request.args.get("q", "").strip()[:64]
    agency_id = request.args.get("agency_id", type=int)
    certs = directory_certificates(q, agency_id)
    pages = max((len(certs) + DIRECTORY_PER_PAGE - 1) // DIRECTORY_PER_PAGE, 1)
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = certs[(page - 1) * DIRECTORY_PER_PAGE:page * DIRECTORY_PER_PAGE]
    cards = [(c.public_token, _card(c, today)) for c in shown]
    agencies = db.session.scalars(select(Agency).order_by(Agency.id)).all()
    args = {k: v for k, v in (("q", q), ("agency_id", agency_id)) if v}
    return render_template("officers/directory.html", cards=cards, q=q, agency_id=agency_id, agencies=agencies,
                           today=today, page=page, pages=pages, total=len(certs), args=args)


@bp.route("/public/api/officers")
@docs.documented()
@docs.response(200, CardListSchema)
@docs.doc(parameters=[{"in": "query", "name": "q", "schema": {"type": "string", "maxLength": 64}},
                      {"in": "query", "name": "agency_id", "schema": {"type": "integer"}}], **PUBLIC)
def directory_json():
    """The public directory of enforcement officers and their certificates."""
    today = today_china()
    certs = directory_certificates(request.args.get("q", "")[:64], request.args.get("agency_id", type=int))
    return jsonify({"as_of": today.isoformat(), "officers": [_card(c, today) for c in certs]})

