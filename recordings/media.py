"""Media probing, validation and derivatives with ffprobe/ffmpeg, on a local file only.

ffmpeg is a general-purpose reader: left to itself it follows what a file tells it (an HLS or concat
playlist, an MOV reference, a URL) and reads whatever that names — the server's own files, or any address
the server can reach — and it decodes whatever size a header claims. Every call here therefore
- reads a local file only (`local_source`): the filesystem store's blob, or for the S3 store a copy made in a
  private (0700) temporary directory; ffmpeg never sees a URL (`-protocol_whitelist file`);
- lets ffprobe detect the container only among an allow-list of demuxers that do not reference other
  files (ALLOWED_FORMATS: MP4/MOV, Matroska, MPEG-TS, AVI, MP3, WAV, FLAC, Ogg, AAC, AMR, ASF) — a
  playlist (HLS, DASH, concat, ffconcat, image sequences…) is refused as `not_media` — and forces that
  demuxer (`-f`) on every later call;
- refuses, from the probe and before anything is decoded, a picture over RECORDING_MAX_PIXELS, a duration
  over RECORDING_MAX_DURATION_HOURS, more frames than RECORDING_MAX_FRAMES, an absurd frame or sample rate
  (`media_too_large`);
- runs the subprocess with a wall-clock timeout and kernel limits (address space RECORDING_FFMPEG_MEMORY_MB,
  CPU seconds of that call's own timeout), so that a bomb that passes the checks still cannot take the
  worker with it. Background jobs (thumbnail, proxy) also run at a lower priority (RECORDING_JOB_NICE) with
  at most RECORDING_FFMPEG_THREADS encoder threads, inside one time budget per job (`recordings.jobs`); a
  call stopped by a limit raises `LimitExceeded`, which the job runner does not retry.

Validation refuses, with a reason the officer can act on:
- empty_file: no bytes;
- not_media: ffprobe cannot read it, or it has neither an audio nor a video stream;
- truncated_media: the file ends before its own index says it does. A non-faststart MP4 cut short has no
  `moov` index and fails to probe; a faststart MP4 (or M4A) cut short probes fine, so every packet is read
  (`-c copy`, or a full decode for files up to RECORDING_DECODE_MAX_MB) with `-xerror`, and the duration
  actually present is compared with the declared one (which also catches a cut MP3 with a Xing header).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import tempfile

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


def media_too_large(reason):
    return MediaRefused(f"音视频文件超出允许的规格，未登记为证据（{reason}）", code="media_too_large",
                        details={"reason": reason})


#: ffprobe's format_name -> the demuxer forced on every later call. Only containers that carry their own
#: media: no playlists, no references to other files or URLs.
ALLOWED_FORMATS = {
    "mov,mp4,m4a,3gp,3g2,mj2": "mov", "matroska,webm": "matroska", "mpegts": "mpegts", "avi": "avi",
    "mp3": "mp3", "wav": "wav", "flac": "flac", "ogg": "ogg", "aac": "aac", "amr": "amr", "asf": "asf",
}
DEMUXERS = ",".join(sorted(set(ALLOWED_FORMATS.values())))
#: Defaults of the limits (each is a setting of the same name, see recordings/__init__.py).
DEFAULTS = {
    "RECORDING_MAX_PIXELS": 4096 * 4096,  # 4K body cameras: 3840×2160
    "RECORDING_MAX_DURATION_HOURS": 24,
    "RECORDING_MAX_FRAMES": 24 * 3600 * 60,  # 24 h at 60 frames per second
    "RECORDING_MAX_FPS": 240,
    "RECORDING_MAX_SAMPLE_RATE": 384000,
    "RECORDING_MAX_CHANNELS": 16,
    "RECORDING_FFMPEG_MEMORY_MB": 2048,
    "RECORDING_PROBE_TIMEOUT": 60,
    "RECORDING_CHECK_TIMEOUT": 3600,
    "RECORDING_PROXY_TIMEOUT": 7200,  # also the most any one derivative job may take
    # A derivative job's time budget: this many seconds per second of media, at least the minimum, at most
    # RECORDING_PROXY_TIMEOUT (a 360p proxy takes about 0.12 s per second of 720p video on one core).
    "RECORDING_JOB_SECONDS_PER_MEDIA_SECOND": 1.0,
    "RECORDING_JOB_MIN_SECONDS": 300.0,
    "RECORDING_JOB_NICE": 10,
    "RECORDING_FFMPEG_THREADS": 2,
}


class LimitExceeded(RuntimeError):
    """An ffmpeg call stopped by its time budget or a kernel limit: running it again would cost as much."""


def setting(name):
    try:
        from flask import current_app

        return current_app.config.get(name, DEFAULTS[name])
    except RuntimeError:  # outside an application (CLI helpers, tests of this module alone)
        return DEFAULTS[name]


@contextlib.contextmanager
def local_source(store, key: str, version_id: str | None = None):
    """A local path ffmpeg may read the stored object from: the filesystem store's blob itself, or a copy of
    an S3 object in a private temporary directory, removed afterwards. ffmpeg never gets a URL."""
    from app.storage.fs import FilesystemStore

    if isinstance(store, FilesystemStore):
        # The store has no public accessor for its blob path; the layout is documented in app.storage.fs.
        yield store._blob_path(key)
        return
    tmp = tempfile.mkdtemp(prefix="sanxiang-media-")  # mode 0700
    try:
        path = os.path.join(tmp, "original")
        with open(path, "wb") as out:
            for chunk in store.open(key):
                out.write(chunk)
        yield path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def demuxer_for(info: dict) -> str:
    """The demuxer of a registered recording's probe (older probes lack the key: derived from the format)."""
    demuxer = (info or {}).get("demuxer") or ALLOWED_FORMATS.get((info or {}).get("format") or "")
    if demuxer is None:
        raise not_media(f"文件格式（{(info or {}).get('format')}）不在允许范围内")
    return demuxer


def _input(source: str, demuxer: str | None) -> list[str]:
    """The input options every call uses: files only, the detected demuxer forced."""
    opts = ["-protocol_whitelist", "file"]
    if demuxer:
        opts += ["-f", demuxer]
    else:
        opts += ["-format_whitelist", DEMUXERS]
    return opts + ["-i", "file:" + os.path.abspath(source)]


def _limits(timeout, background=False):
    """Kernel limits of the ffmpeg child: address space, and CPU time of two cores for the call's own
    wall-clock timeout (the timeout itself is the caller's); a background job also runs niced."""
    memory = int(setting("RECORDING_FFMPEG_MEMORY_MB")) * 1024 * 1024
    cpu = max(1, int(2 * timeout + 1))
    nice = int(setting("RECORDING_JOB_NICE")) if background else 0

    def apply():
        import resource

        if memory > 0:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nice > 0:
            os.nice(nice)

    return apply


def run_ff(cmd, timeout, *, background=False):
    """Run ffprobe/ffmpeg with the limits; raises subprocess.TimeoutExpired like subprocess.run."""
    return subprocess.run(cmd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          preexec_fn=_limits(timeout, background))


def _last_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def probe(source: str, timeout=None) -> dict:
    """ffprobe summary of the source, or MediaRefused. Only allow-listed containers are detected; the
    limits on size are checked here, before anything is decoded."""
    cmd = [FFPROBE, "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           *_input(source, None)]
    try:
        proc = run_ff(cmd, timeout or setting("RECORDING_PROBE_TIMEOUT"))
    except subprocess.TimeoutExpired:
        raise not_media("分析超时") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace")
        if "moov atom not found" in err:
            raise truncated("缺少MP4索引（moov）")
        if "not on whitelist" in err:
            raise not_media("文件格式不在允许范围内：播放列表、引用其他文件或网址的格式不能作为证据")
        raise not_media(_last_line(proc.stderr).replace(os.path.abspath(source), "文件"))
    data = json.loads(proc.stdout or b"{}")
    fmt = data.get("format") or {}
    demuxer = ALLOWED_FORMATS.get(fmt.get("format_name") or "")
    if demuxer is None:
        raise not_media(f"文件格式（{fmt.get('format_name')}）不在允许范围内")
    _check_limits(data)
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
        "demuxer": demuxer,
        "format_long": fmt.get("format_long_name"),
        "duration": duration,
        "bit_rate": _int(fmt.get("bit_rate")),
        "creation_time": tags.get("creation_time"),
        "streams": streams,
        "kind": "video" if any(s["type"] == "video" for s in streams) else "audio",
    }


def _check_limits(data: dict):
    """Pixels, duration, frames, rates, channels, as the headers state them: refused before decoding."""
    fmt = data.get("format") or {}
    hours = setting("RECORDING_MAX_DURATION_HOURS")
    duration = _float(fmt.get("duration"))
    for s in data.get("streams") or []:
        d = _float(s.get("duration"))
        duration = max(duration or 0, d or 0) or duration
        if s.get("codec_type") == "video":
            w, h = _int(s.get("width")) or 0, _int(s.get("height")) or 0
            if w * h > setting("RECORDING_MAX_PIXELS"):
                raise media_too_large(f"画面{w}×{h}超过允许的{setting('RECORDING_MAX_PIXELS')}像素")
            fps = _rate(s.get("avg_frame_rate")) or _rate(s.get("r_frame_rate")) or 0
            if fps > setting("RECORDING_MAX_FPS") and not (s.get("disposition") or {}).get("attached_pic"):
                raise media_too_large(f"帧率{fps:.0f}超过允许的{setting('RECORDING_MAX_FPS')}")
            frames = _int(s.get("nb_frames")) or (int(fps * d) if d else 0)
            if frames > setting("RECORDING_MAX_FRAMES"):
                raise media_too_large(f"{frames}帧超过允许的{setting('RECORDING_MAX_FRAMES')}帧")
        elif s.get("codec_type") == "audio":
            if (_int(s.get("sample_rate")) or 0) > setting("RECORDING_MAX_SAMPLE_RATE"):
                raise media_too_large(f"采样率{s.get('sample_rate')}过高")
            if (_int(s.get("channels")) or 0) > setting("RECORDING_MAX_CHANNELS"):
                raise media_too_large(f"{s.get('channels')}个声道过多")
    if duration and duration > hours * 3600:
        raise media_too_large(f"时长{duration / 3600:.1f}小时超过允许的{hours}小时")


def check_complete(source: str, info: dict, *, size: int, decode_max_bytes: int, timeout=None) -> float:
    """Read every packet (decoding them when the file is small enough) and compare the duration found with
    the declared one. Returns the duration present; raises MediaRefused(truncated_media)."""
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-xerror", *_input(source, info.get("demuxer") or "mov"),
           "-map", "0:a?", "-map", "0:v?"]
    if size > decode_max_bytes:
        cmd += ["-c", "copy"]
    cmd += ["-f", "null", "-progress", "pipe:1", "-nostats", "-"]
    try:
        proc = run_ff(cmd, timeout or setting("RECORDING_CHECK_TIMEOUT"))
    except subprocess.TimeoutExpired:
        raise truncated("校验超时") from None
    if proc.returncode != 0:
        raise truncated(_last_line(proc.stderr).replace(os.path.abspath(source), "文件"))
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


def make_thumbnail(source: str, out_path: str, duration: float | None, *, demuxer: str, timeout=300):
    at = 1.0 if (duration or 0) > 2 else 0.0
    _run([FFMPEG, "-nostdin", "-v", "error", "-y", "-ss", f"{at}", *_input(source, demuxer), "-frames:v", "1",
          "-threads", str(setting("RECORDING_FFMPEG_THREADS")), "-vf", "scale=320:-2", "-q:v", "4", out_path],
         timeout)


def make_proxy(source: str, out_path: str, *, video: bool, demuxer: str, timeout=None):
    """A browser-playable copy: H.264 (360p) + AAC in MP4 with the index first, or AAC in M4A for audio."""
    cmd = [FFMPEG, "-nostdin", "-v", "error", "-y", *_input(source, demuxer)]
    if video:
        cmd += ["-map", "0:v:0", "-map", "0:a:0?", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28",
                "-vf", "scale=-2:'min(360,ih)'", "-pix_fmt", "yuv420p"]
    else:
        cmd += ["-map", "0:a:0", "-vn"]
    cmd += ["-threads", str(setting("RECORDING_FFMPEG_THREADS"))]
    cmd += ["-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-f", "mp4", out_path]
    _run(cmd, timeout if timeout is not None else setting("RECORDING_PROXY_TIMEOUT"))


def _run(cmd, timeout):
    """A background ffmpeg call (niced, limited); LimitExceeded when a limit stopped it."""
    if timeout <= 0:
        raise LimitExceeded("ffmpeg not started: the job's time budget is spent")
    try:
        proc = run_ff(cmd, timeout, background=True)
    except subprocess.TimeoutExpired:
        raise LimitExceeded(f"ffmpeg timed out after {timeout:.0f} s (the job's time budget)") from None
    if proc.returncode < 0:  # killed by a signal: the CPU limit (SIGXCPU/SIGKILL), or memory exhausted
        raise LimitExceeded(f"ffmpeg failed: killed by signal {-proc.returncode} (CPU or memory limit)")
    if proc.returncode != 0:
        last = _last_line(proc.stderr)
        if "Cannot allocate memory" in last or "out of memory" in last.lower():
            raise LimitExceeded(f"ffmpeg failed: {last} (memory limit)")
        raise RuntimeError(f"ffmpeg failed: {last}")


def _float(v):
    try:
        return float(v) if v not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None


def _rate(v):
    try:
        num, _, den = str(v or "").partition("/")
        return float(num) / float(den or 1) if float(den or 1) else None
    except ValueError:
        return None


def _int(v):
    try:
        return int(v) if v not in (None, "", "N/A") else None
    except (TypeError, ValueError):
        return None
