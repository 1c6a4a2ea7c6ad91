"""The query parameters of ``/collections/{layer}/items``, read and checked; errors name them.

``datetime`` is matched against each feature's life in the world, ``installed_at`` … ``removed_at``
(either open): an instant selects what existed then, an interval what existed at some time in it.
Paging is keyset paging on the feature id (``after`` / ``before`` a feature id), so a page costs
the same wherever it is and no count is made.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Mapping

from ...settings import ogcapi_settings
from .crs import ApiCrs, BadParameter, parse_crs
from .queryables import Queryable

COMMON = ("f", "lang", "limit", "bbox", "bbox-crs", "crs", "datetime", "filter", "filter-lang",
          "filter-crs", "after", "before")


@dataclass(frozen=True)
class ItemsQuery:
    limit: int
    crs: ApiCrs
    bbox: tuple[float, float, float, float] | None = None     # lon/lat
    period: tuple[dt.date | None, dt.date | None] | None = None
    filter: str | None = None
    filter_lang: str | None = None
    after: uuidlib.UUID | None = None
    before: uuidlib.UUID | None = None
    properties: dict[str, object] = field(default_factory=dict)   # name → converted value
    passthrough: dict[str, str] = field(default_factory=dict)     # what the paging links repeat


def _limit(value: str | None) -> int:
    s = ogcapi_settings()
    if value is None or value == "":
        return s.default_limit
    try:
        limit = int(value)
    except ValueError:
        raise BadParameter("limit", f"not an integer: {value!r}") from None
    if limit < 1:
        raise BadParameter("limit", f"must be at least 1, got {limit}")
    return min(limit, s.max_limit)  # Part 1: a larger limit is served as the maximum


def _bbox(value: str, crs: ApiCrs) -> tuple[float, float, float, float]:
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        raise BadParameter("bbox", f"not numbers: {value!r}") from None
    if len(numbers) == 6:  # 3D: lower corner x,y,z then upper corner
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(v) for v in numbers):
        raise BadParameter("bbox", f"needs 4 numbers (or 6), got {value!r}")
    a, b, c, d = numbers
    if crs.geographic and not crs.yx and not (-180 <= a <= 180 and -180 <= c <= 180 and -90 <= b <= 90
                                               and -90 <= d <= 90):
        raise BadParameter("bbox", f"{value!r} is not longitude,latitude (CRS84)")
    if b > d or (a > c and not (crs.geographic and not crs.yx)):
        raise BadParameter("bbox", f"lower corner above upper corner in {value!r}")
    if a > c:  # CRS84 across the antimeridian: not in Ukraine; take the whole width
        a, c = -180.0, 180.0
    try:
        return crs.bbox_to_lonlat((a, b, c, d))
    except Exception:  # pyproj: outside the CRS's area
        raise BadParameter("bbox", f"{value!r} cannot be converted from {crs.uri}") from None


def _instant(text: str, parameter: str) -> dt.date | None:
    text = text.strip()
    if text in ("..", ""):
        return None
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise BadParameter(parameter, f"{text!r} is not an RFC 3339 date or date-time") from None


def _period(value: str) -> tuple[dt.date | None, dt.date | None]:
    if "/" in value:
        start, _, end = value.partition("/")
        a, b = _instant(start, "datetime"), _instant(end, "datetime")
        if a and b and a > b:
            raise BadParameter("datetime", f"the interval {value!r} ends before it starts")
        return a, b
    when = _instant(value, "datetime")
    if when is None:
        raise BadParameter("datetime", "'..' alone is not an instant; use start/.. or ../end")
    return when, when


def _cursor(value: str | None, parameter: str) -> uuidlib.UUID | None:
    if not value:
        return None
    try:
        return uuidlib.UUID(value)
    except ValueError:
        raise BadParameter(parameter, f"not a feature id: {value!r}") from None


def parse_items(query: Mapping[str, str], fields: dict[str, Queryable]) -> ItemsQuery:
    """Read the items parameters; an unknown parameter is an error (Part 1 /req/core/query-param-unknown)."""
    unknown = [k for k in query if k not in COMMON and k not in fields]
    if unknown:
        raise BadParameter(unknown[0], f"unknown; use {', '.join(COMMON)} or a queryable "
                                       f"({', '.join(fields)})")
    if query.get("filter-crs") and parse_crs(query["filter-crs"], "filter-crs").code != "CRS:84":
        raise BadParameter("filter-crs", "filters take CRS84 coordinates only")
    after, before = _cursor(query.get("after"), "after"), _cursor(query.get("before"), "before")
    if after and before:
        raise BadParameter("before", "give after or before, not both")
    out_crs = parse_crs(query.get("crs"), "crs")
    bbox_crs = parse_crs(query.get("bbox-crs"), "bbox-crs")
    if query.get("bbox-crs") and not query.get("bbox"):
        raise BadParameter("bbox-crs", "given without bbox")
    properties = {name: fields[name].convert(value, name) for name, value in query.items() if name in fields}
    keep = {k: v for k, v in query.items() if k not in ("after", "before", "limit")}
    return ItemsQuery(
        limit=_limit(query.get("limit")), crs=out_crs,
        bbox=_bbox(query["bbox"], bbox_crs) if query.get("bbox") else None,
        period=_period(query["datetime"]) if query.get("datetime") else None,
        filter=query.get("filter") or None, filter_lang=query.get("filter-lang"),
        after=after, before=before, properties=properties, passthrough=keep,
    )
