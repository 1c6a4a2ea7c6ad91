"""Compute a gap for a громада as of a date: a GeoJSON FeatureCollection with a summary."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, text

from ..catalog import KATOTTG_RE
from ..errors import GisplanError
from ..indicators.sqltext import expand
from .registry import GapSpec, gap

SUMMARY_KEYS = {"population_outside_sirens": "residents_outside", "population_beyond_shelters": "residents_outside",
                "beyond_cnap": "residents_beyond"}


def _params(spec: GapSpec, overrides: dict | None) -> dict:
    params = {**spec.parameters, **(overrides or {})}
    unknown = set(params) - set(spec.parameters)
    if unknown:
        raise GisplanError(f"{spec.gap}: unknown parameter {sorted(unknown)[0]!r}; "
                           f"parameters: {', '.join(spec.parameters) or 'none'}")
    return params


def gap_rows(conn: Connection, hromada: str, name: str, as_of: dt.date,
             parameters: dict | None = None) -> list[dict]:
    """The gap's rows: territory, name, population, geometry (GeoJSON dict or None), properties."""
    if not KATOTTG_RE.match(hromada):
        raise GisplanError(f"hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")
    spec = gap(name)
    binds = {**_params(spec, parameters), "hromada": hromada, "as_of": as_of}
    sql = f"SELECT g.territory, g.name, g.population, ST_AsGeoJSON(g.geom, 7) AS geometry, g.properties " \
          f"FROM ({expand(spec.sql)}) g"
    return [{**r, "geometry": json.loads(r["geometry"]) if r["geometry"] else None}
            for r in conn.execute(text(sql), binds).mappings()]


def summary(spec: GapSpec, rows: list[dict]) -> dict:
    out: dict = {"features": len(rows)}
    if spec.gap == "shelter_deficit":
        out["places_missing"] = -sum(r["properties"]["balance"] for r in rows)
    elif spec.gap in SUMMARY_KEYS:
        out["residents"] = round(sum(float(r["properties"][SUMMARY_KEYS[spec.gap]]) for r in rows), 3)
    else:
        out["settlements"] = len(rows)
        out["residents"] = sum(r["population"] or 0 for r in rows)
        out["unlocated"] = sum(1 for r in rows if r["geometry"] is None)
    return out


def gap_collection(conn: Connection, hromada: str, name: str, as_of: dt.date,
                   parameters: dict | None = None) -> dict:
    """The gap as a GeoJSON FeatureCollection (RFC 7946; unlocated settlements have a null geometry)."""
    spec = gap(name)
    params = _params(spec, parameters)
    rows = gap_rows(conn, hromada, name, as_of, params)
    features = [{"type": "Feature", "id": r["territory"], "geometry": r["geometry"],
                 "properties": {"territory": r["territory"], "name": r["name"], "population": r["population"],
                                **r["properties"]}} for r in rows]
    return {"type": "FeatureCollection", "gap": spec.gap, "hromada": hromada, "as_of": as_of.isoformat(),
            "name": spec.name.model_dump(), "method": spec.method.model_dump(), "parameters": params,
            "derived": True, "summary": summary(spec, rows), "features": features}
