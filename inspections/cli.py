"""`flask inspections ...`: coercive measures from the command line (same services as web and API).

Exit codes: 0 done; 1 refused (the Chinese reason with its legal source on stderr); 2 usage error.
"""
import json
import sys

import click
from flask.cli import AppGroup

from app.auth.models import User
from app.errors import DomainError
from app.extensions import db
from inspections import measure_terms as terms
from inspections import measures, queries
from inspections.schemas import measure_json

inspections_cli = AppGroup("inspections", help="Coercive measures, inspections and random inspections.")


def _actor(username):
    user = db.session.execute(db.select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise click.UsageError(f"no user {username!r}")
    return user


def _run(fn):
    try:
        result = fn()
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        click.echo(f"错误（{err.code}）：{err.message}", err=True)
        sys.exit(1)
    return result


def _measure(measure_id):
    m = queries.get_measure(measure_id)
    if m is None:
        click.echo(f"错误（not_found）：没有第{measure_id}号行政强制措施", err=True)
        sys.exit(1)
    return m


@inspections_cli.command("measure-show")
@click.argument("measure_id", type=int)
def measure_show(measure_id):
    """Print a measure (items, term, events) as JSON."""
    click.echo(json.dumps(measure_json(_measure(measure_id), events=True), ensure_ascii=False, indent=2))


@inspections_cli.command("measure-extend")
@click.argument("measure_id", type=int)
@click.option("--as", "username", required=True, help="the agency head approving")
@click.option("--days", type=int, default=30)
@click.option("--reason", required=True)
@click.option("--on", "on", default=None, help="legal date (YYYY-MM-DD), default today")
def measure_extend(measure_id, username, days, reason, on):
    """Extend a seizure's term once (AEL Art 25), before it runs out."""
    m = _measure(measure_id)
    _run(lambda: terms.extend(m, actor=_actor(username), days=days, reason=reason, on=on))
    click.echo(f"第{m.id}号措施期限延长至 {m.term_end}")


@inspections_cli.command("measure-release")
@click.argument("measure_id", type=int)
@click.option("--as", "username", required=True)
@click.option("--ground", required=True, type=click.Choice(sorted(measures.RELEASE_GROUNDS)))
@click.option("--note", default="")
@click.option("--place", default="")
@click.option("--item", "items", multiple=True, help="ITEM_ID=QUANTITY (default: everything still held)")
@click.option("--witness", default="")
@click.option("--signature", default="signed", type=click.Choice(["signed", "refused", "absent"]))
def measure_release(measure_id, username, ground, note, place, items, witness, signature):
    """Release (解除) a measure, all or part of its items, returned against a receipt (AEL Art 28)."""
    m = _measure(measure_id)
    lines = []
    for spec in items:
        item_id, _, qty = spec.partition("=")
        if not item_id.isdigit() or not qty:
            raise click.UsageError(f"--item {spec!r}: expected ITEM_ID=QUANTITY")
        lines.append({"item_id": int(item_id), "quantity": qty})
    _run(lambda: terms.release(m, {"ground": ground, "note": note, "place": place or None, "items": lines,
                                   "witness": witness, "signature": signature}, actor=_actor(username)))
    click.echo(f"第{m.id}号措施：{m.status_label}")


@inspections_cli.command("measure-photo")
@click.argument("measure_id", type=int)
@click.argument("item_id", type=int)
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True)
def measure_photo(measure_id, item_id, path, username):
    """Add a photo (JPEG/PNG) of an item of the list: stored, hashed, entered in the ledger."""
    import os

    m = _measure(measure_id)
    with open(path, "rb") as fh:
        data = fh.read()
    photo = _run(lambda: measures.add_item_photo(m, item_id, filename=os.path.basename(path), data=data,
                                                 actor=_actor(username)))
    click.echo(f"SHA-256 {photo['sha256']}（台账第{photo['ledger_seq']}条）")


@inspections_cli.command("measures-overdue")
def measures_overdue():
    """Measures past their term (or refused) and still not released: exit 1 if there are any."""
    from inspections.models import CoerciveMeasure, MeasureStatus
    from app.timeutil import today_china

    today = today_china()
    rows = db.session.scalars(db.select(CoerciveMeasure).where(
        CoerciveMeasure.status == MeasureStatus.in_force.value)).all()
    late = [m for m in rows if (m.term_end and today > m.term_end) or m.refused_at]
    for m in late:
        click.echo(f"{m.id}\t{m.case.number or m.case_id}\t{m.label}\t期限至{m.term_end}\t{'不予批准' if m.refused_at else '超期'}")
    if late:
        sys.exit(1)


# --- inspections and 双随机 -------------------------------------------------------------------------------

@inspections_cli.command("targets-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--agency", "agency_id", type=int, required=True)
@click.option("--as", "username", required=True, help="the agency head")
def targets_import(path, agency_id, username):
    """Import the target register (.xlsx/.csv: 编号, 名称, 类型, 类别, 区划代码, 地址); all or nothing."""
    from inspections import random_checks

    with open(path, "rb") as fh:
        data = fh.read()
    result = _run(lambda: random_checks.import_targets(agency_id, random_checks.parse_targets(path, data),
                                                       actor=_actor(username)))
    click.echo(f"新增 {result['created']} 个，更新 {result['updated']} 个检查对象")


@inspections_cli.command("inspector-add")
@click.argument("officer_id", type=int)
@click.option("--agency", "agency_id", type=int, required=True)
@click.option("--as", "username", required=True)
def inspector_add(officer_id, agency_id, username):
    """Put a certified officer in the agency's inspector register."""
    from inspections import random_checks

    _run(lambda: random_checks.register_inspector(agency_id, officer_id, actor=_actor(username)))
    click.echo(f"执法人员 {officer_id} 已列入检查人员名录库")


@inspections_cli.command("round-draw")
@click.option("--agency", "agency_id", type=int, required=True)
@click.option("--item", "item_id", type=int, required=True, help="a published random-inspection matter")
@click.option("--count", type=int, required=True)
@click.option("--per-target", type=int, default=2)
@click.option("--area", default="")
@click.option("--title", default="")
@click.option("--as", "username", required=True)
def round_draw(agency_id, item_id, count, per_target, area, title, username):
    """Draw a 双随机 round (targets and inspectors, verifiably) and print its tasks."""
    from inspections import random_checks

    rnd = _run(lambda: random_checks.draw_round(agency_id, {"item_id": item_id, "target_count": count,
                                                            "per_target": per_target, "area_code": area,
                                                            "title": title}, actor=_actor(username)))
    click.echo(f"批次 {rnd.id}：对象抽取 {rnd.target_draw_id}，人员抽取 {rnd.inspector_draw_id}")
    for t in rnd.tasks:
        click.echo(f"  T-{t.target_id}\t{t.target.name}\t" + "、".join(f"O-{i}" for i in t.inspector_ids))


@inspections_cli.command("round-redraw")
@click.argument("round_id", type=int)
@click.argument("officer_id", type=int)
@click.option("--reason", required=True)
@click.option("--as", "username", required=True)
def round_redraw(round_id, officer_id, reason, username):
    """Replace a drawn inspector who has a conflict of interest; the reason is kept."""
    from inspections import random_checks

    new = _run(lambda: random_checks.redraw_inspector(random_checks.get_round(round_id), officer_id, reason,
                                                      actor=_actor(username)))
    click.echo(f"O-{officer_id} 回避，由 O-{new} 替补")


@inspections_cli.command("round-verify")
@click.argument("round_id", type=int)
def round_verify(round_id):
    """Recompute a round's two draws from the ledger and re-apply the assignment rule."""
    from inspections import random_checks

    try:
        result = random_checks.verify_round(random_checks.get_round(round_id))
    except DomainError as err:
        click.echo(f"FAILED：{err.message}", err=True)
        sys.exit(1)
    click.echo("OK：对象 " + "、".join(result["targets"]) + "；人员 " + "、".join(result["inspectors"]))


@inspections_cli.command("results-overdue")
def results_overdue():
    """Inspection results not published within 20 working days: exit 1 if any (超期预警)."""
    from inspections import checks

    late = checks.overdue_results()
    for i in late:
        click.echo(f"{i.id}\t{i.agency_id}\t{i.target_name if i.target_kind == 'org' else '个人'}\t应于{i.results_due}前公示")
    if late:
        sys.exit(1)
