"""Complaints (投诉举报): the lifecycle with its deadlines across the 2026 National Day holiday, the
warnings, refusal with reasons, the complainant's data hidden from the agency complained about."""
from datetime import date

import pytest

from app.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from app.extensions import db
from tests.supervision.conftest import bearer, user


def _letter(app, tree, on, **extra):
    from supervision.services import complaints

    data = {"agency_id": tree.a1, "subject": "执法人员未出示证件", "content": "检查时未出示执法证件。",
            "complainant_name": "李明", "complainant_phone": "13904350001", "complainant_address": "临江市建国街1号",
            **extra}
    return complaints.submit(data, channel="letter", actor=user(tree.sk1), on=on)


def test_lifecycle_across_national_day(app, tree):
    """Received Wed 2026-09-30: Oct 1–7 are holidays and Sat Oct 10 a make-up working day, so the 5 working
    days are Oct 8, 9, 10, 12, 13. Accepted on the last day, the 60 days end Sat 2026-12-12, a rest day:
    the period ends on Mon 2026-12-14."""
    from app import calendar
    from supervision.services import complaints

    with app.app_context():
        receipt = _letter(app, tree, date(2026, 9, 30))
        c = receipt.complaint
        assert c.accept_due == date(2026, 10, 13)
        assert calendar.count_working_days(date(2026, 9, 30), c.accept_due) == 5
        # 超期预警 while it waits: due soon three days before, overdue the day after.
        assert complaints.warning_for(c, date(2026, 10, 9)) is None  # four calendar days left
        assert complaints.warning_for(c, date(2026, 10, 10)).state == "due_soon"
        assert complaints.warning_for(c, date(2026, 10, 14)).state == "overdue"
        assert complaints.warning_for(c, date(2026, 10, 1)) is None
        complaints.accept(c, note="属于执法监督范围", on=date(2026, 10, 13), actor=user(tree.sk1))
        assert c.handle_due == date(2026, 12, 14)
        complaints.assign(c, user(tree.sk1), on=date(2026, 10, 14), actor=user(tree.sk1))
        assert complaints.warning_for(c, date(2026, 12, 11)).state == "due_soon"
        assert complaints.warning_for(c, date(2026, 12, 15)).state == "overdue"
        complaints.reply(c, text_="经核查，投诉属实，已责令整改。", outcome="upheld", on=date(2026, 10, 30),
                         actor=user(tree.sk1))
        assert c.status == "closed" and complaints.warning_for(c, date(2026, 12, 15)) is None
        kinds = [e.kind for e in c.events]
        assert kinds == ["received", "accepted", "assigned", "replied"]
        # Every step is in the ledger, none with the complainant's data.
        from app.ledger.models import LedgerEntry

        bodies = [db.session.get(LedgerEntry, e.ledger_seq).body for e in c.events]
        assert all("李明" not in b and "13904350001" not in b for b in bodies)
        db.session.commit()


def test_deadline_settings(app, tree):
    from supervision.services import complaints

    app.config["COMPLAINT_ACCEPT_WORKING_DAYS"] = 3
    try:
        with app.app_context():
            assert complaints.accept_due_for(date(2026, 9, 30)) == date(2026, 10, 10)
    finally:
        app.config["COMPLAINT_ACCEPT_WORKING_DAYS"] = 5


def test_refusal_needs_reasons_and_closes(app, tree):
    from supervision.services import complaints

    with app.app_context():
        c = _letter(app, tree, date(2026, 11, 2)).complaint
        with pytest.raises(InvalidInput, match="不予受理的理由"):
            complaints.refuse(c, reason="  ", actor=user(tree.sk1))
        complaints.refuse(c, reason="投诉事项已进入行政复议程序，不属于执法监督受理范围", on=date(2026, 11, 3),
                          actor=user(tree.sk1))
        assert c.status == "refused"
        with pytest.raises(InvalidTransition):
            complaints.accept(c, actor=user(tree.sk1))
        db.session.rollback()


def test_only_supervisors_in_scope_handle(app, tree):
    from supervision.services import complaints

    with app.app_context():
        c = _letter(app, tree, date(2026, 11, 2)).complaint
        with pytest.raises(PermissionDenied):
            complaints.accept(c, actor=user(tree.sk2))  # the sibling county
        with pytest.raises(PermissionDenied):
            complaints.submit({"agency_id": tree.a1, "subject": "x", "content": "y"}, channel="call",
                              actor=user(tree.sk2))
        complaints.accept(c, actor=user(tree.sc))  # the city above may
        db.session.rollback()


def test_bad_input_is_a_field_error(app, tree):
    from supervision.services import complaints

    with app.app_context():
        for data, field in (({"subject": "x", "content": "y"}, "agency_id"),
                            ({"agency_id": tree.a1, "content": "y"}, "subject"),
                            ({"agency_id": tree.a1, "subject": "x", "content": "y", "complainant_phone": "12345"},
                             "complainant_phone"),
                            ({"agency_id": 999999, "subject": "x", "content": "y"}, "agency_id")):
            with pytest.raises(InvalidInput) as err:
                complaints.submit(data)
            assert field in err.value.details["fields"]
        with pytest.raises(InvalidInput, match="不得晚于今天"):
            _letter(app, tree, date(2099, 1, 1))
        db.session.rollback()


def test_agency_head_sees_complainant_only_with_consent(app, tree, login_as):
    from supervision.services import complaints

    with app.app_context():
        hidden = _letter(app, tree, date(2026, 11, 2)).complaint
        shown = _letter(app, tree, date(2026, 11, 2), consent_disclose="y", complainant_name="王刚").complaint
        other = _letter(app, tree, date(2026, 11, 2)).complaint  # never transferred
        for c in (hidden, shown):
            complaints.accept(c, on=date(2026, 11, 3), actor=user(tree.sk1))
            complaints.assign(c, user(tree.head1), on=date(2026, 11, 3), actor=user(tree.sk1))
        db.session.commit()
        ids = hidden.id, shown.id, other.id
    head = login_as(app.test_client(), tree.head1)
    page = head.get(f"/supervision/complaints/{ids[0]}").get_data(as_text=True)
    assert "执法人员未出示证件" in page and "李明" not in page and "13904350001" not in page
    assert "王刚" in head.get(f"/supervision/complaints/{ids[1]}").get_data(as_text=True)
    assert head.get(f"/supervision/complaints/{ids[2]}").status_code == 404
    api = app.test_client().get(f"/api/supervision/complaints/{ids[0]}", headers=bearer(app, tree.head1)).get_json()
    assert "complainant_name" not in api and api["subject"] == "执法人员未出示证件"
    listed = app.test_client().get("/api/supervision/complaints", headers=bearer(app, tree.head1)).get_json()
    assert sorted(c["id"] for c in listed) == sorted(ids[:2])
    # The supervisor in scope sees the person; the sibling county does not see the complaint at all.
    sup = app.test_client().get(f"/api/supervision/complaints/{ids[0]}", headers=bearer(app, tree.sk1)).get_json()
    assert sup["complainant_name"] == "李明"
    # Shown complainant data is in the personal-data access log (purpose 处理投诉举报); hidden data is not
    # (the head's refused read of the complaint never transferred is logged as a refusal).
    with app.app_context():
        from app.privacy.models import PersonalDataAccess

        logged = db.session.scalars(db.select(PersonalDataAccess).where(
            PersonalDataAccess.subject_kind == "complaint", PersonalDataAccess.action == "view")).all()
        assert {(a.user_id, a.subject_id, a.purpose) for a in logged} == {
            (tree.head1, ids[1], "complaint"), (tree.sk1, ids[0], "complaint")}
    assert app.test_client().get(f"/api/supervision/complaints/{ids[0]}",
                                 headers=bearer(app, tree.sk2)).status_code == 404
    # The head replies; the complaint closes.
    resp = app.test_client().post(f"/api/supervision/complaints/{ids[0]}/actions/reply",
                                  json={"reply": "已核实并整改。", "outcome": "partly"}, headers=bearer(app, tree.head1))
    assert resp.status_code == 200 and resp.get_json()["status"] == "closed"


def test_api_entry_and_actions(app, tree):
    client = app.test_client()
    h = bearer(app, tree.sk1)
    made = client.post("/api/supervision/complaints", headers=h, json={
        "channel": "call", "agency_id": tree.a1, "subject": "态度粗暴", "content": "执法人员态度粗暴。",
        "complainant_phone": "13904350009"})
    assert made.status_code == 201
    body = made.get_json()
    cid, secret = body["complaint"]["id"], body["secret"]
    assert body["complaint"]["reference"].startswith("TS") and len(secret) >= 12
    refused = client.post(f"/api/supervision/complaints/{cid}/actions/refuse", headers=h, json={"reason": ""})
    assert refused.status_code == 422 and refused.get_json()["error"] == "invalid_input"
    assert client.post(f"/api/supervision/complaints/{cid}/actions/accept", headers=h, json={}).status_code == 200
    wrong = client.post(f"/api/supervision/complaints/{cid}/actions/assign", headers=h, json={"assignee_id": tree.head2})
    assert wrong.status_code == 422  # the head of another agency cannot handle it
    warnings = client.get("/api/supervision/complaints/warnings", headers=h)
    assert warnings.status_code == 200
    assert client.get("/api/supervision/complaints/warnings", headers=bearer(app, tree.sk2)).get_json() == []


def test_cli_enter_and_act(app, tree):
    runner = app.test_cli_runner()
    with app.app_context():
        sk1 = user(tree.sk1).username
    out = runner.invoke(args=["supervision", "complaint-enter", "--as", sk1, "--agency", "1", "--subject", "乱罚款",
                              "--content", "对同一违法行为罚款两次", "--received-on", "2026-11-02"])
    assert out.exit_code == 0, out.output
    reference = out.output.split("\t")[0]
    assert runner.invoke(args=["supervision", "complaint", reference, "refuse", "--as", sk1,
                               "--data", "{}"]).exit_code != 0
    done = runner.invoke(args=["supervision", "complaint", reference, "accept", "--as", sk1])
    assert done.exit_code == 0 and "accepted" in done.output


def test_lookup_needs_both_reference_and_secret(app, tree):
    from supervision.services import complaints

    with app.app_context():
        receipt = _letter(app, tree, date(2026, 11, 2))
        db.session.commit()
        assert complaints.lookup(receipt.complaint.reference.lower(), receipt.secret).id == receipt.complaint.id
        for ref, secret in ((receipt.complaint.reference, "wrong"), ("TS2026-999999", receipt.secret), ("x", "")):
            with pytest.raises(NotFound, match="受理编号或查询码不正确"):
                complaints.lookup(ref, secret)


def test_two_complaints_submitted_at_the_same_moment_get_distinct_references(app, tree):
    """Both requests read the same last reference; the second INSERT meets the unique constraint (on
    PostgreSQL it waits for the first transaction, on SQLite for its write lock) and takes the next number
    instead of failing with a server error."""
    import threading

    from supervision.models.complaints import Complaint
    from supervision.services import complaints

    first_flushed, release_first = threading.Event(), threading.Event()
    results, errors = {}, []

    def first():
        try:
            with app.app_context():
                results["first"] = _letter(app, tree, date(2026, 11, 2)).complaint.reference
                first_flushed.set()
                release_first.wait(10)
                db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
            first_flushed.set()

    def second():
        try:
            with app.app_context():
                first_flushed.wait(10)
                # The first transaction has flushed its reference but not committed: this read misses it.
                assert complaints._next_reference(2026) == results["first"]
                timer = threading.Timer(0.5, release_first.set)
                timer.start()
                results["second"] = _letter(app, tree, date(2026, 11, 2)).complaint.reference
                db.session.commit()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
            release_first.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert results["first"] != results["second"]
    with app.app_context():
        refs = sorted(db.session.scalars(db.select(Complaint.reference)))
    assert refs == sorted([results["first"], results["second"]]) and len(refs) == 2
