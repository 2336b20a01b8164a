"""Personal data held in cases (个人信息保护法 Art 5, 6, 51; SPEC §8): parties' ID numbers, phones,
addresses and electronic-service addresses, and the non-parties written into step records (the person
questioned in an inquiry, a witness of a service by leaving).

Minimisation: every dump and page shows these masked (`party_value`, `step_extra`) unless the current
request disclosed them:
- `disclose_case(case, user)`: the roles the act at hand needs (the case's own officers, the agency head who
  approves, the reviewer who took the case's review: `is_entitled`) see the case unmasked; each view is
  logged ("view", purpose "handling") in the request's transaction;
- `reveal(case, user, kind, id, purpose, note)`: anyone else who may read the case (a colleague, a
  supervisor) asks explicitly, stating a purpose; logged as "reveal".
Refusals of a case are logged by `refuse_case` (own transaction). Higher features add entitlements with
`register_entitlement` (review: the case's reviewer). The access log, the purposes and the right-to-know
report live in `app.privacy`; this module registers the cases' resolver and retention rule there.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from flask import current_app, g, has_request_context
from sqlalchemy import or_, select

from app.auth.models import Role
from app.auth.permissions import can_act_in_agency
from app.extensions import db
from app.privacy import masking, services as privacy
from cases import permissions
from cases.models import Case, CaseParty, CaseStep

PARTY_FIELDS = ("id_number", "phone", "address", "e_service_address")
#: Keys of a step's `extra` that describe a natural person other than the party.
STEP_PERSON_KEYS = ("interviewee", "witness")

_entitlements: list[Callable] = []


def register_entitlement(fn: Callable) -> None:
    """Add `fn(user, case) -> bool`: the user needs the case's personal data for the act at hand."""
    if fn not in _entitlements:
        _entitlements.append(fn)


def is_entitled(user, case) -> bool:
    """The case's own officers, the agency's head (approves filing and decision), or an entitlement a
    higher feature registered (the reviewer of the case)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if permissions.is_case_officer(user, case) and can_act_in_agency(user, case.agency_id, Role.officer):
        return True
    if permissions.can_head_approve(user, case):
        return True
    return any(fn(user, case) for fn in _entitlements)


# --- what this request may show -------------------------------------------------------------------------

def _shown() -> set:
    if not has_request_context():
        return set()
    if "pi_shown" not in g:
        g.pi_shown = set()
    return g.pi_shown


def is_shown(kind: str, record_id) -> bool:
    return (kind, record_id) in _shown()


def party_value(party, field):
    value = getattr(party, field, None)
    if party.kind != "person" and field != "e_service_address":
        return value  # an organisation's address and phone are not personal data
    return value if is_shown("party", party.id) else masking.mask_field(field, value)


def party_has_personal_data(party) -> bool:
    return any(getattr(party, f, None) and party_value(party, f) != getattr(party, f) for f in PARTY_FIELDS)


def step_extra(step) -> dict:
    """The step's `extra`, with the interviewee's or witness's personal fields masked unless shown."""
    extra = dict(step.extra or {})
    if is_shown("step", step.id):
        return extra
    for key in STEP_PERSON_KEYS:
        if isinstance(extra.get(key), dict):
            extra[key] = masking.mask_person(extra[key])
    return extra


def draft_value(case):
    """The draft decision; ID and mobile numbers written into its text are masked unless disclosed."""
    draft = case.draft
    if not isinstance(draft, dict) or is_shown("case", case.id):
        return draft
    return {k: (masking.mask_text(v) if isinstance(v, str) else v) for k, v in draft.items()}


def _step_has_person(step) -> bool:
    extra = step.extra or {}
    return any(isinstance(extra.get(k), dict) and any(extra[k].get(f) for f in masking.PERSONAL_FIELDS)
               for k in STEP_PERSON_KEYS)


def _party_fields(party) -> list[str]:
    if party.kind == "person":
        return [f for f in PARTY_FIELDS if getattr(party, f, None)]
    return ["e_service_address"] if party.e_service_address else []


def _subjects(case, parties=None, steps=None):
    out = []
    for p in case.parties if parties is None else parties:
        fields = _party_fields(p)
        if fields:
            out.append(("party", p.id, case.id, fields))
    for s in case.steps if steps is None else steps:
        if _step_has_person(s):
            out.append(("step", s.id, case.id, [k for k in STEP_PERSON_KEYS if (s.extra or {}).get(k)]))
    return out


def disclose_case(case, user) -> bool:
    """Show the case's personal data unmasked to an entitled user for this request and log the view (the
    caller commits). Returns whether it was disclosed; for anyone else nothing changes (masked)."""
    if not is_entitled(user, case):
        return False
    subjects = _subjects(case)
    if subjects:
        privacy.record_access(user, "view", subjects, purpose="handling")
    _shown().update((kind, sid) for kind, sid, _, _ in subjects)
    _shown().add(("case", case.id))
    return True


def reveal(case, user, kind, record_id, purpose, note):
    """The explicit "show": one party or one step's person, unmasked for this request, with the stated
    purpose logged (PIPL Art 6, 55). The caller has already checked that the user may read the case."""
    from app.errors import NotFound

    purpose, note = privacy.check_purpose(purpose, note)
    if kind == "party":
        record = next((p for p in case.parties if p.id == record_id), None)
        subjects = _subjects(case, parties=[record], steps=[]) if record else []
    elif kind == "step":
        record = next((s for s in case.steps if s.id == record_id), None)
        subjects = _subjects(case, parties=[], steps=[record]) if record else []
    else:
        record = None
    if record is None:
        raise NotFound("当事人或执法环节记录不存在")
    privacy.record_access(user, "reveal", subjects or [(kind, record_id, case.id, [])], purpose=purpose, note=note)
    _shown().add((kind, record_id))
    return record


def log_export(case, user, *, what: str, purpose=None, note=""):
    """A file containing the case's unmasked personal data (a document PDF) left the system. Without a
    stated purpose it is "handling" for the entitled roles, "supervision" for a supervisor, else "other"."""
    from app.auth.scope import reads_as_supervisor

    if purpose is None:
        purpose = ("handling" if is_entitled(user, case) else
                   "supervision" if reads_as_supervisor(user) else "other")
    subjects = [(k, i, c, f) for k, i, c, f in _subjects(case, steps=[]) if k == "party"]
    if subjects:
        privacy.record_access(user, "export", subjects, purpose=purpose, note=note or what)


def refuse_case(user, case_id, reason="") -> None:
    privacy.record_refusal(user, "case", case_id, case_id=case_id, reason=reason)


# --- right to know and retention (registered with app.privacy) ------------------------------------------

def subjects_of(id_number, name):
    """Parties with this ID number (or, without one, this name), and steps whose interviewee or witness
    carries it: the records the right-to-know report covers."""
    out = []
    if id_number:
        rows = db.session.execute(select(CaseParty.id, CaseParty.case_id).where(CaseParty.id_number == id_number))
    elif name:
        rows = db.session.execute(select(CaseParty.id, CaseParty.case_id).where(CaseParty.name == name))
    else:
        return out
    out.extend(("party", pid, cid) for pid, cid in rows)
    needle = id_number or name
    for step in db.session.scalars(select(CaseStep).where(CaseStep.extra.is_not(None))):
        extra = step.extra or {}
        for key in STEP_PERSON_KEYS:
            person = extra.get(key)
            if isinstance(person, dict) and needle in (person.get("id_number"), person.get("name")):
                out.append(("step", step.id, step.case_id))
                break
    return out


def _ended_on(case) -> date | None:
    return case.archived_on or case.closed_on


def purge_non_parties(today: date, dry_run: bool) -> list[tuple]:
    """Anonymise the ID number, phone and address of non-parties (interviewees other than the party,
    witnesses) in the steps of cases closed more than PERSONAL_DATA_NON_PARTY_RETENTION_DAYS ago. The name
    and the record itself stay (the step is evidence); issued PDFs are write-once evidence and keep theirs
    under the archive's own retention."""
    days = int(current_app.config.get("PERSONAL_DATA_NON_PARTY_RETENTION_DAYS", 5 * 366))
    cutoff = today - timedelta(days=days)
    ended = or_(Case.archived_on <= cutoff, (Case.archived_on.is_(None) & (Case.closed_on <= cutoff)))
    done = []
    steps = db.session.scalars(select(CaseStep).join(Case, CaseStep.case_id == Case.id).where(ended))
    for step in steps:
        party_ids = {p.id_number for p in step.case.parties if p.id_number}
        party_names = {p.name for p in step.case.parties}
        extra = dict(step.extra or {})
        changed = False
        for key in STEP_PERSON_KEYS:
            person = extra.get(key)
            if not isinstance(person, dict):
                continue
            if person.get("id_number") in party_ids or (person.get("name") in party_names
                                                         and not person.get("id_number")):
                continue  # the party, not a third person: kept with the case file
            if any(person.get(f) for f in masking.PERSONAL_FIELDS):
                extra[key] = {k: (None if k in masking.PERSONAL_FIELDS else v) for k, v in person.items()}
                extra[key]["anonymised_on"] = today.isoformat()
                changed = True
        if changed:
            done.append(("step", step.id, step.case_id))
            if not dry_run:
                step.extra = extra
    if not dry_run:
        db.session.flush()
    return done


def init_app(app):
    for name, value in privacy.DEFAULTS.items():
        app.config.setdefault(name, value)
    privacy.register_subject_resolver(subjects_of)
    privacy.register_retention("cases.non_parties", purge_non_parties)
    app.jinja_env.globals.update(pi_party=party_value, pi_step_extra=step_extra, pi_shown=is_shown,
                                 pi_purposes=privacy.REVEAL_PURPOSES)
