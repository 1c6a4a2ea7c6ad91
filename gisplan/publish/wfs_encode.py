"""Writing GetFeature and GetPropertyValue answers: a WFS 2.0 FeatureCollection of GML 3.2
features, a GeoJSON FeatureCollection, or a ValueCollection.

The geometry text comes from PostGIS unparsed (:mod:`.wfs_query`); attribute values are written
here, XML-escaped, as their XML Schema types of :mod:`.wfs_types` want them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from uuid import UUID
from xml.sax.saxutils import escape, quoteattr

from .wfs_crs import WfsCRS
from .wfs_query import FeatureRows
from .wfs_types import GEOMETRY_PROPERTY, NAMESPACE, PREFIX

WFS_NS = "http://www.opengis.net/wfs/2.0"
GML_NS = "http://www.opengis.net/gml/3.2"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_GML_ID = re.compile(r'gml:id="([^"]*)"')


def unique_gml_ids(geometry: str) -> str:
    """PostGIS gives the members of a multi-geometry the id of the whole; GML wants each unique."""
    if geometry.count("gml:id=") < 2:
        return geometry
    counter = iter(range(1_000_000))
    return _GML_ID.sub(lambda m: f'gml:id="{m.group(1)}.{next(counter)}"', geometry)


def xml_value(value) -> str | None:
    """A column value as the text of its XML element; None when the value is missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (int, Decimal, UUID)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return escape(_XML_ILLEGAL.sub("", str(value)))


def json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value) if isinstance(value, UUID) else float(value)
    return value


def timestamp() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _collection_open(root: str, schema_location: str, returned: int, matched: str, next_url: str | None) -> str:
    nxt = f" next={quoteattr(next_url)}" if next_url else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<wfs:{root} xmlns:wfs="{WFS_NS}" xmlns:gml="{GML_NS}" xmlns:{PREFIX}="{NAMESPACE}" '
            f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation={quoteattr(schema_location)} timeStamp="{timestamp()}" '
            f'numberMatched="{matched}" numberReturned="{returned}"{nxt}>')


def gml_collection(pages: list[FeatureRows], schema_location: str, matched: str, next_url: str | None) -> bytes:
    returned = sum(len(p.rows) for p in pages)
    parts = [_collection_open("FeatureCollection", schema_location, returned, matched, next_url)]
    for page in pages:
        name = page.feature_type.name
        columns = page.feature_type.source.columns
        for row in page.rows:
            m = row._mapping
            parts.append(f'<wfs:member><{PREFIX}:{name} gml:id="{name}.{m["id"]}">')
            for column in columns:
                value = xml_value(m[column])
                if value is not None:
                    parts.append(f"<{PREFIX}:{column}>{value}</{PREFIX}:{column}>")
            geometry = m["__geometry"]
            if geometry:
                geometry = unique_gml_ids(geometry)
                parts.append(f"<{PREFIX}:{GEOMETRY_PROPERTY}>{geometry}</{PREFIX}:{GEOMETRY_PROPERTY}>")
            parts.append(f"</{PREFIX}:{name}></wfs:member>")
    parts.append("</wfs:FeatureCollection>")
    return "".join(parts).encode("utf-8")


def value_collection(pages: list[FeatureRows], reference: str, schema_location: str, matched: str,
                     next_url: str | None) -> bytes:
    returned = sum(len(p.rows) for p in pages)
    parts = [_collection_open("ValueCollection", schema_location, returned, matched, next_url)]
    for page in pages:
        for row in page.rows:
            m = row._mapping
            if reference == GEOMETRY_PROPERTY:
                value = unique_gml_ids(m["__geometry"]) if m["__geometry"] else None
            else:
                value = xml_value(m[reference])
            parts.append("<wfs:member/>" if value is None else f"<wfs:member>{value}</wfs:member>")
    parts.append("</wfs:ValueCollection>")
    return "".join(parts).encode("utf-8")


def geojson_collection(pages: list[FeatureRows], crs: WfsCRS, matched: int | None, next_url: str | None) -> bytes:
    """GeoJSON, x,y (lon,lat) whatever the CRS; a CRS other than EPSG:4326 is named in ``crs``."""
    features = []
    for page in pages:
        name = page.feature_type.name
        columns = page.feature_type.source.columns
        for row in page.rows:
            m = row._mapping
            props = {c: json_value(m[c]) for c in columns}
            features.append('{"type":"Feature","id":%s,"geometry":%s,"properties":%s}' % (
                json.dumps(f"{name}.{m['id']}"), m["__geometry"] or "null",
                json.dumps(props, ensure_ascii=False, separators=(",", ":"))))
    head = {"type": "FeatureCollection", "timeStamp": timestamp(),
            "numberReturned": len(features)}
    if matched is not None:
        head["numberMatched"] = matched
    if crs.code != "EPSG:4326":
        head["crs"] = {"type": "name", "properties": {"name": crs.urn}}
    if next_url:
        head["links"] = [{"href": next_url, "rel": "next", "type": "application/json"}]
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))
    return (text[:-1] + ',"features":[' + ",".join(features) + "]}").encode("utf-8")
