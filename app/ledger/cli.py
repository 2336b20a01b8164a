"""`flask ledger ...`: signing key, checkpoints, the full audit and proof bundles.

Exit codes: 0 success; 1 refused or the audit found a problem; 2 usage error (click).
"""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db
from app.ledger import services

ledger_cli = AppGroup("ledger", help="The evidence ledger: keys, checkpoints, audit, proof bundles.")


def _fail(err: DomainError):
    db.session.rollback()
    click.echo(f"错误（{err.code}）：{err.message}", err=True)
    sys.exit(1)


@ledger_cli.command("keygen")
@click.option("--force", is_flag=True, help="Replace an existing key (old checkpoints stay verifiable "
                                             "only with the old public key).")
def keygen(force):
    """Create the Ed25519 checkpoint signing key at LEDGER_KEY_PATH (mode 600) and print the public key."""
    path = current_app.config["LEDGER_KEY_PATH"]
    try:
        signer = services.generate_key(path, force=force)
    except DomainError as err:
        _fail(err)
    click.echo(f"signing key written to {path}")
    click.echo(signer.verifier_key())


@ledger_cli.command("checkpoint")
def checkpoint():
    """Sign a checkpoint of the current tree and print it."""
    try:
        cp = services.create_checkpoint()
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(cp.note, nl=False)


@ledger_cli.command("checkpoint-due")
@click.option("--max-age", type=click.IntRange(min=0), default=None,
              help="Minutes an entry may stay unsigned (default: LEDGER_CHECKPOINT_MAX_UNSIGNED_MINUTES).")
def checkpoint_due(max_age):
    """For a timer (cron, systemd): sign a checkpoint if the log's tail has been unsigned too long."""
    try:
        cp = services.checkpoint_if_due(max_age_minutes=max_age)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    if cp is None:
        click.echo("no checkpoint due: every entry older than the limit is signed")
        return
    click.echo(f"signed checkpoint of size {cp.tree_size}")
    click.echo(cp.note, nl=False)


@ledger_cli.command("verify")
@click.option("--checkpoint", "checkpoints", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A signed checkpoint kept elsewhere; the log must still contain it (repeatable).")
def verify(checkpoints):
    """Re-check the whole chain, the Merkle tree and every checkpoint; name the first bad entry."""
    extra = [open(p, encoding="utf-8").read() for p in checkpoints]
    result = services.audit(extra_checkpoints=extra)
    db.session.rollback()
    if result.ok:
        click.echo(f"OK：{result.entries} 条记录、{result.checkpoints} 个检查点全部通过验证")
        return
    if result.first_bad_seq is not None:
        click.echo(f"FAILED：第一条有问题的记录是第 {result.first_bad_seq} 条", err=True)
    else:
        click.echo("FAILED", err=True)
    for problem in result.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@ledger_cli.command("bundle")
@click.argument("seq", type=int)
@click.option("--file", "file_path", type=click.Path(exists=True, dir_okay=False),
              help="The file the entry describes; its SHA-256 must match the entry.")
@click.option("--since", type=int, multiple=True,
              help="Include a consistency proof from this older tree size (repeatable).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def bundle(seq, file_path, since, output):
    """Export the proof bundle of entry SEQ for the offline verifier."""
    try:
        data = services.build_bundle(seq, file_path=file_path, since=since)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
        click.echo(f"bundle for entry {seq} written to {output}", err=True)
    else:
        click.echo(text, nl=False)
