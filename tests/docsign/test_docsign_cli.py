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


def test_a_certificate_that_no_longer_names_the_agency_is_not_used(app, app_ctx, make_agency, tmp_path):
    """The key files are per agency id: after a rename (or another agency under the same id) the old
    certificate would sign in the wrong name. Production refuses (电子签名法 Art 13); development makes a new
    one and retires the old."""
    import pytest

    from app.docsign import services

    agency = _agency(app, make_agency)
    saved = app.config["DOCUMENT_SIGNING_AUTOCREATE"], app.config["DOCUMENT_SIGNING_DIR"]
    app.config["DOCUMENT_SIGNING_DIR"] = str(tmp_path / "keys")
    try:
        app.config["DOCUMENT_SIGNING_AUTOCREATE"] = False
        first = services.generate_key(agency)
        agency.name = "临江市综合行政执法局"
        with pytest.raises(services.SigningKeyMissing) as err:
            services._signer(agency)
        assert "与本机关不符" in err.value.message and "--force" in err.value.message
        app.config["DOCUMENT_SIGNING_AUTOCREATE"] = True
        services._signer(agency)
        new_pem = services.cert_path(agency.id).read_bytes()
        assert services._names(new_pem, agency) and services.fingerprint(new_pem) != first
        assert any(first[:16] in p.name for p in (tmp_path / "keys" / "retired").iterdir())
    finally:
        app.config["DOCUMENT_SIGNING_AUTOCREATE"], app.config["DOCUMENT_SIGNING_DIR"] = saved
        db.session.rollback()


def test_signing_works_in_a_thread_that_runs_an_event_loop(app, app_ctx, make_agency):
    """pyHanko's synchronous API calls asyncio.run(); inside a running loop (Playwright's sync API keeps one
    in the test process; an async server would too) signing and checking still work."""
    import asyncio

    from app.docsign import services
    from app.pdf import html_to_pdf

    agency = _agency(app, make_agency)
    pdf = html_to_pdf("<p>测试文书</p>")

    async def inside():
        signed = services.sign_pdf(pdf, agency, reason="test")
        return services.check_pdf(signed.pdf, [services.cert_path(agency.id).read_bytes()])

    check = asyncio.run(inside())
    assert check.intact and check.valid and check.trusted
