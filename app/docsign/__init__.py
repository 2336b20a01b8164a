"""Signed documents (issue 18): decisions and legal-review opinions are signed with their agency's key as
PAdES signatures (pyHanko), so a party can check a decision offline in any PDF reader, and the signature's
digests are bound to the document's ledger entry.

Per agency there is one ECDSA P-256 key and a self-signed X.509 certificate naming the agency
(`flask documents keygen --agency ID`). The key lives in DOCUMENT_SIGNING_DIR (the instance folder in
development, like the ledger key); the certificates are published at /public/document-certificates with their
SHA-256 fingerprints, so that a party can add the agency's certificate to its PDF reader's trusted
certificates. Without a key, development and tests create one on first use; production refuses to issue a
signed document (DOCUMENT_SIGNING_AUTOCREATE is off there).

pyHanko and its dependencies are imported on first use: it takes a fraction of a second.
"""


def init_app(app):
    from app.docsign import cli, views

    app.register_blueprint(views.bp)
    app.cli.add_command(cli.documents_cli)
