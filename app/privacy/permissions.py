"""Who may read the access log of personal data: the supervision office (司法局执法监督), which checks that
agencies handle personal information lawfully (PIPL Art 51, 54, 64), and a city-wide admin. An agency's head
sees the log of their own agency's staff (they answer for it); nobody else."""
from app.auth.models import Role
from app.auth.permissions import has_role
from app.auth.scope import reads_as_supervisor


def can_read_access_log(user) -> bool:
    return reads_as_supervisor(user) or (has_role(user, Role.head) and user.agency_id is not None)


def can_answer_person_request(user) -> bool:
    """The right-to-know report names every accessor across agencies: the supervision office answers it."""
    return reads_as_supervisor(user)
