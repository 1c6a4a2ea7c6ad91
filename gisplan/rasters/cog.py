"""GeoTIFF in, Cloud-Optimized GeoTIFF out, and what a raster describes (extent, CRS, resolution)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..publish import proj_env  # noqa: F401  (before rasterio)
import rasterio
import rasterio.shutil
from rasterio.errors import RasterioIOError
from rasterio.warp import transform_bounds

from ..errors import GisplanError


@dataclass(frozen=True)
class RasterInfo:
    crs: str
    bounds_wgs84: tuple[float, float, float, float]
    res_x: float
    res_y: float
    width: int
    height: int
    nodata: float | None
    driver: str
    layout: str | None  # "COG" for a Cloud-Optimized GeoTIFF

    def extent_wkt(self) -> str:
        w, s, e, n = self.bounds_wgs84
        return f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"


def crs_text(crs) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def describe(path: str | Path) -> RasterInfo:
    """The raster's CRS, EPSG:4326 bounds and grid; a clear error for anything unusable."""
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise GisplanError(f"raster {Path(path).name}: no CRS; give the GeoTIFF a georeference")
            if src.count != 1:
                raise GisplanError(f"raster {Path(path).name}: {src.count} bands; one band is expected")
            return RasterInfo(
                crs=crs_text(src.crs), bounds_wgs84=tuple(transform_bounds(src.crs, "EPSG:4326", *src.bounds)),
                res_x=abs(src.res[0]), res_y=abs(src.res[1]), width=src.width, height=src.height,
                nodata=src.nodata, driver=src.driver,
                layout=(src.tags(ns="IMAGE_STRUCTURE") or {}).get("LAYOUT"))
    except RasterioIOError as exc:
        raise GisplanError(f"raster {Path(path).name}: not readable as a GeoTIFF ({exc})") from None


def to_cog(src: str | Path, dst: str | Path, blocksize: int = 256) -> Path:
    """Copy ``src`` to ``dst`` as a Cloud-Optimized GeoTIFF (tiled, overviews, DEFLATE)."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        rasterio.shutil.copy(str(src), str(dst), driver="COG", compress="DEFLATE",
                             blocksize=blocksize, overview_resampling="average", bigtiff="IF_SAFER")
    except RasterioIOError as exc:
        raise GisplanError(f"raster {Path(src).name}: cannot be written as a COG ({exc})") from None
    return dst
