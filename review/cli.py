"""`flask review ...`: the review queue, a case's majorness, and the reviewer's steps as a named user (every
rule applies). The decision itself is `flask cases action CASE decide --as HEAD`, where the gate runs."""
from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db
from app.timeutil import today_china
from review import services
from review.models import MajorCatalogue

review_cli = AppGroup("review", help="法制审核：队列、重大执法决定认定、送审、审核、目录。")


def _fail(err) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(f"{err.code}: {err.message}")


def _date(value):
    from datetime import date

    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为YYYY-MM-DD：{value}", param_hint="--on") from None


def _user(username):
    from sqlalchemy import func, select

    from app.auth.models import User

    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.is_enabled:
        raise click.ClickException(f"not_found: 用户“{username}”不存在或已停用")
    return user


def _case(ref):
    from sqlalchemy import select

    from cases.models import Case

    case = db.session.scalar(select(Case).where(Case.number == ref))
    if case is None and str(ref).isdigit():
        case = db.session.get(Case, int(ref))
    if case is None:
        raise click.ClickException(f"not_found: 案件“{ref}”不存在")
    return case


def _submission(ref):
    try:
        return services.get_submission(int(ref))
    except (ValueError, DomainError):
        raise click.ClickException(f"not_found: 法制审核记录“{ref}”不存在") from None


def _run(func):
    try:
        result = func()
        db.session.commit()
        return result
    except DomainError as err:
        raise _fail(err) from None


@review_cli.command("major")
@click.argument("case_ref")
def major(case_ref):
    """Whether deciding CASE is a major decision, and why."""
    case = _case(case_ref)
    is_major, reasons = services.evaluate_major(case)
    click.echo(f"案件{case.number or case.id}：{'重大执法决定' if is_major else '非重大执法决定'}")
    for reason in reasons:
        click.echo(f"  - {reason}")
    approval = services.valid_approval(case)
    click.echo(f"有效的审核通过意见：{'第%d次送审（%s）' % (approval.round, approval.opinion.number) if approval else '无'}")


@review_cli.command("queue")
@click.option("--on", "on", help="以该日期计算剩余工作日（默认今天）")
def queue(on):
    """Every open review with the time left."""
    from sqlalchemy import select

    from review import workflow
    from review.models import ReviewSubmission

    day = _date(on) or today_china()
    rows = db.session.scalars(select(ReviewSubmission).where(
        ReviewSubmission.status.in_([s.value for s in workflow.OPEN])).order_by(ReviewSubmission.due_on))
    for s in rows:
        click.echo(f"{s.id}\t{s.case.number or s.case_id}\t{s.status_label}\t"
                   f"{s.reviewer.username if s.reviewer else '-'}\t{services.clock(s, day).label}")


@review_cli.command("submit")
@click.argument("case_ref")
@click.option("--as", "username", required=True)
@click.option("--package", "package_json", default="{}", help='送审材料（JSON），如 \'{"evidence_list": ["..."]}\'')
@click.option("--on", "on", help="送审日期（默认今天）")
def submit(case_ref, username, package_json, on):
    """送审 CASE as USERNAME."""
    try:
        package = json.loads(package_json or "{}")
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"不是有效的JSON：{err}", param_hint="--package") from None
    user, case = _user(username), _case(case_ref)
    s = _run(lambda: services.submit_for_review(case, package, actor=user, on=_date(on)))
    click.echo(f"已提交法制审核：编号{s.id}（第{s.round}次），审核期限至{s.due_on.isoformat()}")


@review_cli.command("take")
@click.argument("submission_id")
@click.option("--as", "username", required=True)
@click.option("--no-conflict", is_flag=True, required=True, help="声明与本案无利害关系")
@click.option("--on", "on")
def take(submission_id, username, no_conflict, on):
    """领取 a review as USERNAME, declaring no conflict of interest."""
    s, user = _submission(submission_id), _user(username)
    _run(lambda: services.take_review(s, actor=user, declare_no_conflict=no_conflict, on=_date(on)))
    click.echo(f"{user.full_name}已领取审核：编号{s.id}")


@review_cli.command("check")
@click.argument("submission_id")
@click.argument("item", type=click.Choice(list(services.CHECKLIST)))
@click.argument("result", type=click.Choice(list(services.RESULTS)))
@click.option("--note", default="")
@click.option("--as", "username", required=True)
def check(submission_id, item, result, note, username):
    """Record one checklist ITEM as pass or problem."""
    s, user = _submission(submission_id), _user(username)
    _run(lambda: services.record_checklist(s, item, result, note, actor=user))
    click.echo(f"{services.CHECKLIST[item]}：{services.RESULTS[result]}")


@review_cli.command("approve")
@click.argument("submission_id")
@click.option("--opinion", required=True)
@click.option("--as", "username", required=True)
@click.option("--on", "on")
def approve(submission_id, opinion, username, on):
    """审核通过 and issue the opinion."""
    s, user = _submission(submission_id), _user(username)
    op = _run(lambda: services.approve(s, opinion=opinion, actor=user, on=_date(on)))
    click.echo(f"审核通过：{op.number}，意见书SHA-256 {op.sha256}")


@review_cli.command("return")
@click.argument("submission_id")
@click.option("--opinion", required=True)
@click.option("--as", "username", required=True)
@click.option("--on", "on")
def return_(submission_id, opinion, username, on):
    """退回修改 and issue the opinion."""
    s, user = _submission(submission_id), _user(username)
    op = _run(lambda: services.return_for_correction(s, opinion=opinion, actor=user, on=_date(on)))
    click.echo(f"已退回修改：{op.number}，意见书SHA-256 {op.sha256}")


@review_cli.command("publish-catalogue")
@click.argument("catalogue_id", type=int)
@click.option("--on", "on", help="公布日期（默认今天）")
def publish_catalogue(catalogue_id, on):
    """Publish a catalogue version (as the system administrator)."""
    catalogue = db.session.get(MajorCatalogue, catalogue_id)
    if catalogue is None:
        raise click.ClickException("not_found: 目录不存在")
    _run(lambda: services.publish_catalogue(catalogue, on=_date(on)))
    click.echo(f"已公布：{catalogue.title}（第{catalogue.version}版），{catalogue.published_on.isoformat()}起施行")
