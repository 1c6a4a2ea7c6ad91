"""Feature types of the download service (WFS 2.0), built from the layer catalogue.

A feature type is a layer as one caller may see it (:func:`.sources.layer_source`): the columns of
the ``pub`` view for anonymous callers, of the full table for a signed-in reader of the громада.
Each column gets an XML Schema type from the catalogue's field type; the geometry is one property,
``geom`` (the layer's own geometry, else its extra geometry, as everywhere else).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import LayerSpec
from .sources import LayerSource

NAMESPACE = "urn:x-gisplan:features"
PREFIX = "gp"
GEOMETRY_PROPERTY = "geom"

_FIELD_XSD = {
    "text": "xsd:string", "url": "xsd:string", "enum": "xsd:string", "integer": "xsd:integer",
    "number": "xsd:double", "boolean": "xsd:boolean", "date": "xsd:date", "datetime": "xsd:dateTime",
    "json": "xsd:string", "text_list": "xsd:string", "integer_list": "xsd:string",
}
_COMMON_XSD = {
    "id": "xsd:string", "code": "xsd:string", "katottg": "xsd:string", "hromada": "xsd:string",
    "status": "xsd:string", "installed_at": "xsd:date", "removed_at": "xsd:date", "version": "xsd:integer",
    "created_at": "xsd:dateTime", "updated_at": "xsd:dateTime", "updated_by": "xsd:string",
    "source": "xsd:string", "public": "xsd:boolean",
}
# the catalogue's geometry type → the GML 3.2 property type
_GEOMETRY_XSD = {
    "Point": "gml:PointPropertyType", "MultiPoint": "gml:MultiPointPropertyType",
    "LineString": "gml:CurvePropertyType", "MultiLineString": "gml:MultiCurvePropertyType",
    "Polygon": "gml:SurfacePropertyType", "MultiPolygon": "gml:MultiSurfacePropertyType",
}


@dataclass(frozen=True)
class Property:
    name: str
    xsd_type: str
    label_uk: str
    label_en: str


@dataclass(frozen=True)
class FeatureType:
    source: LayerSource

    @property
    def name(self) -> str:
        return self.source.layer.name

    @property
    def layer(self) -> LayerSpec:
        return self.source.layer

    def properties(self) -> list[Property]:
        """The attribute properties in column order (no geometry)."""
        layer = self.layer
        out = []
        for column in self.source.columns:
            if column in layer.fields:
                xsd = _FIELD_XSD[layer.fields[column].type]
            else:
                xsd = _COMMON_XSD.get(column, "xsd:string")
            out.append(Property(column, xsd, layer.label(column, "uk"), layer.label(column, "en")))
        return out

    def find(self, name: str) -> Property | None:
        return next((p for p in self.properties() if p.name == name), None)

    @property
    def geometry_xsd(self) -> str:
        if self.layer.extra_geometries:
            return "gml:GeometryPropertyType"
        return _GEOMETRY_XSD.get(self.layer.geometry.type, "gml:GeometryPropertyType")

    @property
    def geometry_label(self) -> tuple[str, str]:
        label = self.layer.geometry.label
        return (label.uk, label.en) if label else ("Геометрія", "Geometry")


def type_name(text: str) -> str:
    """``gp:shelters``, ``{urn:x-gisplan:features}shelters`` or ``shelters`` → ``shelters``."""
    value = text.strip()
    if value.startswith("{"):
        ns, _, local = value[1:].partition("}")
        return local if ns == NAMESPACE else value
    prefix, sep, local = value.partition(":")
    return local if sep and prefix else value
