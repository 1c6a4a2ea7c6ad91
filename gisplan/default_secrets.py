"""Known default secrets, refused when ``GISPLAN_MODE=production``.

In development anything goes. In production, ``gisplan serve`` (and the app factory) refuse to
start while the database password is one of the well-known defaults (``change-me`` of
docker-compose.yml, ``postgres`` …) or, when the database can be reached, while an active admin
still signs in with such a password. The message names what to change.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from .errors import GisplanError

KNOWN_DEFAULTS = ("change-me", "changeme", "changethis", "change_me", "postgres", "gisplan", "password",
                  "secret", "admin", "12345678", "password123", "gisplan123")


class DefaultSecretError(GisplanError):
    pass


def config_problems(database_url: str | None) -> list[str]:
    """What in the settings is a known default (the private cluster's password is generated)."""
    problems = []
    if database_url:
        password = make_url(database_url).password
        if password is None or password == "" or password.lower() in KNOWN_DEFAULTS:
            problems.append("the password of GISPLAN_DATABASE_URL is empty or a known default "
                            "(set GISPLAN_DB_PASSWORD for docker-compose, or a strong one in the URL)")
    return problems


def account_problems(engine: Engine) -> list[str]:
    """Active admins whose password is a known default."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    from .db.models import users

    hasher = PasswordHasher()
    with engine.connect() as conn:
        admins = conn.execute(select(users.c.username, users.c.password_hash)
                              .where(users.c.role == "admin", users.c.active)).all()
    found = []
    for name, hashed in admins:
        for candidate in KNOWN_DEFAULTS:
            try:
                hasher.verify(hashed, candidate)
            except (VerificationError, InvalidHashError):
                continue
            found.append(f"admin {name!r} has a known default password "
                         f"(change it: gisplan user password {name})")
            break
    return found


def refuse_default_secrets(mode: str, database_url: str | None, engine: Engine | None = None) -> None:
    """Raise :class:`DefaultSecretError` in production mode when a known default is in use."""
    if mode != "production":
        return
    problems = config_problems(database_url)
    if engine is not None:
        problems += account_problems(engine)
    if problems:
        raise DefaultSecretError("GISPLAN_MODE=production refuses known default secrets: " + "; ".join(problems)
                                 + " (GISPLAN_MODE=development allows them, for local use only)")
