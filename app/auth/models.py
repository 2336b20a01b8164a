"""Agencies (执法主体), user accounts, roles, API tokens and login attempts."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow




class Role(str, enum.Enum):
    officer = "officer"  #: 执法人员: files cases, records steps, uploads recordings
    reviewer = "reviewer"  #: 法制审核人员: reviews major decisions
    head = "head"  #: 机关负责人: approves filing, extensions, decisions
    supervisor = "supervisor"  #: 执法监督 (司法局): manages officers and certificates, reads everything
    admin = "admin"  #: 系统管理员: accounts and agencies

    @property
    def label(self):
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.officer: "执法人员",
    Role.reviewer: "法制审核人员",
    Role.head: "机关负责人",
    Role.supervisor: "执法监督人员",
    Role.admin: "系统管理员",
}

#: Roles whose holders may be city-wide (bound to no agency).
CITYWIDE_ROLES = frozenset({Role.supervisor, Role.admin})


class Agency(db.Model):
    """执法主体: an administrative enforcement agency."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    short_name: Mapped[str] = mapped_column(sa.String(40))
    #: Prefix of document numbers, e.g. 临城管 in 临城管罚〔2026〕12号.
    doc_prefix: Mapped[str] = mapped_column(sa.String(20))
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True)
    region_code: Mapped[str] = mapped_column(sa.String(6))
    #: Enforcement categories (执法类别), e.g. ["城市管理"].
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    legal_basis: Mapped[str] = mapped_column(sa.Text, default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: 主管部门 / 上级部门, e.g. 临江市人民政府 (SPEC §2).
    parent_department: Mapped[str] = mapped_column(sa.String(120), default="")
    #: 事前公开: the day its information was last published (G118; SPEC §3); None = never.
    published_on: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    closures: Mapped[list[AgencyClosure]] = relationship(back_populates="agency",
                                                         order_by="AgencyClosure.day")

    def __repr__(self):
        return f"<Agency {self.short_name}>"


class AgencyClosure(db.Model):
    """A local closure day of an agency that is not a working day (SPEC §9)."""

    __tablename__ = "agency_closures"
    __table_args__ = (sa.UniqueConstraint("agency_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(200))

    agency: Mapped[Agency] = relationship(back_populates="closures")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(64))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(sa.Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    agency: Mapped[Agency | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                     lazy="selectin")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    @property
    def is_active(self):  # Flask-Login: a disabled account cannot log in or use tokens
        return self.is_enabled

    def has_role(self, *roles) -> bool:
        mine = self.roles
        return any(Role(r) in mine for r in roles)

    def __repr__(self):
        return f"<User {self.username}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class ApiToken(db.Model):
    """A bearer token for the JSON API (field devices). Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: First characters of the token, shown so that a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Every login attempt, kept for throttling and for the audit trail."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), index=True)
    ip: Mapped[str] = mapped_column(sa.String(45), index=True)
    succeeded: Mapped[bool] = mapped_column(sa.Boolean)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
    #: ok | bad_password | unknown_user | disabled | throttled (refused before the password was checked).
    #: Only bad_password counts towards a lock: refused attempts are kept for the audit trail.
    outcome: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")


class UserSession(db.Model):
    """A logged-in browser session, server side: the cookie carries only `sid`; logging out, a password
    change or an administrator deletes the row and the cookie is worth nothing (SEC-14)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random session id held in the signed cookie.
    sid_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True))
    ip: Mapped[str] = mapped_column(sa.String(45), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")
