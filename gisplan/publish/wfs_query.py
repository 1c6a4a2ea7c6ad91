"""Reading the features of a GetFeature request: one SQL page per feature type (``sql/*.sql``).

PostGIS encodes the geometry (GML 3.2 or GeoJSON) in the requested CRS and axis order, so Python
only writes the attributes. Pages are ordered by the primary key; across several feature types
STARTINDEX runs over their concatenation. A page is read with one row more than asked, which says
whether a ``next`` page exists without counting the table.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from .crs import transform_bounds
from .wfs_crs import WfsCRS
from .wfs_filter import filter_sql
from .wfs_params import GEOJSON, FeatureRequest, WfsError
from .wfs_types import FeatureType

SQL_DIR = Path(__file__).resolve().parent / "sql"
GML_LONG_SRS, GML_LINESTRING, GML_LATLON = 1, 4, 16


@lru_cache(maxsize=None)
def sql_text(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@dataclass
class FeatureRows:
    feature_type: FeatureType
    rows: list  # SQLAlchemy rows: the visible columns and "__geometry" (encoded text)


def _transformed(geometry: str, crs: WfsCRS) -> str:
    if crs.code == "EPSG:4326":
        return geometry
    if crs.code == "EPSG:3857":
        return f"ST_Transform({geometry}, 3857)"
    return f"ST_SetSRID(ST_Transform({geometry}, :proj), {crs.epsg})"  # the pinned UCS-2000 definition


def geometry_sql(feature_type: FeatureType, crs: WfsCRS, output: str) -> str:
    geometry = _transformed(feature_type.source.geometry_sql, crs)
    if output == GEOJSON:
        return f"ST_AsGeoJSON(ST_ForcePolygonCCW({geometry}), {crs.decimals}, 0)"
    options = GML_LONG_SRS | GML_LINESTRING | (GML_LATLON if crs.authority_yx else 0)
    gml_id = f"'{feature_type.name}.' || t.id || '.geom'"
    return f"ST_AsGML(3, {geometry}, {crs.decimals}, {options}, 'gml', {gml_id})"


def _ids_for(feature_type: FeatureType, resource_ids: tuple[str, ...]) -> list[uuid.UUID]:
    found = []
    for rid in resource_ids:
        layer, _, value = rid.partition(".")
        if layer != feature_type.name:
            continue
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            raise WfsError(f"RESOURCEID {rid!r} is not <layer>.<uuid>", "InvalidParameterValue",
                           "RESOURCEID") from None
    return found


def _where(feature_type: FeatureType, request: FeatureRequest) -> tuple[str, dict]:
    source = feature_type.source
    parts, values = [source.where], {}
    if request.bbox is not None:
        minx, miny, maxx, maxy = transform_bounds(request.bbox.xy, request.bbox.crs.code, "EPSG:4326")
        envelope = "ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326)"
        parts.append("(" + " OR ".join(f'ST_Intersects(t."{c}", {envelope})' for c in source.geometry_columns) + ")")
        values.update(minx=minx, miny=miny, maxx=maxx, maxy=maxy)
    if request.filters:
        condition, bound = filter_sql(request.filters[request.type_names.index(feature_type.name)], feature_type)
        parts.append(condition)
        values.update(bound)
    if request.resource_ids:
        parts.append("t.id = ANY(:ids)")
        values["ids"] = _ids_for(feature_type, request.resource_ids)
    return " AND ".join(parts), values


def _statement(sql: str, values: dict):
    statement = text(sql)
    if "ids" in values:
        statement = statement.bindparams(bindparam("ids", type_=ARRAY(UUID(as_uuid=True))))
    return statement


def _page(conn: Connection, feature_type: FeatureType, request: FeatureRequest, columns: list[str],
          limit: int, offset: int) -> list:
    where, values = _where(feature_type, request)
    quoted = ", ".join(f't."{c}"' for c in columns)
    sql = sql_text("wfs_features.sql").format(
        columns=quoted, comma="," if quoted else "", geometry=geometry_sql(feature_type, request.crs, request.output),
        relation=feature_type.source.relation, where=where)
    if not request.crs.code.startswith("EPSG:4326") and request.crs.code != "EPSG:3857":
        values["proj"] = request.crs.proj
    return conn.execute(_statement(sql, values), {**values, "limit": limit, "offset": offset}).all()


def count(conn: Connection, feature_type: FeatureType, request: FeatureRequest) -> int:
    where, values = _where(feature_type, request)
    sql = sql_text("wfs_hits.sql").format(relation=feature_type.source.relation, where=where)
    return conn.execute(_statement(sql, values), values).scalar_one()


def read(conn: Connection, types: list[FeatureType], request: FeatureRequest,
         columns: dict[str, list[str]] | None = None) -> tuple[list[FeatureRows], bool]:
    """The page of ``request`` over ``types`` in order, and whether more features follow.

    ``columns`` narrows the attribute columns per type (GetPropertyValue); default: all visible."""
    need = request.count + 1
    skip = request.start
    out: list[FeatureRows] = []
    for feature_type in types:
        if need <= 0:
            break
        wanted = columns[feature_type.name] if columns else list(feature_type.source.columns)
        rows = _page(conn, feature_type, request, wanted, need, skip) if need else []
        if not rows and skip:
            skip -= min(skip, count(conn, feature_type, request))
            continue
        skip = 0
        need -= len(rows)
        out.append(FeatureRows(feature_type, rows))
    more = need <= 0
    if more:  # drop the probe row
        last = out[-1]
        last.rows = last.rows[:-1]
    return [f for f in out if f.rows or not more], more
