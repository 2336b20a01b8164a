"""`flask publicity ...`: create missing publications, end display periods, publish the annual report.
Run `expire` daily (public queries also hide expired decisions on their own)."""
from datetime import date

import click
from flask.cli import AppGroup

from app.extensions import db
from app.timeutil import today_china

publicity_cli = AppGroup("publicity", help="Publicity: publications, display periods, annual report.")


def _day(value):
    return date.fromisoformat(value) if value else today_china()


@publicity_cli.command("sync")
def sync():
    """Create the publications of decided cases that have none."""
    from publicity import services

    created = services.sync()
    db.session.commit()
    click.echo(f"publicity: {len(created)} publication(s) created")


@publicity_cli.command("expire")
@click.option("--today", default=None, help="YYYY-MM-DD (default: today in China)")
def expire(today):
    """Take down the decisions whose display period has ended."""
    from publicity import services

    rows = services.expire_due(_day(today))
    db.session.commit()
    click.echo(f"publicity: {len(rows)} publication(s) expired")


@publicity_cli.command("annual-report")
@click.option("--year", type=int, default=None, help="default: last year")
def annual_report(year):
    """Publish last year's statistics report (PDF and .xlsx), due by 31 January."""
    from publicity import services

    year = year or today_china().year - 1
    for fmt in ("pdf", "xlsx"):
        report = services.annual_report(year, fmt)
        click.echo(f"{year} {fmt}: sha256 {report.sha256} ledger #{report.ledger_seq}")
    db.session.commit()
