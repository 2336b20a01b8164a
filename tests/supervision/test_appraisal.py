"""评议考核 (SPEC §14): the figures of a year from a known set of records, compared with the targets, the
same through the page, the .xlsx (read back with openpyxl), the PDF (read back with pdftotext), the JSON
API and the CLI; supervisors only; a bad year is a 422, never a 500."""
import io
import re
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from app.auth.models import User
from app.extensions import db
from tests.helpers import PASSWORD

YEAR = 2025


@pytest.fixture
def known(app, cases_agency, make_agency, make_case, make_officer, make_user, head_of):
    """cases_agency in 2025: 1 case filed, 1 decided, 1 overdue; reviews 2 returned of 3 decided;
    reconsiderations 1 corrected of 3 (调解 counted as concluded, not corrected); lawsuits 0 lost of 2
    (撤诉 counted as concluded); hearings 1 of 2 with the head; complaints 2 received, 1 upheld;
    certified officers 2 of 3 with 40 hours. A second agency has no records at all."""
    from cases.models import Case, CaseDeadline
    from remedies.models import Remedy, RemedyHearing
    from review.models import ReviewSubmission
    from supervision.services import complaints

    empty = make_agency(name="临江市水利局", categories=("水利",), doc_prefix="临水")
    sup = make_user(roles=("supervisor",), full_name="市局监督")
    with app.app_context():
        officers = [make_officer(cases_agency), make_officer(cases_agency)]
        make_officer(cases_agency, inspected=False)  # certified, no training recorded
        make_officer(cases_agency, certificate=False)  # not certified: outside the training figure
        c1, c2 = make_case(officers=officers), make_case(officers=officers)
        officer_user = officers[0].user_id
        c1.filed_on, c1.decided_on = date(2025, 9, 16), date(2025, 11, 1)
        c2.filed_on = date(2024, 12, 30)  # another year
        db.session.add_all([
            CaseDeadline(case_id=c1.id, kind="decision", label="作出处罚决定", basis="APL 60", due_on=date(2025, 12, 14),
                         met_on=date(2025, 12, 20)),  # met late: overdue
            CaseDeadline(case_id=c2.id, kind="defence", label="陈述申辩期限", basis="APL 44", due_on=date(2025, 10, 1)),
            CaseDeadline(case_id=c2.id, kind="service", label="送达决定书", basis="APL 61", due_on=date(2025, 10, 1),
                         met_on=date(2025, 9, 30)),
            # the party paid late: the party's default, not the agency's
            CaseDeadline(case_id=c2.id, kind="payment", label="缴纳罚款", basis="APL 67", due_on=date(2025, 10, 20),
                         met_on=date(2025, 11, 2)),
        ])
        for n, (status, decided) in enumerate((("approved", date(2025, 3, 1)), ("returned", date(2025, 4, 1)),
                                               ("returned_incomplete", date(2025, 5, 1)),
                                               ("approved", date(2024, 5, 1)), ("in_review", None)), start=1):
            db.session.add(ReviewSubmission(case_id=c1.id, agency_id=c1.agency_id, round=n, status=status,
                                            draft_sha256="0" * 64, submitted_on=date(2024, 4, 1), decided_on=decided))

        def remedy(kind, outcome, on, **kw):
            r = Remedy(case_id=c1.id, agency_id=c1.agency_id, kind=kind, stage="first", body="临江市人民政府",
                       applied_on=date(2025, 1, 10), outcome=outcome, decided_on=on, effective_on=on, **kw)
            db.session.add(r)
            return r

        for outcome in ("revoke", "mediation", "uphold"):
            remedy("reconsideration", outcome, date(2025, 6, 1))
        remedy("reconsideration", "revoke", date(2024, 6, 1))  # another year
        for outcome, appeared in (("withdrawn", True), ("reject_claims", False)):
            suit = remedy("lawsuit", outcome, date(2025, 8, 1))
            db.session.flush()
            db.session.add(RemedyHearing(remedy_id=suit.id, held_on=date(2025, 7, 1), representatives="李科长",
                                         head_appeared=appeared, head_name="王局长" if appeared else "",
                                         absence_reason="" if appeared else "出差"))
        supervisor = db.session.get(User, sup)
        received = [complaints.submit({"agency_id": c1.agency_id, "subject": "执法态度", "content": "执法人员态度粗暴"},
                                      channel="letter", actor=supervisor, on=date(2025, 3, 1)).complaint
                    for _ in range(2)]
        complaints.accept(received[0], on=date(2025, 3, 3), actor=supervisor)
        complaints.assign(received[0], supervisor, on=date(2025, 3, 4), actor=supervisor)
        complaints.reply(received[0], text_="经查属实，已责令改正", outcome="upheld", on=date(2025, 4, 1), actor=supervisor)
        db.session.commit()
    return {"agency": cases_agency.id, "empty": empty.id, "sup": sup, "officer": officer_user}


EXPECTED = {
    "cases_filed": "1", "cases_decided": "1", "cases_closed": "0", "overdue_cases": "1",
    "review_return": "66.7%（2/3）", "evaluation": "本年度未评查",
    "reconsideration_correction": "33.3%（1/3）", "lawsuit_loss": "0.0%（0/2）", "head_appearance": "50.0%（1/2）",
    "complaints": "2", "complaints_upheld": "1", "training": "66.7%（2/3）",
}


def test_figures_from_the_records_against_the_targets(app, known):
    from supervision import appraisal

    with app.app_context():
        rows = appraisal.appraise(YEAR, [known["agency"], known["empty"]], date(2026, 3, 1))
        mine, empty = rows
        assert {k: f.display for k, f in mine.figures.items()} == EXPECTED
        verdicts = {k: f.meets for k, f in mine.figures.items() if f.target}
        assert verdicts == {"reconsideration_correction": False, "lawsuit_loss": True, "head_appearance": False,
                            "training": False}
        assert mine.missed == ["行政复议纠错率", "负责人出庭应诉率", "年度培训达标率"]
        assert mine.figures["reconsideration_correction"].target == "≤10.0%"
        assert mine.figures["head_appearance"].target == "≥90.0%"
        # an agency without records: zero counts, rates without data are neither met nor missed
        assert empty.figures["cases_filed"].value == 0 and empty.figures["lawsuit_loss"].display == "—（无数据）"
        assert empty.missed == []
        # the year before holds the other reconsideration, which corrected
        [before] = appraisal.appraise(YEAR - 1, [known["agency"]], date(2026, 3, 1))
        assert before.figures["reconsideration_correction"].display == "100.0%（1/1）"
        assert before.figures["cases_filed"].value == 1


def test_targets_are_settings(app, known):
    from supervision import appraisal

    app.config["REMEDY_TARGET_RECONSIDERATION_CORRECTION"] = 0.4
    try:
        with app.app_context():
            [mine] = appraisal.appraise(YEAR, [known["agency"]], date(2026, 3, 1))
            assert mine.figures["reconsideration_correction"].meets is True
            assert mine.figures["reconsideration_correction"].target == "≤40.0%"
    finally:
        app.config["REMEDY_TARGET_RECONSIDERATION_CORRECTION"] = 0.10


def test_page_workbook_and_pdf_read_back(app, known, client, login_as, tmp_path):
    login_as(client, known["sup"])
    page = client.get(f"/supervision/appraisal?year={YEAR}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2025年度行政执法评议考核" in html and "33.3%（1/3）" in html and "66.7%（2/3）" in html

    resp = client.get(f"/supervision/appraisal.xlsx?year={YEAR}")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    with app.app_context():
        from app.auth.models import Agency

        name = db.session.get(Agency, known["agency"]).name
    mine = rows[name]
    assert mine["立案（件）"] == 1 and mine["超期案件（件）"] == 1 and mine["投诉属实（件）"] == 1
    assert mine["行政复议纠错率"] == pytest.approx(1 / 3) and mine["行政复议纠错率（分子/分母）"] == "1/3"
    assert mine["负责人出庭应诉率"] == pytest.approx(0.5) and mine["行政诉讼败诉率"] == 0
    assert mine["未达标项"] == "行政复议纠错率、负责人出庭应诉率、年度培训达标率"
    rate_cell = ws.cell(row=list(rows).index(name) + 2, column=header.index("行政复议纠错率") + 1)
    assert rate_cell.number_format == "0.0%"
    assert wb.worksheets[1].title == "口径与目标" and wb.worksheets[1]["A2"].value == "立案（件）"

    resp = client.get(f"/supervision/appraisal.pdf?year={YEAR}")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    path = tmp_path / "appraisal.pdf"
    path.write_bytes(resp.data)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                                             text=True).stdout)
    assert "2025年度行政执法评议考核结果" in text and name in text
    assert "行政复议纠错率33.3%（1/3）≤10.0%未达标" in text
    assert "行政诉讼败诉率0.0%（0/2）≤14.0%达标" in text
    assert "未达标项：行政复议纠错率、负责人出庭应诉率、年度培训达标率" in text


def test_api_cli_and_who_may_see_it(app, known, client, login_as):
    login_as(client, known["sup"])
    body = client.get(f"/api/supervision/appraisal?year={YEAR}").get_json()
    mine = next(a for a in body["agencies"] if a["agency_id"] == known["agency"])
    assert mine["figures"]["reconsideration_correction"] == {
        "key": "reconsideration_correction", "label": "行政复议纠错率", "value": 1, "denominator": 3,
        "rate": 0.3333, "text": None, "display": "33.3%（1/3）", "target": "≤10.0%", "meets": False}
    bad = client.get("/api/supervision/appraisal?year=1999")
    assert bad.status_code == 422 and "考核年度应为2000至" in bad.get_json()["message"]
    assert client.get("/api/supervision/appraisal?year=abc").status_code == 422
    assert client.get("/supervision/appraisal?year=3000").status_code == 422

    other = app.test_client()
    login_as(other, known["officer"])
    assert other.get("/supervision/appraisal").status_code == 403
    refused = other.get("/api/supervision/appraisal")
    assert refused.status_code == 403 and "评议考核仅限执法监督人员" in refused.get_json()["message"]

    runner = app.test_cli_runner()
    out = runner.invoke(args=["supervision", "appraisal", "--year", str(YEAR)])
    assert out.exit_code == 0, out.output
    assert "行政复议纠错率\t33.3%（1/3）\t目标≤10.0%\t未达标" in out.output
    out = runner.invoke(args=["supervision", "appraisal", "--year", "1999"])
    assert out.exit_code != 0 and "考核年度应为2000至" in out.output
