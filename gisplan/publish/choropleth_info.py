"""GetFeatureInfo on a computed layer: the kept features under the pixel (nearest first), with their
value, its class and the gap's or metric's own properties (as ``/api/hromady/{code}/gaps/{gap}``
gives them)."""

from __future__ import annotations

import shapely
from shapely.geometry import box, shape

from .choropleth_data import ChoroplethSource
from .choropleth_styles import POINT_SIZE
from .crs import transform_bounds, transformer
from .wms_featureinfo import MIN_TOLERANCE_PX, FoundFeature, pixel_to_map
from .wms_params import InfoRequest

LABELS = {
    "territory": ("код КАТОТТГ", "КАТОТТГ code"),
    "name": ("назва", "name"),
    "population": ("мешканців", "residents"),
    "class": ("клас", "class"),
    "reason": ("чому немає значення", "why there is no value"),
    "unit": ("одиниця", "unit"),
    "located": ("нанесено на карту", "on the map"),
    "broadband_fixed": ("фіксований широкосмуговий доступ", "fixed broadband"),
    "outside_share": ("частка площі поза зоною", "share of the area outside"),
    "residents_outside": ("мешканців поза зоною", "residents outside"),
    "residents_beyond": ("мешканців поза зоною", "residents beyond"),
    "residents_total": ("мешканців усього", "residents in total"),
    "covered_share": ("частка площі в покритті", "share of the area covered"),
    "area_km2": ("площа, км²", "area, km²"),
    "service_points": ("точок обслуговування", "service points"),
    "places": ("місць в укриттях", "shelter places"),
    "balance": ("баланс місць", "places balance"),
    "shelters": ("укриттів", "shelters"),
    "residents": ("мешканців", "residents"),
    "shelters_capacity_unknown": ("укриттів з невідомою місткістю", "shelters of unknown capacity"),
}


def _search(request: InfoRequest) -> tuple[shapely.Geometry, shapely.Geometry]:
    x, y = pixel_to_map(request)
    minx, miny, maxx, maxy = request.map.bbox
    t = max(MIN_TOLERANCE_PX, POINT_SIZE / 2 + 1)
    dx, dy = t * (maxx - minx) / request.map.width, t * (maxy - miny) / request.map.height
    code = request.map.crs.code
    area = box(*transform_bounds((x - dx, y - dy, x + dx, y + dy), code, "EPSG:4326"))
    return area, shapely.Point(*transformer(code, "EPSG:4326").transform(x, y))


def class_label(source: ChoroplethSource, cls: int, lang: str) -> str:
    label, _ = source.layer.legend_rows()[cls]
    return getattr(label, lang)


def query(request: InfoRequest, source: ChoroplethSource, limit: int) -> list[FoundFeature]:
    area, click = _search(request)
    hits = []
    for f in source.features:
        if not f["geometry"]:
            continue
        geom = shape(f["geometry"])
        if geom.intersects(area):
            hits.append((geom.distance(click), f))
    hits.sort(key=lambda h: h[0])
    return [FoundFeature(source.layer.name, str(f["id"]),
                         {**f["properties"], "class": class_label(source, f["cls"], request.map.language)},
                         f["geometry"]) for _, f in hits[:limit]]


def rows(source: ChoroplethSource, properties: dict, lang: str, shown) -> list[dict]:
    """Rows of the html / xml answer: the value first, then the other properties."""
    n = 0 if lang == "uk" else 1
    out = []
    for key, value in properties.items():
        if key == "value":
            label = getattr(source.layer.value_label, lang)
        else:
            label = LABELS.get(key, (key, key))[n]
        out.append({"name": key, "label": label, "value": shown(value, lang),
                    "raw": "" if value is None else str(value)})
    out.sort(key=lambda r: r["name"] != "value")
    return out
