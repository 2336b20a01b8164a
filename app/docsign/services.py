"""Agency document-signing keys and certificates, PAdES signing and validation.

Files in DOCUMENT_SIGNING_DIR: `agency-<id>.key` (PKCS#8 PEM, mode 600) and `agency-<id>.crt` (the
self-signed certificate, PEM); a replaced certificate moves to `retired/` and stays published, so that
documents signed before the change still check against a published certificate.
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import current_app

from app.errors import DomainError

#: The signature's form field; one signature per document.
FIELD_NAME = "AgencySignature"
#: What the ledger calls the signature format.
SIGNATURE_FORMAT = "PAdES-B-B (ETSI.CAdES.detached), ECDSA P-256, SHA-256"


class SigningKeyMissing(DomainError):
    code = "document_signing_key_missing"
    status = 503
    message = ("本机关文书签名密钥未配置，不能制发须加电子签名的文书（《电子签名法》第十三条、第十四条）；"
               "请运行 flask documents keygen --agency 机关编号")


class SigningKeyExists(DomainError):
    code = "document_signing_key_exists"
    status = 409


def signing_dir() -> Path:
    return Path(current_app.config["DOCUMENT_SIGNING_DIR"])


def key_path(agency_id: int) -> Path:
    return signing_dir() / f"agency-{int(agency_id)}.key"


def cert_path(agency_id: int) -> Path:
    return signing_dir() / f"agency-{int(agency_id)}.crt"


def fingerprint(cert_pem: bytes) -> str:
    """SHA-256 of the certificate's DER, hex: what a PDF reader shows as the certificate's fingerprint."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate(cert_pem).fingerprint(hashes.SHA256()).hex()


# --- keys -----------------------------------------------------------------------------------------------

def _write(path: Path, data: bytes, mode: int):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def generate_key(agency, *, force: bool = False) -> str:
    """Create the agency's ECDSA P-256 key and self-signed certificate; returns the certificate's
    fingerprint. Refuses to replace a key unless `force`; a replaced certificate is kept in retired/."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key_file, cert_file = key_path(agency.id), cert_path(agency.id)
    if key_file.exists() and not force:
        raise SigningKeyExists(f"{agency.name}的文书签名密钥已存在：{key_file}（更换请加 --force）")
    if cert_file.exists():
        old = cert_file.read_bytes()
        _write(signing_dir() / "retired" / f"agency-{agency.id}-{fingerprint(old)[:16]}.crt", old, 0o644)
    key = ec.generate_private_key(ec.SECP256R1())
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, agency.name),
             x509.NameAttribute(NameOID.COMMON_NAME, f"{agency.name}（文书签名）")]
    if getattr(agency, "credit_code", None):
        attrs.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, agency.credit_code))
    name = x509.Name(attrs)
    now = datetime.now(timezone.utc)
    years = int(current_app.config["DOCUMENT_CERT_YEARS"])
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            # Non-repudiation (content commitment): PDF validators expect it on a document signer.
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    _write(key_file, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()), 0o600)
    _write(cert_file, cert_pem, 0o644)
    _signers.pop(agency.id, None)
    return fingerprint(cert_pem)


_signers: dict = {}


def _signer(agency):
    """The pyHanko signer of `agency`, created first in development and tests (DOCUMENT_SIGNING_AUTOCREATE);
    SigningKeyMissing otherwise."""
    key_file, cert_file = key_path(agency.id), cert_path(agency.id)
    autocreate = current_app.config.get("DOCUMENT_SIGNING_AUTOCREATE")
    if not (key_file.exists() and cert_file.exists()):
        if not autocreate:
            raise SigningKeyMissing(f"{agency.name}的文书签名密钥未配置（{key_file}），不能制发须加电子签名的文书"
                                    f"（《电子签名法》第十三条、第十四条）；请运行 flask documents keygen --agency {agency.id}")
        generate_key(agency, force=True)
    elif not _names(cert_file.read_bytes(), agency):
        # The certificate must identify the agency that signs now (电子签名法 Art 13: the signature creation
        # data belongs to the signer): a renamed agency, or a new credit code, needs a new certificate.
        if not autocreate:
            raise SigningKeyMissing(f"{agency.name}的文书签名证书所载名称或统一社会信用代码与本机关不符，不能制发须加电子签名"
                                    f"的文书（《电子签名法》第十三条）；请运行 flask documents keygen --agency {agency.id} --force")
        generate_key(agency, force=True)
    stamp = (str(key_file), key_file.stat().st_mtime_ns, cert_file.stat().st_mtime_ns)
    cached = _signers.get(agency.id)
    if cached and cached[0] == stamp:
        return cached[1]
    from pyhanko.sign import signers

    try:
        signer = signers.SimpleSigner.load(str(key_file), str(cert_file), key_passphrase=None)
    except OSError as exc:
        raise SigningKeyMissing(f"{agency.name}的文书签名密钥无法读取：{exc}") from None
    if signer is None:
        raise SigningKeyMissing(f"{agency.name}的文书签名密钥无法读取（{key_file}）")
    _signers[agency.id] = (stamp, signer)
    return signer


def _names(cert_pem: bytes, agency) -> bool:
    """Whether the certificate's subject names `agency` (organisation name and, if any, its credit code)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    subject = x509.load_pem_x509_certificate(cert_pem).subject
    org = [a.value for a in subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    code = [a.value for a in subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)]
    return org == [agency.name] and code == ([agency.credit_code] if getattr(agency, "credit_code", None) else [])


def _outside_event_loop(fn, *args, **kwargs):
    """Call one of pyHanko's synchronous functions, which run their coroutine with asyncio.run(): that
    fails in a thread where an event loop is already running (an async server, or a Playwright session in
    the same process), so there the call runs on a worker thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args, **kwargs).result()


# --- signing --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Signed:
    pdf: bytes
    #: For the ledger entry: the certificate, the digest of the signed byte range (the CMS messageDigest)
    #: and the SHA-256 of the CMS signature itself.
    ledger: dict


def sign_pdf(pdf: bytes, agency, *, reason: str) -> Signed:
    """Sign `pdf` as `agency` (an invisible PAdES baseline B-B signature in an incremental update)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer(agency)
    meta = signers.PdfSignatureMetadata(field_name=FIELD_NAME, md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
                                        location=agency.name, name=agency.name)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    # A fixed reservation skips the dry-run signature pyHanko otherwise makes to size /Contents.
    out = _outside_event_loop(signers.sign_pdf, writer, meta, signer=signer, bytes_reserved=8192).getvalue()
    embedded = _embedded(out)
    cert_der = signer.signing_cert.dump()
    return Signed(out, {
        "format": SIGNATURE_FORMAT,
        "signer": agency.name,
        "certificate_sha256": hashlib.sha256(cert_der).hexdigest(),
        "signed_digest": embedded.compute_digest().hex(),
        "cms_sha256": hashlib.sha256(_cms_der(embedded)).hexdigest(),
        "byte_range": [int(x) for x in embedded.byte_range],
    })


def _embedded(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    sigs = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
    if not sigs:
        raise DomainError("文书不含签名", code="document_not_signed", status=422)
    return sigs[-1]


def _cms_der(embedded) -> bytes:
    from asn1crypto import cms

    # /Contents is padded with zeros to its reserved size; the DER of the ContentInfo is the signature.
    return cms.ContentInfo.load(embedded.pkcs7_content, strict=False).dump()


# --- validation -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    intact: bool  #: the signed bytes hash to the signed digest
    valid: bool  #: the signature verifies with the certificate in it
    trusted: bool  #: that certificate is one of the given trusted certificates
    covers_whole_file: bool  #: nothing was appended after signing
    signer: str
    certificate_sha256: str
    signed_digest: str
    cms_sha256: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.covers_whole_file


def check_pdf(pdf: bytes, trusted_pems: list[bytes]) -> Check:
    """Validate the document's signature against the trusted certificates (PEM), as a PDF reader would."""
    from asn1crypto import pem, x509
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for blob in trusted_pems:
        der = pem.unarmor(blob)[2] if pem.detect(blob) else blob
        roots.append(x509.Certificate.load(der))
    embedded = _embedded(pdf)
    ctx = ValidationContext(trust_roots=roots, allow_fetching=False)
    status = _outside_event_loop(validate_pdf_signature, embedded, ctx)
    cert = embedded.signer_cert
    return Check(intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
                 covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                 signer=cert.subject.human_friendly, certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
                 signed_digest=embedded.compute_digest().hex(), cms_sha256=hashlib.sha256(_cms_der(embedded)).hexdigest())


# --- publishing -----------------------------------------------------------------------------------------

def published_certificates() -> list[dict]:
    """Every agency certificate in DOCUMENT_SIGNING_DIR, current and retired, for the public listing."""
    from cryptography import x509

    from app.auth.models import Agency
    from app.extensions import db

    folder = signing_dir()
    files = [(p, True) for p in sorted(folder.glob("agency-*.crt"))]
    files += [(p, False) for p in sorted((folder / "retired").glob("agency-*.crt"))]
    out = []
    for path, current in files:
        try:
            agency_id = int(path.stem.split("-")[1])
            pem_bytes = path.read_bytes()
            cert = x509.load_pem_x509_certificate(pem_bytes)
        except (ValueError, IndexError, OSError):
            continue
        agency = db.session.get(Agency, agency_id)
        if agency is None:
            continue
        out.append({"agency_id": agency_id, "agency": agency.name, "current": current,
                    "subject": cert.subject.rfc4514_string(), "sha256": fingerprint(pem_bytes),
                    "not_before": cert.not_valid_before_utc.isoformat(),
                    "not_after": cert.not_valid_after_utc.isoformat(), "pem": pem_bytes.decode("ascii")})
    return out
