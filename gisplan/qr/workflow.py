"""The plate workflow: short codes, printed → installed, scan counts.

A short code is given once and never changes (renaming the object or moving the site does not touch
it): 8 characters of base32 from the feature's id, longer only on a clash. Installing a plate sets
the object's ``has_qr``, ``qr_installed_at`` and ``qr_plate_condition`` through the layer table, so
the feature history records it and ``QR_TOURISM`` counts it from that date.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from uuid import UUID

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from .. import clock
from ..catalog import KATOTTG_RE
from ..db.engine import acting_as
from ..db.layer_tables import layer_table
from ..errors import GisplanError
from ..features import NotFound, VersionConflict

SQL = Path(__file__).with_name("sql")
LAYER = "tourist_objects"


def _sql(name: str) -> str:
    return (SQL / name).read_text(encoding="utf-8")


@dataclass
class PlateObject:
    id: UUID
    hromada: str
    version: int
    code: str | None
    name: str
    category: str | None
    description: str | None
    public: bool
    has_qr: bool | None
    qr_code: str | None
    qr_installed_at: dt.date | None
    qr_plate_condition: str | None
    printed_at: dt.datetime | None
    printed_by: str | None
    printed_short: str | None
    scans: int

    @property
    def state(self) -> str:
        """not_printed, printed or installed."""
        if self.has_qr and self.qr_installed_at:
            return "installed"
        return "printed" if self.printed_at else "not_printed"

    def public_dict(self) -> dict:
        return {"id": str(self.id), "code": self.code, "name": self.name, "short": self.qr_code,
                "state": self.state, "public": self.public,
                "printed_at": self.printed_at.isoformat() if self.printed_at else None,
                "printed_by": self.printed_by,
                "installed_at": self.qr_installed_at.isoformat() if self.qr_installed_at else None,
                "condition": self.qr_plate_condition, "scans": self.scans}


def _check_hromada(hromada: str) -> None:
    if not KATOTTG_RE.match(hromada or ""):
        raise GisplanError(f"hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")


def plate_objects(conn: Connection, hromada: str, ids: Iterable[UUID] | None = None) -> list[PlateObject]:
    """The громада's tourist objects (or the given ids, all of which must be its objects)."""
    _check_hromada(hromada)
    wanted = list(dict.fromkeys(ids)) if ids is not None else None
    stmt = text(_sql("plate_objects.sql")).bindparams(bindparam("ids", type_=ARRAY(PG_UUID(as_uuid=True))))
    rows = [PlateObject(**r._mapping) for r in conn.execute(stmt, {"hromada": hromada, "ids": wanted})]
    if wanted is not None:
        missing = set(wanted) - {r.id for r in rows}
        if missing:
            raise NotFound(f"ids: no tourist object {sorted(map(str, missing))[0]} in громада {hromada}")
        order = {i: n for n, i in enumerate(wanted)}
        rows.sort(key=lambda r: order[r.id])
    return rows


def new_short(conn: Connection, feature_id: UUID) -> str:
    """8 base32 characters of the id's hash (lower case, no padding); longer only on a clash."""
    digest = base64.b32encode(hashlib.sha256(feature_id.bytes).digest()).decode().lower().rstrip("=")
    t = layer_table(LAYER)
    for length in range(8, len(digest) + 1):
        short = digest[:length]
        if conn.execute(select(t.c.id).where(t.c.qr_code == short, t.c.id != feature_id).limit(1)).first() is None:
            return short
    raise GisplanError(f"no free short code for {feature_id}")  # 52 characters all taken: not in practice


def ensure_short_codes(conn: Connection, objects: list[PlateObject], user: str | None) -> list[PlateObject]:
    """Give every object without a short code its permanent one (a new version of the feature)."""
    t = layer_table(LAYER)
    with acting_as(conn, user):
        for o in objects:
            if not o.qr_code:
                o.qr_code = new_short(conn, o.id)
                o.version = conn.execute(t.update().where(t.c.id == o.id).values(qr_code=o.qr_code)
                                         .returning(t.c.version)).scalar_one()
    return objects


def mark_printed(conn: Connection, objects: list[PlateObject], user: str | None) -> None:
    for o in objects:
        conn.execute(text(_sql("mark_printed.sql")),
                     {"id": o.id, "hromada": o.hromada, "short": o.qr_code, "user": user})


def mark_installed(conn: Connection, hromada: str, feature_id: UUID, installed_on: dt.date,
                   user: str | None, expected_version: int | None = None,
                   condition: str = "good") -> PlateObject:
    """Record that the plate of ``feature_id`` is on site since ``installed_on``."""
    if installed_on > clock.today():
        raise GisplanError(f"date: {installed_on.isoformat()} is in the future")
    if condition not in ("good", "damaged", "missing"):
        raise GisplanError(f"condition: {condition!r} is not one of good, damaged, missing")
    (obj,) = plate_objects(conn, hromada, [feature_id])
    t = layer_table(LAYER)
    with acting_as(conn, user):
        current = conn.execute(select(t.c.version).where(t.c.id == feature_id).with_for_update()).scalar_one()
        if expected_version is not None and current != expected_version:
            raise VersionConflict(current)
        if not obj.qr_code:
            ensure_short_codes(conn, [obj], user)
        conn.execute(t.update().where(t.c.id == feature_id).values(
            has_qr=True, qr_installed_at=installed_on, qr_plate_condition=condition))
    (obj,) = plate_objects(conn, hromada, [feature_id])
    return obj


def record_scan(conn: Connection, short: str) -> None:
    """Count one opening of ``/q/{short}`` (today's aggregate; nothing about the visitor)."""
    conn.execute(text(_sql("record_scan.sql")), {"short": short})
