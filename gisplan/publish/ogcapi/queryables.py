"""The properties a caller sees in a collection and may filter on, with their types.

They are the columns of :func:`gisplan.publish.sources.layer_source`: the ``pub`` view's columns for
anonymous callers (so a sensitive field can be neither read nor probed with a filter), the full
table's for a signed-in reader of the громада. Values from the query string or a CQL2 literal are
converted here, with an error that names the property.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass

from ...catalog import LayerSpec
from ..sources import LayerSource
from .crs import BadParameter

COMMON_KINDS = {
    "id": "uuid", "code": "text", "katottg": "text", "hromada": "text", "status": "text",
    "installed_at": "date", "removed_at": "date", "version": "integer", "created_at": "datetime",
    "updated_at": "datetime", "updated_by": "text", "source": "text", "public": "boolean",
}
FIELD_KINDS = {"text": "text", "url": "text", "enum": "text", "integer": "integer", "number": "number",
               "boolean": "boolean", "date": "date", "datetime": "datetime"}  # json and lists: not queryable
SQL_TYPES = {"text": "text", "integer": "integer", "number": "double precision", "boolean": "boolean",
             "date": "date", "datetime": "timestamptz", "uuid": "uuid"}
JSON_SCHEMA = {"text": {"type": "string"}, "integer": {"type": "integer"}, "number": {"type": "number"},
               "boolean": {"type": "boolean"}, "date": {"type": "string", "format": "date"},
               "datetime": {"type": "string", "format": "date-time"},
               "uuid": {"type": "string", "format": "uuid"}}
GEOMETRY_NAMES = ("geometry", "geom")
_TRUE, _FALSE = ("true", "1", "yes", "так"), ("false", "0", "no", "ні")


@dataclass(frozen=True)
class Queryable:
    name: str
    kind: str
    title_uk: str
    title_en: str
    values: tuple[str, ...] = ()   # enum codes

    @property
    def sql(self) -> str:
        return f't."{self.name}"'

    def cast(self, placeholder: str) -> str:
        return f"CAST({placeholder} AS {SQL_TYPES[self.kind]})"

    def convert(self, value, where: str):
        """``value`` (text from the query string, or a CQL2 literal) as this property's type."""
        try:
            return _convert(self.kind, value)
        except (ValueError, TypeError):
            raise BadParameter(where, f"{self.name} is {_NAMES[self.kind]}, got {value!r}") from None

    def schema(self) -> dict:
        out = {"title": f"{self.title_uk} / {self.title_en}", **JSON_SCHEMA[self.kind]}
        if self.values:
            out["enum"] = list(self.values)
        return out


_NAMES = {"text": "text", "integer": "an integer", "number": "a number", "boolean": "true or false",
          "date": "a date (YYYY-MM-DD)", "datetime": "a date-time (RFC 3339)", "uuid": "a UUID"}


def _convert(kind: str, value):
    if kind == "text":
        if isinstance(value, (dict, list, tuple)):
            raise TypeError
        return str(value)
    if kind == "integer":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        return int(value)
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(str(value)[:10])
    if kind == "datetime":
        if isinstance(value, dt.datetime):
            return value
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time(), dt.timezone.utc)
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if kind == "uuid":
        return uuidlib.UUID(str(value))
    raise TypeError(kind)


def queryables(source: LayerSource) -> dict[str, Queryable]:
    """Name → :class:`Queryable` for the columns ``source`` shows (geometries and lists left out)."""
    layer: LayerSpec = source.layer
    out: dict[str, Queryable] = {}
    for name in source.columns:
        if name in COMMON_KINDS:
            kind, values = COMMON_KINDS[name], (tuple(layer.statuses) if name == "status" else ())
        elif name in layer.fields:
            field = layer.fields[name]
            kind = FIELD_KINDS.get(field.type)
            values = tuple(field.values or ())
        else:
            kind = None
        if kind is None:
            continue
        out[name] = Queryable(name, kind, layer.label(name, "uk"), layer.label(name, "en"), values)
    return out
