"""`flask cases ...`: list, show and move cases, watch deadlines, publish power-list matters.

The CLI is an edge like the API: it calls the same services (acting as the user named by --as, so the
same permissions, workflow and guards apply), commits once on success, and on a refusal rolls back and
exits non-zero with `code: message`.
"""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup
from marshmallow import ValidationError
from sqlalchemy import func, or_, select

from app.errors import DomainError
from app.extensions import db

cases_cli = AppGroup("cases", help="案件：列表、详情、流转操作、期限预警、权责清单公开。")


def _fail(err) -> click.ClickException:
    db.session.rollback()
    if isinstance(err, ValidationError):
        fields = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        text = "；".join(f"{k}: {'、'.join(map(str, v)) if isinstance(v, list) else v}" for k, v in fields.items())
        return click.ClickException(f"validation_error: {text}")
    return click.ClickException(f"{err.code}: {err.message}")


def _date(value, name="--on"):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为YYYY-MM-DD：{value}", param_hint=name) from None


def _user(username):
    from app.auth.models import User

    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.is_enabled:
        raise click.ClickException(f"not_found: 用户“{username}”不存在或已停用")
    return user


def _agency(value):
    from app.auth.models import Agency

    if value is None:
        return None
    clauses = [Agency.name == value, Agency.short_name == value, Agency.credit_code == value]
    if str(value).isdigit():
        clauses.append(Agency.id == int(value))
    agency = db.session.scalar(select(Agency).where(or_(*clauses)))
    if agency is None:
        raise click.ClickException(f"not_found: 执法主体“{value}”不存在")
    return agency


def _case(ref):
    from cases.models import Case

    case = db.session.scalar(select(Case).where(Case.number == ref))
    if case is None and str(ref).isdigit():
        case = db.session.get(Case, int(ref))
    if case is None:
        raise click.ClickException(f"not_found: 案件“{ref}”不存在")
    return case


@cases_cli.command("list")
@click.option("--agency", help="执法主体（编号、名称、简称或统一社会信用代码）")
@click.option("--status", multiple=True, help="状态（可重复），如 investigating")
@click.option("--overdue", is_flag=True, help="只列出有逾期期限的在办案件")
@click.option("-q", "--search", help="案号、案由或当事人名称（包含即可）")
def list_cases(agency, status, overdue, search):
    """List cases, newest first."""
    from app.timeutil import today_china
    from cases import queries

    agency_obj = _agency(agency)
    stmt = queries.visible_cases(queries.EVERYONE, status=list(status) or None, q=search,
                                 agency_id=agency_obj.id if agency_obj else None,
                                 overdue=True if overdue else None, today=today_china())
    rows = db.session.scalars(stmt).all()
    for case in rows:
        parties = "、".join(p.name for p in case.parties)
        click.echo(f"{case.id}\t{case.number or '（未立案）'}\t{case.status_label}\t{case.title}\t{parties}")
    click.echo(f"共{len(rows)}件")


@cases_cli.command("show")
@click.argument("ref")
def show_case(ref):
    """Show a case (by id or case number): status, officers, steps, deadlines, documents, events."""
    from cases.schemas import _certificate_number

    case = _case(ref)
    click.echo(f"案件 {case.id}  {case.number or '（未立案）'}  {case.title}")
    click.echo(f"状态：{case.status_label}（{case.status}）  程序：{case.procedure}  执法主体：{case.agency.name}")
    click.echo(f"执法事项：{case.matter_version.matter.code} {case.matter_version.name}（第{case.matter_version.version}版）")
    click.echo("当事人：" + ("、".join(p.name for p in case.parties) or "无"))
    click.echo("承办人员：" + ("、".join(f"{co.officer.name}（{_certificate_number(co.officer) or '无证件'}）"
                                     for co in case.officers) or "无"))
    for step in case.steps:
        state = "已完成" if step.completed_at else "未完成"
        click.echo(f"  环节 {step.id} {step.label} {step.started_at:%Y-%m-%d %H:%M} {state}")
    from app import calendar

    for d in case.deadlines:
        calendar.note_shown(d.due_on)  # a year without a calendar: the warning follows the output
        click.echo(f"  期限 {d.label} {d.due_on.isoformat()} " + (f"已于{d.met_on.isoformat()}完成" if d.met_on else "未完成"))
    for doc in case.documents:
        click.echo(f"  文书 {doc.number} {doc.title} sha256={doc.sha256}")
    for event in case.events:
        click.echo(f"  {event.at:%Y-%m-%d %H:%M} {event.action} {event.from_status or ''}→{event.to_status or ''} "
                   f"{event.note}")


@cases_cli.command("action")
@click.argument("ref")
@click.argument("action")
@click.option("--as", "username", required=True, help="以该用户身份操作（权限照常检查）")
@click.option("--data", "data_json", default="{}", help='操作数据（JSON），如 \'{"reason": "..."}\'')
@click.option("--on", "on", help="操作的法律日期（YYYY-MM-DD，默认今天）")
def action(ref, action, username, data_json, on):
    """Take a workflow action on a case as USERNAME (every rule applies)."""
    from cases import services, workflow
    from cases.schemas import load_action_data

    if action not in workflow.actions():
        raise click.ClickException(f"not_found: 未知的操作：{action}（可选：{'、'.join(sorted(workflow.actions()))}）")
    try:
        raw = json.loads(data_json or "{}")
    except json.JSONDecodeError as err:
        raise click.BadParameter(f"不是有效的JSON：{err}", param_hint="--data") from None
    on_date = _date(on)
    user = _user(username)
    case = _case(ref)
    try:
        services.ensure_can_view(user, case)  # the same visibility rule as the web and the API
        data = load_action_data(action, raw)
        services.apply_action(case, action, actor=user, data=data, on=on_date)
        db.session.commit()
    except (DomainError, ValidationError) as err:
        raise _fail(err) from None
    click.echo(f"案件{case.number or case.id}：{workflow.ACTION_LABELS[action]}，当前状态：{case.status_label}")


@cases_cli.command("complete-step")
@click.argument("ref")
@click.argument("step_id", type=int)
@click.option("--as", "username", required=True, help="以该用户身份操作（权限照常检查）")
def complete_step(ref, step_id, username):
    """Complete a step record (the audio/video gate and every other rule apply)."""
    from cases import services

    user = _user(username)
    case = _case(ref)
    try:
        services.ensure_can_view(user, case)
        step = services.get_step(case, step_id)
        services.complete_step(step, actor=user)
        db.session.commit()
    except DomainError as err:
        raise _fail(err) from None
    click.echo(f"案件{case.number or case.id}：执法环节“{step.label}”已完成")


@cases_cli.command("file-on-spot")
@click.argument("ref")
@click.option("--as", "username", required=True, help="以该用户身份操作（权限照常检查）")
@click.option("--on", "on", help="备案日期（YYYY-MM-DD，默认今天）")
def file_on_spot(ref, username, on):
    """备案: file an on-the-spot decision with the agency (APL Art 52), paid or not."""
    from cases import services

    user, case = _user(username), _case(ref)
    try:
        services.file_on_spot_decision(case, actor=user, on=_date(on))
        db.session.commit()
    except DomainError as err:
        raise _fail(err) from None
    click.echo(f"案件{case.number or case.id}：当场处罚决定已于{case.summary_filed_on.isoformat()}备案")


@cases_cli.command("check-correction")
@click.argument("ref")
@click.option("--as", "username", required=True, help="以该用户身份操作（权限照常检查）")
@click.option("--corrected/--not-corrected", required=True, help="当事人是否已改正")
@click.option("--result", required=True, help="复查情况")
@click.option("--on", "on", help="复查日期（YYYY-MM-DD，默认今天）")
def check_correction(ref, username, corrected, result, on):
    """复查: record the follow-up of the order to correct (APL Art 28)."""
    from cases import services

    user, case = _user(username), _case(ref)
    try:
        services.record_correction_check(case, checked_on=_date(on), corrected=corrected, result=result, actor=user)
        db.session.commit()
    except DomainError as err:
        raise _fail(err) from None
    click.echo(f"案件{case.number or case.id}：已登记改正复查情况（{case.correction_result}）")


@cases_cli.command("deadlines")
@click.option("--overdue", is_flag=True, help="只列出已逾期的期限")
@click.option("--days", "horizon", default=7, show_default=True, help="预警天数")
@click.option("--agency", help="执法主体")
@click.option("--on", "on", help="以该日期计算（默认今天）")
def deadlines(overdue, horizon, agency, on):
    """超期预警: unmet deadlines of open cases, overdue or due within --days."""
    from app.timeutil import today_china
    from cases import queries

    today = _date(on) or today_china()
    agency_obj = _agency(agency)
    rows = queries.visible_deadlines(queries.EVERYONE, today, horizon, overdue_only=overdue,
                                     agency_id=agency_obj.id if agency_obj else None)
    labels = {"overdue": "已逾期", "due_soon": "即将到期", "ok": "未到期", "met": "已完成"}
    for d in rows:
        click.echo(f"{labels[queries.deadline_status(d, today, horizon)]}\t{d.due_on.isoformat()}\t"
                   f"{d.case.number or d.case.id}\t{d.label}\t{d.case.title}")
    click.echo(f"共{len(rows)}项")


@cases_cli.command("publish-matter")
@click.argument("code")
@click.option("--agency", required=True, help="执法主体")
@click.option("--version", "number", type=int, help="版本（默认最新版本）")
@click.option("--on", "on", help="公开日期（默认今天；补录已公开的清单时填写实际公开日期）")
@click.option("--as", "username", help="以该用户身份操作（默认：系统管理员操作，不检查权限）")
def publish_matter(code, agency, number, on, username):
    """事前公开: publish a version of a power-list matter."""
    from cases import services
    from cases.models import Matter

    agency_obj = _agency(agency)
    matter = db.session.scalar(select(Matter).where(Matter.agency_id == agency_obj.id, Matter.code == code))
    if matter is None:
        raise click.ClickException(f"not_found: {agency_obj.name}没有编码为{code}的执法事项")
    version = matter.versions[-1] if number is None else next((v for v in matter.versions if v.version == number),
                                                              None)
    if version is None:
        raise click.ClickException(f"not_found: 事项{code}没有第{number}版")
    user = _user(username) if username else None
    try:
        services.publish_matter(version, on=_date(on), actor=user)
        db.session.commit()
    except DomainError as err:
        raise _fail(err) from None
    click.echo(f"已公开：{code} {version.name}（第{version.version}版），公开日期{version.published_on.isoformat()}")


def init_app(app):
    app.cli.add_command(cases_cli)
