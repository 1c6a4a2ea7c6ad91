"""Users, roles and tokens.

Roles: ``admin`` (everything), ``planner`` of given громади (writes within them), ``viewer``
(reads the full tables of its громади, writes nothing), ``executor`` (enters and reads the
quarterly reports of the program projects it is assigned to, and nothing else: it reads what the
public reads). Passwords are argon2 hashes; session
cookies and API bearer tokens are random strings of which only a SHA-256 is stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, select, update

from .catalog import KATOTTG_RE
from .db.models import auth_token, user_hromada, users
from .errors import GisplanError

ROLES = ("admin", "planner", "viewer", "executor")
_hasher = PasswordHasher()
# verified against when the user does not exist, so timing does not reveal which names exist
_DUMMY_HASH = _hasher.hash("not a real password")


class AccountError(GisplanError):
    pass


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    hromady: frozenset[str] = field(default_factory=frozenset)
    full_name: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def can_read(self, hromada: str) -> bool:
        return self.is_admin or (self.role in ("planner", "viewer") and hromada in self.hromady)

    def can_write(self, hromada: str) -> bool:
        return self.is_admin or (self.role == "planner" and hromada in self.hromady)

    def readable_hromady(self) -> frozenset[str] | None:
        """None means all (admin)."""
        if self.role == "executor":
            return frozenset()
        return None if self.is_admin else self.hromady


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(conn: Connection, username: str, password: str, role: str, hromady: list[str] | None = None,
             full_name: str | None = None) -> User:
    if role not in ROLES:
        raise AccountError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if len(password) < 8:
        raise AccountError("password: at least 8 characters")
    hromady = hromady or []
    for code in hromady:
        if not KATOTTG_RE.match(code):
            raise AccountError(f"hromada: {code!r} is not a КАТОТТГ code (UA and 17 digits)")
    if role == "executor" and hromady:
        raise AccountError("an executor is given projects (PUT …/projects/{id}/assignees), not громади")
    if role == "planner" and not hromady:
        raise AccountError("a planner needs at least one громада (--hromada CODE)")
    if conn.execute(select(users.c.id).where(users.c.username == username)).first():
        raise AccountError(f"user {username!r} exists already")
    uid = conn.execute(users.insert().values(
        username=username, password_hash=_hasher.hash(password), role=role, full_name=full_name,
    ).returning(users.c.id)).scalar_one()
    if hromady:
        conn.execute(user_hromada.insert(), [{"user_id": uid, "hromada": h} for h in hromady])
    return User(uid, username, role, frozenset(hromady), full_name)


def set_password(conn: Connection, username: str, password: str) -> None:
    if len(password) < 8:
        raise AccountError("password: at least 8 characters")
    done = conn.execute(update(users).where(users.c.username == username)
                        .values(password_hash=_hasher.hash(password))).rowcount
    if not done:
        raise AccountError(f"no user {username!r}")


def _load(conn: Connection, user_id: int) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id, users.c.active)).first()
    if row is None:
        return None
    codes = conn.execute(select(user_hromada.c.hromada).where(user_hromada.c.user_id == user_id)).scalars()
    return User(row.id, row.username, row.role, frozenset(codes), row.full_name)


def get_user(conn: Connection, username: str) -> User | None:
    uid = conn.execute(select(users.c.id).where(users.c.username == username)).scalar_one_or_none()
    return _load(conn, uid) if uid is not None else None


def list_users(conn: Connection) -> list[User]:
    ids = conn.execute(select(users.c.id).order_by(users.c.username)).scalars().all()
    return [u for u in (_load(conn, i) for i in ids) if u]


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    row = conn.execute(select(users.c.id, users.c.password_hash)
                       .where(users.c.username == username, users.c.active)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return _load(conn, row.id) if row else None


def issue_token(conn: Connection, user: User, kind: str, name: str | None = None,
                hours: int | None = None) -> str:
    """A new random token (returned once, stored as a hash). ``session`` tokens expire."""
    token = secrets.token_urlsafe(32)
    expires = func.now() + dt.timedelta(hours=hours) if hours else None
    conn.execute(auth_token.insert().values(
        user_id=user.id, kind=kind, token_hash=_token_hash(token), name=name, expires_at=expires,
    ))
    return token


def user_for_token(conn: Connection, token: str, kind: str) -> User | None:
    row = conn.execute(
        select(auth_token.c.id, auth_token.c.user_id)
        .where(auth_token.c.token_hash == _token_hash(token), auth_token.c.kind == kind)
        .where((auth_token.c.expires_at.is_(None)) | (auth_token.c.expires_at > func.now()))
    ).first()
    if row is None:
        return None
    conn.execute(update(auth_token).where(auth_token.c.id == row.id).values(last_used_at=func.now()))
    return _load(conn, row.user_id)


def revoke_token(conn: Connection, token: str) -> None:
    conn.execute(delete(auth_token).where(auth_token.c.token_hash == _token_hash(token)))


# ------------------------------------------------------------------ API tokens: list, revoke, expiry
@dataclass(frozen=True)
class TokenInfo:
    """An API token as listed (the token itself is never stored, so never shown again)."""

    id: int
    username: str
    name: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    expired: bool

    def as_json(self) -> dict:
        iso = lambda v: v.isoformat() if v else None  # noqa: E731
        return {"id": self.id, "username": self.username, "name": self.name,
                "created_at": iso(self.created_at), "expires_at": iso(self.expires_at),
                "last_used_at": iso(self.last_used_at), "expired": self.expired}


def issue_api_token(conn: Connection, user: User, name: str | None = None,
                    expires_days: int | None = None) -> tuple[str, int]:
    """A new bearer token and its id; ``expires_days`` None: until revoked."""
    if expires_days is not None and expires_days < 1:
        raise AccountError("expires_days: at least 1 (or none for a token that lasts until revoked)")
    token = issue_token(conn, user, "api", name=name, hours=expires_days * 24 if expires_days else None)
    tid = conn.execute(select(auth_token.c.id).where(auth_token.c.token_hash == _token_hash(token))).scalar_one()
    return token, tid


def list_tokens(conn: Connection, username: str | None = None) -> list[TokenInfo]:
    """API tokens of one user (or of everyone), newest first; expired ones are listed as such."""
    q = (select(auth_token, users.c.username,
                ((auth_token.c.expires_at.is_not(None)) & (auth_token.c.expires_at <= func.now())).label("expired"))
         .join(users, users.c.id == auth_token.c.user_id)
         .where(auth_token.c.kind == "api")
         .order_by(auth_token.c.created_at.desc(), auth_token.c.id.desc()))
    if username is not None:
        q = q.where(users.c.username == username)
    return [TokenInfo(r.id, r.username, r.name, r.created_at, r.expires_at, r.last_used_at, bool(r.expired))
            for r in conn.execute(q)]


def revoke_token_id(conn: Connection, token_id: int, owner: User | None = None) -> bool:
    """Delete an API token by id; with ``owner`` only one of that user's. False: no such token."""
    q = delete(auth_token).where(auth_token.c.id == token_id, auth_token.c.kind == "api")
    if owner is not None:
        q = q.where(auth_token.c.user_id == owner.id)
    return bool(conn.execute(q).rowcount)
