"""Review fixtures: qualified reviewers, and major cases ready for review.

`major_case()` builds a case marked major by the head and driven to "notified" on a timeline ending
shortly before today, so that deciding it *today* (the HTML form and the JSON API always act today) passes
every rule but the legal-review gate. Factories follow the cases fixtures' convention: they work in the
active app context, or open one and return a detached object.
"""
from __future__ import annotations

import functools
from datetime import datetime, timedelta

import pytest

from app.extensions import db
from tests.cases.conftest import (DEFAULT_DRAFT, _agency, _in_context, at, case_at, cases_agency,  # noqa: F401
                                  head_of, make_case, make_case_user, make_matter, make_officer, officer_user,
                                  record_and_complete)
from tests.helpers import PASSWORD

MAJOR_DRAFT = {**DEFAULT_DRAFT, "tier": "严重", "fine": "60000",
               "facts": "当事人在临江市建国街违法占道经营，面积120平方米，经两次责令改正拒不改正。"}


@pytest.fixture
def make_reviewer(app):
    """A reviewer account of an agency with an officer record holding a 法律职业资格 (by default)."""
    counter = iter(range(1, 10000))

    @_in_context(app)
    def factory(agency, *, qualified=True, roles=("reviewer",), username=None):
        from app.auth.services import create_user
        from app.officers import services as officer_services
        from datetime import date

        n = next(counter)
        agency_obj = _agency(agency)
        user = create_user(username=username or f"reviewer{n}", password=PASSWORD, full_name=f"审核{n}",
                           roles=roles, agency=agency_obj)
        officer_services.create_officer(name=f"审核{n}", agency=agency_obj, employment_type="established",
                                        user=user, qualification_number=f"A2019220681{n:04d}" if qualified else None,
                                        qualification_date=date(2019, 3, 1) if qualified else None)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def recent(app):
    """The recent timeline used by `major_case` (dates relative to today in China)."""
    from types import SimpleNamespace

    from app.timeutil import today_china

    today = today_china()
    created = today - timedelta(days=45)
    return SimpleNamespace(today=today, violation=created - timedelta(days=10), created=created,
                           filed=created + timedelta(days=1), inspection=created + timedelta(days=2),
                           inquiry=created + timedelta(days=3), investigated=created + timedelta(days=4),
                           notice=created + timedelta(days=5), submitted=today - timedelta(days=3))


@pytest.fixture
def major_case(app, make_case, head_of, recent):
    """A case marked major by the head, at `status` ("investigated", "notified", "hearing"), recent dates."""

    @_in_context(app)
    def drive(status="notified", *, draft=None, marked=True, discussed=True, **kw):
        from cases import services

        case = make_case(on=recent.created, violation_on=recent.violation, **kw)
        head = head_of(case.agency_id)
        officer = officer_user(case)
        act = functools.partial(services.apply_action, case)
        act("submit_filing", actor=officer, on=recent.created)
        act("approve_filing", actor=head, on=recent.filed)
        record_and_complete(case, "inspection", at(recent.inspection, 9), actor=officer, head=head)
        record_and_complete(case, "inquiry", at(recent.inquiry, 14), actor=officer, head=head,
                            content="问：你是否在建国街占道经营？\n答：是的。")
        if discussed:  # a major penalty is decided after the heads' collective discussion (APL Art 57)
            record_and_complete(case, "discussion", at(recent.investigated, 15), actor=officer, head=head,
                                content="集体讨论：同意拟处罚意见，报法制审核。",
                                extra={"attendees": ["王局长", "李副局长", "赵副局长"],
                                       "conclusion": "同意拟处罚意见，经法制审核通过后作出决定"})
        services.save_draft(case, draft or MAJOR_DRAFT, actor=officer)
        if marked:
            services.set_case_flags(case, actor=head, marked_major=True)
        act("close_investigation", actor=officer, on=recent.investigated)
        if status != "investigated":
            act("serve_notice", actor=officer, data={"served_on": recent.notice.isoformat()}, on=recent.notice)
        if status == "hearing":
            act("request_hearing", actor=officer, data={"requested_on": recent.notice + timedelta(days=1)},
                on=recent.notice + timedelta(days=1))
        db.session.commit()
        return case

    return drive


@pytest.fixture
def approve_case(app, recent):
    """Submit `case` (by its lead officer), take, pass every checklist item and approve, by `reviewer`."""

    @_in_context(app)
    def run(case, reviewer, *, on=None):
        from cases.models import Case
        from app.auth.models import User
        from review import services

        case = db.session.get(Case, case.id)
        reviewer = db.session.get(User, reviewer if isinstance(reviewer, int) else reviewer.id)
        on = on or recent.today
        submission = services.submit_for_review(case, {}, actor=officer_user(case), on=recent.submitted)
        services.take_review(submission, actor=reviewer, declare_no_conflict=True, on=recent.submitted)
        for item in services.CHECKLIST:
            services.record_checklist(submission, item, "pass", actor=reviewer, on=on)
        services.approve(submission, opinion="同意作出处罚决定。", actor=reviewer, on=on)
        db.session.commit()
        return submission

    return run


def token_for(app, user_id):
    with app.app_context():
        from app.auth.models import User
        from app.auth.services import issue_token

        raw = issue_token(db.session.get(User, user_id), "test")
        db.session.commit()
        return raw if isinstance(raw, str) else raw[0]


@pytest.fixture
def bearer_of(app):
    def get(user):
        return {"Authorization": f"Bearer {token_for(app, user if isinstance(user, int) else user.id)}"}

    return get


def now_china():
    from app.timeutil import CHINA

    return datetime.now(CHINA)
