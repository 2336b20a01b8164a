"""The certificate lifecycle through the services: each event is a new row and a ledger entry, refusals
carry Chinese reasons, and the revocation bar holds across the person's records."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.errors import CertificateInvalid, Conflict, InvalidInput, InvalidTransition, PermissionDenied
from app.extensions import db
from app.ledger.models import LedgerEntry
from app.officers import queries, rules, services
from app.officers.models import Certificate, CertificateEvent, Officer
from app.timeutil import today_china


@pytest.fixture
def ctx(app_ctx, world):
    world.a = db.session.get(Agency, world.agency_a)
    world.sup = db.session.get(User, world.supervisor)
    return world


def issue(officer, number="220681100001", issued=date(2020, 3, 1), expires=date(2030, 2, 28), actor=None,
          exam=True, **kw):
    if exam and officer.employment_type == "established" and not any(
            e.passed and e.taken_on <= issued for e in officer.examinations):
        from app.officers import training

        training.record_examination(officer, {"taken_on": issued, "score": 80, "passed": True})
    return services.issue_certificate(officer, number=number, categories=["城市管理"], area_code="220681",
                                      issued_on=issued, expires_on=expires, actor=actor, **kw)


def trained(officer, *years, hours=40):
    from app.officers import training

    for year in years:
        training.record_training(officer, {"kind": "annual", "course": "年度法律知识培训", "hours": hours,
                                           "completed_on": date(year, 1, 5)})


def ledger(subject=None):
    stmt = select(LedgerEntry).order_by(LedgerEntry.seq)
    if subject:
        stmt = stmt.where(LedgerEntry.subject == subject)
    return db.session.scalars(stmt).all()


def test_lifecycle_events_are_appended_to_the_ledger(ctx):
    officer = services.create_officer(name="王强", agency=ctx.a, employment_type="established", actor=ctx.sup)
    cert = issue(officer, actor=ctx.sup)
    today = today_china()
    trained(officer, today.year)
    services.record_inspection(cert, year=today.year, on=today - timedelta(days=30), actor=ctx.sup)
    services.suspend(cert, on=today - timedelta(days=20), until=today + timedelta(days=10), reason="未按规定着装",
                     actor=ctx.sup)
    services.restore(cert, on=today - timedelta(days=10), reason="整改完毕", actor=ctx.sup)
    services.revoke(cert, on=today, reason="出借证件", reason_type="lent", actor=ctx.sup)
    db.session.commit()

    entries = ledger(f"certificate:{cert.id}")
    assert [e.kind for e in entries] == ["certificate.issued", "certificate.inspected", "certificate.suspended",
                                        "certificate.restored", "certificate.revoked"]
    assert entries[0].payload["number"] == "220681100001" and entries[0].payload["actor"] == "jiandu"
    assert entries[2].payload["reason"] == "未按规定着装"
    assert entries[4].payload["reason_type"] == "lent"
    assert ledger(f"officer:{officer.id}")[0].kind == "officer.created"
    # Nothing was updated in place: the history explains every past date.
    assert db.session.scalar(select(func.count(CertificateEvent.id))) == 5
    assert rules.status_on(cert, today - timedelta(days=15)).state == "suspended"
    assert rules.status_on(cert, today - timedelta(days=5)).state == "valid"
    assert rules.status_on(cert, today).state == "revoked"


def test_cancel_on_leaving_the_post(ctx):
    officer = services.create_officer(name="林涛", agency=ctx.a, employment_type="established")
    cert = issue(officer, issued=today_china())
    services.cancel(cert, on=today_china(), reason="调离执法岗位")
    assert [f.code for f in rules.check(officer, today_china())] == ["cancelled"]
    assert ledger(f"certificate:{cert.id}")[-1].kind == "certificate.cancelled"
    with pytest.raises(InvalidTransition, match="已注销"):
        services.suspend(cert, on=today_china(), reason="x")


@pytest.mark.parametrize("employment", ["auxiliary", "contract", "temporary", "public_welfare"])
def test_auxiliary_staff_can_never_be_issued_a_certificate(ctx, employment):
    officer = services.create_officer(name="孙浩", agency=ctx.a, employment_type=employment)
    with pytest.raises(CertificateInvalid) as err:
        issue(officer)
    assert err.value.code == "certificate_refused"
    assert "辅助、合同、临时和公益性岗位人员不得申领行政执法证件" in err.value.message
    assert officer.certificates == []


@pytest.mark.parametrize("days_after, refused", [(-1, True), (0, False)])
def test_revocation_bar_for_lending(ctx, days_after, refused):
    officer = services.create_officer(name="黄磊", agency=ctx.a, employment_type="established",
                                      id_number="220681199003071238")
    revoked_on = date(2024, 5, 10)
    cert = issue(officer, issued=date(2020, 1, 1), expires=date(2026, 12, 31))
    services.revoke(cert, on=revoked_on, reason="出借证件", reason_type="lent", today=revoked_on)
    new_day = date(2026, 5, 10) + timedelta(days=days_after)
    # The same person registered again at another agency is still the same person.
    b = db.session.get(Agency, ctx.agency_b)
    again = services.create_officer(name="黄磊", agency=b, employment_type="established",
                                    id_number="220681199003071238")
    for who in (officer, again):
        number = f"N{who.id}"
        if refused:
            with pytest.raises(CertificateInvalid, match="2年内不得重新申领"):
                issue(who, number=number, issued=new_day, expires=new_day + timedelta(days=1000), today=new_day)
        else:
            assert issue(who, number=number, issued=new_day, expires=new_day + timedelta(days=1000),
                         today=new_day).number == number


def test_refusals(ctx):
    officer = services.create_officer(name="王强", agency=ctx.a, employment_type="established")
    cert = issue(officer)
    with pytest.raises(Conflict, match="证件号220681100001已存在"):
        issue(officer)
    with pytest.raises(InvalidInput, match="有效期不得早于发证日期"):
        issue(officer, number="X2", issued=date(2024, 1, 2), expires=date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="执法区域须在吉林省内"):
        services.issue_certificate(officer, number="X3", categories=["城市管理"], area_code="210100",
                                   issued_on=date(2024, 1, 1), expires_on=date(2028, 1, 1))
    with pytest.raises(InvalidInput, match="国务院部门执法证件须填写在司法局的备案日期"):
        issue(officer, number="X4", kind="ministry")
    with pytest.raises(InvalidTransition, match="未处于暂扣状态"):
        services.restore(cert, on=today_china(), reason="x")
    with pytest.raises(InvalidInput, match="请填写原因"):
        services.suspend(cert, on=today_china(), reason="  ")
    with pytest.raises(InvalidInput, match="日期不得晚于今天"):
        services.suspend(cert, on=today_china() + timedelta(days=1), reason="x")
    services.suspend(cert, on=today_china(), reason="x")
    with pytest.raises(InvalidInput, match="顺序追加"):
        services.revoke(cert, on=today_china() - timedelta(days=1), reason="x")
    with pytest.raises(InvalidTransition, match="已处于暂扣状态"):
        services.suspend(cert, on=today_china(), reason="again")


def test_inspection_year_rules(ctx):
    officer = services.create_officer(name="王强", agency=ctx.a, employment_type="established")
    cert = issue(officer, issued=date(2022, 6, 1))
    trained(officer, 2023)
    services.record_inspection(cert, year=2023, on=date(2023, 2, 1))
    with pytest.raises(Conflict, match="已通过2023年度年检"):
        services.record_inspection(cert, year=2023, on=date(2023, 2, 2))
    with pytest.raises(InvalidInput, match="年检年度应在2022至2024之间"):
        services.record_inspection(cert, year=2025, on=date(2024, 1, 1))
    with pytest.raises(InvalidInput, match="请填写原因"):
        services.record_inspection(cert, year=2024, on=date(2024, 3, 1), passed=False)


def test_only_supervisors_and_admins_manage(ctx, make_user):
    head = db.session.get(User, ctx.head_a)
    with pytest.raises(PermissionDenied, match="仅限执法监督人员和系统管理员"):
        services.create_officer(name="王强", agency=ctx.a, employment_type="established", actor=head)
    admin = db.session.get(User, ctx.admin)
    assert services.create_officer(name="王强", agency=ctx.a, employment_type="established", actor=admin).id


def test_user_link_must_be_same_agency_and_unique(ctx):
    officer_user = db.session.get(User, ctx.officer_a)
    head_b = db.session.get(User, ctx.head_b)
    services.create_officer(name="王强", agency=ctx.a, employment_type="established", user=officer_user)
    with pytest.raises(Conflict, match="已关联执法人员王强"):
        services.create_officer(name="王强2", agency=ctx.a, employment_type="established", user=officer_user)
    with pytest.raises(InvalidInput, match="不属于该执法主体"):
        services.create_officer(name="冯", agency=ctx.a, employment_type="established", user=head_b)


def test_photo_must_be_png_or_jpeg(ctx):
    with pytest.raises(InvalidInput, match="PNG或JPEG"):
        services.create_officer(name="王强", agency=ctx.a, employment_type="established", photo=b"<html>")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    officer = services.create_officer(name="王强", agency=ctx.a, employment_type="established", photo=png)
    assert officer.photo_type == "image/png"


def test_kpi_counts_certified_officers_and_qualified_reviewers(ctx, make_user):
    second_id = make_user(roles=["reviewer"], agency=ctx.a, username="rev2")  # before this session writes
    a = ctx.a
    for i in range(21):
        o = services.create_officer(name=f"执法{i}", agency=a, employment_type="established")
        issue(o, number=f"K{i}", issued=today_china())
    reviewer = db.session.get(User, ctx.reviewer_a)
    services.create_officer(name="赵敏", agency=a, employment_type="established", user=reviewer)
    db.session.flush()
    kpi = queries.agency_kpis([a], today_china())[0]
    # 21 certified officers need ceil(5% * 21) = 2 reviewers; one without a qualification does not count.
    assert (kpi.certified, kpi.reviewers, kpi.required, kpi.reaches) == (21, 0, 2, False)
    services.update_officer(db.session.scalar(select(Officer).where(Officer.user_id == reviewer.id)),
                            qualification_number="A20192206810012", qualification_date=date(2019, 3, 1))
    second = db.session.get(User, second_id)
    services.create_officer(name="钱", agency=a, employment_type="established", user=second,
                            qualification_number="A2", qualification_date=date(2020, 1, 1))
    kpi = queries.agency_kpis([a], today_china())[0]
    assert (kpi.certified, kpi.reviewers, kpi.reaches, kpi.ratio) == (21, 2, True, 9.5)


def test_certificate_refused_without_a_passed_examination(ctx):
    """SPEC §5.5: trained and examined; a failed or missing examination refuses the new certificate."""
    from app.officers import training

    officer = services.create_officer(name="刘洋", agency=ctx.a, employment_type="established")
    with pytest.raises(CertificateInvalid) as err:
        issue(officer, issued=date(2024, 3, 1), exam=False, actor=ctx.sup)
    assert err.value.code == "certificate_refused" and "统一考试" in err.value.message
    training.record_examination(officer, {"taken_on": "2024-02-01", "score": "52", "passed": "false"})
    with pytest.raises(CertificateInvalid, match="52"):
        issue(officer, issued=date(2024, 3, 1), exam=False, actor=ctx.sup)
    assert db.session.scalar(select(func.count(Certificate.id))) == 0
    training.record_examination(officer, {"taken_on": "2024-02-20", "score": "81", "passed": "true"})
    assert issue(officer, issued=date(2024, 3, 1), exam=False, actor=ctx.sup).id


def test_inspection_refused_without_the_yearly_hours(ctx):
    officer = services.create_officer(name="孙浩", agency=ctx.a, employment_type="established")
    cert = issue(officer, issued=date(2022, 6, 1))
    trained(officer, 2023, hours=32)
    with pytest.raises(CertificateInvalid) as err:
        services.record_inspection(cert, year=2023, on=date(2024, 1, 15), actor=ctx.sup)
    assert err.value.code == "inspection_refused" and "32学时，不足40学时" in err.value.message
    assert [e.kind for e in cert.events] == ["issued"]
    trained(officer, 2023, hours=8)
    assert services.record_inspection(cert, year=2023, on=date(2024, 1, 15), actor=ctx.sup).passed
    # A failed inspection is always recordable (it is the consequence of missing hours).
    services.record_inspection(cert, year=2024, on=date(2024, 12, 20), passed=False, reason="学时不足",
                               actor=ctx.sup)
