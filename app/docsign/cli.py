"""`flask documents keygen --agency ID` creates an agency's document-signing key and certificate;
`flask documents verify FILE` checks a signed PDF against the published (or given) certificates."""
import sys

import click
from flask.cli import AppGroup

from app.docsign import services
from app.errors import DomainError

documents_cli = AppGroup("documents", help="文书签名：机关签名密钥与证书、验证已签名文书")


@documents_cli.command("keygen")
@click.option("--agency", "agency_id", type=int, required=True, help="机关编号")
@click.option("--force", is_flag=True, help="更换已有密钥（旧证书仍公布于 retired/）")
def keygen(agency_id, force):
    """Create the agency's ECDSA P-256 signing key (mode 600) and its self-signed certificate."""
    from app.auth.models import Agency
    from app.extensions import db

    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise click.ClickException(f"机关不存在：{agency_id}")
    try:
        fp = services.generate_key(agency, force=force)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{agency.name}: {services.key_path(agency.id)}")
    click.echo(f"certificate {services.cert_path(agency.id)} SHA-256 {fp}")


@documents_cli.command("verify")
@click.argument("pdf", type=click.Path(exists=True, dir_okay=False))
@click.option("--cert", "certs", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="受信任的机关证书（PEM）；不给时用本系统公布的全部机关证书")
def verify(pdf, certs):
    """Check a signed document: intact, signed by a trusted agency certificate, nothing appended."""
    with open(pdf, "rb") as fh:
        data = fh.read()
    trusted = [open(c, "rb").read() for c in certs] or [c["pem"].encode() for c in services.published_certificates()]
    try:
        check = services.check_pdf(data, trusted)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    except Exception as exc:  # a damaged file: pyHanko raises many kinds of read errors
        raise click.ClickException(f"无法读取签名：{exc}") from None
    click.echo(f"signer {check.signer}\ncertificate SHA-256 {check.certificate_sha256}\n"
               f"signed digest {check.signed_digest}\nCMS SHA-256 {check.cms_sha256}")
    for label, flag in (("intact", check.intact), ("valid", check.valid), ("trusted", check.trusted),
                        ("covers whole file", check.covers_whole_file)):
        click.echo(f"{label}: {'yes' if flag else 'NO'}")
    click.echo("VERIFIED" if check.ok else "NOT VERIFIED")
    sys.exit(0 if check.ok else 1)
