"""The громада's profile: who holds its data (the custodian in every ISO record).

Stored in ``hromada_profile``; an unset name falls back to the codifier's name of the громада, so
a record always names an organisation.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from ..catalog import KATOTTG_RE
from ..db.models import territory
from ..errors import GisplanError
from .tables import hromada_profile

PROFILE_FIELDS = ("organisation", "address", "email", "phone", "website", "logo_url")


def hromada_title(conn: Connection, code: str) -> str | None:
    """«Балаклійська територіальна громада», or None when ``code`` is no громада (level 3)."""
    name = conn.execute(select(territory.c.name).where(
        territory.c.code == code, territory.c.level == 3)).scalar()
    return f"{name} територіальна громада" if name else None


def get_profile(conn: Connection, code: str) -> dict | None:
    """The profile with defaults filled in; None when ``code`` is no громада."""
    title = hromada_title(conn, code)
    if title is None:
        return None
    row = conn.execute(select(hromada_profile).where(hromada_profile.c.hromada == code)).first()
    stored = dict(row._mapping) if row else {}
    out = {"hromada": code, "name": title}
    for f in PROFILE_FIELDS:
        out[f] = stored.get(f)
    out["organisation"] = out["organisation"] or title
    out["updated_at"] = stored["updated_at"].isoformat() if stored.get("updated_at") else None
    out["updated_by"] = stored.get("updated_by")
    return out


def save_profile(conn: Connection, code: str, values: dict, user: str | None) -> dict:
    """Store the given fields (others keep their value); returns the profile."""
    if not KATOTTG_RE.match(code) or hromada_title(conn, code) is None:
        raise GisplanError(f"hromada: {code!r} is not a громада of the codifier")
    unknown = set(values) - set(PROFILE_FIELDS)
    if unknown:
        raise GisplanError(f"profile: unknown fields {', '.join(sorted(unknown))}; fields: {', '.join(PROFILE_FIELDS)}")
    clean = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    stmt = insert(hromada_profile).values(hromada=code, updated_by=user, **clean)
    stmt = stmt.on_conflict_do_update(index_elements=[hromada_profile.c.hromada],
                                      set_={**clean, "updated_by": user, "updated_at": func.now()})
    conn.execute(stmt)
    return get_profile(conn, code)  # type: ignore[return-value]
