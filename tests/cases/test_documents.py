"""Enforcement documents: each kind renders to a PDF a reader sees as the real form (checked with poppler:
pdftotext, pdffonts), the decision carries every APL Art 59 item, missing data stays blank, and a stored
document's bytes match the hash the ledger proves."""
import hashlib
import json
import re
import subprocess
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app.extensions import db
from cases import documents
from cases.documents import DOCUMENT_KINDS, amount_in_words, render_document, store_document

AGENCY = "临江市城市管理行政执法局"
PARTY = "临江市鸭绿江商贸有限公司"
FACTS = "当事人于2026年2月10日在临江市建国大街88号门前擅自设置户外广告牌一块，面积约12平方米，未取得设置许可。"
LEGAL_BASIS = "《吉林省城市市容和环境卫生管理条例》第十七条第一款"
PENALTY_BASIS = "《吉林省城市市容和环境卫生管理条例》第四十二条"
STEP_KINDS = {"inspection_record": "inspection", "inquiry_record": "inquiry",
              "evidence_notice": "evidence_preservation", "seizure_decision": "seizure", "service_receipt": "service", "on_spot_decision": "inspection"}


def number_for(kind, serial=12):
    return f"临城管{DOCUMENT_KINDS[kind].code}〔2026〕{serial}号"


def pdf_text(pdf: bytes, tmp_path, name="doc.pdf") -> str:
    """What a reader extracts; pdftotext spaces and breaks CJK text freely, so whitespace is dropped."""
    path = tmp_path / name
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", out)


@pytest.fixture
def doc_case(app_ctx, make_agency):
    """A case built directly from the models: an organisation party, two certified officers, a draft
    decision with a 5,000 yuan fine, an inquiry whose party refused to sign, and a defence deadline."""
    from app.auth.models import Agency
    from app.officers.models import Certificate, Officer
    from cases.models import Case, CaseDeadline, CaseOfficer, CaseParty, CaseStep, Matter, MatterVersion

    agency = db.session.get(Agency, make_agency(name=AGENCY, doc_prefix="临城管").id)
    agency.address, agency.phone = "吉林省临江市建国大街1号", "0439-5222222"
    officers = []
    for i, name in enumerate(("王强", "李明")):
        officer = Officer(name=name, agency=agency, employment_type="established")
        officer.certificates = [Certificate(number=f"2206810012{i}", kind="jilin", categories=["城市管理"],
                                            area_code="220681", issued_on=date(2023, 6, 1),
                                            expires_on=date(2029, 5, 31), public_token=f"token-{i}-{name}")]
        officers.append(officer)
    matter = Matter(agency=agency, code="CG-0001")
    version = MatterVersion(matter=matter, version=1, name="擅自设置户外广告", category="城市管理",
                            legal_basis=LEGAL_BASIS, penalty_basis=PENALTY_BASIS, published_on=date(2025, 1, 2))
    case = Case(agency=agency, matter_version=version, number="临城管案〔2026〕0003号", title="擅自设置户外广告牌",
                summary="群众举报建国大街88号门前设置大型户外广告牌。", source="complaint",
                place="临江市建国大街88号", area_code="220681", violation_on=date(2026, 2, 10),
                filed_on=date(2026, 2, 12), notice_served_on=date(2026, 3, 2), status="notified",
                draft={"facts": FACTS, "evidence": ["现场检查（勘验）笔录", "询问笔录", "现场照片6张"],
                       "legal_basis": LEGAL_BASIS, "tier": "一般", "penalties": ["fine"], "fine": "5000.00",
                       "reasoning": "当事人违法事实清楚，证据确凿"})
    case.parties = [CaseParty(kind="org", name=PARTY, credit_code="91220681000000019F",
                              legal_representative="王某某", address="吉林省临江市建国大街88号")]
    case.officers = [CaseOfficer(officer=o, role="lead" if i == 0 else "handler") for i, o in enumerate(officers)]
    case.deadlines = [CaseDeadline(kind="defence", label="陈述申辩期限", basis="行政处罚法第四十五条",
                                   due_on=date(2026, 3, 9))]
    step_officers = [{"name": o.name, "certificate_number": o.certificates[0].number, "certificate_shown": True}
                     for o in officers]
    for kind in ("inspection", "inquiry", "evidence_preservation", "seizure", "service"):
        case.steps.append(CaseStep(
            kind=kind, started_at=datetime(2026, 2, 13, 1, 30, tzinfo=timezone.utc),
            ended_at=datetime(2026, 2, 13, 2, 15, tzinfo=timezone.utc), place="临江市建国大街88号",
            target=PARTY, officers=step_officers,
            content=("问：广告牌是谁设置的？\n答：是我公司设置的。\n问：是否办理了设置许可？\n答：没有办理。"
                     if kind == "inquiry" else "现场有户外广告牌一块，面积约12平方米。"),
            signature="refused" if kind == "inquiry" else "signed",
            refusal_note="当事人以需请示公司为由拒绝签字，执法人员王强、李明在场见证。" if kind == "inquiry" else "",
            extra={"items": [{"name": "户外广告牌", "spec": "4m×3m", "quantity": 1, "unit": "块"}],
                   "method": "leaving"} if kind != "inquiry" else {}))
    db.session.add(case)
    db.session.flush()
    yield case
    db.session.rollback()


def step_of(case, kind):
    wanted = STEP_KINDS.get(kind)
    return next((s for s in case.steps if s.kind == wanted), None) if wanted else None


@pytest.mark.parametrize("kind", [k for k in DOCUMENT_KINDS if k != "case_file"])
def test_each_document_names_agency_party_number_and_title(doc_case, kind, tmp_path):
    pdf = render_document(doc_case, kind, number=number_for(kind), step=step_of(doc_case, kind), on=date(2026, 3, 5))
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert AGENCY in text
    assert re.sub(r"\s+", "", DOCUMENT_KINDS[kind].title) in text
    assert number_for(kind) in text
    assert PARTY in text
    assert "None" not in text


def test_decision_carries_every_item_of_apl_article_59(doc_case, tmp_path):
    pdf = render_document(doc_case, "decision", number=number_for("decision"), on=date(2026, 3, 20))
    text = pdf_text(pdf, tmp_path)
    assert "统一社会信用代码91220681000000019F" in text  # party
    assert FACTS in text and "现场照片6张" in text  # facts and evidence
    assert LEGAL_BASIS in text and PENALTY_BASIS in text  # legal basis
    assert "罚款人民币伍仟元整（¥5,000.00）" in text  # penalty in words and figures
    assert "15日内" in text and "缴纳方式" in text  # how and when to comply
    assert "60日内依法向临江市人民政府申请行政复议" in text  # remedies and their time limits
    assert "6个月内依法直接向临江市人民法院提起行政诉讼" in text
    assert text.rindex(AGENCY) > text.index("行政诉讼")  # agency and date sign it
    assert "2026年3月20日" in text


def test_cjk_font_is_embedded(doc_case, tmp_path):
    path = tmp_path / "decision.pdf"
    path.write_bytes(render_document(doc_case, "decision", number=number_for("decision")))
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    # Columns: name type encoding emb sub uni object ID; "emb" must be yes for every CJK font.
    assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in cjk), fonts


def test_records_show_officers_certificates_and_the_refusal_to_sign(doc_case, tmp_path):
    step = step_of(doc_case, "inquiry_record")
    text = pdf_text(render_document(doc_case, "inquiry_record", number=number_for("inquiry_record"), step=step),
                    tmp_path)
    assert "王强（执法证号：22068100120）" in text and "李明（执法证号：22068100121）" in text
    assert "已向被询问人出示执法证件" in text
    assert "问：广告牌是谁设置的？" in text and "答：是我公司设置的。" in text
    assert "当事人拒绝签字，执法人员注明情况：当事人以需请示公司为由拒绝签字" in text
    assert "2026年2月13日9时30分至10时15分" in text  # stored in UTC, shown in China time


def test_advance_notice_states_penalty_rights_and_the_defence_date(doc_case, tmp_path):
    text = pdf_text(render_document(doc_case, "advance_notice", number=number_for("advance_notice")), tmp_path)
    assert FACTS in text
    assert "拟对你单位作出如下行政处罚：罚款人民币伍仟元整" in text
    assert "陈述、申辩的权利" in text and "5个工作日内（即2026年3月9日前）" in text
    assert "听证" not in text  # 5,000 yuan to an organisation gives no hearing right
    doc_case.draft = {**doc_case.draft, "fine": "200000.00"}
    text = pdf_text(render_document(doc_case, "advance_notice", number=number_for("advance_notice")), tmp_path)
    assert "罚款人民币贰拾万元整" in text and "有权要求举行听证" in text


def test_missing_data_renders_blank_lines_not_none(doc_case, tmp_path):
    doc_case.parties = []
    doc_case.officers = []
    doc_case.draft = None
    doc_case.filed_on = None
    html = documents.render_document_html(doc_case, "decision", number=None, on=None)
    assert "None" not in html and 'class="blank' in html
    for kind in ("filing_approval", "inquiry_record", "service_receipt", "hearing_notice"):
        html = documents.render_document_html(doc_case, kind, number=None)
        assert "None" not in html and "Undefined" not in html, kind
    text = pdf_text(render_document(doc_case, "decision", number=None), tmp_path)
    assert "None" not in text and "行政处罚决定书" in text


def test_store_document_matches_store_and_ledger(doc_case):
    from app.ledger.models import LedgerEntry
    from app.storage import get_store

    pdf = render_document(doc_case, "inquiry_record", number=number_for("inquiry_record"),
                          step=step_of(doc_case, "inquiry_record"))
    doc = store_document(doc_case, "inquiry_record", pdf, number=number_for("inquiry_record"),
                         step=step_of(doc_case, "inquiry_record"))
    assert doc.id and doc.title == "询问笔录" and doc.size == len(pdf)
    stored = b"".join(get_store().open(doc.storage_key))
    assert stored == pdf  # a record is stored as rendered; only decisions are signed (SIGNED_KINDS)
    assert get_store().stat(doc.storage_key).content_type == "application/pdf"
    entry = db.session.get(LedgerEntry, doc.ledger_seq)
    assert entry.kind == "document.issued" and entry.subject == f"case:{doc_case.id}"
    payload = json.loads(entry.body)["payload"]
    assert payload["sha256"] == hashlib.sha256(stored).hexdigest() == doc.sha256
    assert payload == {"document_id": doc.id, "kind": "inquiry_record", "number": number_for("inquiry_record"),
                       "title": "询问笔录", "sha256": doc.sha256, "size": len(pdf),
                       "storage_key": doc.storage_key, "issued_on": doc.issued_on.isoformat()}


@pytest.fixture
def signed_decision(doc_case):
    """A decision issued through the normal service: rendered, signed with the agency's key, stored and
    entered in the ledger. Returns (document, stored bytes, ledger payload)."""
    from app.ledger.models import LedgerEntry
    from app.storage import get_store
    from cases.services import issue_document

    doc = issue_document(doc_case, "decision", actor=None, number=number_for("decision"))
    stored = b"".join(get_store().open(doc.storage_key))
    payload = json.loads(db.session.get(LedgerEntry, doc.ledger_seq).body)["payload"]
    return doc, stored, payload


def test_issued_decision_is_signed_with_the_agency_key_and_bound_to_the_ledger(signed_decision, doc_case,
                                                                                tmp_path):
    from app.docsign import services as docsign

    doc, stored, payload = signed_decision
    assert hashlib.sha256(stored).hexdigest() == doc.sha256 == payload["sha256"] and doc.size == len(stored)
    cert = docsign.cert_path(doc_case.agency_id).read_bytes()
    check = docsign.check_pdf(stored, [cert])
    assert check.intact and check.valid and check.trusted and check.covers_whole_file
    assert AGENCY in check.signer and check.certificate_sha256 == docsign.fingerprint(cert)
    sig = payload["signature"]
    assert (sig["signed_digest"], sig["cms_sha256"], sig["certificate_sha256"]) == (
        check.signed_digest, check.cms_sha256, check.certificate_sha256)
    assert sig["format"].startswith("PAdES") and sig["byte_range"][0] == 0
    # The signature is an incremental update: a reader still shows the whole decision.
    text = pdf_text(stored, tmp_path)
    assert "行政处罚决定书" in text and number_for("decision") in text and PARTY in text


def test_signature_fails_on_a_flipped_byte_or_an_untrusted_certificate(signed_decision, doc_case):
    from app.docsign import services as docsign

    doc, stored, payload = signed_decision
    cert = docsign.cert_path(doc_case.agency_id).read_bytes()
    # Byte 11 is inside the header's binary comment: within the signed range, and the file still parses.
    tampered = bytearray(stored)
    tampered[11] ^= 0x01
    check = docsign.check_pdf(bytes(tampered), [cert])
    assert not check.intact and not check.ok
    assert check.signed_digest != payload["signature"]["signed_digest"]
    # Intact, but signed by a key the checker does not trust: another agency's certificate.
    from types import SimpleNamespace

    other = SimpleNamespace(id=doc_case.agency_id + 1000, name="临江市市场监督管理局", credit_code="")
    docsign.generate_key(other, force=True)
    untrusted = docsign.check_pdf(stored, [docsign.cert_path(other.id).read_bytes()])
    assert untrusted.intact and untrusted.valid and not untrusted.trusted and not untrusted.ok


def test_case_file_has_cover_index_with_pages_and_every_document(doc_case, tmp_path):
    issued = [("filing_approval", None), ("inquiry_record", step_of(doc_case, "inquiry_record")),
              ("decision", None)]
    stored = []
    for i, (kind, step) in enumerate(issued, 1):
        pdf = render_document(doc_case, kind, number=number_for(kind, i), step=step)
        stored.append(store_document(doc_case, kind, pdf, number=number_for(kind, i), step=step))
    text = pdf_text(render_document(doc_case, "case_file", number=None), tmp_path)
    assert "行政处罚案卷" in text and "卷内目录" in text and "卷内备考表" in text
    assert "共3件" in text
    for doc in stored:
        assert doc.number in text and f"SHA-256：{doc.sha256}" in text
    # The index gives each document's page: cover 1, index 2, then the documents in order.
    index = text[text.index("卷内目录"):text.index(PARTY, text.index("卷内目录"))]
    pages = [int(p) for p in re.findall(r"日(\d+)", index)]
    assert pages[0] == 3 and pages == sorted(pages) and len(pages) >= 3
    body = text[text.index("卷内备考表"):]  # from the index's last row on: the documents, in order
    assert body.index("立案审批表") < body.index("询问笔录") < body.index("行政处罚决定书") < body.rindex("卷内备考表")


@pytest.mark.parametrize("amount, words", [
    ("5000", "人民币伍仟元整"), ("0", "人民币零元整"), ("200", "人民币贰佰元整"), ("15", "人民币壹拾伍元整"),
    ("1005.5", "人民币壹仟零伍元伍角整"), ("10.05", "人民币壹拾元零伍分"), ("0.5", "人民币伍角整"),
    ("100100", "人民币壹拾万零壹佰元整"), ("20000", "人民币贰万元整"), ("100010000", "人民币壹亿零壹万元整"),
    ("3080.07", "人民币叁仟零捌拾元零柒分"), ("1234567.89", "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
])
def test_amount_in_words(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_amount_in_words_refuses_negative():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("-1"))


def test_every_kind_has_a_template_and_a_code():
    codes = [k.code for k in DOCUMENT_KINDS.values()]
    assert len(set(codes)) == len(codes)
    assert DOCUMENT_KINDS["decision"] == ("行政处罚决定书", "罚", "cases/pdf/decision.html")
    for kind in DOCUMENT_KINDS.values():
        # Features above cases (e.g. inspections) register kinds whose templates live in their own folder.
        feature = kind.template.split("/")[0]
        assert (documents._TEMPLATES / kind.template).is_file() or \
            (documents._TEMPLATES.parent.parent / feature / "templates" / kind.template).is_file()
