"""Accounts, sessions, CSRF tokens and login rate limiting for the reviewer app.

Passwords are hashed with argon2id (argon2-cffi's defaults follow RFC 9106's
second recommended set). A signed-in browser holds a random session token in
an HttpOnly, SameSite=Strict cookie; the database keeps only the token's
SHA-256, with the session's CSRF token, so a stolen database grants no session.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from pipeline.storage import Store, audit_entry
from pipeline.storage.schema import User, WebSession, utc_now

PASSWORD_MIN_LENGTH = 10
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
SESSION_IDLE = timedelta(hours=2)
"""A session unused this long is signed out."""
SESSION_LIFETIME = timedelta(hours=12)
"""A session is signed out this long after sign-in, used or not (one working day)."""
_LIMITER_KEYS_BEFORE_PRUNING = 10_000
_LAST_SEEN_RESOLUTION = timedelta(minutes=1)
"""``last_seen`` is written at most this often, not on every request."""

_hasher = PasswordHasher()
# Verified against when the user does not exist, so that the answer takes as long as for a real account.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    """What an account may do; each role may do everything the roles before it may."""

    STAFF = "staff"
    REVIEWER = "reviewer"
    ADMIN = "admin"

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what ``needed`` may."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


ROLE_LABELS: dict[Role, str] = {Role.STAFF: "经办人员", Role.REVIEWER: "审核人员", Role.ADMIN: "管理员"}


class AccountError(ValueError):
    """An account cannot be created or changed as asked (the message says why, in Chinese and English)."""


@dataclass(frozen=True)
class Account:
    """A signed-in user, as the request handlers see them."""

    username: str
    role: Role
    csrf_token: str


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salt and parameters included)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(f"密码至少 {PASSWORD_MIN_LENGTH} 个字符 (password shorter than {PASSWORD_MIN_LENGTH})")
    return _hasher.hash(password)


def add_user(store: Store, username: str, password: str, role: Role, actor: str) -> None:
    """Create an account.

    Raises:
        AccountError: The name is not usable or taken, or the password too short.
    """
    if not USERNAME_PATTERN.match(username):
        raise AccountError("用户名只能由 2-64 个字母、数字和 _ . @ - 组成 (username: 2-64 of A-Z a-z 0-9 _ . @ -)")
    password_hash = hash_password(password)
    with store.exclusive() as session:
        if session.get(User, username) is not None:
            raise AccountError(f"用户 {username} 已存在 (user exists)")
        session.add(User(username=username, password_hash=password_hash, role=role.value, active=True))
        session.add(audit_entry(actor, "user.added", None, username=username, role=role.value))


def set_password(store: Store, username: str, password: str, actor: str) -> None:
    """Change an account's password and sign out all its sessions."""
    password_hash = hash_password(password)
    with store.exclusive() as session:
        user = _existing(session.get(User, username), username)
        user.password_hash = password_hash
        session.execute(delete(WebSession).where(WebSession.username == username))
        session.add(audit_entry(actor, "user.password_set", None, username=username))


def set_active(store: Store, username: str, active: bool, actor: str) -> None:
    """Enable or disable an account; disabling signs out all its sessions."""
    with store.exclusive() as session:
        user = _existing(session.get(User, username), username)
        user.active = active
        if not active:
            session.execute(delete(WebSession).where(WebSession.username == username))
        session.add(audit_entry(actor, "user.enabled" if active else "user.disabled", None, username=username))


def list_users(store: Store) -> list[User]:
    """Every account, by name (detached rows)."""
    with store.reading() as session:
        users = list(session.scalars(select(User).order_by(User.username)))
        session.expunge_all()
        return users


def _existing(user: User | None, username: str) -> User:
    if user is None:
        raise AccountError(f"没有用户 {username} (no such user)")
    return user


def authenticate(store: Store, username: str, password: str) -> Role | None:
    """The account's role when the password is right and the account active; None otherwise.

    Takes as long for an unknown name as for a known one. A hash made with older
    parameters is rehashed with the current ones.
    """
    with store.reading() as session:
        user = session.get(User, username)
        stored_hash = user.password_hash if user is not None else _DUMMY_HASH
        active, role = (user.active, user.role) if user is not None else (False, None)
    try:
        _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if not active or role is None:
        return None
    if _hasher.check_needs_rehash(stored_hash):
        with store.exclusive() as session:
            user = session.get(User, username)
            if user is not None:
                user.password_hash = _hasher.hash(password)
    return Role(role)


def start_session(store: Store, username: str) -> str:
    """A new session for ``username``; the token to put in the cookie."""
    token = secrets.token_urlsafe(32)
    now = utc_now()
    with store.exclusive() as session:
        # Sessions that ran out are removed here, so the table holds only live ones and a few stale ones.
        session.execute(
            delete(WebSession).where(
                (WebSession.last_seen < now - SESSION_IDLE) | (WebSession.created_at < now - SESSION_LIFETIME)
            )
        )
        session.add(WebSession(token_hash=_token_hash(token), username=username, csrf_token=secrets.token_urlsafe(32)))
    return token


def session_account(store: Store, token: str | None) -> Account | None:
    """The account of a live session token; None when absent, expired, or the account is disabled."""
    if not token:
        return None
    now = utc_now()
    key = _token_hash(token)
    with store.reading() as session:
        row = session.get(WebSession, key)
        user = session.get(User, row.username) if row is not None else None
        if row is None or user is None or not user.active:
            return None
        created, last_seen = row.created_at, row.last_seen
        account = Account(username=user.username, role=Role(user.role), csrf_token=row.csrf_token)
    if now - created > SESSION_LIFETIME or now - last_seen > SESSION_IDLE:
        end_session(store, token)
        return None
    if now - last_seen > _LAST_SEEN_RESOLUTION:
        with store.exclusive() as session:
            live = session.get(WebSession, key)
            if live is not None:
                live.last_seen = now
    return account


def end_session(store: Store, token: str) -> None:
    """Sign a session out."""
    with store.exclusive() as session:
        session.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))


def same_token(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token."""
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginLimiter:
    """At most ``attempts`` failed sign-ins per ``window`` seconds, per user name and per client address.

    Kept in this process's memory: the app is one process on the bureau's machine.
    """

    def __init__(self, attempts: int = 5, window: float = 15 * 60) -> None:
        self.attempts = attempts
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, *keys: str) -> int:
        """Seconds before another try is allowed for any of ``keys``; 0 when allowed now."""
        now = time.monotonic()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        """Count one failed attempt against each of ``keys``."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > _LIMITER_KEYS_BEFORE_PRUNING:  # names tried once must not pile up forever
                stale = [key for key, failures in self._failures.items() if now - failures[-1] > self.window]
                for key in stale:
                    del self._failures[key]
            for key in keys:
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, key: str) -> None:
        """Forget the failures of ``key`` (the user name) after a good sign-in."""
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> int:
        failures = self._failures.get(key)
        if not failures:
            return 0
        while failures and now - failures[0] > self.window:
            failures.popleft()
        if len(failures) < self.attempts:
            return 0
        return max(1, int(self.window - (now - failures[0])) + 1)
