"""The data of the computed (gap / indicator) WMS layers: computed once, cached, keyed by the inputs.

A layer is computed for the громади of the caller's scope whose input datasets are all published
(anonymous callers), or for its громада from the full tables (a signed-in reader at ``/{code}/ows``).
Anonymous results are computed with the ``pub`` views in front of the tables on the search path,
so the gap and metric SQL, unchanged, reads only published datasets, public rows and public fields.

The result is kept in memory per (database, scope, layer) together with its *version*: the as-of
date and the change counters (and publication times) of the input datasets it was computed from
(:file:`sql/choropleth_datasets.sql`, one indexed query). A request reads the counters, and only
when they differ (an edit, a publication, a new day) is the layer computed again; GetMap tiles and
GetFeatureInfo otherwise draw from the kept features.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from .. import clock
from ..gaps.compute import SUMMARY_KEYS, gap_rows
from ..indicators.registry import registry
from .choropleth_layers import ChoroplethLayer, choropleth_layers, eligible
from .sources import Scope

log = logging.getLogger(__name__)
SQL_DIR = Path(__file__).resolve().parent / "sql"


@lru_cache
def _sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


@dataclass(eq=False)
class ChoroplethSource:
    """A computed layer as one caller sees it: its features (GeoJSON geometry, properties and the
    class index ``cls``) and the version they were computed for."""

    layer: ChoroplethLayer
    version: str
    hromady: tuple[str, ...]
    features: list[dict] = field(default_factory=list)

    @property
    def relation(self) -> str:
        """Keys the built Mapnik maps: another version is another map."""
        return f"computed:{self.layer.name}:{self.version}"

    def geojson(self) -> str:
        """The drawable features as one FeatureCollection (for Mapnik's inline GeoJSON datasource)."""
        return json.dumps({"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": f["geometry"], "properties": {"cls": f["cls"]}}
            for f in self.features if f["geometry"]]}, ensure_ascii=False)


# ---------------------------------------------------------------- which громади, which version
def _dataset_rows(conn: Connection, layers: tuple[str, ...], scope: Scope) -> list:
    return conn.execute(text(_sql("choropleth_datasets.sql")), {
        "layers": list(layers), "hromada": scope.hromada, "full": scope.full}).all()


def published_layers(conn: Connection, scope: Scope) -> dict[str, set[str]]:
    """{hromada: {published layer, …}} in the scope (every layer of every громада: no data read)."""
    layers = sorted({n for layer in choropleth_layers().values() for n in layer.needs})
    out: dict[str, set[str]] = {}
    for r in _dataset_rows(conn, tuple(layers), scope):
        out.setdefault(r.hromada, set()).add(r.layer)
    return out


def visible_layers(conn: Connection, scope: Scope) -> list[ChoroplethLayer]:
    """The computed layers the scope may see: all of them for a reader of the громада; for an
    anonymous caller, those with at least one громада whose inputs are all published."""
    layers = list(choropleth_layers().values())
    if scope.full:
        return layers
    published = published_layers(conn, scope)
    return [layer for layer in layers if eligible(layer, published)]


def _targets(conn: Connection, layer: ChoroplethLayer, scope: Scope, as_of: dt.date) -> tuple[list[str], str]:
    """The громади to compute ``layer`` for and the version of their inputs."""
    rows = _dataset_rows(conn, layer.needs, scope)
    if scope.full:
        hromady = [scope.hromada]
    else:
        published: dict[str, set[str]] = {}
        for r in rows:
            published.setdefault(r.hromada, set()).add(r.layer)
        hromady = eligible(layer, published)
    digest = hashlib.sha1(f"{scope.key}|{as_of.isoformat()}".encode())
    for r in rows:
        if r.hromada in hromady:
            digest.update(repr((r.hromada, r.layer, int(r.change_count), bool(r.published),
                                r.published_at.isoformat() if r.published_at else None)).encode())
    return hromady, digest.hexdigest()[:16]


# ---------------------------------------------------------------- computing
def gap_value(gap: str, row: dict) -> float | None:
    """What a gap feature is classed by: residents left out (places missing for shelter_deficit)."""
    props = row["properties"]
    if gap == "shelter_deficit":
        return float(-props["balance"])
    if gap in SUMMARY_KEYS:
        v = props.get(SUMMARY_KEYS[gap])
        return None if v is None else float(v)
    return None if row["population"] is None else float(row["population"])


def _feature(layer: ChoroplethLayer, hromada: str, fid: str, geometry, value, props: dict) -> dict:
    cls = layer.class_of(value)
    return {"id": fid, "hromada": hromada, "geometry": geometry, "value": value, "cls": cls,
            "properties": {**props, "value": value}}


def _gap_features(conn: Connection, layer: ChoroplethLayer, hromada: str, as_of: dt.date) -> list[dict]:
    out = []
    for n, row in enumerate(gap_rows(conn, hromada, layer.key, as_of)):
        fid = row["territory"] if row["territory"] else f"{hromada}-{n}"
        props = {"territory": row["territory"], "name": row["name"], "population": row["population"],
                 **row["properties"]}
        out.append(_feature(layer, hromada, fid, row["geometry"], gap_value(layer.key, row), props))
    return out


def _indicator_features(conn: Connection, layer: ChoroplethLayer, hromada: str, as_of: dt.date) -> list[dict]:
    metric = registry().get(layer.key)
    outcomes = metric.evaluate(conn, hromada, as_of, dict(metric.spec.parameters))
    binds = {"hromada": hromada, "as_of": as_of}

    def props(o) -> dict:
        return {"territory": o.territory, "value": o.value, "unit": layer.unit.uk,
                "reason": metric.reason(o.reason, {**o.details, **metric.spec.parameters}, as_of)["uk"]
                if o.reason else None}

    if layer.per == "hromada":
        top = next((o for o in outcomes if o.territory == hromada), None)
        shape = conn.execute(text(_sql("choropleth_hromada.sql")), binds).first()
        if top is None or shape is None or shape.geometry is None:
            return []
        return [_feature(layer, hromada, hromada, json.loads(shape.geometry), top.value,
                         {**props(top), "name": shape.name})]
    by_code = {o.territory: o for o in outcomes if o.territory != hromada}
    rows = conn.execute(text(_sql("choropleth_settlements.sql")), {**binds, "codes": sorted(by_code)}).all()
    return [_feature(layer, hromada, r.katottg, json.loads(r.geometry), by_code[r.katottg].value,
                     {**props(by_code[r.katottg]), "name": r.name, "population": r.population})
            for r in rows]


def compute(conn: Connection, layer: ChoroplethLayer, hromady: list[str], as_of: dt.date,
            anonymous: bool) -> list[dict]:
    """The features of ``layer`` over ``hromady`` (in a read-only transaction the caller opened;
    with the pub views first on the search path when ``anonymous``)."""
    conn.execute(text("SET TRANSACTION READ ONLY"))
    if anonymous:
        conn.execute(text("SET LOCAL search_path TO pub, public"))
    one = _gap_features if layer.kind == "gap" else _indicator_features
    features: list[dict] = []
    for h in hromady:
        try:
            with conn.begin_nested():
                features += one(conn, layer, h, as_of)
        except DBAPIError as exc:  # e.g. a metric that needs a field the pub view does not show
            log.warning("%s for %s: not computed: %s", layer.name, h, str(exc).splitlines()[0])
    return features


# ---------------------------------------------------------------- the cache
class ResultCache:
    """One computed result per (database, scope, layer), replaced when its version changes."""

    def __init__(self):
        self._results: dict[tuple, ChoroplethSource] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._lock = threading.Lock()
        self.computed = 0  # how many times a layer was computed (tests and the benchmark read it)

    def get(self, engine: Engine, layer: ChoroplethLayer, scope: Scope) -> ChoroplethSource:
        as_of = clock.today()
        key = (str(engine.url), scope.key, layer.name)
        with engine.connect() as conn:
            hromady, version = _targets(conn, layer, scope, as_of)
        hit = self._results.get(key)
        if hit is not None and hit.version == version:
            return hit
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:  # one computation per key at a time; the others then find it
            hit = self._results.get(key)
            if hit is not None and hit.version == version:
                return hit
            with engine.connect() as conn:
                features = compute(conn, layer, hromady, as_of, anonymous=not scope.full)
                conn.rollback()
            result = ChoroplethSource(layer, version, tuple(hromady), features)
            self._results[key] = result
            self.computed += 1
            return result

    def clear(self) -> None:
        with self._lock:
            self._results.clear()


RESULTS = ResultCache()


def choropleth_source(engine: Engine, name: str, scope: Scope) -> ChoroplethSource:
    return RESULTS.get(engine, choropleth_layers()[name], scope)
