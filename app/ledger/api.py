"""Internal JSON API for the ledger. Proof bundles carry whole entries (payloads can hold personal data),
so they are for supervisors and administrators only."""
from flask import Blueprint, jsonify

from app.auth.permissions import require_roles
from app.extensions import db
from app.ledger import services

bp = Blueprint("ledger_api", __name__, url_prefix="/api/ledger")


@bp.get("/entries/<int:seq>/bundle")
@require_roles("supervisor", "admin")
def entry_bundle(seq):
    bundle = services.build_bundle(seq)
    db.session.commit()  # a checkpoint covering the entry may have just been signed
    return jsonify(bundle)
