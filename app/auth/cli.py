"""`flask users ...`: account administration from the command line."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import services
from app.auth.models import Agency, Role, User
from app.errors import DomainError
from app.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


def fail(err: DomainError):
    db.session.rollback()
    raise click.ClickException(f"{err.code}: {err.message}")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--name", "full_name", required=True, help="Full name (姓名)")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--agency", default=None, help="Agency name or short name (omit for city-wide supervisors/admins)")
def create(username, password, full_name, roles, agency):
    """Create a user account."""
    try:
        agency_obj = None
        if agency:
            agency_obj = db.session.scalar(select(Agency).where(
                (Agency.name == agency) | (Agency.short_name == agency)))
            if agency_obj is None:
                raise DomainError(f"执法主体“{agency}”不存在", code="not_found")
        user = services.create_user(username=username, password=password, full_name=full_name,
                                    roles=roles, agency=agency_obj)
        db.session.commit()
    except DomainError as err:
        fail(err)
    click.echo(f"created user {user.username} ({', '.join(sorted(roles))})")


@users_cli.command("list")
def list_users():
    """List user accounts."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        agency = user.agency.short_name if user.agency else "全市"
        click.echo(f"{user.username}\t{user.full_name}\t{agency}\t{','.join(sorted(r.value for r in user.roles))}")


@users_cli.command("set-password")
@click.option("--username", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(username, password):
    """Set a user's password and lift any lockout."""
    try:
        services.set_password(services.get_user(username), password)
        db.session.commit()
    except DomainError as err:
        fail(err)
    click.echo(f"password set for {username}")
