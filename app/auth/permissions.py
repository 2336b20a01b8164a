"""The one permissions module: roles and the predicates every feature builds its `can_*` on.

Predicates are pure (user in, bool out) so that templates can use them to show buttons and services can
use them to refuse; a hidden button and a refused request never disagree. Decorators wrap views and API
handlers; they raise DomainErrors that the error handler renders as a page or JSON.
"""
from functools import wraps

from flask_login import current_user

from app.auth.models import CITYWIDE_ROLES, Role
from app.errors import AuthenticationRequired, PermissionDenied

__all__ = [
    "Role", "has_role", "is_citywide", "can_see_agency", "can_act_in_agency", "can_manage_accounts",
    "require_login", "require_roles", "ensure", "actor",
]


def _authenticated(user):
    return user is not None and getattr(user, "is_authenticated", False)


def has_role(user, *roles) -> bool:
    return _authenticated(user) and user.has_role(*roles)


def is_citywide(user) -> bool:
    """Supervisors and admins without an agency see the whole city."""
    return _authenticated(user) and user.agency_id is None and bool(user.roles & CITYWIDE_ROLES)


def can_see_agency(user, agency_id) -> bool:
    """Least privilege (SPEC §1): staff see their own agency; supervisors see all (or, once a supervision
    hierarchy is installed, the agencies under their office), read-only. See `app.auth.scope`."""
    from app.auth.scope import ALL, readable_agency_ids

    if not _authenticated(user):
        return False
    ids = readable_agency_ids(user)
    return ids is ALL or agency_id in ids


def can_act_in_agency(user, agency_id, *roles) -> bool:
    """Write access: a holder of one of `roles` in that very agency. Supervisors are read-only."""
    return _authenticated(user) and user.agency_id == agency_id and has_role(user, *roles)


def can_manage_accounts(user) -> bool:
    return has_role(user, Role.admin)


def actor():
    """The current user, or None for anonymous requests (CLI passes its actor explicitly)."""
    return current_user if _authenticated(current_user) else None


def ensure(condition: bool, message: str = None):
    """Raise PermissionDenied unless condition holds: the services' one-line guard."""
    if not condition:
        raise PermissionDenied(message) if message else PermissionDenied()


def require_login(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not _authenticated(current_user):
            raise AuthenticationRequired()
        return view(*args, **kwargs)

    return wrapper


def require_roles(*roles):
    """Allow the view only to users holding at least one of `roles`."""
    roles = tuple(Role(r) for r in roles)
    labels = "、".join(r.label for r in roles)

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not _authenticated(current_user):
                raise AuthenticationRequired()
            if not current_user.has_role(*roles):
                raise PermissionDenied(f"此操作仅限{labels}")
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorator
