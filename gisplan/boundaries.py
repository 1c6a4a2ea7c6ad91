"""Громада boundaries into the ``hromady`` layer, joined to the codifier and to population figures.

Names, oblast and raion come from the КАТОТТГ codifier (load it first); the boundary from the file
(OSM by default); population, kind and administrative centre from the KSE hromada dataset when it
is there. Every row of the file is loaded or rejected with its reason; invalid rings are repaired by
``make_valid`` (polygonal part kept) and reported.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyogrio
import shapely
from pyproj import CRS
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import aliased

from .catalog import KATOTTG_RE, catalog
from .db.derived import read_sql
from .db.models import territory
from .errors import GisplanError
from .loadreport import LayerLoadReport
from .settings import path_settings

KSE_SOURCE = "KSE Loc Data Hub, total_popultaion_2022"
OSM_SOURCE = "OpenStreetMap (ODbL), darmat1/ukraine-geo-data"


def check_wgs84(path: Path) -> None:
    """Refuse a file whose CRS is not WGS 84 longitude/latitude."""
    info = pyogrio.read_info(path)
    crs = info.get("crs")
    if crs is None:
        return  # GeoJSON without a crs member is RFC 7946: WGS 84
    c = CRS.from_user_input(crs)
    if not (c.equals(CRS.from_epsg(4326), ignore_axis_order=True)):
        raise GisplanError(f"{path.name}: CRS {c.to_string()} is not WGS 84 (EPSG:4326); reproject it first")


def _kse_by_code(path: Path | None) -> dict[str, dict]:
    if path is None or not path.is_file():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return {row["hromada_code"]: row for row in csv.DictReader(fh)}


def _text(value) -> str | None:
    """A text value of a data frame, None for missing (NaN, None, empty)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    value = str(value).strip()
    return value or None


def _int(value: str | None) -> int | None:
    try:
        return int(round(float(value))) if value not in (None, "", "NA") else None
    except ValueError:
        return None


def _polygonal(geom):
    """The polygonal part of a geometry as a MultiPolygon, or None."""
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon))]
    parts = []
    for p in polys:
        parts.extend(p.geoms if isinstance(p, MultiPolygon) else [p])
    return MultiPolygon(parts) if parts else None


def _keep_other_sources(conn: Connection, rows: list[dict], row_of: dict[str, int],
                        report: LayerLoadReport) -> None:
    """A boundary loaded from another source (e.g. the full-resolution boundary of a demo громада,
    or one a planner drew) is never overwritten: such rows keep their stored geometry and source,
    and only the codifier and KSE attributes are refreshed. Each is reported as a repair."""
    other = {r.code: r for r in conn.execute(text(
        "SELECT hromada AS code, source, encode(ST_AsBinary(geom), 'hex') AS wkb FROM hromady "
        "WHERE hromada = code AND source IS DISTINCT FROM :own"), {"own": OSM_SOURCE})}
    for row in rows:
        kept = other.get(row["code"])
        if kept is not None:
            row["wkb"], row["source"] = kept.wkb, kept.source
            report.repair(row_of[row["code"]], "geometry",
                          f"boundary kept: its source is {kept.source!r}, not {OSM_SOURCE!r}")


def load_boundaries(conn: Connection, path: Path, kse_csv: Path | None = None,
                    user: str | None = None) -> LayerLoadReport:
    path = Path(path)
    check_wgs84(path)
    if kse_csv is None:
        kse_csv = path_settings().data_dir / "hromada_indicators" / "kse_hromada_full_dataset.csv"
    kse = _kse_by_code(kse_csv)
    kind_field = catalog().get("hromady").fields["kind"]

    oblast, raion = aliased(territory), aliased(territory)
    known = {
        r.code: r for r in conn.execute(
            select(territory.c.code, territory.c.name, oblast.c.name.label("oblast"),
                   raion.c.name.label("raion"))
            .outerjoin(oblast, oblast.c.code == territory.c.oblast_code)
            .outerjoin(raion, raion.c.code == territory.c.raion_code)
            .where(territory.c.level == 3)
        )
    }
    if not known:
        raise GisplanError("no громади in the territory table: load the codifier first (`gisplan territory load`)")
    settlements = dict(conn.execute(text(
        "SELECT hromada_code, count(*) FROM territory WHERE level = 4 GROUP BY hromada_code")).all())

    frame = pyogrio.read_dataframe(path)
    report = LayerLoadReport(source=path.name, layer="hromady", read=len(frame))
    seen: dict[str, int] = {}
    rows = []
    for i, rec in enumerate(frame.itertuples(index=False), start=1):
        code = getattr(rec, "katotth", None)
        if not code or not KATOTTG_RE.match(str(code)):
            report.reject(i, "katotth", f"missing or malformed КАТОТТГ code {code!r}")
            continue
        if code not in known:
            report.reject(i, "katotth", f"{code} is not a громада in the codifier")
            continue
        if code in seen:
            report.reject(i, "katotth", f"duplicate of row {seen[code]}")
            continue
        geom = rec.geometry
        if geom is None or geom.is_empty:
            report.reject(i, "geometry", "empty geometry")
            continue
        if not geom.is_valid:
            fixed = _polygonal(shapely.make_valid(geom))
            if fixed is None or fixed.is_empty:
                report.reject(i, "geometry", f"invalid and not repairable: {shapely.is_valid_reason(geom)}")
                continue
            report.repair(i, "geometry", f"made valid: {shapely.is_valid_reason(geom)}")
            geom = fixed
        geom = _polygonal(geom)
        if geom is None:
            report.reject(i, "geometry", f"expected a polygon, got {rec.geometry.geom_type}")
            continue
        seen[code] = i
        t = known[code]
        k = kse.get(code, {})
        rows.append({
            "code": code, "name": t.name, "name_en": _text(getattr(rec, "name_en", None)),
            "kind": kind_field.code_for(k.get("type")) if k.get("type") else None,
            "admin_centre": k.get("hromada_center") or None,
            "admin_centre_katottg": k.get("hromada_center_code") if KATOTTG_RE.match(k.get("hromada_center_code") or "") else None,
            "population": _int(k.get("total_popultaion_2022")),
            "population_year": 2022 if _int(k.get("total_popultaion_2022")) is not None else None,
            "population_source": KSE_SOURCE if _int(k.get("total_popultaion_2022")) is not None else None,
            "settlements_count": settlements.get(code),
            "oblast": t.oblast, "raion": t.raion, "source": OSM_SOURCE,
            "wkb": shapely.to_wkb(geom, hex=True, output_dimension=2),
        })
    _keep_other_sources(conn, rows, seen, report)
    counts = dict(conn.execute(text(read_sql("hromady_upsert.sql")), {"rows": json.dumps(rows)}).all())
    report.updated, report.inserted = counts.get("updated", 0), counts.get("inserted", 0)
    report.unchanged = len(rows) - report.updated - report.inserted
    report.log(conn, user=user)
    return report
