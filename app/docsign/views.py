"""The agencies' document-signing certificates, public: a party adds one to its PDF reader's trusted
certificates (or checks the fingerprint a reader shows) to check a signed decision offline."""
from flask import Blueprint, Response, abort, jsonify

from app.docsign import services

bp = Blueprint("docsign", __name__, url_prefix="/public/document-certificates")


@bp.get("")
def certificates():
    return jsonify({"format": services.SIGNATURE_FORMAT, "certificates": services.published_certificates()})


@bp.get("/<int:agency_id>.pem")
def certificate_pem(agency_id):
    current = [c for c in services.published_certificates() if c["agency_id"] == agency_id and c["current"]]
    if not current:
        abort(404)
    return Response(current[0]["pem"], mimetype="application/x-pem-file",
                    headers={"Content-Disposition": f"attachment; filename=agency-{agency_id}.crt"})
