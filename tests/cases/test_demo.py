"""`flask demo load` on the test database: the Linjiang demo loads through the services, holds a case at
every stage of the procedure, keeps the ledger consistent, and a second run loads nothing."""
import time

from sqlalchemy import func, select

from app.extensions import db

STAGES = {"draft", "pending_filing", "investigating", "investigated", "notified", "hearing", "decided", "served",
          "executed", "closed", "archived",
          # the execution phase (cases/execution_demo.py), one case in each state
          "reminded", "enforcement_applied", "execution_suspended", "execution_terminated"}


def test_demo_loads_every_stage_and_is_idempotent(app):
    from app.ledger import services as ledger
    from app.timeutil import today_china
    from cases import guards
    from cases.models import Case, CaseDocument, CaseStep, Matter

    runner = app.test_cli_runner()
    started = time.process_time()
    result = runner.invoke(args=["demo", "load"])
    cpu = time.process_time() - started
    assert result.exit_code == 0, result.output + repr(result.exception)
    assert "demo: loaded" in result.output

    with app.app_context():
        today = today_china()
        cases = db.session.scalars(select(Case)).all()
        statuses = {c.status for c in cases}
        assert STAGES <= statuses, STAGES - statuses

        # The township team entrusted by the city-management bureau registered a case in the bureau's name.
        assert [c.agency_display for c in cases if c.entrusted_org_id is not None] == [
            "临江市城市管理行政执法局（受委托组织：临江市花山镇综合行政执法队）"]

        # Every agency's power list is published well before any case.
        matters = db.session.scalars(select(Matter)).all()
        assert {m.agency.short_name for m in matters} == {"市城管执法局", "市市场监管局", "市自然资源局", "市交通运输局"}
        assert all(m.current is not None and (today - m.current.published_on).days > 365 for m in matters)
        assert any("城乡规划法》第四十条" in m.current.legal_basis for m in matters)

        # The summary-procedure case, the overdue case and the major case waiting for legal review.
        assert any(c.procedure == "summary" and c.number for c in cases)
        assert any(c.status == "investigating" and c.decision_due and c.decision_due < today for c in cases)
        major = [c for c in cases if c.status == "investigated" and guards.is_major(c)[0]]
        assert major, "no major case waiting for legal review"

        # Steps needing audio/video carry an approved justification unless still open.
        for step in db.session.scalars(select(CaseStep).where(CaseStep.completed_at.is_not(None))):
            assert not guards.recording_problems(step)
        # The decision kinds other than a penalty (cases/decision_demo.py): 不予行政处罚 and 移送司法机关.
        kinds = {c.decision_kind: c for c in cases if c.decision_kind}
        assert {"penalty", "no_penalty", "transfer"} <= set(kinds)
        assert {d.kind for d in kinds["no_penalty"].documents} >= {"no_penalty_decision"}
        assert {d.kind for d in kinds["transfer"].documents} >= {"transfer_letter"}
        assert kinds["transfer"].decision_record["transfer"]["receipt_number"]
        # Parties are valid, documents were issued (but not too many: the demo must stay fast).
        from app.validators import validate_credit_code, validate_id_number

        for case in cases:
            for party in case.parties:
                assert (validate_id_number(party.id_number) if party.kind == "person"
                        else validate_credit_code(party.credit_code)) is None
        documents = db.session.scalar(select(func.count(CaseDocument.id)))
        # About 58 for the procedure, 18 for the execution states, 6 for the other decision kinds.
        assert 20 <= documents <= 85

        audit = ledger.audit()
        assert audit.ok, audit

    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "nothing loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == len(cases)
    # Speed is measured in benchmarks, not asserted here (the brief): the demo grows with every feature.
    print(f"demo load: {cpu:.1f} s CPU")


def test_demo_pages_render(app, client, login_as):
    """The demo's pages as its users see them: no error on any case page."""
    from app.auth.models import User
    from cases.models import Case

    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        case_ids = {c.id: c.agency_id for c in db.session.scalars(select(Case))}
    for username in ("cg_wangqiang", "cg_chenjz", "jiandu"):
        login_as(client, users[username])
        assert client.get("/").status_code == 200
        assert client.get("/cases").status_code == 200
        assert client.get("/deadlines").status_code == 200
        assert client.get("/matters").status_code == 200
        for case_id in case_ids:
            status = client.get(f"/cases/{case_id}").status_code
            assert status in (200, 404), (username, case_id, status)
    html = client.get("/deadlines").get_data(as_text=True)
    assert "超期" in html and "刘宝山违法搭建彩钢房案" in html
