"""The gap layers as published products (OGC API collections, ISO records, the dataset listing).

A gap layer is the computed WMS layer ``gap.<gap>`` (:mod:`.choropleth_layers`): the same name is
its OGC API collection id and its catalogue entry. Who sees it follows the WMS rule
(:mod:`.choropleth_data`): an anonymous caller sees a gap for the громади whose input datasets are
all published, computed from the ``pub`` views; a signed-in reader of the громада sees it from the
full tables. The features are those the WMS draws, taken from the same cache (recomputed when an
input changes or the day changes), computed as of today.

Every gap layer has one ISO 19139 record with a fixed UUID (derived from its name), shown only
while some громада publishes all of its inputs.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from .. import clock
from ..gaps.registry import GapSpec, gaps
from .choropleth_data import SQL_DIR, choropleth_source, published_layers
from .choropleth_layers import GAP_PREFIX, ChoroplethLayer, choropleth_layers, eligible
from .sources import Scope

KIND = "gap"
UKRAINE_LONLAT = (22.137, 44.386, 40.228, 52.379)
EXTENT_SQL = (SQL_DIR / "gap_extent.sql").read_text(encoding="utf-8")
RECORD_NAMESPACE = uuidlib.UUID("5b0c6a0e-3f1e-5d8c-9a57-6761706c6179")  # fixed: records keep their UUIDs


@dataclass(frozen=True)
class GapProduct:
    """A gap layer as one caller may see it: where (``hromady``) and as of which date."""

    layer: ChoroplethLayer
    spec: GapSpec
    hromady: tuple[str, ...]
    as_of: dt.date

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def record_uuid(self) -> str:
        return record_uuid(self.name)


def record_uuid(name: str) -> str:
    """The UUID of the ISO record of the gap layer ``name`` (``gap.<gap>``)."""
    return str(uuidlib.uuid5(RECORD_NAMESPACE, name))


def is_gap(name: str) -> bool:
    return name.startswith(GAP_PREFIX)


def gap_layer_names() -> list[str]:
    return [GAP_PREFIX + g for g in gaps()]


def products(conn: Connection, scope: Scope) -> list[GapProduct]:
    """The gap layers the scope may see, in registry order: all of them for a reader of the
    громада (full tables); anonymously, those with a громада whose inputs are all published."""
    layers = choropleth_layers()
    today = clock.today()
    published = {} if scope.full else published_layers(conn, scope)
    out = []
    for gap, spec in gaps().items():
        layer = layers[GAP_PREFIX + gap]
        hromady = (scope.hromada,) if scope.full else tuple(eligible(layer, published))
        if hromady:
            out.append(GapProduct(layer, spec, hromady, today))
    return out


def product(conn: Connection, scope: Scope, name: str) -> GapProduct | None:
    return next((p for p in products(conn, scope) if p.name == name), None)


def extent(conn: Connection, hromady: tuple[str, ...]) -> tuple[float, float, float, float]:
    """The box (lon/lat, 6 decimals) around the громади's boundaries, else Ukraine's."""
    row = conn.execute(text(EXTENT_SQL), {"codes": list(hromady)}).first()
    if row is None or row.west is None:
        return UKRAINE_LONLAT
    return tuple(round(float(v), 6) for v in row)  # type: ignore[return-value]


def features(engine: Engine, scope: Scope, name: str) -> tuple[list[dict], dt.date]:
    """The gap's features as the WMS layer holds them (``id``, ``hromada``, ``geometry``,
    ``properties`` …; shared: do not change them) and the date they were computed as of."""
    source = choropleth_source(engine, name, scope)
    return source.features, clock.today()


def unknown_message(name: str) -> str:
    return f"collection {name!r}: no such gap layer; gap layers: {', '.join(gap_layer_names())}"


def listing(conn: Connection, hromada: str | None, reader: bool) -> list[dict]:
    """The gap layers as the dataset list shows them (computed, read-only products): of one громада
    (all of them for its ``reader``, with ``public`` saying whether anonymous callers see it too),
    or nationally (those anonymous callers see)."""
    public = {p.name: p for p in products(conn, Scope(hromada))}
    record = {p.name for p in products(conn, Scope())} if hromada else set(public)
    shown = products(conn, Scope(hromada, True)) if hromada and reader else list(public.values())
    root = f"/{hromada}" if hromada else ""
    out = []
    for p in shown:
        links = {"ogcapi": f"{root}/ogcapi/collections/{p.name}", "wms": f"{root}/ows", "wms_layer": p.name}
        if hromada:
            links["geojson"] = f"/api/hromady/{hromada}/gaps/{p.spec.gap}"
        if p.name in record:
            links["metadata"] = f"/metadata/{p.record_uuid}.xml"
        out.append({"layer": p.name, "kind": KIND, "computed": True, "read_only": True,
                    "title": {"uk": p.layer.title.uk, "en": p.layer.title.en},
                    "method": p.spec.method.model_dump(), "inputs": list(p.spec.inputs),
                    "as_of": p.as_of.isoformat(), "hromada": hromada,
                    "hromady": list(public[p.name].hromady) if p.name in public else [],
                    "public": p.name in public, "links": links})
    return out
