"""`flask remedies ...`: effective judgements after the appeal period (run daily), rates, warnings."""
import json
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.timeutil import today_china

remedies_cli = AppGroup("remedies", help="Reconsiderations and lawsuits (行政复议、行政诉讼).")


def _day(value):
    try:
        return date.fromisoformat(value) if value else today_china()
    except ValueError:
        raise click.BadParameter("日期格式应为YYYY-MM-DD") from None


@remedies_cli.command("sync")
@click.option("--today", default=None, help="YYYY-MM-DD (default: today in China)")
def sync(today):
    """First-instance judgements whose appeal period lapsed take effect (and withdraw publications)."""
    from remedies import services

    done = services.sync(_day(today))
    db.session.commit()
    click.echo(f"remedies: {len(done)} judgement(s) took effect")


@remedies_cli.command("rates")
@click.option("--year", type=int, default=None, help="default: this year")
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
def rates(year, as_json):
    """复议纠错率, 诉讼败诉率, 负责人出庭应诉率 per agency."""
    from remedies import queries

    year = year or today_china().year
    rows = queries.rates(year)
    t = queries.targets()
    if as_json:
        click.echo(json.dumps([r.to_dict(t) for r in rows], ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r.agency.name}\t复议纠错率 {r.reconsideration.percent} ({r.reconsideration.numerator}/"
                   f"{r.reconsideration.denominator})\t诉讼败诉率 {r.lawsuit.percent} ({r.lawsuit.numerator}/"
                   f"{r.lawsuit.denominator})\t负责人出庭应诉率 {r.appearance.percent} ({r.appearance.numerator}/"
                   f"{r.appearance.denominator})")


@remedies_cli.command("warnings")
@click.option("--today", default=None)
def warnings(today):
    """Answers and decisions overdue or due soon, every agency."""
    from remedies import queries

    for w in queries.warnings(queries.EVERYONE, _day(today), int(current_app.config["REMEDY_WARN_DAYS"])):
        click.echo(f"[{w.level}] {w.message}")
