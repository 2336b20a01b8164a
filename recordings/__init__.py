"""Recordings (音像记录, SPEC §4 执法全过程记录制度): audio/video evidence from the field into write-once
storage, bound to the case step it documents, playable, and provably unchanged.

What this feature owns:
- ingest: a resumable upload (tus 1.0.0: core + creation, checksum, termination, expiration) at
  /api/recordings/uploads, used by the browser page and by field devices, and a single-request upload
  (POST /api/recordings, raw body ≤ MAX_CONTENT_LENGTH). Bytes stream to the object store, which hashes them;
  they are never held whole in memory. A resumable upload keeps each received chunk as a staged part in the
  store itself (see `recordings.uploads`);
- validation (`recordings.media`): ffprobe and a packet/decode check on a local file (the filesystem blob,
  or a private temporary copy of an S3 object: ffmpeg never reads a URL), allow-listed containers only,
  size limits before decoding, kernel limits on the ffmpeg process; empty,
  non-media and truncated files are refused (422: empty_file, not_media, truncated_media, sha256_mismatch)
  and removed — nothing is registered;
- registration (`recordings.services`): metadata (device, officers' certificate numbers, times, location,
  interruptions, late-upload reason), one ledger entry in the same transaction, retention and legal hold;
- derivatives (`recordings.jobs`): thumbnail and H.264 proxy with faststart made in the background from a
  job queue in the database (RECORDING_JOBS: thread | worker | off);
- custody (every view, playback, download, export logged with user, time, purpose — also in the ledger),
  export approval by the agency head, the custody report PDF and the proof bundle;
- the audio/video gate: `cases.guards.HOOKS["recording"]`;
- `flask recordings scan|work|holds|sweep-uploads|import`, and demo recordings made with ffmpeg.

- upload quotas per user and the sweep of expired uploads' staged parts (`recordings.uploads`, SEC-15).

Settings (SPEC *(default)* values): RECORDING_UPLOAD_HOURS 24, RECORDING_RETENTION_DAYS 183.
"""


def init_app(app):
    from cases import guards
    from recordings import api, cli, demo, jobs, models, services, views  # noqa: F401

    import os

    def setting(name, default):
        value = os.environ.get(name)
        if value not in (None, ""):
            value = type(default)(value)
        app.config.setdefault(name, default if value in (None, "") else value)

    setting("RECORDING_UPLOAD_HOURS", 24)  # SPEC §4.2: upload within 24 h (default)
    setting("RECORDING_RETENTION_DAYS", 183)  # SPEC §4.3: at least 6 months (default)
    setting("CASE_FILE_RETENTION_YEARS", 30)  # archive period after the holds end (国家档案局令第8号, default)
    setting("RECORDING_MAX_BYTES", 64 * 1024 ** 3)
    setting("RECORDING_UPLOAD_EXPIRY_HOURS", 72)  # unfinished resumable uploads are kept this long
    # SEC-15: per-user quotas on resumable uploads in progress, and how long rows of dead ones are kept
    setting("RECORDING_UPLOAD_MAX_OPEN", 10)
    setting("RECORDING_UPLOAD_QUOTA_BYTES", 128 * 1024 ** 3)
    setting("RECORDING_UPLOAD_KEEP_DAYS", 30)
    setting("RECORDING_UPLOAD_SWEEP_MINUTES", 60)  # the job worker sweeps expired uploads this often
    setting("RECORDING_DECODE_MAX_MB", 256)  # full decode check up to this size, packet check above
    setting("RECORDING_JOBS", "thread")  # thread | worker | off
    setting("RECORDING_JOB_THREADS", 1)
    setting("RECORDING_JOB_LEASE_MINUTES", 60)
    setting("RECORDING_PLAYBACK_GROUP_SECONDS", 600)  # range requests of one playback share a custody entry
    from recordings.media import DEFAULTS

    for name, default in DEFAULTS.items():  # size limits, ffmpeg memory and timeouts (recordings.media)
        setting(name, default)

    guards.HOOKS["recording"] = services.step_has_recording
    app.register_blueprint(views.bp)
    from app.extensions import api as rest_api

    rest_api.register_blueprint(api.bp)
    app.cli.add_command(cli.recordings_cli)
    jobs.install(app)

    from app.web.views import add_home_panel

    add_home_panel(app, views.pending_exports_panel)
    from cases.views import add_case_panel, add_step_link

    add_step_link(app, views.step_links)
    from cases import services as case_services

    from cases import remedy_periods
    from recordings import retention

    if retention.after_case_action not in case_services.AFTER_ACTION_HOOKS:
        case_services.AFTER_ACTION_HOOKS.append(retention.after_case_action)
    remedy_periods.on_remedy_changed(retention.after_remedy_change)
    add_case_panel(app, views.case_panel)
