"""Pages of features and single features of a collection, as GeoJSON text.

The rows come from :func:`gisplan.publish.sources.layer_source` (the ``pub`` view for anonymous
callers) through ``items.sql``; each feature is written by :func:`gisplan.features._feature_text`,
which splices the GeoJSON geometry text PostGIS produced instead of parsing and re-encoding it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuidlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, text

from ...features import _feature_text
from ..sources import LayerSource
from .crs import ApiCrs
from .cql2 import Binds, compile_filter
from .params import ItemsQuery
from .queryables import Queryable

SQL_DIR = Path(__file__).parent


@lru_cache(maxsize=None)
def read_sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Page:
    features: str                  # a JSON array text
    returned: int
    next_after: str | None         # the cursor of the next page
    prev_before: str | None        # the cursor of the previous page


def _select(source: LayerSource, crs: ApiCrs, where: str, direction: str) -> str:
    columns = ", ".join(f't."{c}"' for c in source.columns)
    extras = "".join(', {} AS "__{}"'.format(crs.geojson_sql('t."%s"' % e), e)
                     for e in source.layer.extra_geometries)
    sql = read_sql("items.sql")
    for key, value in (("columns", columns), ("geometry", crs.geojson_sql(source.geometry_sql)),
                       ("extras", extras), ("relation", source.relation), ("where", where),
                       ("direction", direction)):
        sql = sql.replace("{" + key + "}", value)
    return sql


def conditions(source: LayerSource, fields: dict[str, Queryable], query: ItemsQuery, binds: Binds) -> list[str]:
    """SQL conditions of the query (values in ``binds``), the scope's громада first."""
    where = [source.where]
    if query.bbox:
        envelope = "ST_MakeEnvelope({}, {}, {}, {}, 4326)".format(*(binds.add(v) for v in query.bbox))
        where.append(source.bbox_sql(envelope))
        where.append(f"ST_Intersects({source.geometry_sql}, {envelope})")
    if query.period:
        start, end = query.period
        if end is not None:
            where.append(f"(t.installed_at IS NULL OR t.installed_at <= {binds.add(end)})")
        if start is not None:
            where.append(f"(t.removed_at IS NULL OR t.removed_at > {binds.add(start)})")
    for name, value in query.properties.items():
        q = fields[name]
        where.append(f"{q.sql} = {q.cast(binds.add(value))}")
    if query.filter:
        where.append(compile_filter(query.filter, query.filter_lang, fields, source.geometry_sql, binds))
    return where


def read_page(conn: Connection, source: LayerSource, fields: dict[str, Queryable], query: ItemsQuery) -> Page:
    binds = Binds()
    where = conditions(source, fields, query, binds)
    backwards = query.before is not None
    if query.after is not None:
        where.append(f"t.id > {binds.add(query.after)}")
    if backwards:
        where.append(f"t.id < {binds.add(query.before)}")
    sql = _select(source, query.crs, " AND ".join(where), "DESC" if backwards else "ASC")
    rows = conn.execute(text(sql), {**binds.values, "limit": query.limit + 1}).all()
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    if backwards:
        rows.reverse()
    parts = [_feature_text(source.layer, r) for r in rows]
    first = str(rows[0].id) if rows else None
    last = str(rows[-1].id) if rows else None
    if backwards:
        next_after = str(query.before)
        prev_before = first if more else None
    else:
        next_after = last if more else None
        prev_before = first if query.after is not None and first else None
    return Page("[" + ",".join(parts) + "]", len(parts), next_after, prev_before)


def read_item(conn: Connection, source: LayerSource, feature_id: str, crs: ApiCrs) -> str | None:
    """One feature's GeoJSON text, or None when the caller may not see it (or it does not exist)."""
    try:
        uid = uuidlib.UUID(feature_id)
    except ValueError:
        return None
    sql = _select(source, crs, f"{source.where} AND t.id = :id", "ASC")
    row = conn.execute(text(sql), {"id": uid, "limit": 1}).first()
    return _feature_text(source.layer, row) if row is not None else None


def collection_text(features: Page, links: list[dict]) -> str:
    """A GeoJSON FeatureCollection (RFC 7946 plus the OGC members) around a page."""
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return ('{"type":"FeatureCollection","features":%s,"numberReturned":%d,"timeStamp":"%s","links":%s}'
            % (features.features, features.returned, stamp, json.dumps(links, ensure_ascii=False)))
