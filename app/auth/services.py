"""Accounts: the only code that creates users, checks passwords and issues API tokens.

Every account event that matters for accountability (an account created, its roles changed, a token
issued or revoked) is entered in the ledger in the same transaction. Passwords never are.
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import (CITYWIDE_ROLES, Agency, AgencyClosure, ApiToken, LoginAttempt, Role, User,
                             UserRole, UserSession)
from app.errors import Conflict, DomainError, InvalidInput, NotFound, TooManyAttempts
from app.extensions import db
from app.timeutil import aware, today_china, utcnow

MIN_PASSWORD_LENGTH = 8


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    status = 401
    message = "用户名或密码错误"


class AccountLocked(DomainError):
    code = "account_locked"
    status = 423
    message = "账户已被临时锁定"


def _ledger(kind, subject, payload):
    from app.ledger.services import append

    append(kind, subject, payload)


# --- agencies ---------------------------------------------------------------------------------------

def create_agency(*, name, short_name, doc_prefix, credit_code, region_code, categories, legal_basis="",
                  address="", phone="", parent_department="", published_on=None, actor=None):
    from app.validators import validate_credit_code

    problem = validate_credit_code(credit_code)
    if problem:
        raise InvalidInput(problem, details={"fields": {"credit_code": [problem]}})
    if db.session.scalar(select(Agency).where((Agency.name == name) | (Agency.credit_code == credit_code))):
        raise Conflict(f"执法主体“{name}”或统一社会信用代码{credit_code}已存在")
    agency = Agency(name=name, short_name=short_name, doc_prefix=doc_prefix, credit_code=credit_code,
                    region_code=region_code, categories=list(categories), legal_basis=legal_basis,
                    address=address, phone=phone, parent_department=parent_department or "",
                    published_on=published_on or today_china())
    db.session.add(agency)
    db.session.flush()
    _ledger("agency.created", f"agency:{agency.id}", {
        "name": name, "credit_code": credit_code, "region_code": region_code,
        "categories": list(categories), "actor": actor.username if actor else None})
    return agency


def add_closure(agency, day, reason, actor=None):
    closure = AgencyClosure(agency=agency, day=day, reason=reason)
    db.session.add(closure)
    db.session.flush()
    return closure


def closures_of(agency_id):
    """Local closure days of an agency, for the working-day calendar."""
    if agency_id is None:
        return frozenset()
    return frozenset(db.session.scalars(select(AgencyClosure.day).where(AgencyClosure.agency_id == agency_id)))


# --- users ------------------------------------------------------------------------------------------

def _check_roles(roles, agency):
    try:
        roles = {Role(r) for r in roles}
    except ValueError as e:
        raise InvalidInput(f"未知角色：{e}") from None
    if not roles:
        raise InvalidInput("至少需要一个角色")
    if agency is None and not roles <= CITYWIDE_ROLES:
        raise InvalidInput("执法人员、法制审核人员和机关负责人必须隶属于一个执法主体")
    return roles


def create_user(*, username, password, full_name, roles, agency=None, actor=None):
    username = (username or "").strip()
    if not username:
        raise InvalidInput("用户名不能为空", details={"fields": {"username": ["用户名不能为空"]}})
    if len(password or "") < MIN_PASSWORD_LENGTH:
        msg = f"密码至少{MIN_PASSWORD_LENGTH}位"
        raise InvalidInput(msg, details={"fields": {"password": [msg]}})
    roles = _check_roles(roles, agency)
    if db.session.scalar(select(User).where(func.lower(User.username) == username.lower())):
        raise Conflict(f"用户名“{username}”已被使用")
    user = User(username=username, full_name=full_name, agency=agency,
                password_hash=generate_password_hash(password))
    user.role_rows = [UserRole(role=r.value) for r in sorted(roles, key=lambda r: r.value)]
    db.session.add(user)
    db.session.flush()
    _ledger("account.created", f"user:{user.id}", {
        "username": username, "full_name": full_name, "agency_id": agency.id if agency else None,
        "roles": sorted(r.value for r in roles), "actor": actor.username if actor else None})
    return user


def set_roles(user, roles, actor=None):
    roles = _check_roles(roles, user.agency)
    user.role_rows = [UserRole(role=r.value) for r in sorted(roles, key=lambda r: r.value)]
    db.session.flush()
    _ledger("account.roles_changed", f"user:{user.id}", {
        "roles": sorted(r.value for r in roles), "actor": actor.username if actor else None})
    return user


def set_password(user, password):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"密码至少{MIN_PASSWORD_LENGTH}位")
    user.password_hash = generate_password_hash(password)
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(user)
    db.session.flush()


def get_user(username) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").lower()))
    if user is None:
        raise NotFound(f"用户“{username}”不存在")
    return user


# --- login ---------------------------------------------------------------------------------------------

FAILED = ("bad_password", "unknown_user")


def _serialise(*keys):
    """Make concurrent login attempts on the same account or from the same address take turns, so that
    each counts the failures of the others (SEC-3: parallel requests once got 63 tries instead of 5).
    PostgreSQL: transaction-level advisory locks, in a fixed order. SQLite: the attempt row written first
    takes the database's write lock, held until the caller commits (app.locks)."""
    from app.locks import serialise

    serialise(*keys)


def _count(*where):
    return db.session.scalar(select(func.count(LoginAttempt.id)).where(*where)) or 0


def authenticate(username, password, ip="unknown") -> User:
    """Check a password, throttled per address and per account+address, atomically.

    - From one address, LOGIN_IP_MAX_FAILURES wrong passwords (any usernames) in LOGIN_IP_WINDOW_MINUTES:
      that address is refused for a while (429).
    - For one account from one address, LOGIN_MAX_FAILURES wrong passwords in LOGIN_LOCKOUT_MINUTES lock
      that account for that address only (423): a stranger cannot lock a known account out for its owner.
    - Beyond LOGIN_ACCOUNT_DELAY_AFTER wrong passwords for the account from all addresses, an address that
      never logged in to it waits 2^n seconds (at most LOGIN_MAX_DELAY_SECONDS) between tries (429); the
      owner's known addresses are not slowed down.
    - users.locked_until is an administrator's lock and applies everywhere.
    Every attempt is recorded with its outcome; the caller commits (a failed attempt must be kept).
    Raises InvalidCredentials, AccountLocked or TooManyAttempts.
    """
    cfg = current_app.config
    now = utcnow()
    username = (username or "").strip()[:64]
    key = username.lower()
    ip = (ip or "unknown")[:45]
    _serialise(f"login:user:{key}", f"login:ip:{ip}")
    attempt = LoginAttempt(username=username, ip=ip, succeeded=False, at=now, outcome="pending")
    db.session.add(attempt)
    db.session.flush()

    def refuse(error, outcome="throttled"):
        attempt.outcome = outcome
        raise error

    mine = func.lower(LoginAttempt.username) == key
    ip_window = now - timedelta(minutes=cfg["LOGIN_IP_WINDOW_MINUTES"])
    if _count(LoginAttempt.ip == ip, LoginAttempt.outcome.in_(FAILED), LoginAttempt.at >= ip_window) \
            >= cfg["LOGIN_IP_MAX_FAILURES"]:
        refuse(TooManyAttempts(f"来自此地址的登录失败次数过多，请{cfg['LOGIN_IP_WINDOW_MINUTES']}分钟后再试"))

    user = db.session.scalar(select(User).where(func.lower(User.username) == key))
    if user is not None and user.locked_until and aware(user.locked_until) > now:
        minutes = max(1, int((aware(user.locked_until) - now).total_seconds() // 60) + 1)
        refuse(AccountLocked(f"账户已被管理员锁定，请约{minutes}分钟后再试或联系管理员"))

    lock_window = now - timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
    last_ok_here = db.session.scalar(select(func.max(LoginAttempt.at)).where(
        mine, LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(True)))
    since = max(lock_window, aware(last_ok_here)) if last_ok_here else lock_window
    pair_failures = _count(mine, LoginAttempt.ip == ip, LoginAttempt.outcome == "bad_password",
                           LoginAttempt.at >= since)
    if pair_failures >= cfg["LOGIN_MAX_FAILURES"]:
        refuse(AccountLocked(f"连续{cfg['LOGIN_MAX_FAILURES']}次登录失败，账户已锁定（仅对此网络地址），"
                             f"请{cfg['LOGIN_LOCKOUT_MINUTES']}分钟后再试或联系管理员"))

    if user is not None:
        known = last_ok_here is not None and aware(last_ok_here) >= now - timedelta(
            days=cfg["LOGIN_KNOWN_ADDRESS_DAYS"])
        account_failures = _count(mine, LoginAttempt.outcome == "bad_password", LoginAttempt.at >= lock_window)
        excess = account_failures - cfg["LOGIN_ACCOUNT_DELAY_AFTER"]
        if excess >= 0 and not known:
            delay = min(cfg["LOGIN_BASE_DELAY_SECONDS"] * 2 ** min(excess, 30), cfg["LOGIN_MAX_DELAY_SECONDS"])
            last = db.session.scalar(select(func.max(LoginAttempt.at)).where(
                mine, LoginAttempt.outcome.in_(("bad_password", "throttled"))))
            wait = (aware(last) + timedelta(seconds=delay) - now).total_seconds() if last else 0
            if wait > 0:
                refuse(TooManyAttempts(f"该账户近期登录失败次数过多，请{int(wait) + 1}秒后再试"))

    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")  # same time as a real check: no user enumeration
        refuse(InvalidCredentials(), "unknown_user")
    if not check_password_hash(user.password_hash, password or ""):
        attempt.outcome = "bad_password"
        if pair_failures + 1 >= cfg["LOGIN_MAX_FAILURES"]:
            raise AccountLocked(f"连续{cfg['LOGIN_MAX_FAILURES']}次登录失败，账户已锁定（仅对此网络地址）"
                                f"{cfg['LOGIN_LOCKOUT_MINUTES']}分钟")
        raise InvalidCredentials()
    if not user.is_enabled:
        refuse(InvalidCredentials("账户已停用，请联系管理员"), "disabled")
    attempt.succeeded = True
    attempt.outcome = "ok"
    user.failed_logins = 0
    user.last_login_at = now
    return user


_DUMMY_HASH = generate_password_hash("sanxiang-no-such-user")


# --- server-side sessions (SEC-14) -----------------------------------------------------------------------

def start_session(user, *, ip="", user_agent="", replaces: str | None = None) -> str:
    """A new server-side session for a login; returns the random id the signed cookie carries. The session
    the browser had before (`replaces`) is deleted: the id rotates at every login."""
    if replaces:
        end_session(replaces)
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(user_id=user.id, sid_hash=_hash_token(raw), created_at=now, last_seen_at=now,
                               expires_at=now + current_app.config["PERMANENT_SESSION_LIFETIME"],
                               ip=(ip or "")[:45], user_agent=(user_agent or "")[:200]))
    db.session.flush()
    return raw


def session_user(user_id, raw_sid):
    """The user of a cookie session, or None when its server-side session is gone (logged out, expired,
    revoked) or belongs to someone else."""
    if not raw_sid or not str(user_id).isdigit():
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.sid_hash == _hash_token(str(raw_sid))))
    now = utcnow()
    if row is None or row.user_id != int(user_id) or aware(row.expires_at) <= now:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_enabled:
        return None
    # (No "last seen" write here: the user is loaded lazily, possibly in the middle of a request's work,
    # which a commit must not cut in two.)
    return user


def end_session(raw_sid):
    if raw_sid:
        db.session.execute(delete(UserSession).where(UserSession.sid_hash == _hash_token(str(raw_sid))))


def end_all_sessions(user):
    """Every browser session of the user ends (password changed, account disabled)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


# --- API tokens -------------------------------------------------------------------------------------

TOKEN_PREFIX = "sx_"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user, name, days=None):
    """Return (plaintext, ApiToken). The plaintext is shown once and never stored."""
    name = (name or "").strip() or "API"
    days = current_app.config["API_TOKEN_DAYS"] if days is None else days
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name[:80], token_hash=_hash_token(raw), prefix=raw[:10],
                     expires_at=utcnow() + timedelta(days=days) if days else None)
    db.session.add(token)
    db.session.flush()
    _ledger("account.token_issued", f"user:{user.id}", {"token_id": token.id, "name": token.name,
                                                       "expires_at": token.expires_at})
    return raw, token


def revoke_token(token, actor):
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        _ledger("account.token_revoked", f"user:{token.user_id}", {
            "token_id": token.id, "actor": actor.username if actor else None})
    return token


def user_for_token(raw: str):
    """The active user behind a bearer token, or None (unknown, revoked, expired or disabled)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash_token(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at and aware(token.expires_at) <= now:
        return None
    if not token.user.is_enabled:
        return None
    # Touch at most once a minute, so that reads by field devices do not all become writes.
    if token.last_used_at is None or (now - aware(token.last_used_at)).total_seconds() > 60:
        token.last_used_at = now
        db.session.commit()
    return token.user
