"""Media probing, validation and derivatives with ffprobe/ffmpeg, reading the stored object in place.

ffmpeg reads the original where it is stored: the blob file of the filesystem store, or a short-lived
presigned GET URL of the S3 store (ffmpeg's http input seeks with Range requests, which a non-faststart MP4
needs). Nothing is copied to the app server for validation.

Validation refuses, with a reason the officer can act on:
- empty_file: no bytes;
- not_media: ffprobe cannot read it, or it has neither an audio nor a video stream;
- truncated_media: the file ends before its own index says it does. A non-faststart MP4 cut short has no
  `moov` index and fails to probe; a faststart MP4 (or M4A) cut short probes fine, so every packet is read
  (`-c copy`, or a full decode for files up to RECORDING_DECODE_MAX_MB) with `-xerror`, and the duration
  actually present is compared with the declared one (which also catches a cut MP3 with a Xing header).
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
from datetime import timedelta

from app.errors import DomainError

log = logging.getLogger(__name__)

FFPROBE = os.environ.get("FFPROBE", "ffprobe")
FFMPEG = os.environ.get("FFMPEG", "ffmpeg")


class MediaRefused(DomainError):
    """An upload that is not acceptable evidence: nothing is registered (SPEC §4.2)."""

    status = 422


def empty_file():
    return MediaRefused("上传的文件为空（0字节），未登记为证据", code="empty_file")


def not_media(reason=""):
    return MediaRefused("上传的文件不是可识别的音视频文件，未登记为证据" + (f"（{reason}）" if reason else ""),
                        code="not_media", details={"reason": reason} if reason else None)


def truncated(reason=""):
    return MediaRefused("音视频文件不完整（传输中断或文件被截断），未登记为证据，请重新上传完整文件"
                        + (f"（{reason}）" if reason else ""), code="truncated_media",
                        details={"reason": reason} if reason else None)


def source_for(store, key: str, version_id: str | None = None) -> str:
    """A path or URL ffmpeg can read the stored object from, without copying it."""
    from app.storage.fs import FilesystemStore

    if isinstance(store, FilesystemStore):
        # The store has no public accessor for its blob path; the layout is documented in app.storage.fs.
        return store._blob_path(key)
    client = getattr(store, "client", None)
    if client is not None and hasattr(client, "presigned_get_object"):
        return client.presigned_get_object(store.bucket, key, expires=timedelta(hours=2), version_id=version_id)
    raise RuntimeError(f"ffmpeg cannot read objects of {store!r}")


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def probe(source: str, timeout=120) -> dict:
    """ffprobe summary of the source, or MediaRefused."""
    cmd = [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", source]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise not_media("分析超时") from None
    if proc.returncode != 0:
        reason = _last_line(proc.stderr)
        if "moov atom not found" in proc.stderr.decode("utf-8", "replace"):
            raise truncated("缺少MP4索引（moov）")
        raise not_media(reason.replace(source, "文件"))
    data = json.loads(proc.stdout or b"{}")
    fmt = data.get("format") or {}
    streams = []
    for s in data.get("streams") or []:
        kind = s.get("codec_type")
        if kind not in ("video", "audio"):
            continue
        # Cover art in an MP3/M4A is a one-frame "video" stream: it does not make the file a video.
        if kind == "video" and (s.get("disposition") or {}).get("attached_pic"):
            continue
        entry = {"index": s.get("index"), "type": kind, "codec": s.get("codec_name"),
                 "duration": _float(s.get("duration"))}
        if kind == "video":
            entry.update(width=s.get("width"), height=s.get("height"), frame_rate=s.get("avg_frame_rate"))
        else:
            entry.update(sample_rate=_int(s.get("sample_rate")), channels=s.get("channels"))
        streams.append(entry)
    if not streams:
        raise not_media("没有音频或视频流")
    tags = {k.lower(): v for k, v in (fmt.get("tags") or {}).items()}
    duration = _float(fmt.get("duration"))
    if duration is None:
        duration = max((s["duration"] or 0 for s in streams), default=None)
    return {
        "format": fmt.get("format_name"),
        "format_long": fmt.get("format_long_name"),
        "duration": duration,
        "bit_rate": _int(fmt.get("bit_rate")),
        "creation_time": tags.get("creation_time"),
        "streams": streams,
        "kind": "video" if any(s["type"] == "video" for s in streams) else "audio",
    }


def check_complete(source: str, info: dict, *, size: int, decode_max_bytes: int, timeout=3600) -> float:
    """Read every packet (decoding them when the file is small enough) and compare the duration found with
    the declared one. Returns the duration present; raises MediaRefused(truncated_media)."""
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-xerror", "-i", source, "-map", "0:a?", "-map", "0:v?"]
    if size > decode_max_bytes:
        cmd += ["-c", "copy"]
    cmd += ["-f", "null", "-progress", "pipe:1", "-nostats", "-"]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise truncated("校验超时") from None
    if proc.returncode != 0:
        raise truncated(_last_line(proc.stderr).replace(source, "文件"))
    present = None
    for line in proc.stdout.decode("ascii", "replace").splitlines():
        if line.startswith("out_time_us="):
            try:
                present = int(line.split("=", 1)[1]) / 1e6
            except ValueError:
                pass
    declared = info.get("duration")
    if declared and present is not None and declared - present > max(1.0, 0.05 * declared):
        raise truncated(f"声明时长{declared:.1f}秒，实际只有{present:.1f}秒")
    return present if present is not None else declared


def make_thumbnail(source: str, out_path: str, duration: float | None, timeout=300):
    at = 1.0 if (duration or 0) > 2 else 0.0
    _run([FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{at}", "-i", source, "-frames:v", "1",
          "-vf", "scale=320:-2", "-q:v", "4", out_path], timeout)


def make_proxy(source: str, out_path: str, *, video: bool, timeout=7200):
    """A browser-playable copy: H.264 (360p) + AAC in MP4 with the index first, or AAC in M4A for audio."""
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", "-i", source]
    if video:
        cmd += ["-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
                "-vf", "scale=-2:'min(360,ih)'", "-pix_fmt", "yuv420p"]
    else:
        cmd += ["-map", "0:a:0", "-vn"]
    cmd += ["-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-f", "mp4", out_path]
    _run(cmd, timeout)


def _run(cmd, timeout):
    proc = subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {_last_line(proc.stderr)}")


def _float(v):
    try:
        return float(v) if v not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None


def _int(v):
    try:
        return int(v) if v not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None
