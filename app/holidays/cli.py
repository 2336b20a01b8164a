"""`flask calendar ...`: import a year's official holiday arrangement, show coverage."""
from pathlib import Path

import click
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db
from app.holidays import services
from app.timeutil import today_china

calendar_cli = AppGroup("calendar", help="Official holiday calendar (SPEC §16).")


@calendar_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--year", type=int, default=None, help="Year (CSV files; JSON files carry it)")
@click.option("--source", default=None, help="The State Council notice it reproduces (CSV files)")
def import_cmd(path, year, source):
    """Import a .json or .csv arrangement; enters it in the ledger and recomputes open deadlines."""
    try:
        result = services.import_file(path.name, path.read_bytes(), year=year, source=source)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        for messages in err.details.get("fields", {}).values():
            for m in messages:
                click.echo(f"  {m}", err=True)
        raise click.ClickException(f"{err.code}: {err.message}") from None
    row = result.calendar
    if not result.changed:
        click.echo(f"{row.year}: unchanged (same as the calendar in force, sha256 {row.sha256[:12]})")
        return
    click.echo(f"{row.year}: imported {len(row.holidays)} rest days and {len(row.workdays)} make-up working "
               f"days, ledger entry {row.ledger_seq}, sha256 {row.sha256[:12]}")
    for s in result.summaries:
        click.echo(f"  recomputed: {s.get('cases', 0)} cases, {s.get('deadlines_moved', 0)} deadlines moved")


@calendar_cli.command("status")
def status_cmd():
    """Which years have an official calendar (imported or built in) and which fall back to Mon–Fri."""
    for st in services.years_status(today_china()):
        extra = f" ({st.row.source}, ledger {st.row.ledger_seq})" if st.row is not None else ""
        click.echo(f"{st.year}: {st.source or 'MISSING (Monday-Friday)'}{extra}")
