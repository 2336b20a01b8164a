"""Remedies through the services: filing, deadlines, hearings, outcomes and their effects on the
publication, the execution and the evidence hold; rates per agency from records."""
from datetime import date

import pytest

from app.auth.models import User
from app.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from cases.models import Case, CaseEvent
from publicity.models import Publication
from remedies import queries, services
from remedies.models import Remedy

TODAY = date(2026, 3, 1)


def _objs(ids):
    return (db.session.get(Case, ids["case_id"]), db.session.get(User, ids["officer"]),
            db.session.get(User, ids["head"]))


def _recon(case, actor, **kw):
    data = {"kind": "reconsideration", "body": "临江市人民政府", "case_number": "临政复〔2025〕7号",
            "applicant": "张三", "applied_on": "2025-10-20", "accepted_on": "2025-10-22", "notified_on": "2025-10-24"}
    data.update(kw)
    return services.file_remedy(case, data, actor=actor, today=TODAY)


def test_filing_computes_the_answer_and_decision_deadlines_and_enters_the_ledger(app, published):
    ids = published()
    with app.app_context():
        case, officer, _ = _objs(ids)
        r = _recon(case, officer)
        db.session.commit()
        assert r.answer_due == date(2025, 11, 3)  # 10-24 + 10 days = Monday 11-03
        assert r.decision_due == date(2025, 12, 21)  # accepted 10-22 + 60 days
        from app.ledger.models import LedgerEntry

        kinds = [e.kind for e in db.session.scalars(db.select(LedgerEntry).where(
            LedgerEntry.subject == f"remedy:{r.id}"))]
        assert kinds == ["remedy.filed"]
        services.extend(r, on=date(2025, 12, 10), reason="案情复杂", actor=officer, today=TODAY)
        assert r.decision_due == date(2026, 1, 20)
        with pytest.raises(Conflict):  # 行政复议法第六十二条: once
            services.extend(r, on=date(2025, 12, 11), reason="再延", actor=officer, today=TODAY)


def test_filing_refuses_bad_input_and_strangers(app, published, make_agency, make_officer, make_user):
    ids = published()
    other = make_agency(name="别的局", doc_prefix="别")
    stranger = make_officer(other).user_id
    supervisor = make_user(roles=("supervisor",))
    with app.app_context():
        case, officer, _ = _objs(ids)
        with pytest.raises(InvalidInput):
            _recon(case, officer, kind="appeal")
        with pytest.raises(InvalidInput) as err:
            _recon(case, officer, applied_on="2025-09-01")  # before the decision
        assert "不得早于决定日期" in err.value.message
        with pytest.raises(InvalidInput):
            _recon(case, officer, accepted_on="2025-10-01")  # accepted before applied
        with pytest.raises(PermissionDenied):
            _recon(case, db.session.get(User, stranger))
        with pytest.raises(PermissionDenied):  # supervisors read, they do not write
            _recon(case, db.session.get(User, supervisor))
        assert db.session.scalar(db.select(db.func.count(Remedy.id))) == 0


def test_a_remedy_needs_a_decision(app, case_at):
    with app.app_context():
        case = case_at("investigating")
        officer = case.officers[0].officer.user
        with pytest.raises(InvalidTransition) as err:
            _recon(case, officer)
        assert "尚未作出决定" in err.value.message


def test_revoking_reconsideration_recorded_by_the_head_withdraws_the_publication(app, published):
    ids = published()
    with app.app_context():
        case, _, head = _objs(ids)
        r = _recon(case, head)
        services.record_outcome(r, outcome="revoke", decided_on=date(2025, 12, 1), note="事实不清", actor=head,
                                today=date(2025, 12, 2))
        db.session.commit()
        pub = db.session.get(Publication, ids["pub_id"])
        assert r.effective_on == date(2025, 12, 1)  # a reconsideration decision is effective on service
        assert pub.status == "withdrawn" and pub.withdrawal_reason == "revoked"
        assert pub.withdrawal_due_on == date(2025, 12, 4) and pub.withdrawn_on == date(2025, 12, 2)
        assert "临江市人民政府" in pub.withdrawal_note and "撤销" in pub.withdrawal_note
        assert r.effects["publication"]["status"] == "withdrawn"
        # Execution is revisited through cases' reopen_execution: an execution act, an event in the ledger,
        # and no further 催告 or court application on a revoked decision (AEL Art 40 (4)).
        assert r.effects["execution"]["status"] == "reopened" and r.effects["execution"]["stopped"] is True
        actions = [e.action for e in db.session.scalars(db.select(CaseEvent).where(CaseEvent.case_id == case.id))]
        assert "remedy_effective" in actions and "execution_reopened" in actions
        from cases.services import execution

        assert execution.voided_by(case).data["source"] == f"remedy:{r.id}"
        from publicity import queries as pub_queries

        assert pub_queries.public_withdrawals(date(2025, 12, 3)) == [pub]


def test_revoking_outcome_recorded_by_an_officer_requires_the_withdrawal_in_three_working_days(app, published):
    ids = published()
    with app.app_context():
        case, officer, head = _objs(ids)
        r = _recon(case, officer)
        services.record_outcome(r, outcome="confirm_illegal", decided_on=date(2025, 12, 1), actor=officer,
                                today=date(2025, 12, 1))
        pub = db.session.get(Publication, ids["pub_id"])
        assert pub.status == "published" and pub.withdrawal_reason == "confirmed_illegal"
        assert pub.withdrawal_due_on == date(2025, 12, 4)
        assert r.effects["publication"] == {"status": "withdrawal_required", "publication_id": pub.id,
                                            "due_on": "2025-12-04"}
        from publicity import queries as pub_queries
        from publicity import services as pub_services

        alerts = pub_queries.visible_publicity_alerts(officer, date(2025, 12, 5))
        assert [a.level for a in alerts if a.publication_id == pub.id] == ["overdue"]
        pub_services.withdraw(pub, actor=head, on=date(2025, 12, 3))
        assert pub.status == "withdrawn"


def test_upholding_outcome_leaves_the_publication(app, published):
    ids = published()
    with app.app_context():
        case, _, head = _objs(ids)
        r = _recon(case, head)
        services.record_outcome(r, outcome="uphold", decided_on=date(2025, 12, 1), actor=head, today=TODAY)
        pub = db.session.get(Publication, ids["pub_id"])
        assert pub.status == "published" and pub.withdrawal_reason is None and r.effects == {}
        with pytest.raises(Conflict):
            services.record_outcome(r, outcome="revoke", decided_on=date(2025, 12, 2), actor=head, today=TODAY)
        with pytest.raises(InvalidInput):
            services.record_outcome(_recon(case, head), outcome="reject_claims", decided_on=date(2025, 12, 2),
                                    actor=head, today=TODAY)  # a lawsuit outcome for a reconsideration


def test_first_instance_judgement_takes_effect_after_the_appeal_period_unless_appealed(app, published):
    ids = published()
    with app.app_context():
        case, officer, head = _objs(ids)
        suit = services.file_remedy(case, {"kind": "lawsuit", "body": "临江市人民法院", "case_number": "(2025)吉0681行初5号",
                                           "applied_on": "2025-10-15", "accepted_on": "2025-10-20",
                                           "notified_on": "2025-10-22"}, actor=officer, today=TODAY)
        assert suit.answer_due == date(2025, 11, 6)
        services.record_outcome(suit, outcome="revoke", decided_on=date(2025, 12, 1), actor=head,
                                today=date(2025, 12, 2))
        pub = db.session.get(Publication, ids["pub_id"])
        assert suit.effective_on is None and pub.status == "published"  # appealable: not yet effective
        appeal = services.file_remedy(case, {"kind": "lawsuit", "stage": "appeal", "parent_id": suit.id,
                                             "body": "白山市中级人民法院", "applied_on": "2025-12-10"},
                                      actor=officer, today=TODAY)
        assert services.sync(date(2026, 1, 1)) == []  # appealed: the first instance never takes effect
        assert not services.is_pending(suit) and services.is_pending(appeal)
        services.record_outcome(appeal, outcome="reject_claims", decided_on=date(2026, 2, 1), actor=head,
                                today=TODAY)
        assert appeal.effective_on == date(2026, 2, 1) and pub.status == "published"
        # The lawsuit counts once, by its final instance: the agency did not lose.
        [row] = [r for r in queries.rates(2026) if r.agency.id == case.agency_id]
        assert (row.lawsuit.numerator, row.lawsuit.denominator) == (0, 1)


def test_sync_makes_an_unappealed_judgement_effective_and_withdraws(app, published):
    ids = published()
    with app.app_context():
        case, officer, _ = _objs(ids)
        suit = services.file_remedy(case, {"kind": "lawsuit", "body": "临江市人民法院", "applied_on": "2025-10-15"},
                                    actor=officer, today=TODAY)
        services.record_outcome(suit, outcome="alter", decided_on=date(2025, 12, 1), actor=officer,
                                today=date(2025, 12, 1))
        assert services.sync(date(2025, 12, 16)) == []
        assert services.sync(date(2025, 12, 17)) == [suit]
        assert suit.effective_on == date(2025, 12, 17)
        pub = db.session.get(Publication, ids["pub_id"])
        assert pub.withdrawal_reason == "altered" and pub.withdrawal_due_on == date(2025, 12, 22)
        with pytest.raises(InvalidTransition):  # too late to appeal
            services.file_remedy(case, {"kind": "lawsuit", "stage": "appeal", "parent_id": suit.id,
                                        "body": "白山市中级人民法院", "applied_on": "2025-12-20"},
                                 actor=officer, today=TODAY)


def test_hearings_record_the_head_and_the_reason_for_absence(app, published):
    ids = published()
    with app.app_context():
        case, officer, _ = _objs(ids)
        suit = services.file_remedy(case, {"kind": "lawsuit", "body": "临江市人民法院", "applied_on": "2025-10-15"},
                                    actor=officer, today=TODAY)
        with pytest.raises(InvalidInput) as err:
            services.add_hearing(suit, {"held_on": "2025-11-20", "representatives": "李科长",
                                        "head_appeared": False}, actor=officer, today=TODAY)
        assert "行政诉讼法第三条" in err.value.message
        with pytest.raises(InvalidInput):
            services.add_hearing(suit, {"held_on": "2025-11-20", "representatives": "王局长",
                                        "head_appeared": True}, actor=officer, today=TODAY)
        h = services.add_hearing(suit, {"held_on": "2025-11-20", "representatives": "王局长、李科长",
                                        "head_appeared": "true", "head_name": "王局长"}, actor=officer, today=TODAY)
        assert h.head_appeared is True


def test_rates_per_agency_and_year_from_records(app, published, make_agency, make_officer, make_matter, case_at):
    """SPEC §15 from a known set: reconsiderations 1 corrected of 4 concluded (调解 and 终止 count only in
    the denominator); lawsuits 1 lost of 3 (撤诉 in the denominator only); head in 2 of 3 hearings."""
    ids = published()
    with app.app_context():
        case, officer, head = _objs(ids)
        for outcome in ("revoke", "mediation", "uphold", "terminate"):
            r = _recon(case, officer)
            services.record_outcome(r, outcome=outcome, decided_on=date(2025, 12, 1), actor=officer,
                                    today=TODAY)
        _recon(case, officer)  # pending: not concluded
        late = _recon(case, officer)
        services.record_outcome(late, outcome="revoke", decided_on=date(2026, 1, 5), actor=officer, today=TODAY)
        for outcome, appeared in (("withdrawn", True), ("reject_claims", True), ("confirm_illegal", False)):
            s = services.file_remedy(case, {"kind": "lawsuit", "body": "临江市人民法院", "applied_on": "2025-10-15"},
                                     actor=officer, today=TODAY)
            services.add_hearing(s, {"held_on": "2025-11-20", "representatives": "李科长", "head_appeared": appeared,
                                     "head_name": "王局长" if appeared else "",
                                     "absence_reason": "" if appeared else "出差"}, actor=officer, today=TODAY)
            services.record_outcome(s, outcome=outcome, decided_on=date(2025, 11, 25), actor=officer, today=TODAY)
        services.sync(date(2025, 12, 31))
        db.session.commit()
        [row] = queries.rates(2025, [case.agency_id])
        assert (row.reconsideration.numerator, row.reconsideration.denominator) == (1, 4)
        assert (row.lawsuit.numerator, row.lawsuit.denominator) == (1, 3)
        assert (row.appearance.numerator, row.appearance.denominator) == (2, 3)
        assert row.reconsiderations_received == 6 and row.lawsuits_received == 3
        assert queries.meets(row, queries.targets()) == {"reconsideration_correction": False, "lawsuit_loss": False,
                                                         "head_appearance": False}
        [next_year] = queries.rates(2026, [case.agency_id])
        assert (next_year.reconsideration.numerator, next_year.reconsideration.denominator) == (1, 1)


def test_deadline_warnings(app, published):
    ids = published()
    with app.app_context():
        case, officer, _ = _objs(ids)
        r = _recon(case, officer)  # answer due 2025-11-03, decision due 2025-12-21
        w = queries.warnings(officer, date(2025, 11, 1), 5)
        assert [(x.level, x.due_on) for x in w] == [("due_soon", date(2025, 11, 3))]
        assert "行政复议法第四十八条" in w[0].message
        assert [x.level for x in queries.warnings(officer, date(2025, 11, 4), 5)] == ["overdue"]
        services.record_progress(r, {"answered_on": "2025-11-02"}, actor=officer, today=TODAY)
        assert queries.warnings(officer, date(2025, 11, 4), 5) == []
        assert [x.due_on for x in queries.warnings(officer, date(2025, 12, 22), 5)] == [date(2025, 12, 21)]
