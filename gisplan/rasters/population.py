"""Where the population metrics of the indicator engine take their residents from.

The "% of residents covered" metrics (ALERT, SHELTER_REACH, CNAP_REACH, MOBILE_POPULATION_SHARE)
count residents from settlement populations, spread uniformly over each settlement's polygon: the
same model as the estimated population surface (:mod:`gisplan.rasters.surface`), computed exactly
in vector form. When a planner has registered a real population raster covering the громада, the
громада's value is taken from it instead: residents in the covered area within the boundary
(exactextract over the raster) / residents within the boundary. Either way the value's details say
which source was used (``population_source``). Settlement rows stay on the settlement model.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, text

SQL_DIR = Path(__file__).resolve().parent / "sql"
COVER_METRICS = {"ALERT": "alert", "SHELTER_REACH": "shelter_reach", "CNAP_REACH": "cnap_reach",
                 "MOBILE_POPULATION_SHARE": "mobile_population_share"}
SETTLEMENTS = {"kind": "settlements",
               "uk": "населення населених пунктів, рівномірно в їхніх межах (оцінка)",
               "en": "settlement populations, uniform within their boundaries (estimate)"}


def real_population_raster(conn: Connection, hromada: str) -> dict | None:
    row = conn.execute(text((SQL_DIR / "real_population_raster.sql").read_text(encoding="utf-8")),
                       {"hromada": hromada}).mappings().first()
    return dict(row) if row else None


def raster_input(conn: Connection, code: str, hromada: str) -> int | None:
    """For the engine's fingerprint: the id of the real population raster a metric would use."""
    if code not in COVER_METRICS:
        return None
    r = real_population_raster(conn, hromada)
    return r["id"] if r else None


def _zonal_sum(path: str, geometry) -> float:
    import geopandas as gpd

    from .zonal import zonal_stats

    if geometry is None or geometry.is_empty:
        return 0.0
    frame = gpd.GeoDataFrame({"zone": ["z"]}, geometry=[geometry], crs="EPSG:4326")
    return float(zonal_stats(path, frame, ops=("sum",))[0]["sum"] or 0.0)


def apply(conn: Connection, code: str, hromada: str, binds: dict, outcomes: list) -> list:
    """Mark (and, with a real raster, recompute) the громада row of a population metric."""
    if code not in COVER_METRICS:
        return outcomes
    top = next((o for o in outcomes if o.territory == hromada), None)
    if top is None:
        return outcomes
    raster = real_population_raster(conn, hromada)
    if raster is None:
        top.details["population_source"] = dict(SETTLEMENTS)
        return outcomes
    import shapely

    from ..indicators.sqltext import expand

    sql = expand((SQL_DIR / "cover" / f"{COVER_METRICS[code]}.sql").read_text(encoding="utf-8"))
    row = conn.execute(text(sql), binds).one()
    if row.boundary is None:
        top.details["population_source"] = dict(SETTLEMENTS)
        return outcomes
    boundary = shapely.from_wkb(bytes(row.boundary))
    cover = shapely.from_wkb(bytes(row.cover)) if row.cover is not None else None
    total = _zonal_sum(raster["path"], boundary)
    covered = _zonal_sum(raster["path"], cover)
    top.details["population_source"] = {
        "kind": "raster", "raster": raster["id"], "source": raster["source"],
        "acquired": raster["acquired"].isoformat(),
        "settlement_model": {"value": top.value, "numerator": top.numerator, "denominator": top.denominator}}
    top.numerator, top.denominator = covered, total
    top.value = 100.0 * covered / total if total > 0 else None
    if top.value is None and top.reason is None:
        top.reason = "no_population"
    elif top.value is not None:
        top.reason = None
    return outcomes
