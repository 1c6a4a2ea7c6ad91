"""Public shelters of a громада for the shelter page, and the PostGIS nearest-shelter query."""

from __future__ import annotations

from sqlalchemy import Connection

from .labels import enum_label
from .provenance import long_date, verified_on
from .queries import sql


def public_shelters(conn: Connection, hromada: str, lang: str) -> list[dict]:
    """Every public shelter with what a resident needs, labels in ``lang``, unknowns as None."""
    rows = [dict(r) for r in conn.execute(sql("public_shelters"), {"hromada": hromada}).mappings()]
    for r in rows:
        r["kind_label"] = enum_label("shelters", "kind", r["kind"], lang)
        r["readiness_label"] = enum_label("shelters", "readiness", r["readiness"], lang)
        r["verified"] = long_date(verified_on(r), lang)
    return rows


def browser_payload(rows: list[dict]) -> list[dict]:
    """The compact form the page script sorts by distance (and keeps offline)."""
    return [{"id": r["id"], "name": r["name"] or r["code"], "lat": round(r["lat"], 7),
             "lon": round(r["lon"], 7)} for r in rows]


def nearest_shelters(conn: Connection, hromada: str, lon: float, lat: float, n: int = 3) -> list[dict]:
    """The ``n`` nearest public shelters: geodesic metres and azimuth from the point (PostGIS)."""
    params = {"hromada": hromada, "lon": lon, "lat": lat, "n": n}
    return [dict(r) for r in conn.execute(sql("nearest_shelters"), params).mappings()]
