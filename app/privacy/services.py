"""Personal information on the staff side (个人信息保护法 PIPL Art 5, 6, 51, 55; GB/T 35273): the purposes a
user may state to see unmasked data, the access log written for every such view, export and refusal, the
party's right to know who accessed their data (PIPL Art 44-45), and the retention of non-parties' data.

This module knows no feature. Features plug in:
- `register_subject_resolver(fn)`: fn(id_number, name) -> [(subject_kind, subject_id, case_id)], the
  records that hold a person's data (cases: parties and step interviewees/witnesses; supervision:
  complainants), so that the right-to-know report can find them;
- `register_retention(name, fn)`: fn(today, dry_run) -> [(subject_kind, subject_id, case_id)], a purge of
  personal data whose retention has ended (cases: non-parties in step records once the case file no
  longer needs them; supervision: complainants of closed complaints).

Views and exports are logged in the caller's transaction (the view and its trace commit together);
refusals are written in their own transaction, since the refused request rolls back.
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from flask import has_request_context, request
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from app.extensions import db
from app.privacy.models import AccessAction, PersonalDataAccess

#: Why a user asks to see unmasked personal data (PIPL Art 6: a specific, stated purpose).
PURPOSES = {
    "handling": "承办、审批或审核本案（履职所需）",
    "service": "送达文书或联系当事人",
    "execution": "执行（催缴、强制执行）",
    "supervision": "执法监督检查",
    "evaluation": "案卷评查",
    "complaint": "处理投诉举报",
    "remedy": "行政复议、行政诉讼答复",
    "party_request": "答复当事人的个人信息查阅请求",
    "other": "其他（须在说明中写明）",
}

#: Purposes a user may choose for an explicit "show"; "handling" is implied by the role, never chosen.
REVEAL_PURPOSES = {k: v for k, v in PURPOSES.items() if k != "handling"}

DEFAULTS = {
    # Non-parties' personal data (interviewees, witnesses, complainants) is kept while the case file
    # may still be challenged: ALL Art 46 allows a suit up to 5 years after the act. Counted from the
    # case's closing (or archiving). SPEC is silent: a setting with this default.
    "PERSONAL_DATA_NON_PARTY_RETENTION_DAYS": 5 * 366,
    # Shortest stated purpose (characters) for an explicit show.
    "PERSONAL_DATA_PURPOSE_NOTE_MIN": 4,
}

_resolvers: list[Callable] = []
_retention: dict[str, Callable] = {}


def register_subject_resolver(fn: Callable) -> None:
    if fn not in _resolvers:
        _resolvers.append(fn)


def register_retention(name: str, fn: Callable) -> None:
    _retention[name] = fn


def check_purpose(purpose: str | None, note: str | None) -> tuple[str, str]:
    """A purpose from REVEAL_PURPOSES and a written note, or a 422 naming what is missing."""
    from flask import current_app

    purpose = (purpose or "").strip()
    note = (note or "").strip()
    fields = {}
    if purpose not in REVEAL_PURPOSES:
        fields["purpose"] = ["请选择查看完整个人信息的目的（《个人信息保护法》第六条：处理个人信息应当具有明确、合理的目的）"]
    minimum = int(current_app.config.get("PERSONAL_DATA_PURPOSE_NOTE_MIN", 4))
    if len(note) < minimum:
        fields["note"] = [f"请说明具体用途（至少{minimum}个字），该说明记入个人信息访问记录（《个人信息保护法》第五十五条）"]
    elif len(note) > 500:
        fields["note"] = ["说明不得超过500字"]
    if fields:
        raise InvalidInput("查看完整个人信息须说明目的", code="purpose_required", details={"fields": fields})
    return purpose, note


def _who(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None, "", None
    return user.id, user.username, user.agency_id


def _where():
    if not has_request_context():
        return "cli", "", ""
    channel = "api" if request.path.startswith("/api/") else "web"
    ip = (request.remote_addr or "")[:45]
    return channel, request.full_path.rstrip("?")[:300], ip


def _row(user, action, subject_kind, subject_id, case_id, fields, purpose, note, channel=None):
    user_id, username, agency_id = _who(user)
    where_channel, path, ip = _where()
    return PersonalDataAccess(user_id=user_id, username=username, agency_id=agency_id,
                              action=AccessAction(action).value, subject_kind=subject_kind,
                              subject_id=subject_id, case_id=case_id, fields=list(fields or []),
                              purpose=purpose or "", purpose_note=note or "", channel=channel or where_channel,
                              path=path, ip=ip)


def record_access(user, action, subjects, *, purpose="handling", note="", channel=None) -> list[PersonalDataAccess]:
    """Log a view, reveal, export or purge of `subjects` [(kind, id, case_id, fields)] in the current
    transaction (the caller commits it with what it shows)."""
    rows = [_row(user, action, kind, sid, case_id, fields, purpose, note, channel)
            for kind, sid, case_id, fields in subjects]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def record_refusal(user, subject_kind, subject_id, *, case_id=None, reason="") -> None:
    """Log a refused access in its own transaction: the refused request itself is rolled back."""
    row = _row(user, AccessAction.refused, subject_kind, subject_id, case_id, [], "", reason)
    with Session(bind=db.engine) as session:
        session.add(row)
        session.commit()


# --- the party's right to know -------------------------------------------------------------------------

def subjects_of_person(id_number: str | None = None, name: str | None = None) -> list[tuple]:
    """Every record that holds the person's data, found by the features' resolvers."""
    found = []
    for fn in _resolvers:
        found.extend(fn((id_number or "").strip().upper() or None, (name or "").strip() or None))
    return found


def accesses_of_person(id_number: str | None = None, name: str | None = None) -> tuple[list, list]:
    """(subjects, log rows): who saw, revealed, exported or was refused the person's data, oldest first.
    Refused reads of a case that holds the person's data count: they were attempts at it."""
    subjects = subjects_of_person(id_number, name)
    if not subjects:
        return [], []
    clauses = [((PersonalDataAccess.subject_kind == kind) & (PersonalDataAccess.subject_id == sid))
               for kind, sid, _ in subjects]
    case_ids = sorted({case_id for _, _, case_id in subjects if case_id is not None})
    if case_ids:
        clauses.append((PersonalDataAccess.subject_kind == "case") & PersonalDataAccess.case_id.in_(case_ids))
    rows = list(db.session.scalars(select(PersonalDataAccess).where(or_(*clauses))
                                   .order_by(PersonalDataAccess.at, PersonalDataAccess.id)))
    return subjects, rows


# --- retention ------------------------------------------------------------------------------------------

def purge_expired(*, today: date | None = None, dry_run: bool = False, actor=None) -> dict[str, list]:
    """Anonymise every registered kind of personal data whose retention has ended; each anonymised record
    gets a "purge" row in the access log. Returns {retention name: [(kind, id, case_id), ...]}."""
    from app.timeutil import today_china

    today = today or today_china()
    done = {}
    for name, fn in sorted(_retention.items()):
        subjects = fn(today, dry_run)
        done[name] = subjects
        if not dry_run and subjects:
            record_access(actor, AccessAction.purge, [(k, i, c, []) for k, i, c in subjects],
                          purpose="", note=f"保存期限届满，匿名化处理（{name}）", channel="cli"
                          if not has_request_context() else None)
    return done


def answer_person_request(user, id_number, name, note) -> dict:
    """The report for a person's request, with the query itself logged (purpose "party_request")."""
    subjects, rows = accesses_of_person(id_number, name)
    if subjects:
        record_access(user, AccessAction.reveal, [(k, i, c, ["access_log"]) for k, i, c in subjects],
                      purpose="party_request", note=note)
    return {"subjects": [{"kind": k, "id": i, "case_id": c} for k, i, c in subjects], "accesses": rows}
