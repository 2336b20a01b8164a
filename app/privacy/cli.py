"""`flask privacy ...`: the access log, a person's request to know, and the retention purge."""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup

privacy_cli = AppGroup("privacy", help="个人信息保护：访问记录、查阅请求、到期匿名化")


def _row(r) -> str:
    from app.privacy.services import PURPOSES

    purpose = PURPOSES.get(r.purpose, r.purpose)
    note = f"：{r.purpose_note}" if r.purpose_note else ""
    return (f"{r.at:%Y-%m-%d %H:%M:%S} {r.username or '（命令行）'} {r.action_label} {r.subject_kind} "
            f"{r.subject_id or ''} 案件{r.case_id or ''} {'、'.join(r.fields or [])} {purpose}{note} {r.channel}")


@privacy_cli.command("person-report")
@click.option("--id-number", default=None, help="居民身份证号码")
@click.option("--name", default=None, help="姓名（无身份证号码时）")
@click.option("--note", required=True, help="请求编号及身份核实方式（记入访问记录）")
@click.option("--as", "as_user", required=True, help="answering supervisor's username")
@click.option("--json", "as_json", is_flag=True)
def person_report(id_number, name, note, as_user, as_json):
    """Answer a person's request to know who accessed their data (PIPL Art 44-45)."""
    from app.auth.models import User
    from app.extensions import db
    from app.privacy import permissions, services
    from app.privacy.schemas import PersonReportSchema

    user = db.session.scalar(db.select(User).where(User.username == as_user))
    if user is None or not permissions.can_answer_person_request(user):
        raise click.ClickException("仅执法监督人员可答复个人信息查阅请求（《个人信息保护法》第四十四条）")
    if not id_number and not name:
        raise click.ClickException("请填写 --id-number 或 --name")
    if len(note.strip()) < 4:
        raise click.ClickException("--note 至少4个字")
    report = services.answer_person_request(user, id_number, name, note.strip())
    db.session.commit()
    if as_json:
        click.echo(json.dumps(PersonReportSchema().dump(report), ensure_ascii=False, indent=2))
        return
    click.echo(f"持有其个人信息的记录：{len(report['subjects'])} 条")
    for s in report["subjects"]:
        click.echo(f"  {s['kind']} {s['id']} 案件{s['case_id']}")
    click.echo(f"访问记录：{len(report['accesses'])} 条")
    for r in report["accesses"]:
        click.echo("  " + _row(r))


@privacy_cli.command("accesses")
@click.option("--case", "case_id", type=int, default=None)
@click.option("--action", type=click.Choice(["view", "reveal", "export", "refused", "purge"]), default=None)
@click.option("--limit", type=int, default=100)
def accesses(case_id, action, limit):
    """The access log, newest first (the trusted operator: everything)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.privacy.models import PersonalDataAccess

    stmt = select(PersonalDataAccess).order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc())
    if case_id is not None:
        stmt = stmt.where(PersonalDataAccess.case_id == case_id)
    if action:
        stmt = stmt.where(PersonalDataAccess.action == action)
    for r in db.session.scalars(stmt.limit(limit)):
        click.echo(_row(r))


@privacy_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="list what would be anonymised, change nothing")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def purge(dry_run, today):
    """Anonymise personal data of non-parties whose retention has ended (PERSONAL_DATA_NON_PARTY_RETENTION_DAYS)."""
    from app.extensions import db
    from app.privacy import services

    on = today.date() if today else None
    done = services.purge_expired(today=on, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "将匿名化" if dry_run else "已匿名化"
    for name, subjects in done.items():
        click.echo(f"{name}：{verb} {len(subjects)} 条")
        for kind, sid, case_id in subjects:
            click.echo(f"  {kind} {sid} 案件{case_id}")
