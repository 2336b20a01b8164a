"""`flask draws ...`: list draws, export a draw's public bundle, recompute and verify a draw.

Exit codes: 0 verified; 1 a check failed or the draw was refused; 2 usage error (click).
"""
import json
import sys

import click
from flask.cli import AppGroup

from app import draws as algo
from app.draws import services
from app.errors import DomainError
from app.extensions import db

draws_cli = AppGroup("draws", help="Verifiable random draws (SPEC §13): list, bundle, verify.")


def _fail(message):
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


@draws_cli.command("list")
def list_draws():
    """The latest draws: id, subject, sample size, ledger entry, seeding checkpoint."""
    for d in services.list_draws():
        click.echo(f"{d.id}\t{d.subject}\tk={d.sample_size}/{len(d.params['population'])}\t"
                   f"entry={d.ledger_seq}\tcheckpoint={d.checkpoint_size}\t{d.purpose}")


@draws_cli.command("bundle")
@click.argument("draw_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def bundle(draw_id, output):
    """Export the public bundle of a draw (recompute it anywhere with `python -m app.draws FILE`)."""
    try:
        data = services.bundle(services.get_draw(draw_id))
    except DomainError as err:
        _fail(f"错误（{err.code}）：{err.message}")
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"bundle of draw {draw_id} written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@draws_cli.command("verify")
@click.argument("draw_id", type=int, required=False)
@click.option("--bundle", "bundle_path", type=click.Path(exists=True, dir_okay=False),
              help="Check a bundle file offline instead of a stored draw.")
@click.option("--key", help="The ledger's public key to pin (default: this server's key).")
def verify(draw_id, bundle_path, key):
    """Recompute a draw: a stored one against the ledger (DRAW_ID), or a public bundle (--bundle)."""
    if (draw_id is None) == (bundle_path is None):
        raise click.UsageError("give either DRAW_ID or --bundle FILE")
    if bundle_path:
        try:
            with open(bundle_path, encoding="utf-8") as fh:
                data = json.load(fh)
        except ValueError as exc:
            _fail(f"无法读取抽取凭证：{exc}")
        if not key:
            try:
                from app.ledger import services as ledger

                key = ledger.verifier_key()
            except DomainError:
                key = None
        try:
            result = algo.verify_bundle(data, key)
        except algo.VerificationFailed as exc:
            _fail(f"FAILED [{exc.check}]：{exc.message}")
    else:
        try:
            result = services.verify_draw(services.get_draw(draw_id))
        except DomainError as err:
            _fail(f"FAILED：{err.message}")
        db.session.rollback()
    click.echo(f"OK：种子 {result['seed']}（检查点大小 {result['tree_size']}），抽中："
               + "、".join(result["selected"]))
