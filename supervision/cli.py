"""`flask supervision ...`: the hierarchy, complaints and their warnings, run as a named user (every rule
applies) or, where marked, as the trusted operator."""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.auth.models import Agency, User
from app.errors import DomainError
from app.extensions import db
from app.timeutil import today_china
from supervision.models.complaints import Complaint
from supervision.services import complaints, hierarchy

supervision_cli = AppGroup("supervision", help="执法监督：监督机构、投诉举报、整改、责任追究、案卷评查。")


def fail(err) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(f"{err.code}: {err.message}")


def parse_date(value, hint="--on"):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期格式应为YYYY-MM-DD：{value}", param_hint=hint) from None


def user_named(username) -> User | None:
    if not username:
        return None
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        raise click.BadParameter(f"没有用户“{username}”", param_hint="--as")
    return user


def agency_named(text) -> Agency:
    agency = db.session.scalar(select(Agency).where((Agency.short_name == text) | (Agency.name == text)
                                                    | (Agency.id == (int(text) if text.isdigit() else -1))))
    if agency is None:
        raise click.BadParameter(f"没有执法部门“{text}”")
    return agency


def office_named(text) -> hierarchy.SupervisionOffice:
    from supervision.models.hierarchy import SupervisionOffice

    office = db.session.scalar(select(SupervisionOffice).where(
        (SupervisionOffice.name == text) | (SupervisionOffice.id == (int(text) if text.isdigit() else -1))))
    if office is None:
        raise click.BadParameter(f"没有执法监督机构“{text}”")
    return office


@supervision_cli.command("office-create")
@click.argument("name")
@click.option("--level", type=click.Choice(["province", "city", "county"]), required=True)
@click.option("--region", "region_code", required=True)
@click.option("--parent", default=None, help="上级机构名称或编号")
@click.option("--as", "username", default=None, help="以该用户身份（不填：系统操作员）")
def office_create(name, level, region_code, parent, username):
    """设立执法监督机构。"""
    try:
        office = hierarchy.create_office(name=name, level=level, region_code=region_code,
                                         parent=office_named(parent) if parent else None, actor=user_named(username))
        db.session.commit()
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"office {office.id}: {office.name}")


@supervision_cli.command("office-assign")
@click.argument("office")
@click.argument("agency")
@click.option("--as", "username", default=None)
def office_assign(office, agency, username):
    """把执法部门划入执法监督机构直接监督。"""
    try:
        hierarchy.assign_agency(office_named(office), agency_named(agency), actor=user_named(username))
        db.session.commit()
    except DomainError as err:
        raise fail(err) from None
    click.echo("ok")


@supervision_cli.command("office-member")
@click.argument("office")
@click.argument("username")
@click.option("--as", "actor_name", default=None)
def office_member(office, username, actor_name):
    """把执法监督人员加入机构（其查看范围随之限于本级及下级）。"""
    try:
        hierarchy.add_member(office_named(office), user_named(username), actor=user_named(actor_name))
        db.session.commit()
    except DomainError as err:
        raise fail(err) from None
    click.echo("ok")


@supervision_cli.command("offices")
def offices_list():
    """列出执法监督机构及其所辖执法部门。"""
    for o in hierarchy.offices():
        names = "、".join(a.short_name for a in hierarchy.agencies_of(o.id)) or "—"
        click.echo(f"{o.id}\t{o.name}\t{o.level}\t{o.region_code}\tparent={o.parent_id}\t{names}")


@supervision_cli.command("complaint-enter")
@click.option("--as", "username", required=True)
@click.option("--channel", type=click.Choice(["letter", "call", "visit"]), default="letter")
@click.option("--agency", required=True)
@click.option("--subject", required=True)
@click.option("--content", required=True)
@click.option("--name", "complainant_name", default="")
@click.option("--phone", "complainant_phone", default="")
@click.option("--received-on", default=None)
def complaint_enter(username, channel, agency, subject, content, complainant_name, complainant_phone, received_on):
    """登记来信、来电、来访投诉举报；输出受理编号和查询码（仅此一次）。"""
    try:
        receipt = complaints.submit({"agency_id": agency_named(agency).id, "subject": subject, "content": content,
                                     "complainant_name": complainant_name, "complainant_phone": complainant_phone},
                                    channel=channel, actor=user_named(username), on=parse_date(received_on, "--received-on"))
        db.session.commit()
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"{receipt.complaint.reference}\tsecret={receipt.secret}\taccept_due={receipt.complaint.accept_due}")


@supervision_cli.command("complaint")
@click.argument("reference")
@click.argument("action", type=click.Choice(list(complaints.ACTIONS)))
@click.option("--as", "username", required=True)
@click.option("--data", default="{}", help='JSON, e.g. {"reason": "..."} / {"assignee_id": 3} / {"reply": "...", "outcome": "upheld"}')
def complaint_act(reference, action, username, data):
    """受理 / 不予受理 / 交办 / 答复 一件投诉举报。"""
    c = db.session.scalar(select(Complaint).where(Complaint.reference == reference))
    if c is None:
        raise click.ClickException(f"not_found: 没有受理编号为{reference}的投诉举报")
    try:
        payload = json.loads(data)
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        raise click.BadParameter("--data 应为JSON对象") from None
    try:
        complaints.apply_action(c, action, payload, actor=user_named(username))
        db.session.commit()
    except DomainError as err:
        raise fail(err) from None
    click.echo(f"{c.reference}\t{c.status}")


@supervision_cli.command("warnings")
@click.option("--as", "username", required=True)
@click.option("--on", "on", default=None)
def warnings_cmd(username, on):
    """超期预警：临近或超过受理、办结期限的投诉举报。"""
    for w in complaints.warnings(user_named(username), parse_date(on) or today_china()):
        click.echo(f"{w.complaint.reference}\t{w.what}\t{w.due}\t{w.state}")


@supervision_cli.command("escalate")
@click.option("--on", "on", default=None, help="按该日期判断是否逾期（默认今天）")
def escalate_cmd(on):
    """整改逾期督办：把逾期未验收的整改通知提请上一级执法监督机构督办（可由定时任务每日运行）。"""
    from supervision.services import rectification

    done = rectification.escalate_overdue(parse_date(on) or today_china())
    db.session.commit()
    for rect in done:
        click.echo(f"{rect.number}\t{rect.agency.short_name}\tdue={rect.due_on}\tto_office={rect.escalated_office_id}")
    click.echo(f"escalated {len(done)}")


@supervision_cli.command("evaluation-draw")
@click.argument("round_id", type=int)
@click.option("--as", "username", required=True)
def evaluation_draw(round_id, username):
    """抽取评查案卷（每个部门一次可验证抽取）。"""
    from supervision.services import evaluation

    try:
        files = evaluation.draw(evaluation.get(round_id), actor=user_named(username))
        db.session.commit()
    except DomainError as err:
        raise fail(err) from None
    for f in files:
        click.echo(f"file {f.id}\tcase {f.case_id}\tagency {f.agency_id}\tdraw {f.draw_id}")


@supervision_cli.command("evaluation-verify")
@click.argument("round_id", type=int)
@click.option("--bundles", "out_dir", default=None, help="把每次抽取的公开凭证写入该目录（供 python -m app.draws 复核）")
def evaluation_verify(round_id, out_dir):
    """复核评查：每次抽取按公开算法重算，且每份案卷自抽取检查点后未变动。"""
    import os

    from app.draws import services as draw_services
    from supervision.services import evaluation

    try:
        rnd = evaluation.get(round_id)
    except DomainError as err:
        raise fail(err) from None
    ok = True
    for draw_id in sorted({f.draw_id for f in rnd.files}):
        d = draw_services.get_draw(draw_id)
        try:
            draw_services.verify_draw(d)
            click.echo(f"draw {draw_id}: OK {d.selected}")
        except DomainError as err:
            ok = False
            click.echo(f"draw {draw_id}: FAILED {err.message}")
        if out_dir:
            os.makedirs(out_dir, exist_ok=True)
            with open(os.path.join(out_dir, f"draw-{draw_id}.json"), "w", encoding="utf-8") as fh:
                json.dump(draw_services.bundle(d), fh, ensure_ascii=False, indent=1)
    for f in rnd.files:
        i = evaluation.integrity(f)
        ok &= i["unchanged"]
        click.echo(f"case {f.case_id}: {'unchanged' if i['unchanged'] else 'CHANGED ' + str(i['changes'])} "
                   f"since checkpoint {i['checkpoint_size']}")
    if not ok:
        raise click.ClickException("verification failed")


@supervision_cli.command("appraisal")
@click.option("--year", default=None, help="考核年度，默认本年")
@click.option("--as", "username", default=None, help="以该执法监督人员的范围计算（默认全部机关）")
@click.option("--out", "out_path", default=None, help="写入 .xlsx 或 .pdf 文件；不填则打印表格")
def appraisal_cmd(year, username, out_path):
    """评议考核：各机关年度指标（由执法记录计算）与目标比较。"""
    from supervision import appraisal

    today = today_china()
    try:
        user = user_named(username) if username else None
        if username and user is None:
            raise click.ClickException(f"账户“{username}”不存在")
        year, rows = appraisal.for_user(user, year, today)
    except DomainError as err:
        raise fail(err) from None
    if out_path:
        if out_path.endswith(".xlsx"):
            data = appraisal.workbook(rows, year)
        elif out_path.endswith(".pdf"):
            data = appraisal.render_pdf(rows, year, issued_on=today)
        else:
            raise click.ClickException("输出文件应为 .xlsx 或 .pdf")
        with open(out_path, "wb") as fh:
            fh.write(data)
        click.echo(f"{out_path}: {len(rows)} agencies, {year}")
        return
    for a in rows:
        click.echo(a.agency.name)
        for f in a.figures.values():
            click.echo(f"  {f.label}\t{f.display}" + (f"\t目标{f.target}\t{f.verdict}" if f.target else ""))
