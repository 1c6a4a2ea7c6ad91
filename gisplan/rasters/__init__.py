"""Rasters: registered GeoTIFFs (population, mobile signal) kept as Cloud-Optimized GeoTIFF, zonal
statistics over settlements, громади and coverage areas, and the population surface estimated from
settlement populations where no population raster exists.

Importing this package pins ``PROJ_DATA`` first (:mod:`gisplan.publish.proj_env`), so rasterio
finds a ``proj.db`` even after Mapnik has pointed ``PROJ_LIB`` at a folder without one.
"""

from ..publish import proj_env  # noqa: F401  (before rasterio, always)
