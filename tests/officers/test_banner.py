"""The certificate banner (issue 19): an officer sees on every staff page that their certificate may not be
used today, and why, before an act is refused; and a reminder ahead of its expiry."""
from datetime import date, timedelta

from app.extensions import db
from app.officers import banner, services
from app.officers.models import Certificate
from app.timeutil import today_china


def _page(client):
    return client.get("/").get_data(as_text=True)


def test_no_banner_for_a_valid_certificate_then_an_error_when_suspended(app, client, world, make_officer, login_as):
    _, cert_id = make_officer(world.agency_a, user_id=world.officer_a)
    login_as(client, world.officer_a)
    assert "certificate-banner" not in _page(client)
    with app.app_context():
        until = today_china() + timedelta(days=20)
        services.suspend(db.session.get(Certificate, cert_id), on=today_china(), until=until, reason="内部调查")
        db.session.commit()
    page = _page(client)
    assert 'class="banner banner-error certificate-banner"' in page
    assert "您今日不得以执法人员身份实施执法行为" in page and f"至{until.isoformat()}" in page
    # A user who is not an officer (the head) sees none.
    login_as(client, world.head_a)
    assert "certificate-banner" not in _page(client)


def test_reminders_before_expiry_and_the_inspection_deadline(app, world, make_officer):
    _, cert_id = make_officer(world.agency_a, user_id=world.officer_a)
    with app.app_context():
        from app.auth.models import User

        user = db.session.get(User, world.officer_a)
        cert = db.session.get(Certificate, cert_id)
        cert.issued_on, cert.expires_on = date(2026, 5, 1), date(2027, 4, 20)
        db.session.commit()
        # Issued in 2026 (no 2026 inspection needed); the 2027 inspection is needed from 2027-04-01.
        # 2027-03-10: that deadline is 21 days away, the expiry 41 days: one reminder.
        got = banner.for_user(user, date(2027, 3, 10))
        assert got.level == "warning" and got.lines == ("执法证件须在2027-03-31前通过2027年度年检，逾期未年检的证件不得用于执法",)
        # 2027-03-25: the expiry is 26 days away too.
        got = banner.for_user(user, date(2027, 3, 25))
        assert len(got.lines) == 2 and "将于2027-04-20到期" in got.lines[0]
        assert banner.for_user(user, date(2026, 9, 1)) is None
