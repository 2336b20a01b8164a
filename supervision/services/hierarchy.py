"""The supervision hierarchy (SPEC §14: province → city → county 司法局; each sees its own agencies and
those of the levels below). Writes offices, the agencies each supervises and the supervisors in each;
answers `scope(user)`, the provider registered with `app.auth.scope`.
"""
from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Agency, Role, User
from app.auth.permissions import ensure
from app.errors import Conflict, InvalidInput, NotFound
from app.extensions import db
from supervision.models.hierarchy import LEVEL_LABELS, OfficeAgency, OfficeLevel, OfficeMember, SupervisionOffice
from supervision.services.common import actor_name, invalid, ledger, text

#: The level an office's parent must have.
PARENT_LEVEL = {OfficeLevel.city: OfficeLevel.province, OfficeLevel.county: OfficeLevel.city}


def _guard(actor):
    from supervision.permissions import can_manage_offices

    if actor is not None:
        ensure(can_manage_offices(actor), "设置执法监督机构仅限系统管理员和省级（或全市）执法监督人员")


def get_office(office_id) -> SupervisionOffice:
    office = db.session.get(SupervisionOffice, office_id)
    if office is None:
        raise NotFound("未找到该执法监督机构")
    return office


def create_office(*, name, level, region_code, parent=None, actor=None) -> SupervisionOffice:
    _guard(actor)
    name = text(name, "name", "机构名称", max_len=120)
    try:
        level = OfficeLevel(level)
    except ValueError:
        raise invalid("level", "层级应为省级、市级或县级") from None
    region_code = text(region_code, "region_code", "行政区划代码", max_len=6)
    if not (len(region_code) == 6 and region_code.isdigit()):
        raise invalid("region_code", "行政区划代码应为6位数字")
    if level is OfficeLevel.province:
        if parent is not None:
            raise invalid("parent_id", "省级执法监督机构没有上级机构")
    else:
        want = PARENT_LEVEL[level]
        if parent is None or parent.level != want.value:
            raise invalid("parent_id", f"{level.label}执法监督机构的上级应为{want.label}机构（《吉林省行政执法监督条例》层级监督）")
        if not region_code.startswith(parent.region_code[: 2 if want is OfficeLevel.province else 4]):
            raise invalid("region_code", f"行政区划{region_code}不在上级机构{parent.name}的辖区内")
    if db.session.scalar(select(SupervisionOffice.id).where(SupervisionOffice.name == name)):
        raise Conflict(f"执法监督机构“{name}”已存在")
    office = SupervisionOffice(name=name, level=level.value, region_code=region_code,
                               parent_id=parent.id if parent is not None else None)
    db.session.add(office)
    db.session.flush()
    ledger("supervision.office_created", f"office:{office.id}", {
        "name": name, "level": level.value, "region_code": region_code, "parent_id": office.parent_id,
        "actor": actor_name(actor)})
    return office


def assign_agency(office, agency, *, actor=None) -> OfficeAgency:
    """Place an agency under an office's direct supervision (moving it if it was elsewhere)."""
    _guard(actor)
    row = db.session.get(OfficeAgency, agency.id)
    if row is None:
        row = OfficeAgency(agency_id=agency.id, office_id=office.id)
        db.session.add(row)
    else:
        row.office_id = office.id
    db.session.flush()
    ledger("supervision.agency_assigned", f"office:{office.id}", {
        "agency_id": agency.id, "agency": agency.name, "actor": actor_name(actor)})
    return row


def add_member(office, user, *, actor=None) -> OfficeMember:
    _guard(actor)
    if Role.supervisor not in user.roles:
        raise InvalidInput(f"用户“{user.full_name}”不是执法监督人员，不能加入执法监督机构")
    row = db.session.get(OfficeMember, user.id)
    if row is None:
        row = OfficeMember(user_id=user.id, office_id=office.id)
        db.session.add(row)
    else:
        row.office_id = office.id
    db.session.flush()
    ledger("supervision.member_added", f"office:{office.id}", {"user": user.username, "actor": actor_name(actor)})
    return row


# --- reads -------------------------------------------------------------------------------------------------

def offices() -> list[SupervisionOffice]:
    rows = list(db.session.scalars(select(SupervisionOffice)))
    return sorted(rows, key=lambda o: (o.region_code, OfficeLevel(o.level).rank, o.name))


def children_map() -> dict[int | None, list[int]]:
    kids: dict[int | None, list[int]] = {}
    for oid, parent in db.session.execute(select(SupervisionOffice.id, SupervisionOffice.parent_id)):
        kids.setdefault(parent, []).append(oid)
    return kids


def subtree_ids(office_id: int) -> set[int]:
    """The office and every office below it."""
    kids = children_map()
    found, todo = set(), [office_id]
    while todo:
        oid = todo.pop()
        if oid in found:
            continue
        found.add(oid)
        todo.extend(kids.get(oid, ()))
    return found


def office_of_user(user) -> SupervisionOffice | None:
    if user is None or not getattr(user, "id", None):
        return None
    row = db.session.get(OfficeMember, user.id)
    return row.office if row is not None else None


def office_of_agency(agency_id: int) -> SupervisionOffice | None:
    row = db.session.get(OfficeAgency, agency_id)
    return row.office if row is not None else None


def agencies_of_offices(office_ids) -> frozenset[int]:
    if not office_ids:
        return frozenset()
    return frozenset(db.session.scalars(select(OfficeAgency.agency_id)
                                        .where(OfficeAgency.office_id.in_(sorted(office_ids)))))


def scope(user) -> frozenset[int] | None:
    """Provider for `app.auth.scope`: a supervisor placed in an office sees the agencies of that office and of
    every office below it; one placed nowhere (a provincial/city-wide account of the first install) sees all."""
    from flask import g, has_request_context

    if has_request_context():  # lists ask once per row: answer once per request
        cache = g.setdefault("_supervision_scope", {})
        if user.id not in cache:
            cache[user.id] = _scope(user)
        return cache[user.id]
    return _scope(user)


def _scope(user):
    office = office_of_user(user)
    if office is None:
        return None
    return agencies_of_offices(subtree_ids(office.id))


def visible_offices(user) -> list[SupervisionOffice]:
    office = office_of_user(user)
    rows = offices()
    if office is None:
        return rows
    allowed = subtree_ids(office.id)
    return [o for o in rows if o.id in allowed]


def escalation_office(office: SupervisionOffice | None) -> SupervisionOffice | None:
    """The level above (overdue rectifications escalate there)."""
    return office.parent if office is not None else None


def members_of(office_id) -> list[User]:
    return list(db.session.scalars(select(User).join(OfficeMember, OfficeMember.user_id == User.id)
                                   .where(OfficeMember.office_id == office_id).order_by(User.id)))


def agencies_of(office_id) -> list[Agency]:
    return list(db.session.scalars(select(Agency).join(OfficeAgency, OfficeAgency.agency_id == Agency.id)
                                   .where(OfficeAgency.office_id == office_id).order_by(Agency.id)))


def level_label(level) -> str:
    return LEVEL_LABELS[OfficeLevel(level)]
