"""`flask cases ...`: the same services and rules as the API, a non-zero exit with `code: message` on refusal."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ledger.models import LedgerEntry
from cases.models import Case, CaseEvent
from tests.cases.conftest import officer_user


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def built(app, case_at, head_of, status, **kw):
    with app.app_context():
        case = case_at(status, **kw)
        return case.id, case.number, officer_user(case).username, head_of(case.agency_id).username


def counts(app, case_id):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)),
                db.session.scalar(select(func.count()).select_from(LedgerEntry)))


def status_of(app, case_id):
    with app.app_context():
        return db.session.get(Case, case_id).status


def test_a_guarded_action_is_refused_with_the_reason_and_a_non_zero_exit(app, runner, case_at, head_of):
    case_id, _, officer, head = built(app, case_at, head_of, "notified", is_complex=True)
    before = counts(app, case_id)
    result = runner.invoke(args=["cases", "action", str(case_id), "decide", "--as", head, "--on", "2025-09-30"])
    assert result.exit_code != 0
    assert "rule_violation: " in result.output and "行政处罚法第五十七条" in result.output
    assert status_of(app, case_id) == "notified" and counts(app, case_id) == before


def test_an_allowed_action_is_performed_and_committed(app, runner, case_at, head_of):
    case_id, number, officer, head = built(app, case_at, head_of, "notified")
    result = runner.invoke(args=["cases", "action", number, "decide", "--as", head, "--on", "2025-09-30"])
    assert result.exit_code == 0, result.output
    assert "作出处罚决定" in result.output and "已作出决定" in result.output
    assert status_of(app, case_id) == "decided"
    served = runner.invoke(args=["cases", "action", str(case_id), "serve_decision", "--as", officer,
                                 "--data", '{"method": "direct", "served_on": "2025-09-30"}', "--on", "2025-09-30"])
    assert served.exit_code == 0, served.output
    assert status_of(app, case_id) == "served"


def test_permission_data_and_input_errors(app, runner, case_at, head_of):
    case_id, _, officer, head = built(app, case_at, head_of, "pending_filing")
    denied = runner.invoke(args=["cases", "action", str(case_id), "approve_filing", "--as", officer])
    assert denied.exit_code != 0 and "permission_denied: " in denied.output
    missing = runner.invoke(args=["cases", "action", str(case_id), "reject_filing", "--as", head])
    assert missing.exit_code != 0 and "validation_error: reason" in missing.output
    bad_json = runner.invoke(args=["cases", "action", str(case_id), "reject_filing", "--as", head, "--data", "{"])
    assert bad_json.exit_code != 0 and "JSON" in bad_json.output
    nobody = runner.invoke(args=["cases", "action", str(case_id), "approve_filing", "--as", "ghost"])
    assert nobody.exit_code != 0 and "not_found: " in nobody.output
    unknown = runner.invoke(args=["cases", "action", "99999", "approve_filing", "--as", head])
    assert unknown.exit_code != 0 and "not_found: " in unknown.output
    assert status_of(app, case_id) == "pending_filing"


def test_list_show_and_deadlines(app, runner, case_at, head_of):
    case_id, number, _, _ = built(app, case_at, head_of, "investigating")
    listed = runner.invoke(args=["cases", "list", "--status", "investigating"])
    assert listed.exit_code == 0 and number in listed.output and "张三" in listed.output and "共1件" in listed.output
    assert "共0件" in runner.invoke(args=["cases", "list", "--status", "archived"]).output
    shown = runner.invoke(args=["cases", "show", number])
    assert shown.exit_code == 0 and "调查取证" in shown.output and "立案审批表" in shown.output
    overdue = runner.invoke(args=["cases", "deadlines", "--overdue"])
    assert overdue.exit_code == 0 and "已逾期" in overdue.output and "2025-12-15" in overdue.output
    soon = runner.invoke(args=["cases", "deadlines", "--on", "2025-12-10", "--days", "7"])
    assert "即将到期" in soon.output and "共1项" in soon.output
    assert "共0项" in runner.invoke(args=["cases", "deadlines", "--on", "2025-11-01"]).output


def test_publish_matter(app, runner, cases_agency, make_matter):
    with app.app_context():
        version = make_matter(cases_agency.id, code="CG-0100", published_on=None)
        agency_name = version.matter.agency.name
    result = runner.invoke(args=["cases", "publish-matter", "CG-0100", "--agency", agency_name, "--on", "2025-01-02"])
    assert result.exit_code == 0, result.output
    assert "公开日期2025-01-02" in result.output
    again = runner.invoke(args=["cases", "publish-matter", "CG-0100", "--agency", agency_name])
    assert again.exit_code != 0 and again.output.startswith("Error: invalid_transition: ")
    with app.app_context():
        from cases.models import MatterVersion

        assert db.session.get(MatterVersion, version.id).published_on == date(2025, 1, 2)
