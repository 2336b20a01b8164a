"""Public ledger pages (no login): the latest signed checkpoint, the history, the public key and
consistency proofs, as text/HTML under /ledger and as JSON under /public/api/ledger.

Proof bundles of internal entries are not public (payloads can hold personal data): see `flask ledger
bundle`. Public things (decisions, withdrawals, power lists, certificate events) have `public.*` entries whose
bundles anyone may download at /ledger/proofs/<seq>.json and check at /ledger/verify.
"""
from flask import Blueprint, Response, jsonify, render_template, request

import json

from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import Schema, fields

from app.apidoc import PUBLIC
from app.auth.permissions import require_roles
from app.errors import InvalidInput, NotFound
from app.extensions import db
from app.ledger import public, services, tiles
from app.ledger.models import LedgerEntry

bp = Blueprint("ledger", __name__, url_prefix="/ledger", template_folder="templates")
public_api = ApiBlueprint("ledger_public_api", __name__, url_prefix="/public/api/ledger",
                          description="公开：台账的签名检查点、验证公钥与一致性证明（无需登录）")


class CheckpointSchema(Schema):
    tree_size = fields.Integer()
    root_hash = fields.String(metadata={"description": "Base64 of the Merkle tree head"})
    created_at = fields.String(metadata={"format": "date-time"})
    note = fields.String(metadata={"description": "the signed checkpoint as a C2SP signed note"})


class KeySchema(Schema):
    verifier_key = fields.String()
    name = fields.String()
    fingerprint = fields.String()
    key_hash = fields.String()
    algorithm = fields.String()
    public_key = fields.String()


class KeyHistorySchema(Schema):
    verifier_key = fields.String()
    key_hash = fields.Raw()
    fingerprint = fields.String()
    from_size = fields.Integer(allow_none=True)
    until_size = fields.Integer(allow_none=True)
    valid_from = fields.String()
    valid_until = fields.String(allow_none=True)
    statement = fields.String(allow_none=True)


class KeysSchema(Schema):
    origin = fields.String()
    keys = fields.List(fields.Nested(KeyHistorySchema))


class ConsistencySchema(Schema):
    origin = fields.String()
    first = fields.Integer()
    second = fields.Integer()
    first_root = fields.String()
    second_root = fields.String()
    proof = fields.List(fields.String())


def _int_query(name, description):
    return {"in": "query", "name": name, "required": True, "description": description,
            "schema": {"type": "integer", "minimum": 0}}

PAGE_SIZE = 50


def _text(body: str, status=200) -> Response:
    return Response(body, status=status, mimetype="text/plain", headers={"Cache-Control": "no-cache"})


def _latest():
    cp = services.latest_checkpoint()
    if cp is None:
        raise NotFound("尚未生成任何检查点")
    return cp


def _int_arg(name):
    value = request.args.get(name, "")
    if not value.isdigit():
        raise InvalidInput(f"参数 {name} 必须是非负整数", details={name: value})
    return int(value)


@bp.get("/checkpoint")
def checkpoint():
    cp = _latest()
    return _text(cp.cosigned or cp.note)


@bp.get("/checkpoints/<int:tree_size>")
def checkpoint_at(tree_size):
    return _text(services.get_checkpoint(tree_size).note)


@bp.get("/checkpoints")
def checkpoints():
    page = max(request.args.get("page", 1, type=int), 1)
    items = services.list_checkpoints(limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template("ledger/checkpoints.html", checkpoints=items[:PAGE_SIZE], page=page,
                           has_next=len(items) > PAGE_SIZE, verifier_key=_verifier_key_or_none(),
                           origin=services.origin())


def _verifier_key_or_none():
    try:
        return services.verifier_key()
    except services.LedgerKeyMissing:
        return None


@bp.get("/key")
def key():
    signer = services.load_signer()
    import base64

    return _text(f"{signer.verifier_key()}\n"
                 f"ed25519 {base64.b64encode(signer.public_key).decode()}\n"
                 f"fingerprint {signer.verifier().fingerprint}\n")


@bp.get("/keys")
def keys_text():
    """Every signing key the log has had, with its validity (tree sizes and times), then the rotation
    statements. Each key line starts with the verifier key, so the text can be saved as a known-keys file
    (trust it only after comparing the fingerprints with a copy from outside this server)."""
    from app.ledger import keys

    lines = [f"# signing keys of {services.origin()}: verifier key, fingerprint, tree sizes, validity"]
    for item in keys.public_history():
        sizes = f"{item['from_size']}..{item['until_size'] if item['until_size'] is not None else ''}"
        lines.append(f"{item['verifier_key']} {item['fingerprint']} sizes={sizes} from={item['valid_from']}"
                     f" until={item['valid_until'] or 'current'}")
    body = "\n".join(lines) + "\n"
    for statement in keys.statements():
        body += "\n# rotation statement (signed by the old key, then the new one)\n" + \
            "".join(f"# {line}\n" for line in statement.rstrip("\n").split("\n"))
    return _text(body)


def _tile(data: bytes) -> Response:
    return Response(data, mimetype="application/octet-stream",
                    headers={"Cache-Control": "public, max-age=31536000, immutable"})


@bp.get("/tile/entries/<path:path>")
@require_roles("supervisor", "admin")
def tile_entries(path):
    """C2SP tlog-tiles entry bundle: whole entries, so for supervisors and administrators (app/ledger/tiles.py);
    public entries have public proof bundles."""
    resp = _tile(tiles.entry_bundle(path))
    resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    return resp


@bp.get("/tile/<level>/<path:path>")
def tile(level, path):
    """C2SP tlog-tiles hash tile (public)."""
    return _tile(tiles.hash_tile(level, path))


@bp.get("/proofs/<int:seq>.json")
def public_proof(seq):
    """The proof bundle of a public entry (app/ledger/public.py), for anyone: no personal data in it."""
    bundle = services.public_bundle(seq)
    resp = Response(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n", mimetype="application/json")
    resp.headers["Content-Disposition"] = f'attachment; filename="sanxiang-proof-{seq}.json"'
    resp.headers["Cache-Control"] = "no-cache"
    return resp


@bp.get("/verify")
def verify_page():
    """Check a public proof bundle (and the downloaded PDF) in the browser, or learn the CLI."""
    seq = request.args.get("seq", "")
    entry = None
    if seq.isdigit() and len(seq) < 16:
        found = db.session.get(LedgerEntry, int(seq))
        if found is not None and public.is_public(found.kind):
            entry = found
    return render_template("ledger/verify.html", entry=entry, origin=services.origin(),
                           verifier_key=_verifier_key_or_none())


@bp.get("/consistency")
def consistency():
    return jsonify(services.consistency(_int_arg("first"), _int_arg("second")))


@public_api.get("/checkpoint")
@public_api.response(200, CheckpointSchema)
@public_api.doc(**PUBLIC)
def api_checkpoint():
    """The latest signed checkpoint."""
    return jsonify(_checkpoint_json(_latest()))


@public_api.get("/checkpoints")
@public_api.response(200, CheckpointSchema(many=True))
@public_api.doc(parameters=[
    {"in": "query", "name": "limit", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
    {"in": "query", "name": "offset", "schema": {"type": "integer", "minimum": 0}}], **PUBLIC)
def api_checkpoints():
    """Signed checkpoints, newest first."""
    limit = min(max(request.args.get("limit", 100, type=int), 1), 1000)
    offset = max(request.args.get("offset", 0, type=int), 0)
    return jsonify([_checkpoint_json(cp) for cp in services.list_checkpoints(limit=limit, offset=offset)])


@public_api.get("/key")
@public_api.response(200, KeySchema)
@public_api.doc(**PUBLIC)
def api_key():
    """The current verifier key."""
    signer = services.load_signer()
    import base64

    return jsonify({"verifier_key": signer.verifier_key(), "name": signer.name,
                    "fingerprint": signer.verifier().fingerprint,
                    "key_hash": f"{signer.key_hash:08x}", "algorithm": "ed25519",
                    "public_key": base64.b64encode(signer.public_key).decode()})


@public_api.get("/keys")
@public_api.response(200, KeysSchema)
@public_api.doc(**PUBLIC)
def api_keys():
    """Every signing key the ledger has had, with its validity."""
    from app.ledger import keys

    return jsonify({"origin": services.origin(), "keys": keys.public_history()})


@public_api.get("/consistency")
@public_api.response(200, ConsistencySchema)
@public_api.doc(parameters=[_int_query("first", "older tree size"), _int_query("second", "newer tree size")],
                **PUBLIC)
def api_consistency():
    """A consistency proof between two tree sizes."""
    return jsonify(services.consistency(_int_arg("first"), _int_arg("second")))


def _checkpoint_json(cp):
    import base64

    return {"tree_size": cp.tree_size, "root_hash": base64.b64encode(bytes.fromhex(cp.root_hash)).decode(),
            "created_at": cp.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "note": cp.note}
