"""Collection documents: one collection per layer of the catalogue that the endpoint serves.

An anonymous caller sees the layers with a published dataset (in the громада, or anywhere for the
national endpoint); a signed-in reader of the громада also sees its unpublished datasets. Each
published dataset adds its links: ``describedby`` → its ISO 19139 record (``/metadata/{uuid}.xml``,
the ``metadata_uuid`` of its ``dataset`` row) and two ``enclosure`` links to the full files
(GeoJSON and GeoPackage, ``/{code}/downloads/{layer}.geojson|gpkg``) with their type and, when
the download module knows the file, its length. ``license`` is the data licence of the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from .. import downloads
from ...catalog import LayerSpec, catalog
from ...features import NotFound
from ...settings import metadata_settings
from ..sources import layer_source
from .crs import CRS84, offered_uris
from .endpoint import GEOJSON, GPKG, HTML, JSON, SCHEMA, XML, Endpoint, link, self_links
from .items import read_sql
from .queryables import queryables

ENCLOSURES = (("geojson", GEOJSON, "GeoJSON"), ("gpkg", GPKG, "GeoPackage"))


@dataclass
class CollectionInfo:
    layer: LayerSpec
    datasets: list = field(default_factory=list)   # rows of collections.sql
    extent: tuple | None = None  # (west, south, east, north) when read per layer (collection_extents.sql)

    def box(self) -> list[float] | None:
        if self.extent is not None:
            boxes = [self.extent] if self.extent[0] is not None else []
        else:
            boxes = [(r.west, r.south, r.east, r.north) for r in self.datasets if r.west is not None]
        if not boxes:
            return None
        return [round(min(b[0] for b in boxes), 6), round(min(b[1] for b in boxes), 6),
                round(max(b[2] for b in boxes), 6), round(max(b[3] for b in boxes), 6)]


def served(conn: Connection, endpoint: Endpoint, layer: str | None = None) -> list[CollectionInfo]:
    """The collections of the endpoint in catalogue order (one layer when ``layer`` is given)."""
    rows = conn.execute(text(read_sql("collections.sql")), {
        "all_datasets": endpoint.scope.full, "hromada": endpoint.scope.hromada, "layer": layer}).all()
    by_layer: dict[str, CollectionInfo] = {}
    cat = catalog()
    for row in rows:
        if row.layer in cat:
            by_layer.setdefault(row.layer, CollectionInfo(cat.get(row.layer))).datasets.append(row)
    return [by_layer[name] for name in cat.names() if name in by_layer]


def listed(conn: Connection, endpoint: Endpoint) -> list[CollectionInfo]:
    """The collections of the endpoint's list. The national list shows no dataset of its own (see
    :func:`collection_document`), so it reads one row per layer (``collection_extents.sql``: its box)
    instead of one per published dataset (13 160 at national scale, each with its громада's box);
    a громада's list links its datasets and reads them (:func:`served`)."""
    if endpoint.scope.hromada is not None:
        return served(conn, endpoint)
    rows = conn.execute(text(read_sql("collection_extents.sql")), {
        "all_datasets": endpoint.scope.full, "hromada": None}).all()
    by_layer = {r.layer: r for r in rows}
    cat = catalog()
    return [CollectionInfo(cat.get(name), extent=(r.west, r.south, r.east, r.north))
            for name in cat.names() if (r := by_layer.get(name)) is not None]


def collection_info(conn: Connection, endpoint: Endpoint, name: str) -> CollectionInfo:
    """One collection; :class:`NotFound` naming what is missing."""
    if name not in catalog():
        raise NotFound(f"collection {name!r}: no such layer; layers: {', '.join(catalog().names())}")
    found = served(conn, endpoint, name)
    if not found:
        where = f"громада {endpoint.scope.hromada}" if endpoint.scope.hromada else "any громада"
        raise NotFound(f"collection {name!r}: no published dataset in {where}")
    return found[0]


def _file_length(row, fmt: str) -> int | None:
    """The size of a dataset's download file when it is already written; a file not written yet
    is not written here (that is the download route's work), and its link goes without length."""
    state = downloads.DatasetState(row.layer, row.hromada, str(row.metadata_uuid), row.change_count,
                                   row.changed_at, row.published_at)
    ready = downloads.ready_file(state, fmt)
    return ready.size if ready is not None else None


def dataset_links(endpoint: Endpoint, info: CollectionInfo) -> list[dict]:
    out = []
    national = endpoint.scope.hromada is None
    for row in info.datasets:
        if not row.published:  # a signed-in reader's unpublished dataset: no record, no files
            continue
        place = row.hromada_name or row.hromada
        suffix = f": {place} ({row.hromada})" if national else ""
        out.append(link(f"{endpoint.site}/metadata/{row.metadata_uuid}.xml", "describedby", XML,
                        f"Метадані ISO 19139 / ISO 19139 metadata{suffix}"))
        for ext, media, label in ENCLOSURES:
            item = link(f"{endpoint.site}/{row.hromada}/downloads/{info.layer.name}.{ext}", "enclosure", media,
                        f"Увесь набір, {label} / Full dataset, {label}{suffix}")
            length = _file_length(row, ext)
            if length is not None:
                item["length"] = length
            out.append(item)
    return out


def licence_link() -> dict:
    s = metadata_settings()
    return link(s.licence_url, "license", HTML, s.licence_title)


def collection_document(endpoint: Endpoint, info: CollectionInfo, with_datasets: bool = True) -> dict:
    """The collection; ``with_datasets`` False leaves out the links of each dataset (its record and
    files), which the national list does: three links per published dataset of every громада made
    that list grow with the whole catalogue (10 MB and ~20 s at national scale, bench/national_scale.py)
    while a client reading the list wants the collections; each collection's own document keeps them."""
    layer = info.layer
    path = f"/collections/{layer.name}"
    title = f"{layer.title.uk} / {layer.title.en}"
    if endpoint.place:
        title = f"{title}: {endpoint.place}"
    links = [
        *self_links(endpoint, path, JSON, title),
        link(endpoint.url(f"{path}/items", f="json"), "items", GEOJSON, "Об’єкти / Features (GeoJSON)"),
        link(endpoint.url(f"{path}/items", f="html"), "items", HTML, "Об’єкти / Features (HTML)"),
        link(endpoint.url(f"{path}/queryables"), "http://www.opengis.net/def/rel/ogc/1.0/queryables",
             SCHEMA, "Властивості для фільтрів / Queryables"),
        link(endpoint.url(f"{path}/tiles"), "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", JSON,
             "Векторні тайли (OGC API – Tiles) / Vector tiles"),
        licence_link(),
        *(dataset_links(endpoint, info) if with_datasets else ()),
    ]
    kw = layer.metadata.keywords
    doc = {
        "id": layer.name,
        "title": title,
        "description": f"{layer.abstract.uk}\n\n{layer.abstract.en}",
        "keywords": [*kw.get("uk", ()), *kw.get("en", ())],
        "itemType": "feature",
        "crs": offered_uris(),
        "storageCrs": CRS84,
        "links": links,
    }
    box = info.box()
    if box:
        doc["extent"] = {"spatial": {"bbox": [box], "crs": CRS84}}
    return doc


def queryables_document(endpoint: Endpoint, info: CollectionInfo) -> dict:
    source = layer_source(info.layer, endpoint.scope)
    props = {name: q.schema() for name, q in queryables(source).items()}
    props["geometry"] = {"title": "Геометрія / Geometry", "format": "geometry-any",
                         "x-ogc-role": "primary-geometry"}
    return {
        "$schema": "https://json-schema.org/draft/2019-09/schema",
        "$id": endpoint.url(f"/collections/{info.layer.name}/queryables"),
        "type": "object",
        "title": f"{info.layer.title.uk} / {info.layer.title.en}",
        "properties": props,
        "additionalProperties": False,
    }
