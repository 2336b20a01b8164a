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
@click.option("--as", "username", required=True, help="the supervisor who publishes it")
def annual_report(year, username):
    """Publish last year's statistics report (PDF and .xlsx), due by 31 January: a supervisor's act."""
    from app.auth.services import get_user
    from app.errors import DomainError
    from publicity import services

    year = year or today_china().year - 1
    try:
        reports = services.publish_annual_report(year, actor=get_user(username))
    except DomainError as err:
        raise click.ClickException(err.message) from None
    for report in reports:
        click.echo(f"{year} {report.fmt}: sha256 {report.sha256} ledger #{report.ledger_seq}")
    db.session.commit()
