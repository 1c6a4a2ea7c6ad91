"""The raster registry (migration ``0006``): one row per registered Cloud-Optimized GeoTIFF."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Double, Identity, Index, Integer,
    Table, Text, func, text,
)
from sqlalchemy.dialects.postgresql import JSONB

from ..db.models import KATOTTG_CHECK, metadata

RASTER_KINDS = ("population", "mobile_signal")

raster_dataset = Table(
    "raster_dataset", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", Text, nullable=False, comment="population (residents per cell) or mobile_signal (dBm)"),
    Column("name", Text, nullable=False),
    Column("hromada", Text, comment="КАТОТТГ code of the громада it was made for; NULL = any громада it covers"),
    Column("path", Text, nullable=False, comment="the Cloud-Optimized GeoTIFF on disk"),
    Column("crs", Text, nullable=False, comment="CRS of the raster (EPSG:… or WKT)"),
    Column("extent", Geometry(geometry_type="POLYGON", srid=4326, spatial_index=False), nullable=False,
           comment="bounds of the raster in EPSG:4326"),
    Column("res_x", Double, nullable=False, comment="cell width in CRS units"),
    Column("res_y", Double, nullable=False, comment="cell height in CRS units"),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("nodata", Double),
    Column("unit", Text, nullable=False, comment="unit of the cell values"),
    Column("acquired", Date, nullable=False, comment="the date the values describe"),
    Column("source", Text, nullable=False),
    Column("is_estimate", Boolean, nullable=False, server_default=text("false"),
           comment="true for a surface derived by gisplan (e.g. from settlement populations)"),
    Column("method", JSONB, comment="how an estimate was made {uk, en, parameters}"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    CheckConstraint("kind IN ('population', 'mobile_signal')", name="kind"),
    CheckConstraint("res_x > 0 AND res_y > 0 AND width > 0 AND height > 0", name="shape"),
    comment="Растрові набори / Registered rasters (Cloud-Optimized GeoTIFF)",
)
Index("ix_raster_dataset_extent", raster_dataset.c.extent, postgresql_using="gist")
Index("ix_raster_dataset_kind", raster_dataset.c.kind, raster_dataset.c.hromada)
