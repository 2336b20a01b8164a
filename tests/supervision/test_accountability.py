"""Accountability: a finding against an officer opens a decision; the officer's statement comes first; a
suspension goes through the certificate lifecycle with the finding as its basis, and the officer's next act
is refused by the certificate rules."""
from datetime import datetime, timedelta

import pytest

from app.errors import DomainError, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.timeutil import CHINA, today_china
from tests.supervision.conftest import user


def _inspection(case, actor):
    from cases import services

    return services.record_step(case, {"kind": "inspection", "place": "临江市建国街", "content": "现场检查",
                                       "started_at": datetime.now(CHINA).replace(microsecond=0).isoformat()},
                                actor=actor)


def test_suspension_refuses_the_officers_next_act(app, tree, case_at):
    from app.officers import rules
    from supervision.services import accountability, checks

    case = case_at("investigating", agency=tree.a1)
    with app.app_context():
        from cases.models import Case

        case = db.session.get(Case, case.id)
        lead = case.officers[0].officer
        actor = lead.user
        _inspection(case, actor)  # both officers qualified: the act is allowed
        db.session.commit()
        sk1 = user(tree.sk1)
        finding = checks.add_finding(agency=case.agency, text_="现场检查未出示执法证件", case_id=case.id,
                                     officer_id=lead.id, actor=sk1)
        decision = accountability.open_decision(finding, measure="suspension", reason="多次未出示执法证件",
                                                until=today_china() + timedelta(days=90), actor=sk1)
        with pytest.raises(InvalidTransition, match="陈述和申辩"):
            accountability.execute(decision, actor=sk1)
        accountability.record_statement(decision, statement="当日证件遗忘在单位，已认识到错误。", actor=sk1)
        accountability.execute(decision, actor=sk1)
        db.session.commit()
        cert = lead.certificates[0]
        event = cert.events[-1]
        assert event.kind == "suspended" and "现场检查未出示执法证件" in event.reason
        assert decision.certificate_event_id == event.id
        assert rules.status_on(cert, today_china()).state == "suspended"
        with pytest.raises(DomainError) as refused:
            _inspection(db.session.get(Case, case.id), actor)
        assert "两名以上持有有效执法证件" in refused.value.message
        assert f"{lead.name}：证件已暂扣" in refused.value.message
        db.session.rollback()


def test_only_the_officers_supervisors_may_decide(app, tree, make_officer):
    from supervision.services import accountability, checks

    officer = make_officer(tree.a1)
    with app.app_context():
        from app.auth.models import Agency

        finding = checks.add_finding(agency=db.session.get(Agency, tree.a1), text_="执法文书不规范",
                                     officer_id=officer.id, actor=user(tree.sk1))
        with pytest.raises(PermissionDenied):
            accountability.open_decision(finding, measure="criticism", reason="x", actor=user(tree.sk2))
        with pytest.raises(InvalidInput):
            accountability.open_decision(finding, measure="fine", reason="x", actor=user(tree.sk1))
        d = accountability.open_decision(finding, measure="criticism", reason="文书不规范", actor=user(tree.sc))
        accountability.record_statement(d, waived=True, actor=user(tree.sc))
        accountability.execute(d, actor=user(tree.sc))
        assert d.status == "executed" and d.certificate_event_id is None  # criticism leaves the certificate alone
        nobody = checks.add_finding(agency=db.session.get(Agency, tree.a1), text_="案卷装订不规范", actor=user(tree.sk1))
        with pytest.raises(InvalidInput, match="未关联执法人员"):
            accountability.open_decision(nobody, measure="criticism", reason="x", actor=user(tree.sk1))
        db.session.rollback()


def test_pages(app, tree, make_officer, login_as):
    from supervision.services import accountability, checks

    officer = make_officer(tree.a1, name="孙执法")
    with app.app_context():
        from app.auth.models import Agency

        finding = checks.add_finding(agency=db.session.get(Agency, tree.a1), text_="执法记录仪未开启",
                                     officer_id=officer.id, actor=user(tree.sk1))
        d = accountability.open_decision(finding, measure="training", reason="未开启执法记录仪", actor=user(tree.sk1))
        db.session.commit()
        ids = finding.id, d.id
    client = login_as(app.test_client(), tree.sk1)
    assert "孙执法" in client.get(f"/supervision/findings/{ids[0]}").get_data(as_text=True)
    page = client.get(f"/supervision/accountability/{ids[1]}").get_data(as_text=True)
    assert "离岗培训" in page and "尚未记录" in page
    assert login_as(app.test_client(), tree.sk2).get(f"/supervision/accountability/{ids[1]}").status_code == 404
