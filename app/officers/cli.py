"""`flask officers ...`: import and export sheets, check an officer's certificate on a date."""
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.errors import DomainError
from app.extensions import db
from app.officers import queries, rules, services
from app.officers.models import Officer
from app.officers.regions import parse_region
from app.timeutil import today_china

officers_cli = AppGroup("officers", help="Officers and certificates.")


def _fail(err: DomainError):
    db.session.rollback()
    for row in err.details.get("rows", []):
        click.echo(f"  第{row['row']}行 [{row['column']}] {row['message']}", err=True)
    raise click.ClickException(f"{err.code}: {err.message}")


def _date(value):
    if not value:
        return today_china()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("日期格式应为YYYY-MM-DD") from None


@officers_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_cmd(path):
    """Import officers and certificates from an .xlsx or .csv sheet (all rows or none)."""
    try:
        result = services.import_sheet(path.name, path.read_bytes())
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(f"imported {result.rows} rows: {result.officers_created} officers created, "
               f"{result.officers_reused} updated, {result.certificates} certificates, "
               f"{result.inspections} inspections (legacy: {result.legacy_certificates} certificates, "
               f"{result.legacy_inspections} inspections)")


@officers_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--purpose", default=None, help="Export whole ID numbers for this purpose (app.privacy codes)")
@click.option("--note", default=None, help="What the whole ID numbers are needed for (with --purpose)")
def export_cmd(path, purpose, note):
    """Export every officer with certificate status as .xlsx (ID numbers masked unless --purpose/--note)."""
    officers = db.session.scalars(select(Officer).order_by(Officer.agency_id, Officer.id)).all()
    try:
        data = services.roster_export(officers, today_china(), actor=None, purpose=purpose, note=note)
    except DomainError as err:
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in (err.details or {}).get("fields", {}).items())
        raise click.ClickException(f"{err.message} {fields}".strip()) from None
    db.session.commit()
    path.write_bytes(data)
    click.echo(f"exported {len(officers)} officers to {path}" + (" (whole ID numbers, logged)" if purpose else ""))


@officers_cli.command("check")
@click.argument("number")
@click.option("--on", "on", default=None, help="Date of the act (YYYY-MM-DD), default today")
@click.option("--category", default=None, help="Enforcement category of the case, e.g. 城市管理")
@click.option("--area", default=None, help="Region code or name of the case, e.g. 220681")
def check_cmd(number, on, category, area):
    """Check the holder of certificate NUMBER against every rule; exit 1 if any fails."""
    cert = queries.find_certificate(number)
    if cert is None:
        raise click.ClickException(f"证件{number}不存在")
    when = _date(on)
    code = parse_region(area) if area else None
    if area and code is None:
        raise click.BadParameter("执法区域应为6位行政区划代码或已知地名")
    failures = rules.check(cert.officer, when, category=category, area=code)
    if not failures:
        click.echo(f"{cert.officer.name} {cert.number}: 符合执法资格（{when.isoformat()}）")
        return
    click.echo(f"{cert.officer.name} {cert.number}: 不符合执法资格（{when.isoformat()}）")
    for f in failures:
        click.echo(f"  - [{f.code}] {f.message}（{f.rule}）")
    raise SystemExit(1)
