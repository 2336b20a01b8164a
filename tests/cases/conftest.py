"""Shared case fixtures: officers with certificates, published matters, cases, and `case_at(status)`.

Every factory works in the app context that is active when it is called (use the `app_ctx` fixture, or
`with app.app_context():`), goes through the real services, commits, and returns attached ORM objects.
Called with no app context active, a factory opens one for the call and returns the object detached
(its columns loaded: use `.id` and reload it later).

Tests that send requests with the test client should NOT keep an app context pushed around the requests:
Flask would reuse it, and Flask-Login caches the current user on `g` for the whole context. Build data in
`with app.app_context():` blocks, keep the ids, and send the requests outside.

Default timeline (fixed dates, so that working days and holidays are the real 2025 calendar):
certificates issued 2023-06-01 (inspected every year since), matters published 2025-01-02, violation
2025-09-01, case created and submitted 2025-09-15, filed 2025-09-16 (decision due 2025-12-15), steps on
2025-09-17/18, investigation closed 2025-09-19, advance notice served 2025-09-22 (defence window until
2025-09-28, a make-up working Sunday), decided 2025-09-30, served 2025-09-30, paid 2025-10-09, closed
and archived 2025-10-10.
"""
from __future__ import annotations

import functools
import itertools
from datetime import date, datetime
from types import SimpleNamespace

import pytest
from flask import has_app_context

from app.extensions import db
from tests.helpers import PASSWORD

#: The default timeline (see the module docstring).
T = SimpleNamespace(
    cert_issued=date(2023, 6, 1), cert_expires=date(2029, 5, 31), published=date(2025, 1, 2),
    violation=date(2025, 9, 1), created=date(2025, 9, 15), filed=date(2025, 9, 16),
    inspection=datetime(2025, 9, 17, 9, 30), inquiry=datetime(2025, 9, 18, 14, 0),
    investigated=date(2025, 9, 19), notice=date(2025, 9, 22), decided=date(2025, 9, 30),
    served=date(2025, 9, 30), paid=date(2025, 10, 9), closed=date(2025, 10, 10),
)

DEFAULT_TIERS = [
    {"name": "轻微", "min": 0, "max": 200, "penalties": ["warning", "fine"], "description": "首次违法，及时改正"},
    {"name": "一般", "min": 200, "max": 5000, "penalties": ["fine"], "description": "一般情节"},
    {"name": "严重", "min": 5000, "max": 100000, "penalties": ["fine", "suspend_business"],
     "description": "情节严重"},
]

DEFAULT_DRAFT = {
    "facts": "当事人于2025年9月1日在临江市建国街占道经营，经责令改正拒不改正。",
    "evidence": "现场检查笔录、询问笔录、现场照片3张",
    "legal_basis": "《城市市容和环境卫生管理条例》第三十六条",
    "tier": "一般", "penalties": ["fine"], "fine": "1000",
    "reasoning": "当事人违法事实清楚，证据确凿",
    "correction": "立即停止占道经营行为，清理占用的道路",
}

#: The order in which `case_at` drives an ordinary case.
ORDINARY_PATH = ("draft", "pending_filing", "investigating", "investigated", "notified", "decided", "served",
                 "executed", "closed", "archived")
SUMMARY_PATH = ("draft", "decided", "served", "executed", "closed", "archived")

_seq = itertools.count(1)


def _agency(agency):
    from app.auth.models import Agency

    return db.session.get(Agency, agency if isinstance(agency, int) else agency.id)


def _in_context(app):
    """Run the factory in the active app context, or in a fresh one returning a detached object."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if has_app_context():
                return func(*args, **kwargs)
            with app.app_context():
                obj = func(*args, **kwargs)
                if obj is not None and hasattr(obj, "_sa_instance_state"):
                    db.session.refresh(obj)
                    db.session.expunge(obj)
                return obj

        return wrapper

    return decorator


@pytest.fixture
def cases_agency(app, make_agency):
    """A 临江市 city-management agency (categories 城市管理 and 市场监管), as an id-bearing detached object."""
    return make_agency(name=None, categories=("城市管理", "市场监管"), region_code="220681", doc_prefix="临城管")


@pytest.fixture
def make_case_user(app):
    """A user of an agency with the given roles (head, reviewer, officer...), attached."""

    @_in_context(app)
    def factory(agency, roles=("head",), username=None, full_name=None):
        from app.auth.services import create_user

        n = next(_seq)
        user = create_user(username=username or f"{roles[0]}{n}", password=PASSWORD,
                           full_name=full_name or f"用户{n}", roles=roles,
                           agency=_agency(agency) if agency is not None else None)
        db.session.commit()
        return user

    return factory


@pytest.fixture
def make_officer(app):
    """An established officer with a valid 吉林省行政执法证 and, by default, a login account (officer role).

    `categories`/`area` set the certificate; `issued_on`/`expires_on` its validity; every inspection year
    from the year after issue to this year is passed unless `inspected=False`. `certificate=False` gives
    an officer without any certificate; `employment="auxiliary"` an auxiliary (never qualifies).
    """

    @_in_context(app)
    def factory(agency, name=None, *, categories=("城市管理",), area="220681", issued_on=None, expires_on=None,
                inspected=True, certificate=True, employment="established", with_user=True, username=None):
        from app.auth.services import create_user
        from app.officers import services as officer_services
        from app.timeutil import today_china

        n = next(_seq)
        agency_obj = _agency(agency)
        user = None
        if with_user:
            user = create_user(username=username or f"officer{n}", password=PASSWORD, full_name=name or f"执法{n}",
                               roles=("officer",), agency=agency_obj)
        officer = officer_services.create_officer(name=name or f"执法{n}", agency=agency_obj,
                                                  employment_type=employment, user=user)
        if certificate and employment == "established":
            from app.officers import training

            issued_on = issued_on or T.cert_issued
            # A new certificate needs a passed unified examination (SPEC §5.5).
            training.record_examination(officer, {"taken_on": issued_on, "score": 85, "passed": True})
            cert = officer_services.issue_certificate(
                officer, number=f"22068100{n:05d}", categories=list(categories), area_code=area,
                issued_on=issued_on, expires_on=expires_on or T.cert_expires)
            if inspected:
                today = today_china()
                for year in range(issued_on.year + 1, today.year + 1):
                    on = max(date(year, 1, 10), issued_on)
                    if on <= today:
                        # The annual inspection needs the year's training hours (default 40).
                        training.record_training(officer, {"kind": "annual", "course": "年度法律知识培训",
                                                           "hours": 40, "completed_on": on})
                        officer_services.record_inspection(cert, year=year, on=on)
        db.session.commit()
        return officer

    return factory


@pytest.fixture
def make_matter(app):
    """A matter of the power list, version 1, published on `published_on` (None: unpublished)."""

    @_in_context(app)
    def factory(agency, *, code=None, name="占道经营", category="城市管理", tiers=None,
                procedures=("ordinary", "summary"), av_steps=(), major_criteria=None, published_on=T.published):
        from cases import services

        n = next(_seq)
        version = services.create_matter(
            agency=_agency(agency), code=code or f"CG-{n:04d}", name=name, category=category,
            legal_basis="《城市市容和环境卫生管理条例》第十四条",
            penalty_basis="《城市市容和环境卫生管理条例》第三十六条",
            tiers=tiers if tiers is not None else DEFAULT_TIERS, procedures=procedures, av_steps=av_steps,
            major_criteria=major_criteria or {"fine_at_least": 50000})
        if published_on is not None:
            services.publish_matter(version, on=published_on)
        db.session.commit()
        return version

    return factory


def person_party(name="张三", n=1, **kw):
    from app.validators import make_id_number

    return {"kind": "person", "name": name, "id_number": make_id_number(seq=n), "phone": "13904351234",
            "address": "吉林省临江市建国街1号", **kw}


def org_party(name="临江市某某商贸有限公司", n=1, **kw):
    from app.validators import make_credit_code

    return {"kind": "org", "name": name, "credit_code": make_credit_code(org_seq=100 + n),
            "legal_representative": "李四", "address": "吉林省临江市新市街8号", **kw}


@pytest.fixture
def make_case(app, cases_agency, make_officer, make_matter):
    """A draft case (登记中) created through `services.create_case` by its lead officer.

    Defaults: the `cases_agency`, a fresh published matter, two fresh qualified officers, one natural-person
    party, violation 2025-09-01, created 2025-09-15. Pass `officers=[...]` (Officer objects) to choose them.
    """

    @_in_context(app)
    def factory(agency=None, *, matter=None, officers=None, parties=None, procedure="ordinary",
                violation_on=T.violation, on=T.created, title="当事人占道经营案", area_code="220681",
                harms_safety=False, is_complex=False, actor=None):
        from cases import services

        agency_obj = _agency(agency or cases_agency)
        matter = matter or make_matter(agency_obj)
        if officers is None:
            officers = [make_officer(agency_obj), make_officer(agency_obj)]
        actor = actor or next((o.user for o in officers if o.user is not None), None)
        if actor is None:
            actor = make_officer(agency_obj).user
        case = services.create_case(
            agency=agency_obj, matter_version=matter, title=title, area_code=area_code, actor=actor,
            procedure=procedure, violation_on=violation_on, summary="群众举报", place="临江市建国街",
            harms_safety=harms_safety, is_complex=is_complex, officer_ids=[o.id for o in officers],
            parties=[person_party()] if parties is None else parties, on=on)
        db.session.commit()
        return case

    return factory


@pytest.fixture
def head_of(app, make_case_user):
    """The agency head (机关负责人) of an agency: created on first use, the same user afterwards."""
    heads = {}

    @_in_context(app)
    def get(agency):
        from app.auth.models import User

        agency_id = agency if isinstance(agency, int) else agency.id
        if agency_id in heads:
            return db.session.get(User, heads[agency_id])
        user = make_case_user(agency_id, roles=("head",), full_name="王局长")
        heads[agency_id] = user.id
        return user

    return get


def officer_user(case):
    """The login account of the case's lead officer."""
    return case.officers[0].officer.user


def at(day: date, hour=10) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def record_and_complete(case, kind, started_at, *, actor, head=None, extra=None, content=None, **data):
    """Record a step and complete it; a step needing audio/video gets an approved written justification."""
    from cases import services

    step = services.record_step(case, {"kind": kind, "started_at": started_at.isoformat(), "place": "临江市建国街",
                                       "content": content or f"{kind} 记录内容", "extra": extra or {},
                                       **data}, actor=actor)
    if step.needs_av:
        services.justify_missing_av(step, "执法记录仪故障，已书面说明", actor=actor)
        services.approve_av_justification(step, actor=head)
    services.complete_step(step, actor=actor, on=started_at.date())
    return step


@pytest.fixture
def case_at(app, make_case, head_of):
    """A case driven through the services to `status` on the default timeline; returns the attached case.

    Ordinary: draft → pending_filing → investigating (inspection and inquiry recorded and completed) →
    investigated (draft decision saved) → notified → decided → served → executed → closed → archived.
    Also "hearing"/"heard" (a 20,000 yuan fine gives the hearing right), "not_filed" and "terminated".
    Summary (`procedure="summary"`): draft → decided (on-the-spot warning + 100 yuan fine) → served → ...
    `draft=` overrides the draft decision; other keyword arguments go to `make_case`.
    """

    @_in_context(app)
    def drive(status, *, procedure="ordinary", draft=None, **kw):
        from cases import services

        case = make_case(procedure=procedure, **kw)
        head = head_of(case.agency_id)
        officer = officer_user(case)
        act = functools.partial(services.apply_action, case)

        def done():
            db.session.commit()
            return case

        if procedure == "summary":
            if status == "draft":
                return done()
            services.save_draft(case, draft or {**DEFAULT_DRAFT, "tier": "轻微", "penalties": ["warning", "fine"],
                                                 "fine": "100"}, actor=officer)
            act("decide_on_spot", actor=officer, on=T.created)
            if status == "decided":
                return done()
            act("serve_decision", actor=officer, data={"method": "on_spot"}, on=T.created)
            if status == "served":
                return done()
            act("record_execution", actor=officer, data={"paid_amount": "100", "paid_on": T.created.isoformat()},
                on=T.created)
            if status == "executed":
                return done()
            services.file_on_spot_decision(case, actor=head, on=T.filed)  # 备案 (APL Art 52)
            act("close", actor=head, on=T.filed)
            if status == "closed":
                return done()
            act("archive", actor=officer, on=T.filed)
            assert status == "archived", status
            return done()

        if status == "draft":
            return done()
        act("submit_filing", actor=officer, on=T.created)
        if status == "pending_filing":
            return done()
        if status == "not_filed":
            act("reject_filing", actor=head, data={"reason": "不属于本机关管辖"}, on=T.filed)
            return done()
        act("approve_filing", actor=head, on=T.filed)
        if status == "investigating":
            return done()
        record_and_complete(case, "inspection", at(T.inspection.date(), 9), actor=officer, head=head)
        record_and_complete(case, "inquiry", at(T.inquiry.date(), 14), actor=officer, head=head,
                            content="问：你是否在建国街摆摊？\n答：是的。")
        if status == "terminated":
            act("terminate", actor=head, data={"reason": "违法事实不能成立"}, on=T.investigated)
            return done()
        hearing = status in ("hearing", "heard")
        services.save_draft(case, draft or ({**DEFAULT_DRAFT, "tier": "严重", "fine": "20000"} if hearing
                                            else DEFAULT_DRAFT), actor=officer)
        act("close_investigation", actor=officer, on=T.investigated)
        if status == "investigated":
            return done()
        act("serve_notice", actor=officer, data={"served_on": T.notice.isoformat()}, on=T.notice)
        if status == "notified":
            return done()
        if hearing:
            act("request_hearing", actor=officer, data={"requested_on": date(2025, 9, 24)}, on=date(2025, 9, 24))
            if status == "hearing":
                return done()
            host = _host_officer(case)
            record_and_complete(case, "hearing", at(date(2025, 10, 20), 9), actor=officer, head=head,
                                extra={"host_officer_id": host.id, "noticed_on": "2025-10-09"})
            act("hold_hearing", actor=head, on=date(2025, 10, 20))
            return done()
        act("decide", actor=head, on=T.decided)
        if status == "decided":
            return done()
        act("serve_decision", actor=officer, data={"method": "direct", "served_on": T.served.isoformat()},
            on=T.served)
        if status == "served":
            return done()
        act("record_execution", actor=officer, data={"paid_amount": "1000", "paid_on": T.paid.isoformat()},
            on=T.paid)
        if status == "executed":
            return done()
        act("close", actor=head, on=T.closed)
        if status == "closed":
            return done()
        act("archive", actor=officer, on=T.closed)
        assert status == "archived", status
        return done()

    def _host_officer(case):
        from app.officers import services as officer_services

        return officer_services.create_officer(name="听证主持人", agency=case.agency, employment_type="established")

    return drive
