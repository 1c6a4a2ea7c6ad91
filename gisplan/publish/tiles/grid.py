"""Tile addresses of the WebMercatorQuad grid (EPSG:3857, XYZ order, y down from the north)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ...errors import GisplanError

MERCATOR_HALF = 20037508.342789244  # metres from the origin to the edge of the EPSG:3857 square


class BadTile(GisplanError):
    """A tile address that is not one: the message names the parameter (z, x or y)."""

    def __init__(self, parameter: str, message: str):
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


def _integer(name: str, text: str) -> int:
    if not text.isdigit():
        raise BadTile(name, f"{text!r} is not a non-negative integer")
    return int(text)


@dataclass(frozen=True)
class TileAddress:
    z: int
    x: int
    y: int

    @classmethod
    def parse(cls, z: str, x: str, y: str, min_zoom: int, max_zoom: int) -> "TileAddress":
        zi = _integer("z", z)
        if not min_zoom <= zi <= max_zoom:
            raise BadTile("z", f"{zi} is outside the zoom levels served, {min_zoom}..{max_zoom}")
        n = 1 << zi
        xi, yi = _integer("x", x), _integer("y", y)
        if xi >= n:
            raise BadTile("x", f"{xi} is outside 0..{n - 1} at zoom {zi}")
        if yi >= n:
            raise BadTile("y", f"{yi} is outside 0..{n - 1} at zoom {zi}")
        return cls(zi, xi, yi)

    def mercator_bounds(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        """west, south, east, north in EPSG:3857 metres; ``margin`` as a fraction of the tile width."""
        size = 2 * MERCATOR_HALF / (1 << self.z)
        pad = size * margin
        west = -MERCATOR_HALF + self.x * size
        north = MERCATOR_HALF - self.y * size
        return west - pad, north - size - pad, west + size + pad, north + pad

    def lonlat_bounds(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        """The same in degrees (EPSG:4326, lon/lat), latitudes clamped to the poles."""
        w, s, e, n = self.mercator_bounds(margin)
        return _lon(w), _lat(s), _lon(e), _lat(n)

    def simplify_tolerance(self, extent: int, units: float) -> float:
        """Degrees that stay under ``units`` cells of the tile's ``extent`` grid in both directions.

        The tile is 360 / 2^z degrees of longitude wide; a degree of latitude is 1/cos(φ) times longer
        than a degree of longitude on the Mercator map, so the tolerance is shrunk by cos φ at the tile's
        edge nearest the pole. Simplifying in degrees, before the transformation to EPSG:3857, keeps
        the vertices that PostGIS then has to reproject few.
        """
        _, south, _, north = self.lonlat_bounds()
        phi = math.radians(max(abs(south), abs(north)))
        return 360.0 / (1 << self.z) / extent * units * max(math.cos(phi), 0.01)


def _lon(x: float) -> float:
    return max(-180.0, min(180.0, x / MERCATOR_HALF * 180.0))


def _lat(y: float) -> float:
    return math.degrees(math.atan(math.sinh(y / MERCATOR_HALF * math.pi)))
