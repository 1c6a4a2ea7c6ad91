"""Parsing WMS requests from the raw query string.

Parameter names are case-insensitive (QGIS and GDAL send upper case, OWSLib lower case) and values
keep their case, so the query string is read here rather than through the web framework's
declared parameters. The first occurrence of a repeated name wins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .crs import ServiceCRS, UnknownCRS, service_crs
from .wms_exceptions import EXCEPTION_FORMATS, ImageTarget, WmsError

VERSIONS = ("1.1.1", "1.3.0")
# FORMAT of GetMap → Mapnik's encoder; keys are normalised (lower case, no spaces)
MAP_FORMATS = {
    "image/png": ("image/png", "png32:z=3"),  # zlib level 3: half the time of 6, ~7 % larger
    "image/png;mode=8bit": ("image/png; mode=8bit", "png8:m=h:z=3"),
    "image/png8": ("image/png; mode=8bit", "png8:m=h:z=3"),
    "image/jpeg": ("image/jpeg", "jpeg85"),
}
ADVERTISED_MAP_FORMATS = ("image/png", "image/png; mode=8bit", "image/jpeg")
INFO_FORMATS = ("text/html", "application/json", "text/xml")
INFO_FORMAT_ALIASES = {"application/geo+json": "application/json", "application/xml": "text/xml",
                       "text/plain": "text/html"}
_BGCOLOR = re.compile(r"^(0x|#)?([0-9a-fA-F]{6})$")


def parse_query(raw: str) -> dict[str, str]:
    """Query string → {UPPER-CASE NAME: value}, first occurrence wins, blank values kept."""
    params: dict[str, str] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        params.setdefault(name.strip().upper(), value)
    return params


def negotiate_version(requested: str | None) -> str:
    """GetCapabilities version negotiation (WMS 1.3.0 §6.2.4): highest supported ≤ requested,
    the lowest when the request is below it, the highest when none is asked for."""
    if not requested:
        return "1.3.0"
    key = _version_key(requested)
    if key is None or key >= (1, 3, 0):
        return "1.3.0"
    return "1.1.1"


def _version_key(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(p) for p in text.strip().split("."))
    except ValueError:
        return None


def operation_version(params: dict[str, str]) -> str:
    """VERSION of GetMap/GetFeatureInfo/GetLegendGraphic: 1.3.0 or 1.1.1 (SRS without CRS → 1.1.1)."""
    given = params.get("VERSION") or params.get("WMTVER")
    if not given:
        return "1.1.1" if "SRS" in params and "CRS" not in params else "1.3.0"
    if given.strip() not in VERSIONS:
        raise WmsError(f"VERSION {given!r} is not supported; use 1.3.0 or 1.1.1",
                       "InvalidParameterValue", "VERSION")
    return given.strip()


def required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if value is None or value.strip() == "":
        raise WmsError(f"parameter {name} is missing", "MissingParameterValue", name)
    return value.strip()


def _integer(params: dict[str, str], name: str, low: int, high: int, code: str = "InvalidParameterValue") -> int:
    text = required(params, name)
    try:
        value = int(text)
    except ValueError:
        raise WmsError(f"{name} must be a whole number, got {text!r}", code, name) from None
    if not low <= value <= high:
        raise WmsError(f"{name} must be between {low} and {high}, got {value}", code, name)
    return value


def parse_bool(params: dict[str, str], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if value.strip().upper() in ("TRUE", "1", "YES"):
        return True
    if value.strip().upper() in ("FALSE", "0", "NO"):
        return False
    raise WmsError(f"{name} must be TRUE or FALSE, got {value!r}", "InvalidParameterValue", name)


def parse_bgcolor(params: dict[str, str]) -> tuple[int, int, int]:
    value = params.get("BGCOLOR")
    if not value:
        return (255, 255, 255)
    m = _BGCOLOR.match(value.strip())
    if not m:
        raise WmsError(f"BGCOLOR must be 0xRRGGBB, got {value!r}", "InvalidParameterValue", "BGCOLOR")
    h = m.group(2)
    return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))


def parse_crs(params: dict[str, str], version: str) -> ServiceCRS:
    name = "SRS" if version == "1.1.1" else "CRS"
    value = params.get(name) or params.get("SRS" if name == "CRS" else "CRS")
    if not value:
        raise WmsError(f"parameter {name} is missing", "MissingParameterValue", name)
    try:
        return service_crs(value)
    except UnknownCRS:
        raise WmsError(f"{name} {value!r} is not offered", "InvalidCRS", name) from None


def parse_bbox(params: dict[str, str], crs: ServiceCRS, version: str) -> tuple[float, float, float, float]:
    """BBOX in the version's axis order → (minx, miny, maxx, maxy), easting/longitude first."""
    text = required(params, "BBOX")
    parts = text.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise WmsError(f"BBOX must be four numbers, got {text!r}", "InvalidParameterValue", "BBOX")
    minx, miny, maxx, maxy = crs.to_xy(values, version)
    if not (minx < maxx and miny < maxy):
        raise WmsError(f"BBOX {text!r}: the minimum must be less than the maximum on each axis",
                       "InvalidParameterValue", "BBOX")
    return (minx, miny, maxx, maxy)


def parse_layer_names(params: dict[str, str], name: str = "LAYERS") -> list[str]:
    text = required(params, name)
    names = [n.strip() for n in text.split(",")]
    if any(not n for n in names):
        raise WmsError(f"{name} has an empty layer name: {text!r}", "LayerNotDefined", name)
    return names


def parse_styles(params: dict[str, str], count: int, version: str) -> list[str]:
    """STYLES: empty or one per layer; each empty or ``default``. Required in 1.3.0 (may be blank)."""
    if "STYLES" not in params:
        if version == "1.3.0":
            raise WmsError("parameter STYLES is missing (send STYLES= for the default styles)",
                           "MissingParameterValue", "STYLES")
        return ["default"] * count
    text = params["STYLES"].strip()
    if text == "":
        return ["default"] * count
    styles = [s.strip() or "default" for s in text.split(",")]
    if len(styles) != count:
        raise WmsError(f"STYLES names {len(styles)} styles for {count} layers",
                       "StyleNotDefined", "STYLES")
    for s in styles:
        if s.lower() != "default":
            raise WmsError(f"style {s!r} is not defined; the only style is 'default'",
                           "StyleNotDefined", "STYLES")
    return ["default"] * count


def exception_mode(params: dict[str, str]) -> str:
    value = (params.get("EXCEPTIONS") or "XML").strip().upper()
    return EXCEPTION_FORMATS.get(value, "XML")


@dataclass(frozen=True)
class MapRequest:
    version: str
    layers: tuple[str, ...]
    crs: ServiceCRS
    bbox: tuple[float, float, float, float]   # x,y order in ``crs``
    width: int
    height: int
    media_type: str     # as advertised: image/png, image/png; mode=8bit, image/jpeg
    encoding: str       # Mapnik's image format string
    transparent: bool
    bgcolor: tuple[int, int, int]
    language: str

    @property
    def image_target(self) -> ImageTarget:
        return ImageTarget(self.width, self.height,
                           "image/jpeg" if self.media_type == "image/jpeg" else "image/png",
                           self.transparent, self.bgcolor)


def parse_format(params: dict[str, str]) -> tuple[str, str]:
    text = required(params, "FORMAT")
    key = text.replace(" ", "").lower()
    if key not in MAP_FORMATS:
        raise WmsError(f"FORMAT {text!r} is not offered; use one of {', '.join(ADVERTISED_MAP_FORMATS)}",
                       "InvalidFormat", "FORMAT")
    return MAP_FORMATS[key]


def language(params: dict[str, str]) -> str:
    """LANGUAGE → ``en`` for English (eng, en), else ``uk``: an unknown value changes nothing."""
    value = (params.get("LANGUAGE") or "").strip().lower()
    return "en" if value in ("eng", "en", "en-gb", "en-us") else "uk"


def image_target(params: dict[str, str], max_width: int, max_height: int) -> ImageTarget | None:
    """The image an INIMAGE/BLANK exception can be drawn into, or None when the request's own
    size or format is unusable (then the exception goes out as XML)."""
    try:
        width = _integer(params, "WIDTH", 1, max_width)
        height = _integer(params, "HEIGHT", 1, max_height)
        media_type, _ = parse_format(params)
        transparent = parse_bool(params, "TRANSPARENT")
        bgcolor = parse_bgcolor(params)
    except WmsError:
        return None
    return ImageTarget(width, height, "image/jpeg" if media_type == "image/jpeg" else "image/png",
                       transparent, bgcolor)


def parse_map_request(params: dict[str, str], version: str, max_width: int, max_height: int,
                      layers_param: str = "LAYERS") -> MapRequest:
    """GetMap's parameters (also the map part of GetFeatureInfo). Layer names are checked later,
    against the layers the caller may see."""
    layers = parse_layer_names(params, layers_param)
    parse_styles(params, len(layers), version)
    crs = parse_crs(params, version)
    bbox = parse_bbox(params, crs, version)
    width = _integer(params, "WIDTH", 1, max_width)
    height = _integer(params, "HEIGHT", 1, max_height)
    media_type, encoding = parse_format(params)
    return MapRequest(version, tuple(layers), crs, bbox, width, height, media_type, encoding,
                      parse_bool(params, "TRANSPARENT"), parse_bgcolor(params), language(params))


@dataclass(frozen=True)
class InfoRequest:
    map: MapRequest
    query_layers: tuple[str, ...]
    info_format: str
    i: int
    j: int
    feature_count: int


def parse_info_request(params: dict[str, str], version: str, max_width: int, max_height: int) -> InfoRequest:
    """GetFeatureInfo: the map request (FORMAT optional), QUERY_LAYERS, INFO_FORMAT, I/J (X/Y in 1.1.1)."""
    if not params.get("FORMAT"):
        params = {**params, "FORMAT": "image/png"}
    map_request = parse_map_request(params, version, max_width, max_height)
    query_layers = tuple(parse_layer_names(params, "QUERY_LAYERS"))
    missing = [n for n in query_layers if n not in map_request.layers]
    if missing:
        raise WmsError(f"QUERY_LAYERS {missing[0]!r} is not in LAYERS", "LayerNotDefined", "QUERY_LAYERS")
    fmt = (params.get("INFO_FORMAT") or "text/html").strip().lower().replace(" ", "")
    fmt = INFO_FORMAT_ALIASES.get(fmt, fmt)
    if fmt not in INFO_FORMATS:
        raise WmsError(f"INFO_FORMAT {params.get('INFO_FORMAT')!r} is not offered; use one of "
                       f"{', '.join(INFO_FORMATS)}", "InvalidFormat", "INFO_FORMAT")
    ni, nj = ("I", "J") if version == "1.3.0" else ("X", "Y")
    if ni not in params and nj not in params:  # clients mixing the versions' names
        ni, nj = ("X", "Y") if version == "1.3.0" else ("I", "J")
    i = _integer(params, ni, 0, map_request.width - 1, "InvalidPoint")
    j = _integer(params, nj, 0, map_request.height - 1, "InvalidPoint")
    count = _integer(params, "FEATURE_COUNT", 1, 1000) if params.get("FEATURE_COUNT") else 1
    return InfoRequest(map_request, query_layers, fmt, i, j, count)
