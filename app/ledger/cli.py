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
@click.option("--force", is_flag=True, help="Replace an existing key that has never signed (a key that "
                                             "has signed can only be rotated: flask ledger rotate-key).")
def keygen(force):
    """Create the Ed25519 checkpoint signing key (at LEDGER_KEY_PATH, mode 600, or inside the PKCS#11
    token when LEDGER_SIGNER=pkcs11) and print the public key and its fingerprint."""
    from app.ledger import hsm, keys

    try:
        if keys.signer_kind() == "pkcs11":
            module, token, label, pin = keys._pkcs11_settings()
            hsm.generate_key(module, token, label, pin)
            signer = keys.load_signer()
            click.echo(f"signing key {label!r} created in PKCS#11 token {token!r}")
        else:
            path = current_app.config["LEDGER_KEY_PATH"]
            signer = services.generate_key(path, force=force)
            click.echo(f"signing key written to {path}")
    except DomainError as err:
        _fail(err)
    except hsm.HsmError as exc:
        click.echo(f"错误（ledger_key_missing）：{exc}", err=True)
        sys.exit(1)
    click.echo(signer.verifier_key())
    click.echo(f"fingerprint {signer.verifier().fingerprint}")


@ledger_cli.command("rotate-key")
@click.option("--new-pkcs11-key", help="LEDGER_SIGNER=pkcs11: label of the new key in the token "
                                       "(created if absent); set LEDGER_PKCS11_KEY to it afterwards.")
def rotate_key(new_pkcs11_key):
    """Hand checkpoint signing to a new key; the old key signs the hand-over and stays published."""
    from app.ledger import hsm, keys

    try:
        if keys.signer_kind() == "pkcs11":
            if not new_pkcs11_key:
                raise DomainError("LEDGER_SIGNER=pkcs11 时必须用 --new-pkcs11-key 指定新密钥的标签",
                                  code="invalid_input", status=422)
            module, token, _, pin = keys._pkcs11_settings()
            try:
                new = keys._load_hsm(new_pkcs11_key)
            except keys.LedgerKeyMissing:
                hsm.generate_key(module, token, new_pkcs11_key, pin)
                new = keys._load_hsm(new_pkcs11_key)
            row = keys.rotate(new)
            db.session.commit()
            click.echo(f"rotated; now set LEDGER_PKCS11_KEY={new_pkcs11_key} and restart the application "
                       f"and timers (until then no checkpoint is signed)")
        else:
            row = keys.rotate_file_key()
            click.echo(f"rotated; the old key is kept at {keys.key_path()}.retired-*: move it offline")
    except DomainError as err:
        _fail(err)
    except hsm.HsmError as exc:
        db.session.rollback()
        click.echo(f"错误（ledger_key_missing）：{exc}", err=True)
        sys.exit(1)
    click.echo(f"new key from tree size {row.from_size}: {row.verifier_key}")
    click.echo(f"fingerprint {row.fingerprint}")


@ledger_cli.command("keys")
def list_keys():
    """The signing key history: every key with the tree sizes and times it was valid for."""
    from app.ledger import keys

    for item in keys.public_history():
        until = f"{item['until_size']} {item['valid_until']}" if item["until_size"] is not None else "current"
        click.echo(f"{item['verifier_key']} {item['fingerprint']} sizes {item['from_size']}.."
                   f"{item['until_size'] if item['until_size'] is not None else ''} from {item['valid_from']} "
                   f"until {until}")


def _witness(cp):
    """Ask the configured witnesses to cosign (after the checkpoint is committed: network outside the lock)."""
    from app.ledger import witnessing

    if not witnessing.configured():
        return cp.note
    signed_by = witnessing.request_cosignatures(cp)
    db.session.commit()
    click.echo(f"cosigned by {len(signed_by)} of {len(witnessing.configured())} witnesses "
               f"(quorum {witnessing.quorum()})", err=True)
    return cp.cosigned or cp.note


@ledger_cli.command("checkpoint")
def checkpoint():
    """Sign a checkpoint of the current tree, have the witnesses cosign it, and print it."""
    try:
        cp = services.create_checkpoint()
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(_witness(cp), nl=False)


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
        # Checkpoints signed inside an append (every N entries, public entries) have not been shown to
        # the witnesses yet: the timer does it.
        latest = services.latest_checkpoint()
        if latest is not None and latest.cosigned is None:
            _witness(latest)
        return
    click.echo(f"signed checkpoint of size {cp.tree_size}")
    click.echo(_witness(cp), nl=False)


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
