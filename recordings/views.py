"""Pages for recordings: upload to a case step (resumable, with a progress bar), details, playback with
HTTP range requests, the custody report (PDF) and proof bundle, export requests and approvals."""
from __future__ import annotations

import json

from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_login import current_user

from app.auth.permissions import require_login
from app.errors import DomainError
from app.extensions import db
from app.security import safe_next
from app.storage import RangeNotSatisfiable
from cases import services as case_services
from recordings import jobs, permissions, services, uploads
from recordings.models import ExportRequest, ExportStatus

bp = Blueprint("recordings", __name__, template_folder="templates")


def _purpose():
    return (request.values.get("purpose") or "").strip()


def _ip():
    return request.remote_addr or ""


@bp.get("/cases/<int:case_id>/recordings")
@require_login
def case_recordings(case_id):
    case = case_services.get_case(case_id)
    case_services.ensure_can_view(current_user, case)
    return render_template("recordings/case.html", case=case, step=None,
                           recordings=services.recordings_of_case(case),
                           can_upload=permissions.can_upload(current_user, case),
                           upload_hours=current_app.config["RECORDING_UPLOAD_HOURS"], **_my_uploads())


@bp.get("/cases/<int:case_id>/steps/<int:step_id>/recordings")
@require_login
def step_recordings(case_id, step_id):
    case = case_services.get_case(case_id)
    case_services.ensure_can_view(current_user, case)
    step = case_services.get_step(case, step_id)
    unlinked = [r for r in services.recordings_of_case(case) if r.step_id is None]
    return render_template("recordings/case.html", case=case, step=step,
                           recordings=services.recordings_of_step(step), unlinked=unlinked,
                           can_upload=permissions.can_upload(current_user, case),
                           upload_hours=current_app.config["RECORDING_UPLOAD_HOURS"], **_my_uploads())


def _my_uploads():
    """The user's own resumable uploads in progress and the quota they use (SEC-15), for the upload card."""
    return {"my_uploads": uploads.in_progress(current_user.id),
            "upload_usage": uploads.usage(current_user.id)}


@bp.post("/recordings/uploads/<upload_id>/cancel")
@require_login
def cancel_upload(upload_id):
    """Give up one of one's own unfinished uploads (tus termination from the page): frees its quota."""
    session = uploads.get(upload_id, current_user)  # someone else's: 404
    try:
        uploads.terminate(session)
        db.session.commit()
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        uploads.discard_parts(session)
        flash("已取消该未完成的上传，暂存的数据已删除", "success")
    return redirect(url_for("recordings.case_recordings", case_id=session.case_id))


@bp.get("/recordings/<int:recording_id>")
@require_login
def detail(recording_id):
    rec = services.get_recording(recording_id, current_user)
    services.log_custody(rec, "view", actor=current_user, purpose=_purpose() or services.DEFAULT_PURPOSE,
                         ip=_ip(), detail={"what": "detail"})
    db.session.commit()
    return render_template("recordings/detail.html", rec=rec, custody=services.custody_log(rec),
                           exports=services.exports_of(rec), derivatives_status=jobs.status_of(rec),
                           can_link=permissions.can_link(current_user, rec),
                           can_download=permissions.can_download_original(current_user, rec),
                           can_request_export=permissions.can_request_export(current_user, rec),
                           can_approve=permissions.can_approve_export(current_user, rec),
                           steps=rec.case.steps if rec.case_id is not None else [],
                           subject_label=_subject_label(rec))


def _subject_label(rec):
    if rec.subject is None:
        return None
    from recordings.subjects import resolve

    return resolve(rec.subject).label


@bp.get("/recordings/<int:recording_id>/play")
@require_login
def play(recording_id):
    rec = services.get_recording(recording_id, current_user)
    variant = "proxy" if rec.derivative("proxy") else "original"
    return render_template("recordings/play.html", rec=rec, purpose=_purpose(), variant=variant,
                           default_purpose=services.DEFAULT_PURPOSE)


@bp.get("/recordings/<int:recording_id>/media")
@require_login
def media(recording_id):
    """Range-capable streaming from the store (206 / Content-Range / 416). Every read is logged in the custody
    log, whatever its range; the range requests of one playback are grouped under one entry (services)."""
    rec = services.get_recording(recording_id, current_user)
    variant = request.args.get("variant", "original")
    download = request.args.get("download") == "1"
    size, content_type = services.media_size(rec, variant)
    rng = request.range
    start, stop = 0, size
    status = 200
    if rng is not None:
        span = rng.range_for_length(size) if rng.units == "bytes" else None
        if span is None:
            raise RangeNotSatisfiable(details={"size": size})
        start, stop = span
        status = 206
    purpose = _purpose() or services.DEFAULT_PURPOSE
    chunks = services.open_media(rec, variant, actor=current_user, purpose=purpose, offset=start,
                                 length=stop - start, ip=_ip(), log_it=variant != "thumbnail",
                                 action="download" if download else "play")
    db.session.commit()
    headers = {"Accept-Ranges": "bytes", "Content-Length": str(stop - start), "Cache-Control": "private, no-store",
               "X-Content-SHA256": rec.sha256 if variant == "original" else rec.derivative(variant).sha256}
    if status == 206:
        headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    if download:
        headers["Content-Disposition"] = _attachment(rec)
    return Response(stream_with_context(chunks), status=status, headers=headers, mimetype=content_type,
                    direct_passthrough=True)


def _attachment(rec):
    from urllib.parse import quote

    name = rec.filename or f"recording-{rec.id}"
    return f"attachment; filename=\"recording-{rec.id}\"; filename*=UTF-8''{quote(name)}"


@bp.get("/recordings/<int:recording_id>/thumbnail")
@require_login
def thumbnail(recording_id):
    rec = services.get_recording(recording_id, current_user)
    d = rec.derivative("thumbnail")
    if d is None:
        abort(404)
    chunks = services.open_media(rec, "thumbnail", actor=current_user, purpose="", log_it=False)
    return Response(chunks, mimetype=d.content_type, headers={"Content-Length": str(d.size)},
                    direct_passthrough=True)


@bp.get("/recordings/<int:recording_id>/custody.pdf")
@require_login
def custody_pdf(recording_id):
    from recordings import reports

    rec = services.get_recording(recording_id, current_user)
    services.log_custody(rec, "view", actor=current_user, purpose=_purpose() or "证据保管链报告", ip=_ip(),
                         detail={"what": "custody_report"})
    pdf = reports.custody_report(rec, generated_by=current_user)
    db.session.commit()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=\"custody-{rec.id}.pdf\""})


@bp.get("/recordings/<int:recording_id>/bundle.json")
@require_login
def bundle_json(recording_id):
    rec = services.get_recording(recording_id, current_user)
    services.log_custody(rec, "view", actor=current_user, purpose=_purpose() or "证明包核验", ip=_ip(),
                         detail={"what": "bundle"})
    data = services.bundle(rec)
    db.session.commit()
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=\"recording-{rec.id}-bundle.json\""})


@bp.post("/recordings/<int:recording_id>/link")
@require_login
def link(recording_id):
    rec = services.get_recording(recording_id, current_user)
    try:
        services.link_to_step(rec, request.form.get("step_id"), actor=current_user)
        db.session.commit()
        flash("已关联执法环节", "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(safe_next(request.form.get("next")) or url_for("recordings.detail", recording_id=rec.id))


@bp.post("/recordings/<int:recording_id>/exports")
@require_login
def request_export(recording_id):
    rec = services.get_recording(recording_id, current_user)
    try:
        services.request_export(rec, request.form.get("purpose"), actor=current_user)
        db.session.commit()
        flash("导出申请已提交，待机关负责人批准", "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for("recordings.detail", recording_id=rec.id, purpose="导出申请"))


@bp.post("/recordings/exports/<int:export_id>/<any(approve, reject):decision>")
@require_login
def decide_export(export_id, decision):
    export = services.get_export(export_id, current_user)
    try:
        services.decide_export(export, approve=decision == "approve", actor=current_user,
                               note=request.form.get("note", ""))
        db.session.commit()
        flash("已批准导出" if decision == "approve" else "已驳回导出申请", "success")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(safe_next(request.form.get("next")) or url_for("recordings.exports"))


@bp.get("/recordings/exports/<int:export_id>/download")
@require_login
def download_export(export_id):
    export = services.get_export(export_id, current_user)
    chunks = services.open_export(export, actor=current_user, ip=_ip())
    db.session.commit()
    rec = export.recording
    return Response(stream_with_context(chunks), mimetype=rec.content_type, direct_passthrough=True,
                    headers={"Content-Length": str(rec.size), "Content-Disposition": _attachment(rec),
                             "X-Content-SHA256": rec.sha256})


@bp.get("/recordings/exports")
@require_login
def exports():
    from sqlalchemy import select

    items = [e for e in db.session.scalars(select(ExportRequest).order_by(ExportRequest.id.desc()).limit(200))
             if permissions.can_view_recording(current_user, e.recording)]
    return render_template("recordings/exports.html", exports=items, ExportStatus=ExportStatus,
                           can_approve=lambda e: permissions.can_approve_export(current_user, e.recording))


def pending_exports_panel(user):
    """Home panel for agency heads: export requests waiting for approval."""
    from app.auth.models import Role
    from sqlalchemy import select

    if not (user.is_authenticated and user.has_role(Role.head) and user.agency_id):
        return None
    items = [e for e in db.session.scalars(select(ExportRequest).where(
        ExportRequest.status == ExportStatus.requested.value).order_by(ExportRequest.id))
        if permissions.can_approve_export(user, e.recording)]
    if not items:
        return None
    return {"title": "待批准的音像记录导出", "template": "recordings/_exports_panel.html", "exports": items}


def step_links(step, user):
    """On the case page: each step links to its recordings (and the upload page for the case's officers)."""
    if not (step.needs_av or services.recordings_of_step(step)):
        return []
    count = len(services.recordings_of_step(step))
    label = f"音像记录（{count}）" if count else "上传音像记录"
    return [(label, url_for("recordings.step_recordings", case_id=step.case_id, step_id=step.id))]


def case_panel(case, user):
    recordings = services.recordings_of_case(case)
    if not recordings:
        return None
    return {"title": "音像记录", "lines": [f"本案共有{len(recordings)}个音像记录，原始文件写入后不可更改，哈希值已记入台账"],
            "links": [("查看全部音像记录", url_for("recordings.case_recordings", case_id=case.id))]}
