"""The evidence ledger (SPEC §4.4): an append-only hash chain whose entries are also the leaves of an
RFC 9162 Merkle tree, Ed25519-signed checkpoints in the C2SP tlog-checkpoint format, proof bundles, the
full audit, and an offline verifier.

Other features call `app.ledger.services.append(kind, subject, payload, at=None)` in the same transaction as
the change it proves. A payload that describes a file carries the file's SHA-256 (hex) as
`payload["sha256"]`; the proof bundle and the offline verifier check the file against it.
Payload values may be dates, datetimes (stored as UTC ISO 8601 strings) and Decimals (exact decimal
strings): see `app.ledger.canonical`.

Nothing web-related is imported at module level: `python -m app.ledger.verify` runs with only the standard
library and `cryptography`.
"""


def init_app(app):
    from app.ledger import api, cli, views

    app.register_blueprint(views.bp)
    from app.extensions import api as rest_api

    rest_api.register_blueprint(api.bp)
    rest_api.register_blueprint(views.public_api)
    app.cli.add_command(cli.ledger_cli)
    app.jinja_env.globals["ledger_public_proofs"] = _public_proofs
    if app.testing:
        app.extensions.setdefault("sanxiang_test_setup", []).append(_ensure_test_key)


def _public_proofs(subject: str) -> list:
    """For public pages: [(seq, kind)] of the public ledger entries about `subject` (e.g. "publication:3")."""
    from app.ledger import services

    return [(e.seq, e.kind) for e in services.public_entries(subject)]


def _ensure_test_key(app):
    """Test sessions sign checkpoints with a throw-away key at LEDGER_KEY_PATH."""
    import os

    from app.ledger import services

    with app.app_context():
        if not os.path.exists(app.config["LEDGER_KEY_PATH"]):
            services.generate_key(app.config["LEDGER_KEY_PATH"])
