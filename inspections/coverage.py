"""Audio/video enforced, not just linked (SPEC §4.2; G118): for steps that must be recorded continuously
(查封、扣押, 强制拆除, 先行登记保存 taken as a coercive measure) the linked recordings must cover the step from its
start to its end. Coverage is computed from each recording's recorded start time and its duration as
measured by ffprobe (never from a claimed end time); gaps are allowed only where a recording notes an
interruption with its reason. 留置送达 needs a witness or a covering recording (SPEC §11).

`coverage_problems(step, recordings)` is pure; `recording_hook` is installed in `cases.guards.HOOKS` and
delegates every other step to the recordings feature's own hook.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from app.timeutil import aware, local

RULE = "国办发〔2018〕118号：查封扣押、强制拆除等直接涉及人身自由、生命健康、重大财产权益的现场执法活动应当全程音像记录"
#: Step kinds that must be recorded continuously.
CONTINUOUS = frozenset({"seizure", "forced_demolition"})


def _fmt(dt: datetime) -> str:
    return local(dt).strftime("%H:%M:%S")


def _span(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds >= 60:
        return f"{seconds // 60}分{seconds % 60}秒" if seconds % 60 else f"{seconds // 60}分钟"
    return f"{seconds}秒"


def _parse(value):
    if isinstance(value, datetime):
        return aware(value)
    try:
        return aware(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except (TypeError, ValueError):
        return None


def covered_intervals(recordings) -> tuple[list, list]:
    """([(start, end)] from start time + ffprobe duration, [(from, to, reason)] noted interruptions)."""
    spans, breaks = [], []
    for rec in recordings:
        duration = rec.duration_seconds or 0.0
        start = aware(rec.started_at)
        if start is not None and duration > 0:
            spans.append((start, start + timedelta(seconds=duration)))
        for item in rec.interruptions or []:
            a, b = _parse(item.get("from")), _parse(item.get("to"))
            if a and b and b > a and (item.get("reason") or "").strip():
                breaks.append((a, b, item["reason"].strip()))
    return spans, breaks


def uncovered(start: datetime, end: datetime, intervals) -> list:
    """The parts of [start, end] that no interval covers, in order."""
    gaps, cursor = [], start
    for a, b in sorted(intervals):
        if b <= cursor:
            continue
        if a > cursor:
            gaps.append((cursor, min(a, end)))
        cursor = max(cursor, b)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [(a, b) for a, b in gaps if b > a]


def coverage_problems(step, recordings, *, tolerance_seconds: float | None = None) -> list[str]:
    """Why the recordings do not cover the step (empty: they do)."""
    if tolerance_seconds is None:
        tolerance_seconds = current_app.config.get("AV_COVERAGE_TOLERANCE_SECONDS", 30)
    label = step.label
    start, end = aware(step.started_at), aware(step.ended_at)
    if end is None:
        return [f"“{label}”须全程音像记录：请先记录该环节的结束时间，以核对音像记录是否覆盖全程（{RULE}）"]
    if not recordings:
        return [f"“{label}”（{_fmt(start)}—{_fmt(end)}）须全程音像记录，尚未关联音像记录（{RULE}）"]
    spans, breaks = covered_intervals(recordings)
    gaps = uncovered(start, end, spans + [(a, b) for a, b, _ in breaks])
    tolerance = timedelta(seconds=tolerance_seconds)
    gaps = [(a, b) for a, b in gaps if b - a > tolerance]
    if not gaps:
        return []
    recorded = sum((min(b, end) - max(a, start)).total_seconds() for a, b in spans if b > start and a < end)
    needed = (end - start).total_seconds()
    listed = "、".join(f"{_fmt(a)}—{_fmt(b)}" for a, b in gaps[:5])
    return [f"“{label}”自{_fmt(start)}至{_fmt(end)}共{_span(needed)}，已关联的音像记录只覆盖{_span(max(recorded, 0))}，"
            f"未覆盖的时段：{listed}（录像中断须在音像记录中注明起止时间和原因）（{RULE}）"]


def leaving_service_problems(step, recordings) -> list[str]:
    """留置送达: a witness named on the record, or a recording covering the service (SPEC §11; 民事诉讼法第八十九条)."""
    witness = ((step.extra or {}).get("witness") or "").strip()
    if witness:
        return []
    if recordings and not coverage_problems(step, recordings):
        return []
    return ["留置送达须邀请有关基层组织或者所在单位的代表到场见证并在送达回证上记明，或者采用拍照、录像等方式记录送达过程"
            "（民事诉讼法第八十九条；SPEC §11）：请填写见证人，或关联覆盖送达全程的音像记录"]


def step_problems(step) -> list[str] | None:
    """The coverage rule for `step`, or None where it does not apply (the ordinary gate decides)."""
    from recordings.services import recordings_of_step

    if step.kind in CONTINUOUS:
        return coverage_problems(step, recordings_of_step(step))
    if step.kind == "service" and (step.extra or {}).get("method") == "leaving":
        return leaving_service_problems(step, recordings_of_step(step))
    return None


def install(guards):
    """Wrap the recordings feature's gate hook (installed before us): continuous steps need coverage."""
    previous = guards.HOOKS.get("recording")
    if getattr(previous, "_coverage", False):
        return

    def recording_hook(step):
        problems = step_problems(step)
        if problems is None:
            return previous(step) if previous is not None else False
        return problems or True

    recording_hook._coverage = True
    guards.HOOKS["recording"] = recording_hook
