"""JSON API for recordings: the tus 1.0.0 resumable upload endpoint, a single-request upload, reading and
linking recordings, export requests. Bearer tokens (field devices) or the session with an X-CSRFToken header
(our own pages).

tus under /api/recordings/uploads — core protocol plus the creation, checksum (sha1, sha256), termination and
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

from flask import current_app, jsonify, request, url_for
from flask_smorest import Blueprint

from app.auth.permissions import actor, require_login
from app.errors import DomainError, InvalidInput
from app.inputs import json_object
from app.extensions import db
from cases import services as case_services
from recordings import services, uploads
from recordings.models import UploadStatus
from recordings.schemas import (BundleSchema, ExportSchema, RecordingSchema, RecordingUploadSchema,
                                UploadCreatedSchema, UploadStateSchema)

bp = Blueprint("recordings_api", __name__, url_prefix="/api/recordings",
               description="音像记录：tus 1.0.0 断点续传上传、单次上传、查阅、关联执法环节、导出申请")

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
METADATA_KEYS = ("case_id", "subject", "step_id", "device_id", "started_at", "ended_at", "location", "interruptions",
                 "officers", "late_reason", "sha256", "filename")


def _header(name, description, required=False, schema=None):
    return {"in": "header", "name": name, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def _rheader(description, schema=None):
    return {"description": description, "schema": schema or {"type": "string"}}


COUNT = {"type": "integer", "minimum": 0}
TUS_RESUMABLE = _header("Tus-Resumable", "tus 协议版本，须为 1.0.0", required=True, schema={"type": "string",
                                                                                     "enum": [TUS_VERSION]})
OFFSET_HEADERS = {
    "Tus-Resumable": _rheader("1.0.0"),
    "Upload-Offset": _rheader("已接收的字节数", COUNT),
    "Upload-Length": _rheader("文件总字节数", COUNT),
    "Upload-Expires": _rheader("未完成的上传过期时间（RFC 7231 日期）"),
    "Recording-Id": _rheader("上传完成后登记的音像记录编号", COUNT),
    "Recording-Location": _rheader("该音像记录的接口地址"),
    "Recording-Duplicate": _rheader("true：本案已登记过完全相同的文件（SHA-256 相同），应答的是已有记录，未另存副本"),
}
UPLOAD_ID = {"in": "path", "name": "upload_id", "required": True, "schema": {"type": "string"}}


@bp.after_request
def _tus_headers(response):
    if request.path.startswith("/api/recordings/uploads"):
        response.headers["Tus-Resumable"] = TUS_VERSION
        response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Access-Control-Expose-Headers",
                                    "Upload-Offset, Upload-Length, Location, Tus-Resumable, Recording-Id, "
                                    "Recording-Duplicate")
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
@bp.response(204, headers={
    "Tus-Resumable": _rheader("1.0.0"), "Tus-Version": _rheader("支持的协议版本：1.0.0"),
    "Tus-Extension": _rheader(TUS_EXTENSIONS), "Tus-Checksum-Algorithm": _rheader("sha1,sha256"),
    "Tus-Max-Size": _rheader("单个文件的最大字节数", COUNT)})
@bp.doc(security=[])
def tus_options():
    """tus: the server's capabilities (versions, extensions, checksum algorithms, maximum size)."""
    resp = jsonify()
    resp.status_code = 204
    resp.headers["Tus-Version"] = TUS_VERSION
    resp.headers["Tus-Extension"] = TUS_EXTENSIONS
    resp.headers["Tus-Checksum-Algorithm"] = ",".join(uploads.CHECKSUM_ALGORITHMS)
    resp.headers["Tus-Max-Size"] = str(services.cfg("RECORDING_MAX_BYTES"))
    return resp


@bp.post("/uploads")
@require_login
@bp.response(201, UploadCreatedSchema, headers={
    "Location": _rheader("上传地址（PATCH/HEAD/DELETE）"), "Upload-Expires": _rheader("过期时间（RFC 7231 日期）"),
    "Tus-Resumable": _rheader("1.0.0")})
@bp.doc(parameters=[
    TUS_RESUMABLE, _header("Upload-Length", "文件总字节数（不支持延迟声明）", required=True, schema=COUNT),
    _header("Upload-Metadata", "逗号分隔的“键 Base64(值)”：case_id（必填）、device_id（必填）、step_id、started_at、"
            "ended_at、location、interruptions（JSON）、officers、late_reason、sha256、filename、filetype。"
            "权限、格式、必填项、超时上传原因与配额在此时检查，未发送任何数据前即可拒绝"),
    _header("Upload-Defer-Length", "不支持（400 defer_length）")])
def tus_create():
    """tus creation: declare an upload; its metadata, the case and the quotas are checked now."""
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
                                                     status=session.status, recording_id=session.recording_id,
                                                     duplicate=session.error == "duplicate")
    resp.status_code = status
    resp.headers["Upload-Offset"] = str(session.received)
    resp.headers["Upload-Length"] = str(session.length)
    if session.status == UploadStatus.open.value:
        resp.headers["Upload-Expires"] = _http_date(session.expires_at)
    if session.recording_id:
        resp.headers["Recording-Id"] = str(session.recording_id)
        if session.error == "duplicate":
            resp.headers["Recording-Duplicate"] = "true"
        resp.headers["Recording-Location"] = url_for("recordings_api.recording", recording_id=session.recording_id)
    return resp


@bp.route("/uploads/<upload_id>", methods=["HEAD", "GET"])
@require_login
@bp.response(200, UploadStateSchema, headers=OFFSET_HEADERS)
@bp.doc(parameters=[UPLOAD_ID, _header("Tus-Resumable", "HEAD 时必填：1.0.0")])
def tus_upload(upload_id):
    """tus: the upload's offset (HEAD, for resuming) or its state as JSON (GET)."""
    if request.method == "HEAD":
        _check_tus_version()
    session = uploads.get(upload_id, actor())
    resp = _offset_response(session, 200)
    if request.method == "HEAD":
        resp.set_data(b"")
    return resp


@bp.route("/uploads/<upload_id>", methods=["PATCH"])
@require_login
@bp.response(204, headers=OFFSET_HEADERS)
@bp.doc(parameters=[
    UPLOAD_ID, TUS_RESUMABLE, _header("Upload-Offset", "本数据块的起始偏移量，须等于已接收字节数", required=True,
                                      schema=COUNT),
    _header("Upload-Checksum", "可选：“sha1 <Base64摘要>”或“sha256 <Base64摘要>”；不符时 460 checksum_mismatch，"
            "数据块丢弃")],
    requestBody={"required": True, "content": {"application/offset+octet-stream": {
        "schema": {"type": "string", "format": "binary"}}}})
def tus_patch(upload_id):
    """tus: append a chunk at Upload-Offset; the last one registers the recording (Recording-Id)."""
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
@bp.response(204)
@bp.doc(parameters=[UPLOAD_ID, TUS_RESUMABLE])
def tus_delete(upload_id):
    """tus termination: give the upload up; staged bytes are removed."""
    _check_tus_version()
    session = uploads.get(upload_id, actor())
    uploads.terminate(session)
    db.session.commit()
    uploads.discard_parts(session)
    return current_app.make_response(("", 204))


def _query(name, description, required=False, schema=None):
    return {"in": "query", "name": name, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


@bp.post("")
@require_login
@bp.response(201, RecordingUploadSchema, headers={"Location": _rheader("该音像记录的接口地址")})
@bp.alt_response(200, schema=RecordingUploadSchema,
                 description="本案已登记过完全相同的文件（SHA-256 相同）：应答已有记录，duplicate 为 true，未另存副本")
@bp.doc(parameters=[
    _query("case_id", "案件编号", required=True, schema={"type": "integer"}),
    _query("device_id", "记录设备编号", required=True), _query("step_id", "执法环节编号", schema={"type": "integer"}),
    *[_query(k, k) for k in ("started_at", "ended_at", "location", "interruptions", "officers", "late_reason",
                             "sha256", "filename")]],
    requestBody={"required": True, "content": {
        t: {"schema": {"type": "string", "format": "binary"}} for t in ("video/*", "audio/*")}})
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
    # 200 + duplicate: true when the case already held these exact bytes (no second copy is kept).
    resp = jsonify({**RecordingSchema().dump(rec), "duplicate": rec.duplicate})
    resp.status_code = 200 if rec.duplicate else 201
    resp.headers["Location"] = url_for("recordings_api.recording", recording_id=rec.id)
    return resp


@bp.get("")
@require_login
@bp.response(200, RecordingSchema(many=True))
@bp.doc(parameters=[_query("case_id", "案件编号", required=True, schema={"type": "integer"})])
def list_recordings():
    """The recordings of a case."""
    case = case_services.get_case(request.args.get("case_id", type=int))
    case_services.ensure_can_view(actor(), case)
    return jsonify(RecordingSchema(many=True).dump(services.recordings_of_case(case)))


@bp.get("/<int:recording_id>")
@require_login
@bp.response(200, RecordingSchema)
def recording(recording_id):
    """One recording."""
    rec = services.get_recording(recording_id, actor())
    return jsonify(RecordingSchema().dump(rec))


@bp.post("/<int:recording_id>/link")
@require_login
@bp.response(200, RecordingSchema)
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"step_id": {"type": "integer"}}}}}})
def link(recording_id):
    """Link a recording to an enforcement step of its case."""
    rec = services.get_recording(recording_id, actor())
    body = json_object(request.get_json(silent=True))
    services.link_to_step(rec, body.get("step_id"), actor=actor())
    db.session.commit()
    return jsonify(RecordingSchema().dump(rec))


@bp.get("/<int:recording_id>/bundle")
@require_login
@bp.response(200, BundleSchema)
@bp.doc(parameters=[_query("purpose", "查阅目的（记入监管链）")])
def bundle(recording_id):
    """The recording's proof bundle (ledger entry and inclusion proof); logged in its chain of custody."""
    user = actor()
    rec = services.get_recording(recording_id, user)
    services.log_custody(rec, "view", actor=user, purpose=request.args.get("purpose") or "证明包核验", ip=_ip(),
                         detail={"what": "bundle"})
    data = services.bundle(rec)
    db.session.commit()
    return jsonify(data)


@bp.post("/<int:recording_id>/exports")
@require_login
@bp.response(201, ExportSchema)
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"purpose": {"type": "string"}}}}}})
def request_export(recording_id):
    """Ask for an export copy of a recording (needs approval)."""
    rec = services.get_recording(recording_id, actor())
    body = json_object(request.get_json(silent=True))
    export = services.request_export(rec, body.get("purpose"), actor=actor())
    db.session.commit()
    return jsonify(ExportSchema().dump(export)), 201


@bp.post("/exports/<int:export_id>/decision")
@require_login
@bp.response(200, ExportSchema)
@bp.doc(requestBody={"required": True, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"approve": {"type": "boolean"}, "note": {"type": "string"}}}}}})
def decide_export(export_id):
    """Approve or refuse an export request."""
    export = services.get_export(export_id, actor())
    body = json_object(request.get_json(silent=True))
    services.decide_export(export, approve=bool(body.get("approve")), actor=actor(), note=body.get("note", ""))
    db.session.commit()
    return jsonify(ExportSchema().dump(export))
