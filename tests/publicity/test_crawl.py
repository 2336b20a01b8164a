"""Done means (issue 8): load the full demo, crawl every public page and public API response, and find no
ID number, mobile number, bank account or full name of a masked natural person anywhere."""
import html
import json
import re
import shutil
import subprocess
from urllib.parse import urljoin, urlparse

import pytest
from sqlalchemy import select

from app.extensions import db
from app.validators import is_valid_id_number

PUBLIC_PREFIXES = ("/public", "/verify", "/ledger")
START = ["/public", "/public/api", "/public/api/decisions", "/public/api/decisions?per_page=100",
         "/public/api/withdrawals", "/public/api/agencies", "/public/api/powers", "/public/api/inspections",
         "/public/api/statistics", "/public/api/officers", "/public/api/ledger/checkpoint",
         "/public/api/ledger/checkpoints", "/public/api/ledger/key", "/public/feeds/decisions.atom",
         "/public/decisions?q=占", "/public/decisions?q=占道", "/public/decisions?q=道路 经营",
         "/public/statistics?year=2025"]
BINARY = ("application/pdf", "image/", "application/vnd.openxmlformats")

ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
BANK_RE = re.compile(r"(?<![0-9A-Za-z])\d{16,19}(?![0-9A-Za-z])")
# Hex digests (32+ characters) are not personal data, but a SHA-256 in hex holds an 11-digit run starting
# 1[3-9] often enough that the ledger's proof bundles tripped the mobile check (CI, stop 24); they are blanked
# before the number checks. Names, secrets and addresses are still checked in the full text.
DIGEST_RE = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32,}(?![0-9A-Za-z])")


def _text(resp) -> str:
    if resp.is_json:
        return json.dumps(resp.get_json(), ensure_ascii=False)  # \u escapes would hide names from the check
    return html.unescape(resp.get_data(as_text=True))


def _links(url, text):
    for href in re.findall(r'(?:href|src)="([^"]+)"', text) + re.findall(r'"(https?://[^"\s]+)"', text):
        parsed = urlparse(urljoin("http://localhost" + url, href))
        if parsed.netloc and parsed.netloc not in ("localhost", "127.0.0.1:5000"):
            continue
        if parsed.path.startswith(PUBLIC_PREFIXES):
            yield parsed.path + ("?" + parsed.query if parsed.query else "")


def _pdf_text(data: bytes) -> str | None:
    """The text of a PDF (poppler's pdftotext, when installed), so that the public PDFs are checked too."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    out = subprocess.run([tool, "-layout", "-", "-"], input=data, capture_output=True, timeout=60)
    return re.sub(r"[ \t]+", "", out.stdout.decode("utf-8", "replace"))  # layout spaces split numbers


def crawl(client, limit=2000):
    seen, texts, queue = {}, {}, list(START)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        resp = client.get(url)
        seen[url] = resp.status_code
        if resp.status_code == 200 and resp.mimetype == "application/pdf":
            text = _pdf_text(resp.data)
            if text is not None:
                texts[url] = text
            continue
        if resp.status_code != 200 or resp.mimetype.startswith(BINARY):
            continue
        texts[url] = _text(resp)
        queue += [u for u in _links(url, texts[url]) if u not in seen]
    return seen, texts


@pytest.mark.timeout(900)
def test_no_personal_data_on_any_public_page_or_api_response(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output + repr(result.exception)
    from app.auth.models import Agency
    from app.ledger import services as ledger
    from app.officers.models import Officer
    from cases.models import CaseParty
    from publicity.models import Publication

    with app.app_context():
        ledger.create_checkpoint()
        db.session.commit()
        parties = db.session.scalars(select(CaseParty)).all()
        officers = {o.name for o in db.session.scalars(select(Officer))}  # public under SPEC §3
        # Natural persons: every person party (names masked by default) and organisations' representatives.
        names = {p.name for p in parties if p.kind == "person"} | {p.legal_representative for p in parties
                                                                     if p.kind == "org" and p.legal_representative}
        names -= officers
        secrets = {p.id_number for p in parties if p.id_number} | {p.phone for p in parties if p.phone}
        addresses = {p.address for p in parties if p.kind == "person" and p.address}
        public_codes = {a.credit_code for a in db.session.scalars(select(Agency))} | {
            p.credit_code for p in parties if p.credit_code}
        pubs = db.session.scalars(select(Publication)).all()
        published = [p.id for p in pubs if p.status == "published"]
        hidden = [p.id for p in pubs if p.status in ("draft", "submitted", "not_published", "expired")]
    assert len(names) >= 10 and len(published) >= 5 and hidden

    seen, texts = crawl(client)

    errors = {u: s for u, s in seen.items() if s >= 500}
    assert not errors, errors
    detail_pages = [u for u in seen if re.fullmatch(r"/public/decisions/\d+", u)]
    assert len(seen) >= 80 and len(detail_pages) >= len(published), (len(seen), detail_pages)
    assert all(seen.get(f"/public/decisions/{i}.pdf") == 200 for i in published)
    assert any(u.startswith("/verify/") for u in seen) and "/ledger/checkpoints" in seen
    if shutil.which("pdftotext"):
        assert all(f"/public/decisions/{i}.pdf" in texts for i in published)
        assert "/public/reports/2025.pdf" in texts

    problems = []
    for url, text in texts.items():
        numbers = DIGEST_RE.sub(" ", text)
        for m in ID_RE.finditer(numbers):
            if m.group(1) not in public_codes and (is_valid_id_number(m.group(1)) or len(m.group(1)) == 15
                                                   or m.group(1)[-1] in "Xx"):
                problems.append((url, "id_number", m.group(1)))
        problems += [(url, "mobile", m.group()) for m in MOBILE_RE.finditer(numbers)]
        problems += [(url, "bank_account", m.group()) for m in BANK_RE.finditer(numbers)
                     if m.group() not in public_codes]
        problems += [(url, "name", n) for n in names if n in text]
        problems += [(url, "secret", s) for s in secrets if s in text]
        problems += [(url, "address", a) for a in addresses if a in text]
    assert not problems, problems[:20]

    for pub_id in hidden:
        assert client.get(f"/public/decisions/{pub_id}").status_code == 404
        assert client.get(f"/public/api/decisions/{pub_id}").status_code == 404
