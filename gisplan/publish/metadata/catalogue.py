"""The catalogue behind CSW: summaries of every record (published datasets and services), searched
with filters parsed into pygeofilter's AST (CQL text by pygeofilter, OGC Filter 1.1 XML by
:mod:`.fes11`) and evaluated by pygeofilter in Python.

The summaries come from one query (``catalogue.sql``); the full ISO records are rendered only for
the page returned.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import shapely.geometry
from lxml import etree
from pygeofilter import ast
from pygeofilter.backends.native.evaluate import NativeEvaluator
from pygeofilter.parsers.ecql import parse as parse_cql
from sqlalchemy import Connection, text

from ...catalog import catalog
from .fes11 import parse as parse_fes
from .records import UKRAINE_LONLAT, Services, ServiceRef, service_kind, service_refs

SQL = (Path(__file__).parent / "catalogue.sql").read_text(encoding="utf-8")

QUERYABLES = {
    "anytext": ("csw:AnyText", "apiso:AnyText", "AnyText"),
    "title": ("dc:title", "apiso:Title", "Title"),
    "abstract": ("dct:abstract", "apiso:Abstract", "Abstract"),
    "subjects": ("dc:subject", "apiso:Subject", "Subject"),
    "type": ("dc:type", "apiso:Type", "Type"),
    "identifier": ("dc:identifier", "apiso:Identifier", "Identifier"),
    "modified": ("dct:modified", "apiso:Modified", "Modified"),
    "geometry": ("ows:BoundingBox", "apiso:BoundingBox", "BoundingBox"),
}
ATTRIBUTES = {name: key for key, names in QUERYABLES.items() for name in names}


class FilterError(ValueError):
    """A constraint that cannot be parsed or names an unknown queryable."""


@dataclass
class Entry:
    identifier: str
    type: str                  # dataset or service
    title: str
    abstract: str
    subjects: list[str]
    modified: str
    box: tuple[float, float, float, float]   # lon/lat
    layer: str | None = None
    hromada: str | None = None
    service: ServiceRef | None = None
    gap: str | None = None        # a gap layer's record (gap_records.py)
    geometry: object = field(default=None, repr=False)
    anytext: str = ""

    def as_dict(self) -> dict:
        return {"anytext": self.anytext, "title": self.title, "abstract": self.abstract,
                "subjects": " ".join(self.subjects), "type": self.type, "identifier": self.identifier,
                "modified": self.modified, "geometry": self.geometry}


def _finish(e: Entry) -> Entry:
    e.geometry = shapely.geometry.box(*e.box)
    e.anytext = " ".join([e.title, e.abstract, *e.subjects, e.identifier, e.layer or "", e.hromada or ""])
    return e


def entries(conn: Connection, hromada: str | None, services: Services) -> list[Entry]:
    """Every record of the catalogue (of one громада when given): services first, then datasets."""
    cat = catalog()
    out: list[Entry] = []
    boxes: dict[str, tuple] = {}
    datasets: list[Entry] = []
    for r in conn.execute(text(SQL), {"hromada": hromada}):
        spec = cat.get(r.layer) if r.layer in cat else None
        if spec is None:
            continue
        place = f"{r.place} територіальна громада"
        box = (r.west, r.south, r.east, r.north) if r.west is not None else UKRAINE_LONLAT
        boxes[r.hromada] = box
        keywords = list(r.keywords or spec.metadata.keywords.get("uk", ()))
        datasets.append(_finish(Entry(
            identifier=r.uuid, type="dataset", title=f"{r.title or spec.title.uk}: {place}",
            abstract=r.abstract or spec.abstract.uk,
            subjects=keywords + list(spec.metadata.keywords.get("en", ())) + list(spec.metadata.topic_categories)
            + [spec.title.en, place],
            modified=(r.modified or dt.datetime.now(dt.timezone.utc)).date().isoformat(),
            box=tuple(round(float(v), 6) for v in box), layer=r.layer, hromada=r.hromada)))
    for ref in service_refs(conn, services):
        if hromada and ref.hromada != hromada:
            continue
        if not hromada and ref.hromada and ref.hromada not in boxes:
            continue
        k = service_kind(ref.kind)
        out.append(_finish(Entry(
            identifier=ref.uuid, type="service", title=k.title_uk + (f": {ref.hromada}" if ref.hromada else ""),
            abstract=k.abstract, subjects=[k.keyword, k.service_type, k.format_name],
            modified=dt.date.today().isoformat(), box=boxes.get(ref.hromada or "", UKRAINE_LONLAT),
            hromada=ref.hromada, service=ref)))
    from .gap_records import entries as gap_entries  # the computed gap layers' records, last

    return out + datasets + gap_entries(conn, hromada)


# ------------------------------------------------------------------ filters
def _attributes(node) -> list[str]:
    found = []
    if isinstance(node, ast.Attribute):
        found.append(node.name)
    for sub in getattr(node, "get_sub_nodes", lambda: [])() or []:
        if isinstance(sub, list):
            for s in sub:
                found += _attributes(s)
        else:
            found += _attributes(sub)
    return found


def parse_filter(*, fes: etree._Element | None = None, cql: str | None = None):
    """The filter as a callable over :meth:`Entry.as_dict`, or None for no constraint."""
    try:
        if fes is not None:
            node = parse_fes(fes)
        elif cql:
            node = parse_cql(cql)
        else:
            return None
    except Exception as exc:  # pygeofilter raises lark, lxml and its own errors
        raise FilterError(f"the constraint could not be parsed: {exc}") from None
    unknown = sorted({a for a in _attributes(node) if a not in ATTRIBUTES})
    if unknown:
        raise FilterError(f"unknown queryables {', '.join(unknown)}; queryables: {', '.join(sorted(ATTRIBUTES))}")
    return NativeEvaluator(attribute_map=ATTRIBUTES, use_getattr=False).evaluate(node)


def search(items: list[Entry], predicate) -> list[Entry]:
    if predicate is None:
        return items
    return [e for e in items if predicate(e.as_dict())]
