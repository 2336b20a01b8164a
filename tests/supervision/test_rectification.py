"""Rectification: the notice PDF (read back with pdftotext) with its findings and the 30-working-day
deadline, the agency's report with an attachment in the object store, return and accept, and overdue
escalation to the office one level up."""
import io
import re
import subprocess
from datetime import date

import pytest

from app.errors import InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from tests.helpers import extract_csrf
from tests.supervision.conftest import user


def _text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def _issue(app, tree, on=date(2026, 9, 21)):
    from app.auth.models import Agency
    from supervision.services import rectification

    return rectification.issue(agency=db.session.get(Agency, tree.a1), on=on, actor=user(tree.sk1),
                               findings=["行政处罚决定书未载明救济途径", "执法人员未出示执法证件"])


def test_notice_pdf_and_deadline_across_national_day(app, tree):
    from app import calendar
    from supervision.services import rectification

    with app.app_context():
        rect = _issue(app, tree)
        # 30 working days from Mon 2026-09-21 skip the Mid-Autumn/National Day week and count Sat Oct 10.
        assert calendar.count_working_days(date(2026, 9, 21), rect.due_on) == 30
        assert rect.due_on == date(2026, 11, 9)
        text = _text(rectification.notice_pdf(rect))
        flat = re.sub(r"\s+", "", text)
        assert "行政执法监督整改通知书" in flat and "临江市司法局" in flat
        assert "行政处罚决定书未载明救济途径" in flat and "执法人员未出示执法证件" in flat
        assert "2026年11月9日前（30个工作日内）" in flat
        assert rect.number in flat
        from app.ledger.models import LedgerEntry

        assert rect.notice_sha256 in db.session.get(LedgerEntry, rect.ledger_seq).body
        db.session.commit()


def test_report_return_accept(app, tree, login_as):
    from supervision.services import rectification

    with app.app_context():
        rect = _issue(app, tree, on=date(2026, 11, 2))
        with pytest.raises(PermissionDenied):
            rectification.submit_report(rect, text_="已整改", actor=user(tree.head2))
        with pytest.raises(InvalidInput, match="类型不受支持"):
            rectification.submit_report(rect, text_="已整改", files=[("x.exe", "application/x-msdownload", b"MZ")],
                                        actor=user(tree.head1))
        db.session.rollback()
        rect_id = rect.id if rect.id else None
    with app.app_context():
        rect = _issue(app, tree, on=date(2026, 11, 2))
        db.session.commit()
        rect_id = rect.id
    head = login_as(app.test_client(), tree.head1)
    token = extract_csrf(head.get(f"/supervision/rectifications/{rect_id}").get_data(as_text=True))
    resp = head.post(f"/supervision/rectifications/{rect_id}/report", data={
        "csrf_token": token, "text": "已组织全体执法人员培训，补正文书。",
        "files": (io.BytesIO(b"%PDF-1.4 training record"), "培训记录.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert resp.status_code == 302
    page = head.get(f"/supervision/rectifications/{rect_id}").get_data(as_text=True)
    assert "培训记录.pdf" in page and "待审核整改报告" in page
    link = re.search(r'href="(/supervision/rectifications/\d+/reports/\d+/0)"', page).group(1)
    assert head.get(link).data == b"%PDF-1.4 training record"
    with app.app_context():
        from supervision.models.oversight import Rectification

        rect = db.session.get(Rectification, rect_id)
        with pytest.raises(InvalidInput, match="退回理由"):
            rectification.decide(rect, decision="returned", actor=user(tree.sk1))
        rectification.decide(rect, decision="returned", note="未附文书补正材料", actor=user(tree.sk1))
        assert rect.status == "returned"
        rectification.submit_report(rect, text_="补充文书补正材料", actor=user(tree.head1))
        rectification.decide(rect, decision="accepted", note="整改到位", actor=user(tree.sk1))
        assert rect.status == "accepted" and len(rect.reports) == 2
        with pytest.raises(InvalidTransition):
            rectification.submit_report(rect, text_="再次报送", actor=user(tree.head1))
        db.session.commit()
    # The notice PDF is served to the head and the supervisor, not to the sibling county.
    assert head.get(f"/supervision/rectifications/{rect_id}/notice.pdf").data[:4] == b"%PDF"
    assert login_as(app.test_client(), tree.sk2).get(f"/supervision/rectifications/{rect_id}").status_code == 404


def test_overdue_escalates_to_the_level_above(app, tree):
    from supervision.services import rectification

    with app.app_context():
        rect = _issue(app, tree)  # due 2026-11-09
        assert rectification.escalate_overdue(date(2026, 11, 9)) == []
        done = rectification.escalate_overdue(date(2026, 11, 10))
        assert done == [rect] and rect.escalated_office_id == tree.city and rect.escalated_on == date(2026, 11, 10)
        assert rectification.escalate_overdue(date(2026, 11, 11)) == []  # once
        assert rect in rectification.escalated_to({tree.city})
        db.session.commit()
    out = app.test_cli_runner().invoke(args=["supervision", "escalate", "--on", "2026-11-12"])
    assert out.exit_code == 0 and "0" in out.output
