"""Finding 7 (SPEC §4.3, §15): a recording's original is held while its case is open, while a remedy
window is open (复议 60 days, 诉讼 6 months from the decision's effective service) and while a
reconsideration or lawsuit is pending; then it is kept for the archive period, never less than 6 months.

Default timeline (tests/cases/conftest.py): decision served 2025-09-30, case closed 2025-10-10. The 复议
window ends on 2025-11-29, a Saturday, so on Monday 2025-12-01; the 诉讼 window on 2026-03-30 (Monday).
"""
from datetime import date, datetime, timezone

import pytest

from app.extensions import db
from cases import remedy_periods
from cases.remedy_periods import LAWSUIT, RemedyPeriod
from recordings import retention
from recordings.models import Recording
from tests.helpers import bearer
from tests.recordings.conftest import upload_single


@pytest.fixture
def lawsuit():
    """The hook the remedies feature feeds: here a lawsuit filed 2026-03-01, pending unless ended."""
    state = {"ended_on": None}

    def provider(case):
        return [RemedyPeriod(LAWSUIT, date(2026, 3, 1), state["ended_on"], "（2026）吉0681行初12号")]

    remedy_periods.register_provider(provider)
    yield state
    remedy_periods.unregister_provider(provider)


def test_closing_does_not_end_the_hold_while_the_party_may_still_sue(app_ctx, case_at):
    case = case_at("closed")
    windows = remedy_periods.windows(case)
    assert windows == {"reconsideration": date(2025, 12, 1), "lawsuit": date(2026, 3, 30)}
    p = retention.plan(case, date(2025, 10, 15))
    assert p.hold and any("行政复议申请期限至2025-12-01" in r for r in p.reasons)
    assert any("行政诉讼起诉期限至2026-03-30（行政诉讼法第四十六条）" in r for r in p.reasons)
    p = retention.plan(case, date(2026, 3, 30))
    assert p.hold and len(p.reasons) == 1  # the last day of the lawsuit window still holds
    p = retention.plan(case, date(2026, 3, 31))
    assert not p.hold and p.hold_end == date(2026, 3, 30)
    # kept for the 30-year archive period, to the end of that day in China (16:00 UTC)
    assert p.retain_until == datetime(2056, 3, 30, 16, 0, tzinfo=timezone.utc)


def test_an_open_case_is_held_whatever_the_date(app_ctx, case_at):
    case = case_at("served")
    assert retention.plan(case, date(2030, 1, 1)).reasons == ["案件尚未办结（SPEC §4.3：作为证据的音像记录在案件办理期间保全）"]


def test_a_pending_lawsuit_holds_until_it_is_final(app_ctx, case_at, lawsuit):
    case = case_at("closed")
    p = retention.plan(case, date(2026, 6, 1))  # windows over, lawsuit pending
    assert p.hold and p.reasons == ["行政诉讼尚未审结（SPEC §15）"]
    lawsuit["ended_on"] = date(2026, 9, 1)
    assert retention.plan(case, date(2026, 9, 1)).hold
    p = retention.plan(case, date(2026, 9, 2))
    assert not p.hold and p.hold_end == date(2026, 9, 1)


def test_never_less_than_six_months_after_the_holds(app, app_ctx, case_at, monkeypatch):
    monkeypatch.setitem(app.config, "CASE_FILE_RETENTION_YEARS", 0)
    case = case_at("closed")
    p = retention.plan(case, date(2026, 4, 1))
    assert p.retain_until == datetime(2026, 9, 29, 16, 0, tzinfo=timezone.utc)  # 2026-03-30 + 183 days


def test_the_store_follows_the_plan_and_the_ledger_says_why(app, case_at, head_of, token_for, media_files, lawsuit):
    """A real original in the object store: hold kept after closing while a lawsuit runs, released with
    retention extended once it is final; `flask recordings holds` is the daily sweep."""
    from app.auth.models import User
    from app.ledger.models import LedgerEntry
    from app.storage import get_store
    from cases import services as case_services
    from cases.models import Case
    from tests.cases.conftest import officer_user

    with app.app_context():
        case = case_at("executed")
        case_id, officer_id, head_id = case.id, officer_user(case).id, head_of(case.agency_id).id
    resp = upload_single(app.test_client(), bearer(token_for(officer_id)), media_files.video, case_id=case_id,
                         late_reason="执法记录仪在外勤途中，返回后上传")
    assert resp.status_code == 201, resp.get_json()
    with app.app_context():
        case = db.session.get(Case, case_id)
        case_services.apply_action(case, "close", actor=db.session.get(User, head_id), on=date(2025, 10, 10))
        db.session.commit()
        rec = db.session.scalars(db.select(Recording).where(Recording.case_id == case_id)).one()
        assert rec.legal_hold  # closed, but the lawsuit (pending, via the hook) keeps it
        assert get_store().stat(rec.original_key).legal_hold
        lawsuit["ended_on"] = date(2026, 9, 1)
        remedy_periods.remedy_changed(case)  # what the remedies feature calls after recording the judgment
        db.session.commit()
        rec = db.session.get(Recording, rec.id)
        stat = get_store().stat(rec.original_key)
        assert not rec.legal_hold and not stat.legal_hold
        assert stat.retain_until == datetime(2056, 9, 1, 16, 0, tzinfo=timezone.utc) and stat.is_locked
        entry = db.session.scalars(db.select(LedgerEntry).where(LedgerEntry.kind == "recording.retention")
                                   .order_by(LedgerEntry.seq.desc())).first()
        assert '"hold_end":"2026-09-01"' in entry.body and str(rec.id) in entry.body
        # The daily sweep has nothing left to do; a reopened lawsuit (retrial) puts the hold back.
        rec_id = rec.id
        lawsuit["ended_on"] = None
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["recordings", "holds"])
    assert result.exit_code == 0 and "新设 1 份" in result.output, result.output
    with app.app_context():
        assert get_store().stat(db.session.get(Recording, rec_id).original_key).legal_hold
