"""The publication workflow (SPEC §3, §8): due dates across holidays and closures, the hook on deciding,
redacted content, refusal while a pattern remains, non-publication grounds, withdrawal deadlines, display
periods and their expiry, overdue alerts, the ledger."""
from datetime import date

import pytest
from sqlalchemy import select

from app.errors import InvalidInput, PermissionDenied
from app.extensions import db
from publicity import queries, services
from publicity.models import Publication
from tests.cases.conftest import DEFAULT_DRAFT, T, person_party


def _pub(pub_id):
    return db.session.get(Publication, pub_id)


def _user(user_id):
    from app.auth.models import User

    return db.session.get(User, user_id)


# --- due dates ------------------------------------------------------------------------------------------

def test_penalty_due_date_crosses_national_day(app_ctx, make_agency):
    agency = make_agency()
    # 2025-09-29 (Mon): 9-30 is the 1st working day, 10-1…10-8 are the National Day and Mid-Autumn holiday,
    # 10-11 (Sat) is a make-up working day: the 7th working day is 10-15.
    assert services.publication_due("penalty", date(2025, 9, 29), agency.id) == date(2025, 10, 15)
    assert services.publication_due("licensing", date(2025, 9, 29), agency.id) == date(2025, 10, 15)
    assert services.publication_due("other", date(2025, 9, 29), agency.id) == date(2025, 11, 3)


def test_agency_closures_push_the_due_date(app_ctx, make_agency):
    from app.auth.models import Agency
    from app.auth.services import add_closure

    agency = db.session.get(Agency, make_agency().id)
    add_closure(agency, date(2025, 10, 13), "防汛")
    db.session.commit()
    assert services.publication_due("penalty", date(2025, 9, 29), agency.id) == date(2025, 10, 16)


def test_withdrawal_deadline_is_three_working_days(app_ctx, make_agency):
    agency = make_agency()
    assert services.withdrawal_due(date(2025, 9, 26), agency.id) == date(2025, 9, 30)  # 9-28 Sunday is worked
    assert services.withdrawal_due(date(2025, 9, 30), agency.id) == date(2025, 10, 11)  # across the holiday


# --- creation on deciding -------------------------------------------------------------------------------

def test_deciding_creates_the_publication_with_due_date_and_redacted_content(app, decided):
    ids = decided("decided")
    with app.app_context():
        pub = _pub(ids["pub_id"])
        assert pub is not None and pub.status == "draft"
        assert pub.decided_on == T.decided and pub.due_on == date(2025, 10, 16)
        assert pub.party_text == "张*" and "张三" not in pub.title + pub.facts + pub.party_text
        assert pub.penalty_text == "罚款人民币1,000.00元"
        assert "城市市容和环境卫生管理条例" in pub.legal_basis
        assert services.residual(pub) == []


def test_sync_creates_missing_publications_once(app, decided):
    ids = decided("decided")
    with app.app_context():
        db.session.delete(_pub(ids["pub_id"]))
        db.session.commit()
        assert len(services.sync()) == 1
        assert services.sync() == []


def test_a_minor_party_is_never_published_and_is_reported(app, case_at):
    from app.validators import make_id_number

    minor = person_party(name="钱小军", id_number=make_id_number(birth=date(2010, 5, 4), seq=11))
    with app.app_context():
        case = case_at("decided", parties=[minor])
        pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
        assert pub.status == "not_published" and pub.ground == "minor"
        assert pub.reported_to_supervisor_at is not None
        from app.ledger.models import LedgerEntry

        entry = db.session.get(LedgerEntry, pub.ledger_seq)
        assert entry.kind == "publication.not_published"


def test_warnings_are_published_unless_the_setting_says_otherwise(app, case_at):
    warning = {**DEFAULT_DRAFT, "tier": "轻微", "penalties": ["warning"], "fine": None}
    with app.app_context():
        app.config["PUBLICITY_PUBLISH_WARNINGS"] = False
        try:
            case = case_at("decided", draft=warning)
        finally:
            app.config.pop("PUBLICITY_PUBLISH_WARNINGS")
        pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
        assert pub.status == "not_published" and pub.ground == "warning_configurable"


# --- the preview, refusal, approval ---------------------------------------------------------------------

def test_publication_is_refused_while_a_pattern_remains(app, decided):
    ids = decided("decided")
    with app.app_context():
        pub, officer, head = _pub(ids["pub_id"]), _user(ids["officer"]), _user(ids["head"])
        services.save_edits(pub, actor=officer, fields={"facts": "当事人（电话13904351234）占道经营。"})
        with pytest.raises(services.PersonalDataRemains) as err:
            services.submit(pub, actor=officer)
        assert err.value.status == 409 and "电话号码" in err.value.message
        with pytest.raises(services.PersonalDataRemains):
            services.approve(pub, actor=head)
        assert pub.status == "draft" and pub.published_at is None
        services.save_edits(pub, actor=officer, fields={"facts": ""})  # back to the engine's text
        services.submit(pub, actor=officer)
        services.approve(pub, actor=head, on=date(2025, 10, 9))
        assert pub.status == "published"


def test_extra_terms_mask_what_the_engine_could_not_know(app, decided):
    ids = decided("decided")
    with app.app_context():
        pub = _pub(ids["pub_id"])
        services.save_edits(pub, actor=_user(ids["officer"]), extra_terms=["建国街"])
        assert "建国街" not in pub.facts and "***" in pub.facts


def test_approval_publishes_the_redacted_pdf_and_enters_the_ledger(app, decided):
    import hashlib

    from app.ledger.models import LedgerEntry
    from app.storage import get_store

    ids = decided("decided")
    with app.app_context():
        pub = _pub(ids["pub_id"])
        services.approve(pub, actor=_user(ids["head"]), on=date(2025, 10, 9))
        db.session.commit()
        data = b"".join(get_store().open(pub.pdf_key))
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == pub.pdf_sha256
        entry = db.session.get(LedgerEntry, pub.ledger_seq)
        assert entry.kind == "publication.published"
        assert entry.payload["sha256"] == pub.pdf_sha256 and entry.payload["late"] is False
        assert pub.display_until == date(2028, 10, 8)  # 1,000 yuan on a person: 3 years
        # The public version carries the agency's PAdES signature, bound to the entry (issue 18).
        from app.docsign import services as docsign

        check = docsign.check_pdf(data, [docsign.cert_path(pub.agency_id).read_bytes()])
        assert check.ok and entry.payload["signature"]["signed_digest"] == check.signed_digest


def test_only_the_agencys_head_approves_and_only_its_staff_edit(app, decided, make_agency, make_user):
    ids = decided("decided")
    other_agency = make_agency()
    stranger = make_user(roles=("head",), agency=other_agency)
    supervisor = make_user(roles=("supervisor",))
    with app.app_context():
        pub = _pub(ids["pub_id"])
        for user_id in (ids["officer"], stranger, supervisor):
            with pytest.raises(PermissionDenied):
                services.approve(pub, actor=_user(user_id))
        for user_id in (stranger, supervisor):
            with pytest.raises(PermissionDenied):
                services.save_edits(pub, actor=_user(user_id), extra_terms=["建国街"])
        with pytest.raises(PermissionDenied):
            services.decline(pub, ground="minor", note="x", actor=_user(ids["officer"]))


# --- non-publication ------------------------------------------------------------------------------------

def test_non_publication_needs_a_legal_ground_and_a_note_and_is_reported(app, decided, make_user):
    ids = decided("decided")
    supervisor = make_user(roles=("supervisor",))
    with app.app_context():
        pub, head = _pub(ids["pub_id"]), _user(ids["head"])
        for ground, note in (("", "理由"), ("inconvenient", "理由"), ("trade_secret_privacy", " ")):
            with pytest.raises(InvalidInput):
                services.decline(pub, ground=ground, note=note, actor=head)
        services.decline(pub, ground="trade_secret_privacy", note="核心事实涉及当事人病情", actor=head)
        db.session.commit()
        assert pub.status == "not_published" and pub.reported_to_supervisor_at is not None
        alerts = queries.visible_publicity_alerts(_user(supervisor), date(2025, 10, 10))
        assert any("不予公开" in a.text and a.publication_id == pub.id for a in alerts)


# --- withdrawal -----------------------------------------------------------------------------------------

def test_withdrawal_records_its_deadline_alerts_when_late_and_shows_the_reason(app, decided):
    ids = decided("decided")
    with app.app_context():
        pub, officer, head = _pub(ids["pub_id"]), _user(ids["officer"]), _user(ids["head"])
        services.approve(pub, actor=head, on=date(2025, 10, 9))
        services.request_withdrawal(pub, reason="revoked", note="经行政复议，决定被撤销", event_on=date(2025, 10, 20),
                                    actor=officer)
        assert pub.withdrawal_due_on == date(2025, 10, 23)
        alerts = queries.visible_publicity_alerts(officer, date(2025, 10, 24))
        assert [a.level for a in alerts if a.publication_id == pub.id] == ["overdue"]
        services.withdraw(pub, actor=head, on=date(2025, 10, 24))
        db.session.commit()
        assert pub.status == "withdrawn" and pub.withdrawn_on == date(2025, 10, 24)
        from app.ledger.models import LedgerEntry

        entry = db.session.get(LedgerEntry, pub.ledger_seq)
        assert entry.kind == "publication.withdrawn" and entry.payload["late"] is True
        assert queries.public_withdrawals(date(2025, 10, 25)) == [pub]
        assert queries.public_decisions(date(2025, 10, 25)).items == []
        assert queries.visible_publicity_alerts(officer, date(2025, 10, 24)) == []


def test_withdrawal_needs_a_reason_and_a_date(app, decided):
    ids = decided("decided")
    with app.app_context():
        pub, head = _pub(ids["pub_id"]), _user(ids["head"])
        services.approve(pub, actor=head, on=date(2025, 10, 9))
        with pytest.raises(InvalidInput):
            services.withdraw(pub, actor=head, reason="dislike", note="x", event_on=date(2025, 10, 20))
        with pytest.raises(InvalidInput):
            services.withdraw(pub, actor=head, reason="revoked", note="", event_on=date(2025, 10, 20))
        with pytest.raises(InvalidInput):
            services.withdraw(pub, actor=head, reason="revoked", note="x", event_on=date(2025, 1, 1))
        assert pub.status == "published"


# --- display periods ------------------------------------------------------------------------------------

def test_small_fines_show_three_months_then_disappear_even_without_the_job(app, case_at, head_of):
    with app.app_context():
        case = case_at("decided", procedure="summary")  # on the spot: warning + 100 yuan on a person
        pub = db.session.scalar(select(Publication).where(Publication.case_id == case.id))
        services.approve(pub, actor=head_of(case.agency_id), on=date(2025, 9, 16))
        db.session.commit()
        assert pub.display_until == date(2025, 12, 15)
        assert queries.public_decisions(date(2025, 12, 15)).items == [pub]
        assert queries.public_decisions(date(2025, 12, 16)).items == []  # before `expire` ran
        assert queries.public_decision(pub.id, date(2025, 12, 16)) is None
        assert services.expire_due(date(2025, 12, 16)) == [pub]
        assert pub.status == "expired"
        assert services.expire_due(date(2025, 12, 17)) == []


@pytest.mark.parametrize("penalties, fine, party_kind, short", [
    (["warning"], None, "person", True),
    (["fine"], "200", "person", True),
    (["fine"], "201", "person", False),
    (["fine"], "3000", "org", True),
    (["fine"], "3000.01", "org", False),
    (["warning", "suspend_business"], None, "org", False),
])
def test_which_decisions_get_the_short_display_period(app_ctx, penalties, fine, party_kind, short):
    from decimal import Decimal

    assert services.is_short_display(penalties, Decimal(fine) if fine else None, party_kind) is short


# --- alerts and visibility ------------------------------------------------------------------------------

def test_overdue_publication_alerts_the_agency_and_the_supervisor_only(app, decided, make_agency, make_user):
    ids = decided("decided")
    stranger = make_user(roles=("officer",), agency=make_agency())
    supervisor = make_user(roles=("supervisor",))
    with app.app_context():
        day = date(2025, 10, 17)  # due 10-16
        assert [a.level for a in queries.visible_publicity_alerts(_user(ids["officer"]), day)] == ["overdue"]
        assert [a.level for a in queries.visible_publicity_alerts(_user(supervisor), day)
                if a.publication_id] == ["overdue"]
        assert queries.visible_publicity_alerts(_user(stranger), day) == []
        assert [a.level for a in queries.visible_publicity_alerts(_user(ids["officer"]), date(2025, 10, 14))] == \
            ["due_soon"]


def test_search_finds_one_and_two_character_words_and_filters(app, decided):
    ids = decided("decided")
    with app.app_context():
        pub = _pub(ids["pub_id"])
        services.approve(pub, actor=_user(ids["head"]), on=date(2025, 10, 9))
        db.session.commit()
        today = date(2025, 10, 10)
        for q in ("占", "占道", "建国街 经营", "临城管罚", "城市管理"):
            assert queries.public_decisions(today, q=q).items == [pub], q
        for q in ("张三", "食品", "%", "_"):
            assert queries.public_decisions(today, q=q).items == [], q
        assert queries.public_decisions(today, agency_id=pub.agency_id, category="城市管理").items == [pub]
        assert queries.public_decisions(today, category="市场监管").items == []
        assert queries.public_decisions(today, date_from=date(2025, 10, 1)).items == []
        assert queries.public_decisions(today, date_to=date(2025, 9, 30)).items == [pub]
