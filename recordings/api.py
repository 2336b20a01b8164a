"""JSON API for recordings: the tus 1.0.0 resumable upload endpoint, a single-request upload, reading and
linking recordings, export requests. Bearer tokens (field devices) or the session with an X-CSRFToken header
(our own pages).

tus under /api/recordings/uploads — core protocol plus the creation, checksum (sha256), termination and
expiration extensions:
    OPTIONS  /api/recordings/uploads           capabilities
    POST     /api/recordings/uploads           Upload-Length, Upload-Metadata → 201 Location
    HEAD     /api/recordings/uploads/<id>      → Upload-Offset, Upload-Length
    PATCH    /api/recordings/uploads/<id>      Upload-Offset, Content-Type: application/offset+octet-stream
                                               → 204 Upload-Offset (+ Recording-Id once complete)
    DELETE   /api/recordings/uploads/<id>      termination
Creation is refused with 429 `upload_quota_sessions` or 413 `upload_quota_bytes` when the user's uploads in
progress would exceed RECORDING_UPLOAD_MAX_OPEN or RECORDING_UPLOAD_QUOTA_BYTES (see `recordings.uploads`).
Upload-Metadata keys: case_id (or subject, e.g. "inspection:12", for a record without a case), step_id, device_id,
started_at, ended_at, location, interruptions (JSON),
officers (certificate numbers, comma-separated), late_reason, sha256 (hex, of the whole file), filename,
filetype.

Single request (≤ MAX_CONTENT_LENGTH, 64 MiB by default): POST /api/recordings?case_id=..&device_id=..
with the raw file as the body (Content-Type: video/mp4 …); the same metadata as query parameters.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from app.auth.permissions import actor, require_login
from app.errors import DomainError, InvalidInput
from app.inputs import json_object
from app.extensions import db
from cases import services as case_services
from recordings import services, uploads
from recordings.models import UploadStatus
from recordings.schemas import ExportSchema, RecordingSchema

bp = Blueprint("recordings_api", __name__, url_prefix="/api/recordings")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
METADATA_KEYS = ("case_id", "subject", "step_id", "device_id", "started_at", "ended_at", "location", "interruptions",
                 "officers", "late_reason", "sha256", "filename")


@bp.after_request
def _tus_headers(response):
    if request.path.startswith("/api/recordings/uploads"):
        response.headers["Tus-Resumable"] = TUS_VERSION
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Access-Control-Expose-Headers",
                                    "Upload-Offset, Upload-Length, Location, Tus-Resumable, Recording-Id")
    return response


def _check_tus_version():
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        raise DomainError("请求须带 Tus-Resumable: 1.0.0", code="tus_version", status=412)


def _int_header(name, required=True):
    value = request.headers.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"缺少请求头 {name}")
        return None
    from app.inputs import as_count

    return as_count(value, name, label=f"请求头 {name}")  # ASCII digits only (SEC-16)


def _ip():
    return request.remote_addr or ""


@bp.route("/uploads", methods=["OPTIONS"])
def tus_options():
    resp = jsonify()
    resp.status_code = 204
    resp.headers["Tus-Version"] = TUS_VERSION
    resp.headers["Tus-Extension"] = TUS_EXTENSIONS
    resp.headers["Tus-Checksum-Algorithm"] = "sha256"
    resp.headers["Tus-Max-Size"] = str(services.cfg("RECORDING_MAX_BYTES"))
    return resp


@bp.post("/uploads")
@require_login
def tus_create():
    _check_tus_version()
    if request.headers.get("Upload-Defer-Length"):
        raise DomainError("不支持延迟声明长度，请提供 Upload-Length", code="defer_length", status=400)
    length = _int_header("Upload-Length")
    data = uploads.parse_metadata(request.headers.get("Upload-Metadata", ""))
    data["content_type"] = data.pop("filetype", None)
    session = uploads.create(length=length, data=data, actor=actor())
    db.session.commit()
    resp = jsonify(id=session.id, offset=0, length=session.length, expires_at=session.expires_at.isoformat())
    resp.status_code = 201
    resp.headers["Location"] = url_for("recordings_api.tus_upload", upload_id=session.id, _external=True)
    resp.headers["Upload-Expires"] = _http_date(session.expires_at)
    return resp


def _http_date(dt):
    from datetime import timezone
    from email.utils import format_datetime

    from app.timeutil import aware

    return format_datetime(aware(dt).astimezone(timezone.utc), usegmt=True)


def _offset_response(session, status=204):
    resp = jsonify() if status != 200 else jsonify(offset=session.received, length=session.length,
                                                     status=session.status, recording_id=session.recording_id)
    resp.status_code = status
    resp.headers["Upload-Offset"] = str(session.received)
    resp.headers["Upload-Length"] = str(session.length)
    if session.status == UploadStatus.open.value:
        resp.headers["Upload-Expires"] = _http_date(session.expires_at)
    if session.recording_id:
        resp.headers["Recording-Id"] = str(session.recording_id)
        resp.headers["Recording-Location"] = url_for("recordings_api.recording", recording_id=session.recording_id)
    return resp


@bp.route("/uploads/<upload_id>", methods=["HEAD", "GET"])
@require_login
def tus_upload(upload_id):
    if request.method == "HEAD":
        _check_tus_version()
    session = uploads.get(upload_id, actor())
    resp = _offset_response(session, 200)
    if request.method == "HEAD":
        resp.set_data(b"")
    return resp


@bp.route("/uploads/<upload_id>", methods=["PATCH"])
@require_login
def tus_patch(upload_id):
    _check_tus_version()
    if (request.mimetype or "") != "application/offset+octet-stream":
        raise DomainError("PATCH 的 Content-Type 须为 application/offset+octet-stream", code="content_type",
                          status=415)
    user = actor()
    session = uploads.get(upload_id, user)
    offset = _int_header("Upload-Offset")
    checksum = uploads.parse_checksum(request.headers.get("Upload-Checksum"))
    session = uploads.append(session, request.stream, offset=offset, length=request.content_length,
                             checksum=checksum)
    db.session.commit()
    if session.received == session.length and session.status == UploadStatus.open.value:
        _finalize(session, user)
    return _offset_response(session)


def _finalize(session, user):
    if not uploads.claim_finalize(session):
        db.session.rollback()
        return
    db.session.commit()
    session_id = session.id
    try:
        uploads.finalize(session, actor=user)
        db.session.commit()
    except Exception as err:
        db.session.rollback()
        uploads.refuse(session_id, err)
        raise
    uploads.discard_parts(session)


@bp.route("/uploads/<upload_id>", methods=["DELETE"])
@require_login
def tus_delete(upload_id):
    _check_tus_version()
    session = uploads.get(upload_id, actor())
    uploads.terminate(session)
    db.session.commit()
    uploads.discard_parts(session)
    return "", 204


@bp.post("")
@require_login
def upload_single():
    """The whole file as the request body, streamed to the store (never buffered)."""
    data = {k: request.args.get(k) for k in METADATA_KEYS if request.args.get(k) is not None}
    data["content_type"] = request.mimetype
    user = actor()
    case, step, meta = services.prepare(data.get("case_id"), data, actor=user)
    # Without Content-Length and without chunked encoding (wsgi.input_terminated) the body is empty.
    if not request.content_length and not request.environ.get("wsgi.input_terminated"):
        from recordings import media

        raise media.empty_file()
    rec = services.ingest(request.stream, case=case, step=step, meta=meta, actor=user)
    db.session.commit()
    resp = jsonify(RecordingSchema().dump(rec))
    resp.status_code = 201
    resp.headers["Location"] = url_for("recordings_api.recording", recording_id=rec.id)
    return resp


@bp.get("")
@require_login
def list_recordings():
    case = case_services.get_case(request.args.get("case_id", type=int))
    case_services.ensure_can_view(actor(), case)
    return jsonify(RecordingSchema(many=True).dump(services.recordings_of_case(case)))


@bp.get("/<int:recording_id>")
@require_login
def recording(recording_id):
    rec = services.get_recording(recording_id, actor())
    return jsonify(RecordingSchema().dump(rec))


@bp.post("/<int:recording_id>/link")
@require_login
def link(recording_id):
    rec = services.get_recording(recording_id, actor())
    body = json_object(request.get_json(silent=True))
    services.link_to_step(rec, body.get("step_id"), actor=actor())
    db.session.commit()
    return jsonify(RecordingSchema().dump(rec))


@bp.get("/<int:recording_id>/bundle")
@require_login
def bundle(recording_id):
    user = actor()
    rec = services.get_recording(recording_id, user)
    services.log_custody(rec, "view", actor=user, purpose=request.args.get("purpose") or "证明包核验", ip=_ip(),
                         detail={"what": "bundle"})
    data = services.bundle(rec)
    db.session.commit()
    return jsonify(data)


@bp.post("/<int:recording_id>/exports")
@require_login
def request_export(recording_id):
    rec = services.get_recording(recording_id, actor())
    body = json_object(request.get_json(silent=True))
    export = services.request_export(rec, body.get("purpose"), actor=actor())
    db.session.commit()
    return jsonify(ExportSchema().dump(export)), 201


@bp.post("/exports/<int:export_id>/decision")
@require_login
def decide_export(export_id):
    export = services.get_export(export_id, actor())
    body = json_object(request.get_json(silent=True))
    services.decide_export(export, approve=bool(body.get("approve")), actor=actor(), note=body.get("note", ""))
    db.session.commit()
    return jsonify(ExportSchema().dump(export))
