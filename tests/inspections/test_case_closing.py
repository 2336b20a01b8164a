"""A case is not closed (nor terminated) while one of its coercive measures is in force (AEL Art 27-28):
refused by the service, the JSON API, the HTML page and the CLI with the legal source, nothing written;
once the goods are released the case closes. The case's timeline names the measure events in Chinese."""
from datetime import date, datetime, timezone

import pytest

from app.errors import DomainError
from app.extensions import db
from cases import services as case_services
from inspections import measure_terms as terms
from inspections import measures
from tests.cases.conftest import T, officer_user
from tests.helpers import bearer
from tests.inspections.test_measures import complete_justified, request, take

RULE = "《行政强制法》第二十七条、第二十八条"


def _token(app, user_id):
    from app.auth.models import User
    from app.auth.services import issue_token

    with app.app_context():
        raw, _ = issue_token(db.session.get(User, user_id), "t")
        db.session.commit()
        return raw


@pytest.fixture
def executed_with_seizure(app, case_at, head_of):
    """A case whose fine is paid (status executed) while goods seized after the decision are still held."""
    with app.app_context():
        case = case_at("served")
        officer, head = officer_user(case), head_of(case.agency_id)
        m = request(case, officer)
        measures.decide_request(m, approve=True, actor=head)
        take(m, officer, datetime(2025, 10, 1, 2, 0, tzinfo=timezone.utc))
        complete_justified(m, officer, head)
        case_services.apply_action(case, "record_execution", actor=officer,
                                   data={"paid_amount": "1000", "paid_on": T.paid.isoformat()}, on=T.paid)
        db.session.commit()
        assert case.status == "executed" and m.status == "in_force"
        return {"case_id": case.id, "number": case.number, "measure_id": m.id, "officer_id": officer.id,
                "head_id": head.id, "head": head.username, "officer": officer.username}


def test_closing_is_refused_at_every_entry_point_while_a_seizure_is_in_force(app, executed_with_seizure, client,
                                                                              login_as, csrf_token):
    s = executed_with_seizure
    with app.app_context():
        from app.auth.models import User
        from cases.models import Case

        case, head = db.session.get(Case, s["case_id"]), db.session.get(User, s["head_id"])
        with pytest.raises(DomainError) as exc:
            case_services.apply_action(case, "close", actor=head, on=date(2025, 10, 10))
        db.session.rollback()
        assert RULE in exc.value.message and f"第{s['measure_id']}号扣押措施仍在实施中" in exc.value.message
        assert "冷冻牛肉120千克" in exc.value.message
    # JSON API: 409 with the rule, status unchanged.
    resp = client.post(f"/api/cases/{s['case_id']}/actions/close", json={}, headers=bearer(_token(app, s["head_id"])))
    assert resp.status_code == 409 and RULE in resp.get_json()["message"], resp.get_json()
    # HTML: the head's close button is refused on the case page with the same reason.
    login_as(client, s["head_id"])
    token = csrf_token(client, f"/cases/{s['case_id']}")
    page = client.get(f"/cases/{s['case_id']}").get_data(as_text=True)
    assert "实施行政强制措施（现场笔录）" in page and "负责人批准采取行政强制措施" in page
    assert "measure_taken" not in page and "measure_requested" not in page
    resp = client.post(f"/cases/{s['case_id']}/actions/close", data={"csrf_token": token})
    assert resp.status_code == 409 and RULE in resp.get_data(as_text=True)
    # CLI: exit 1, the rule on stderr.
    runner = app.test_cli_runner()
    ref = s["number"] or str(s["case_id"])
    r = runner.invoke(args=["cases", "action", ref, "close", "--as", s["head"], "--on", "2025-10-10"])
    assert r.exit_code != 0 and RULE in r.output, r.output
    with app.app_context():
        from cases.models import Case

        assert db.session.get(Case, s["case_id"]).status == "executed"
    # Released and returned: now the case closes.
    r = runner.invoke(args=["inspections", "measure-release", str(s["measure_id"]), "--as", s["officer"],
                            "--ground", "no_longer_needed"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["cases", "action", ref, "close", "--as", s["head"]])
    assert r.exit_code == 0, r.output
    page = client.get(f"/cases/{s['case_id']}").get_data(as_text=True)
    assert "解除行政强制措施并退还物品" in page and "扣押（第" in page


def test_terminating_is_refused_while_a_measure_is_in_force(app_ctx, case_at, head_of):
    case = case_at("investigating")
    officer, head = officer_user(case), head_of(case.agency_id)
    m = request(case, officer, kind="seal")
    measures.decide_request(m, approve=True, actor=head)
    take(m, officer, datetime(2025, 9, 17, 2, 0, tzinfo=timezone.utc))
    db.session.commit()
    with pytest.raises(DomainError) as exc:
        case_services.apply_action(case, "terminate", actor=head, data={"reason": "违法事实不能成立"},
                                   on=date(2025, 9, 19))
    db.session.rollback()
    assert RULE in exc.value.message and "查封" in exc.value.message and case.status == "investigating"
    terms.release(m, {"ground": "no_violation", "place": "仓库"}, actor=officer)
    case_services.apply_action(case, "terminate", actor=head, data={"reason": "违法事实不能成立"},
                               on=date.today())
    db.session.commit()
    assert case.status == "terminated"
