"""Agency document-signing keys: `flask documents keygen` and `verify`, and the public certificate list a
party uses to trust a signed decision (issue 18)."""
import hashlib

from app.extensions import db


def _agency(app, make_agency):
    from app.auth.models import Agency

    return db.session.get(Agency, make_agency(name="临江市城市管理行政执法局").id)


def test_keygen_verify_and_publish(app, app_ctx, make_agency, tmp_path, client):
    from app.docsign import services
    from app.pdf import html_to_pdf

    agency = _agency(app, make_agency)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["documents", "keygen", "--agency", str(agency.id), "--force"])
    assert result.exit_code == 0, result.output
    cert = services.cert_path(agency.id).read_bytes()
    fp = services.fingerprint(cert)
    assert fp in result.output and oct(services.key_path(agency.id).stat().st_mode & 0o777) == "0o600"
    # A second keygen without --force is refused; the key is unchanged.
    again = runner.invoke(args=["documents", "keygen", "--agency", str(agency.id)])
    assert again.exit_code != 0 and "已存在" in again.output
    assert services.cert_path(agency.id).read_bytes() == cert
    assert runner.invoke(args=["documents", "keygen", "--agency", "999999"]).exit_code != 0

    signed = services.sign_pdf(html_to_pdf("<p>行政处罚决定书</p>"), agency, reason="test")
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed.pdf)
    tampered = bytearray(signed.pdf)
    tampered[11] ^= 0x01
    bad.write_bytes(bytes(tampered))
    pem = tmp_path / "agency.crt"
    pem.write_bytes(cert)
    ok = runner.invoke(args=["documents", "verify", str(good), "--cert", str(pem)])
    assert ok.exit_code == 0 and "VERIFIED" in ok.output and signed.ledger["signed_digest"] in ok.output
    failed = runner.invoke(args=["documents", "verify", str(bad), "--cert", str(pem)])
    assert failed.exit_code == 1 and "NOT VERIFIED" in failed.output and "intact: NO" in failed.output

    # The public list names the agency, the fingerprint and the PEM; the PEM downloads by agency id.
    listed = client.get("/public/document-certificates").get_json()["certificates"]
    mine = [c for c in listed if c["agency_id"] == agency.id and c["current"]]
    assert mine and mine[0]["sha256"] == fp and mine[0]["agency"] == agency.name
    download = client.get(f"/public/document-certificates/{agency.id}.pem")
    assert download.status_code == 200 and download.data == cert
    assert hashlib.sha256(download.data).hexdigest() != fp  # the fingerprint is of the DER, as readers show it
    assert client.get("/public/document-certificates/999999.pem").status_code == 404

    # Rotation keeps the old certificate published (documents signed before it still check).
    assert runner.invoke(args=["documents", "keygen", "--agency", str(agency.id), "--force"]).exit_code == 0
    listed = client.get("/public/document-certificates").get_json()["certificates"]
    assert {c["sha256"] for c in listed if c["agency_id"] == agency.id} >= {fp, services.fingerprint(
        services.cert_path(agency.id).read_bytes())}


def test_production_refuses_to_issue_without_a_key(app, app_ctx, make_agency):
    import pytest

    from app.docsign import services

    agency = _agency(app, make_agency)
    saved = app.config["DOCUMENT_SIGNING_AUTOCREATE"], app.config["DOCUMENT_SIGNING_DIR"]
    app.config["DOCUMENT_SIGNING_AUTOCREATE"] = False
    app.config["DOCUMENT_SIGNING_DIR"] = saved[1] + "-empty"
    try:
        with pytest.raises(services.SigningKeyMissing) as err:
            services.sign_pdf(b"%PDF-1.7\n", agency, reason="test")
        assert "flask documents keygen" in err.value.message and err.value.status == 503
    finally:
        app.config["DOCUMENT_SIGNING_AUTOCREATE"], app.config["DOCUMENT_SIGNING_DIR"] = saved
