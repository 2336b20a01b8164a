"""Internal JSON API for the ledger. Proof bundles carry whole entries (payloads can hold personal data),
so they are for supervisors and administrators only."""
from flask import jsonify
from flask_smorest import Blueprint
from app.apidoc import ObjectSchema

from app.auth.permissions import require_roles
from app.extensions import db
from app.ledger import services

bp = Blueprint("ledger_api", __name__, url_prefix="/api/ledger", description="台账证明包（监督、管理员）")


class EntryBundleSchema(ObjectSchema):
    """A proof bundle: the whole entry, its inclusion proof and a signed checkpoint covering it (the shape
    `python -m app.ledger.verify` and /ledger/verify read)."""


@bp.get("/entries/<int:seq>/bundle")
@require_roles("supervisor", "admin")
@bp.response(200, EntryBundleSchema)
def entry_bundle(seq):
    """The proof bundle of one ledger entry."""
    bundle = services.build_bundle(seq)
    db.session.commit()  # a checkpoint covering the entry may have just been signed
    return jsonify(bundle)
