"""Who manages agencies and entrusted organisations: supervisors (司法局执法监督, SPEC §1: "manages agencies")
and system administrators. Everyone logged in reads them; the public reads the published ones."""
from app.auth.models import Role
from app.auth.permissions import has_role


def can_manage_agencies(user) -> bool:
    return has_role(user, Role.supervisor, Role.admin)


def can_view_agencies(user) -> bool:
    return getattr(user, "is_authenticated", False)
