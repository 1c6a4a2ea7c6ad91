"""Reading and writing the features of a layer, with the time model's guarantees.

Anonymous readers go through the ``pub`` views only; planners read the full tables of their
громади. Writes carry the version that was read: a stale version raises :class:`VersionConflict`
(HTTP 409), so no update is lost. Triggers keep history, versions and dataset counters.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any, Iterable
from uuid import UUID

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiLineString, MultiPoint, MultiPolygon, mapping, shape
from shapely.validation import explain_validity
from sqlalchemy import Connection, and_, column, func, select, table, text
from sqlalchemy.sql import ColumnElement

from .catalog import LayerSpec, catalog
from .db.derived import pub_columns
from .db.engine import acting_as
from .db.layer_tables import data_columns, history_table, layer_table
from .errors import GisplanError

GEOJSON_DECIMALS = 7  # about 1 cm; RFC 7946 recommends no more than needed


class FeatureError(GisplanError):
    """Bad input for a feature: names the field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


class NotFound(GisplanError):
    pass


class VersionConflict(GisplanError):
    def __init__(self, current: int):
        super().__init__(f"version: the feature has changed since it was read (now version {current})")
        self.current = current


@dataclass
class Page:
    features: list[dict]
    matched: int


# ------------------------------------------------------------------ geometry in
_PROMOTE = {"Polygon": MultiPolygon, "LineString": MultiLineString, "Point": MultiPoint}


def parse_geometry(layer: LayerSpec, value: Any, field: str = "geometry", nullable: bool | None = None):
    """GeoJSON (dict or str) → a shapely geometry of the layer's type, or None; clear errors."""
    spec = layer.geometry if field == "geometry" else layer.extra_geometries[field]
    if value is None:
        if nullable if nullable is not None else spec.nullable:
            return None
        raise FeatureError(field, "a geometry is required for this layer")
    try:
        geom = shape(json.loads(value) if isinstance(value, str) else value)
    except Exception as exc:  # shapely raises several kinds
        raise FeatureError(field, f"not a GeoJSON geometry ({exc})") from None
    if geom.is_empty:
        raise FeatureError(field, "the geometry is empty")
    want = spec.type
    if want != "Geometry" and geom.geom_type != want:
        if want.startswith("Multi") and _PROMOTE.get(geom.geom_type) and want == "Multi" + geom.geom_type:
            geom = _PROMOTE[geom.geom_type]([geom])
        else:
            raise FeatureError(field, f"expected {want}, got {geom.geom_type}")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise FeatureError(field, "coordinates are not longitude/latitude (EPSG:4326, lon first)")
    if not geom.is_valid:
        raise FeatureError(field, f"invalid geometry: {explain_validity(geom)}")
    if shapely.has_z(geom):
        geom = shapely.force_2d(geom)
    return geom


# ------------------------------------------------------------------ reading
def _source(layer: LayerSpec, public: bool):
    """The table to read: the pub view for anonymous callers, else the layer table."""
    if public:
        return table(layer.name, *[column(c) for c in pub_columns(layer)], schema="pub")
    return layer_table(layer.table)


def _geojson(expr) -> ColumnElement:
    return func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(expr), GEOJSON_DECIMALS)


def _select_columns(layer: LayerSpec, src) -> list:
    geoms = ["geom", *layer.extra_geometries]
    out: list = [c for c in src.c if c.name not in geoms]
    # main geometry: the layer's own, else the first extra geometry (a settlement known only as a point)
    main = src.c.geom
    for extra in layer.extra_geometries:
        main = func.coalesce(main, src.c[extra])
    out.append(_geojson(main).label("__geometry"))
    for extra in layer.extra_geometries:
        out.append(_geojson(src.c[extra]).label(f"__{extra}"))
    return out


def _filters(src, hromada: str | None, hromady: Iterable[str] | None, bbox: tuple | None,
             as_of: dt.date | None) -> list:
    where = []
    if hromada:
        where.append(src.c.hromada == hromada)
    if hromady is not None:
        where.append(src.c.hromada.in_(list(hromady)))
    if bbox:
        minx, miny, maxx, maxy = bbox
        where.append(src.c.geom.op("&&")(func.ST_MakeEnvelope(minx, miny, maxx, maxy, 4326)))
    if as_of:
        where.append(and_(
            (src.c.installed_at.is_(None)) | (src.c.installed_at <= as_of),
            (src.c.removed_at.is_(None)) | (src.c.removed_at > as_of),
        ))
    return where


def _to_feature(layer: LayerSpec, row) -> dict:
    props = {}
    for key, value in row._mapping.items():
        if key.startswith("__"):
            continue
        props[key] = _jsonable(value)
    for extra in layer.extra_geometries:
        raw = row._mapping[f"__{extra}"]
        props[extra] = json.loads(raw) if raw else None
    geometry = row._mapping["__geometry"]
    return {
        "type": "Feature",
        "id": str(row._mapping["id"]),
        "geometry": json.loads(geometry) if geometry else None,
        "properties": props,
    }


def _jsonable(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _rows(conn: Connection, layer: LayerSpec, public: bool, hromada, hromady, bbox, as_of, limit, offset):
    src = _source(layer, public)
    where = _filters(src, hromada, hromady, bbox, as_of)
    matched = conn.execute(select(func.count()).select_from(src).where(*where)).scalar_one()
    rows = conn.execute(
        select(*_select_columns(layer, src)).where(*where)
        .order_by(src.c.hromada, src.c.code, src.c.id).limit(limit).offset(offset)
    )
    return rows, matched


def list_features(conn: Connection, layer_name: str, *, public: bool, hromada: str | None = None,
                  hromady: Iterable[str] | None = None, bbox: tuple | None = None,
                  as_of: dt.date | None = None, limit: int = 100, offset: int = 0) -> Page:
    layer = catalog().get(layer_name)
    rows, matched = _rows(conn, layer, public, hromada, hromady, bbox, as_of, limit, offset)
    return Page([_to_feature(layer, r) for r in rows], matched)


def _feature_text(layer: LayerSpec, row) -> str:
    """One GeoJSON feature as text; the geometry text from PostGIS is spliced in unparsed."""
    m = row._mapping
    props = {k: _jsonable(v) for k, v in m.items() if not k.startswith("__")}
    for extra in layer.extra_geometries:
        raw = m[f"__{extra}"]
        props[extra] = json.loads(raw) if raw else None
    geometry = m["__geometry"] or "null"
    return ('{"type":"Feature","id":"%s","geometry":%s,"properties":%s}'
            % (m["id"], geometry, json.dumps(props, ensure_ascii=False, separators=(",", ":"))))


def features_text(conn: Connection, layer_name: str, *, public: bool, hromada: str | None = None,
                  hromady: Iterable[str] | None = None, bbox: tuple | None = None,
                  as_of: dt.date | None = None, limit: int = 100, offset: int = 0) -> tuple[str, int, int]:
    """The features of a page as a JSON array text, with numberMatched and numberReturned.

    Same rows as :func:`list_features`; used for responses, where parsing and re-serialising the
    coordinates would cost more than the query."""
    layer = catalog().get(layer_name)
    rows, matched = _rows(conn, layer, public, hromada, hromady, bbox, as_of, limit, offset)
    parts = [_feature_text(layer, r) for r in rows]
    return "[" + ",".join(parts) + "]", matched, len(parts)


def get_feature(conn: Connection, layer_name: str, feature_id: UUID, *, public: bool,
                hromady: Iterable[str] | None = None) -> dict:
    layer = catalog().get(layer_name)
    src = _source(layer, public)
    where = [src.c.id == feature_id]
    if hromady is not None:
        where.append(src.c.hromada.in_(list(hromady)))
    row = conn.execute(select(*_select_columns(layer, src)).where(*where)).first()
    if row is None:
        raise NotFound(f"{layer_name}: no feature {feature_id}")
    return _to_feature(layer, row)


def feature_hromada(conn: Connection, layer_name: str, feature_id: UUID) -> tuple[str, int]:
    t = layer_table(catalog().get(layer_name).table)
    row = conn.execute(select(t.c.hromada, t.c.version).where(t.c.id == feature_id)).first()
    if row is None:
        raise NotFound(f"{layer_name}: no feature {feature_id}")
    return row.hromada, row.version


def history(conn: Connection, layer_name: str, feature_id: UUID) -> list[dict]:
    """Every previous version, oldest first, with what ended it, who and when."""
    layer = catalog().get(layer_name)
    h = history_table(layer.name)
    geoms = ["geom", *layer.extra_geometries]
    cols = [c for c in h.c if c.name not in geoms and c.name != "history_id"]
    rows = conn.execute(
        select(*cols, _geojson(h.c.geom).label("__geometry"))
        .where(h.c.id == feature_id).order_by(h.c.version, h.c.history_id)
    )
    out = []
    for r in rows:
        item = {k: _jsonable(v) for k, v in r._mapping.items() if k != "__geometry"}
        item["geometry"] = json.loads(r.__geometry) if r.__geometry else None
        out.append(item)
    return out


# ------------------------------------------------------------------ writing
def locate_hromada(conn: Connection, geom) -> str | None:
    """The громада whose boundary contains the geometry's representative point."""
    hromady = layer_table("hromady")
    point = from_shape(geom.representative_point(), srid=4326)
    return conn.execute(
        select(hromady.c.hromada).where(func.ST_Intersects(hromady.c.geom, point))
        .where(hromady.c.removed_at.is_(None)).limit(1)
    ).scalar_one_or_none()


def _row_values(layer: LayerSpec, props: dict, geometry: Any, *, partial: bool, conn: Connection) -> dict:
    values: dict = {}
    for key, value in props.items():
        if key in layer.extra_geometries:
            g = parse_geometry(layer, value, field=key)
            values[key] = from_shape(g, srid=4326) if g is not None else None
        elif key == "status":
            if value is not None and value not in layer.statuses:
                raise FeatureError("status", f"{value!r} is not one of {', '.join(layer.statuses)}")
            if value is not None:
                values[key] = value
        elif key == "public":
            if value is not None:
                values[key] = value
        else:
            values[key] = value
    if geometry is not None or not partial:
        g = parse_geometry(layer, geometry)
        values["geom"] = from_shape(g, srid=4326) if g is not None else None
        if not values.get("hromada") and not partial:
            probe = g
            if probe is None:
                for extra in layer.extra_geometries:
                    if props.get(extra):
                        probe = parse_geometry(layer, props[extra], field=extra)
                        break
            found = locate_hromada(conn, probe) if probe is not None else None
            if not found:
                raise FeatureError("hromada", "not given, and the geometry lies in no loaded громада")
            values["hromada"] = found
    return values


def create_feature(conn: Connection, layer_name: str, props: dict, geometry: Any, user: str | None) -> dict:
    layer = catalog().get(layer_name)
    t = layer_table(layer.table)
    values = _row_values(layer, props, geometry, partial=False, conn=conn)
    with acting_as(conn, user):
        new_id = conn.execute(t.insert().values(**values).returning(t.c.id)).scalar_one()
    return get_feature(conn, layer_name, new_id, public=False)


def _check_version(conn: Connection, t, layer_name: str, feature_id: UUID, expected: int) -> None:
    """Lock the feature's row; NotFound, or VersionConflict unless its version is ``expected``."""
    current = conn.execute(select(t.c.version).where(t.c.id == feature_id).with_for_update()).scalar_one_or_none()
    if current is None:
        raise NotFound(f"{layer_name}: no feature {feature_id}")
    if current != expected:
        raise VersionConflict(current)


def update_feature(conn: Connection, layer_name: str, feature_id: UUID, expected_version: int,
                   props: dict, geometry: Any, user: str | None) -> dict:
    layer = catalog().get(layer_name)
    t = layer_table(layer.table)
    values = _row_values(layer, props, geometry, partial=True, conn=conn)
    with acting_as(conn, user):
        _check_version(conn, t, layer_name, feature_id, expected_version)
        if values:
            conn.execute(t.update().where(t.c.id == feature_id).values(**values))
    return get_feature(conn, layer_name, feature_id, public=False)


def delete_feature(conn: Connection, layer_name: str, feature_id: UUID, expected_version: int,
                   user: str | None) -> None:
    layer = catalog().get(layer_name)
    t = layer_table(layer.table)
    with acting_as(conn, user):
        _check_version(conn, t, layer_name, feature_id, expected_version)
        conn.execute(t.delete().where(t.c.id == feature_id))


def restore_feature(conn: Connection, layer_name: str, feature_id: UUID, version: int,
                    expected_version: int | None, user: str | None) -> dict:
    """Bring back the values of an earlier ``version`` as the feature's newest version.

    A feature that still exists needs ``expected_version`` (the version read), as any update; a
    deleted one is re-created with its id, and its history continues."""
    layer = catalog().get(layer_name)
    t, h = layer_table(layer.table), history_table(layer.name)
    keep = [c for c in data_columns(layer) if c not in ("id", "version", "created_at", "updated_at", "updated_by")]
    old = conn.execute(select(*[h.c[c] for c in keep], h.c.created_at)
                       .where(h.c.id == feature_id, h.c.version == version)
                       .order_by(h.c.history_id.desc()).limit(1)).first()
    if old is None:
        raise NotFound(f"{layer_name}: feature {feature_id} has no earlier version {version}")
    values = {c: old._mapping[c] for c in keep}
    with acting_as(conn, user):
        current = conn.execute(select(t.c.version).where(t.c.id == feature_id).with_for_update()).scalar_one_or_none()
        if current is not None:
            if expected_version is None or current != expected_version:
                raise VersionConflict(current)
            conn.execute(t.update().where(t.c.id == feature_id).values(**values))
        else:
            last = conn.execute(select(func.max(h.c.version)).where(h.c.id == feature_id)).scalar_one()
            conn.execute(text("SELECT set_config('gisplan.restoring', 'on', true)"))
            conn.execute(t.insert().values(id=feature_id, version=last + 1, created_at=old.created_at, **values))
            conn.execute(text("SELECT set_config('gisplan.restoring', 'off', true)"))
    return get_feature(conn, layer_name, feature_id, public=False)
