"""`flask recordings ...`: integrity scan, the job worker, legal holds, the sweep of expired uploads, import.

Exit codes: 0 success; 1 refused, or the scan found a mismatch; 2 usage error (click).
"""
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup

from app.errors import DomainError
from app.extensions import db
from recordings import jobs, services, uploads

recordings_cli = AppGroup("recordings", help="Audio/video evidence: scans, background jobs, holds, import.")


def _fail(err):
    db.session.rollback()
    click.echo(f"错误（{err.code}）：{err.message}", err=True)
    sys.exit(1)


@recordings_cli.command("scan")
@click.option("--all", "scan_all", is_flag=True, help="Re-hash every original (the default).")
@click.option("--sample", type=click.IntRange(min=1), help="Re-hash N originals chosen at random.")
@click.option("--id", "ids", type=int, multiple=True, help="Only these recordings (repeatable).")
def scan(scan_all, sample, ids):
    """Re-hash stored originals, enter the result in the ledger, report any mismatch (exit 1)."""
    if scan_all and sample:
        raise click.UsageError("--all 与 --sample 只能选一个")
    try:
        result = services.scan(sample=sample, ids=ids or None)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    for r in result["mismatches"]:
        click.echo(f"不一致：音像记录 {r['recording_id']}（{r['storage_key']}）登记 {r['expected_sha256']}，"
                   f"实际 {r['actual_sha256'] or '（' + r['problem'] + '）'}")
    click.echo(f"已校验 {result['scanned']} 份原始音像记录，{len(result['mismatches'])} 份不一致；"
               f"结果已记入台账第 {result['ledger_seq']} 条")
    if result["mismatches"]:
        sys.exit(1)


@recordings_cli.command("work")
@click.option("--once", is_flag=True, help="Run the queued jobs, then exit.")
@click.option("--poll", default=2.0, show_default=True, help="Seconds between polls when idle.")
def work(once, poll):
    """Run background jobs (thumbnails, playback proxies) from the database queue."""
    app = current_app._get_current_object()
    every = app.config["RECORDING_UPLOAD_SWEEP_MINUTES"] * 60
    last_sweep = None
    while True:
        done = jobs.run_pending(app)
        if done:
            click.echo(f"ran {done} job(s)")
        if every > 0 and (last_sweep is None or time.monotonic() - last_sweep >= every):
            last_sweep = time.monotonic()
            try:  # expired uploads' staged parts (SEC-15); a failure must not stop the worker
                uploads.sweep()
            except Exception as exc:
                db.session.rollback()
                click.echo(f"upload sweep failed: {exc}", err=True)
        if once:
            return
        db.session.remove()
        time.sleep(poll)


@recordings_cli.command("holds")
def holds():
    """Legal hold while a case is open; release it on recordings of closed, archived or terminated cases."""
    try:
        result = services.sync_holds()
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(f"解除法律保全 {len(result['released'])} 份，新设 {len(result['applied'])} 份")


@recordings_cli.command("sweep-uploads")
def sweep_uploads():
    """Abort expired resumable uploads; delete staged parts of uploads not in progress (safe on a timer)."""
    try:
        result = uploads.sweep()
    except DomainError as err:  # the store is unreachable: exit 1, the timer tries again
        _fail(err)
    click.echo(f"已中止过期上传 {result['aborted']} 个，删除暂存分块 {result['parts_removed']} 个，"
               f"删除过期上传记录 {result['rows_deleted']} 条")
    if result["parts_failed"]:
        click.echo(f"有 {result['parts_failed']} 个暂存分块未能删除，下次清理时重试", err=True)
        sys.exit(1)


# The earlier name of the same command.
recordings_cli.add_command(sweep_uploads, "cleanup")


@recordings_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--case", "case_id", required=True, type=int)
@click.option("--step", "step_id", type=int)
@click.option("--user", "username", required=True, help="The uploading officer (must be on the case).")
@click.option("--device", "device_id", required=True)
@click.option("--started-at")
@click.option("--ended-at")
@click.option("--location", default="")
@click.option("--late-reason")
@click.option("--sha256")
def import_file(path, case_id, step_id, username, device_id, started_at, ended_at, location, late_reason,
                sha256):
    """Ingest a file from disk (e.g. a docking station's export) as the given officer."""
    import os

    from sqlalchemy import select

    from app.auth.models import User

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.UsageError(f"no user {username}")
    data = {"step_id": step_id, "device_id": device_id, "started_at": started_at, "ended_at": ended_at,
            "location": location, "late_reason": late_reason, "sha256": sha256,
            "filename": os.path.basename(path)}
    try:
        case, step, meta = services.prepare(case_id, data, actor=user)
        with open(path, "rb") as fh:
            rec = services.ingest(fh, case=case, step=step, meta=meta, actor=user)
        db.session.commit()
    except DomainError as err:
        _fail(err)
    click.echo(f"已登记音像记录 {rec.id}：SHA-256 {rec.sha256}，台账第 {rec.ledger_seq} 条")
