"""Records other than cases that recordings may belong to (SPEC §4.2: "case or task"). A feature above
recordings registers a resolver for its kind — `inspections` registers "inspection" — so that recordings
never import it. A subject key is "<kind>:<id>", e.g. "inspection:12".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from app.errors import InvalidInput, NotFound


@dataclass
class Subject:
    key: str  #: "inspection:12"
    agency_id: int
    label: str  #: "行政检查第12号"
    url: str | None
    can_view: Callable  #: (user) -> bool
    can_upload: Callable  #: (user) -> bool
    #: the officers present, as a recording lists them: [{"name", "certificate_number"}]
    officers: list = field(default_factory=list)


RESOLVERS: dict[str, Callable[[int], Subject | None]] = {}


def register(kind: str, resolver: Callable[[int], Subject | None]):
    RESOLVERS[kind] = resolver


def resolve(key) -> Subject:
    """The subject named by `key`; InvalidInput for a malformed key, NotFound for an unknown record."""
    kind, _, raw = str(key or "").partition(":")
    if kind not in RESOLVERS or not raw.isdigit():
        raise InvalidInput("音像记录所属的记录无效（应为案件或“inspection:编号”）",
                           details={"fields": {"subject": ["所属记录无效"]}})
    subject = RESOLVERS[kind](int(raw))
    if subject is None:
        raise NotFound("音像记录所属的记录不存在")
    return subject
