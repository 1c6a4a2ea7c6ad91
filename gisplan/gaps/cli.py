"""``gisplan gaps …`` (gap layers, siting suggestions) and ``gisplan raster …`` (registry, surface)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from ..errors import GisplanError
from ..indicators.cli import _date

gaps_app = typer.Typer(no_args_is_help=True, help="Coverage gaps and siting suggestions, as of a date")
raster_app = typer.Typer(no_args_is_help=True, help="Rasters (COG): register, list, population surface")


def _connect():
    from ..db.engine import get_engine
    from ..db.migrate import require_current_schema

    engine = get_engine()
    require_current_schema(engine)
    return engine


@gaps_app.command("compute")
def gaps_compute(
    hromada: Optional[list[str]] = typer.Option(None, help="КАТОТТГ code (repeatable); default: every громада with data"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    gap: Optional[list[str]] = typer.Option(None, help="gap name (repeatable); default: all"),
    out: Optional[Path] = typer.Option(None, help="write <hromada>/<gap>.geojson under this folder"),
) -> None:
    """Compute the gap layers per громада as of a date and print what each shows."""
    from ..indicators.engine import hromady_with_data
    from .compute import gap_collection
    from .registry import gap as gap_spec, gaps

    when = _date(as_of)
    names = list(gap) if gap else list(gaps())
    for name in names:
        gap_spec(name)  # unknown names fail before any work, with the list
    engine = _connect()
    with engine.connect() as conn:
        targets = list(hromada) if hromada else hromady_with_data(conn)
        if not targets:
            raise GisplanError("no громада has data yet: load some (`gisplan demo load`) or give --hromada")
        for h in targets:
            for name in names:
                fc = gap_collection(conn, h, name, when)
                shown = ", ".join(f"{k} {v}" for k, v in fc["summary"].items())
                typer.echo(f"{h} {name} as of {when}: {shown}")
                if out is not None:
                    target = out / h / f"{name}.geojson"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


@gaps_app.command("suggest")
def gaps_suggest(
    hromada: str = typer.Argument(..., help="КАТОТТГ code of the громада"),
    kind: str = typer.Argument(..., help="sensors, wifi, sirens or shelters"),
    n: int = typer.Option(5, "-n", help="how many locations"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    radius_m: Optional[float] = typer.Option(None, help="reach of a new siren or shelter, metres"),
) -> None:
    """The N locations that close the most of a gap, chosen greedily, each with its gain."""
    from .siting import suggestions

    with _connect().connect() as conn:
        fc = suggestions(conn, hromada, kind, n, _date(as_of), radius_m)
    if not fc["features"]:
        typer.echo(f"{hromada} {kind}: nothing left to close")
    for f in fc["features"]:
        p = f["properties"]
        lon, lat = f["geometry"]["coordinates"]
        typer.echo(f"{p['rank']}. {p['name']} ({p['candidate']}) {lat:.5f} N {lon:.5f} E: "
                   f"+{p['gain']:g} {fc['gain_unit']} (+{p['residents_gain']:g} residents), "
                   f"total {p['cumulative_gain']:g}")


@raster_app.command("register")
def raster_register(
    path: Path = typer.Argument(..., help="a one-band GeoTIFF"),
    kind: str = typer.Option(..., help="population or mobile_signal"),
    date: str = typer.Option(..., help="YYYY-MM-DD: the date the values describe"),
    source: str = typer.Option(..., help="where the raster comes from"),
    hromada: Optional[str] = typer.Option(None, help="the громада it was made for (default: any it covers)"),
) -> None:
    """Store a GeoTIFF as a Cloud-Optimized GeoTIFF and record its extent, CRS, resolution and date."""
    from ..rasters.registry import register

    with _connect().begin() as conn:
        row = register(conn, path, kind, _date(date, "--date"), source, hromada=hromada)
    typer.echo(f"raster {row['id']}: {row['kind']} {row['crs']} {row['width']}×{row['height']} cells of "
               f"{row['res_x']:g}×{row['res_y']:g}, {row['acquired']}, stored as {row['path']}")


@raster_app.command("list")
def raster_list(kind: Optional[str] = typer.Option(None)) -> None:
    """Registered rasters."""
    from ..rasters.registry import rasters

    with _connect().connect() as conn:
        for r in rasters(conn, kind):
            label = "оцінка / estimate" if r["is_estimate"] else r["source"]
            typer.echo(f"{r['id']}\t{r['kind']}\t{r['hromada'] or '—'}\t{r['acquired']}\t{r['crs']}\t"
                       f"{r['res_x']:g}\t{label}\t{r['path']}")


@raster_app.command("surface")
def raster_surface(
    hromada: Optional[list[str]] = typer.Option(None, help="КАТОТТГ code (repeatable); default: every громада with data"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    cell_m: Optional[float] = typer.Option(None, help="cell size, metres (default GISPLAN_RASTER_SURFACE_CELL_M)"),
) -> None:
    """Estimate the population surface from settlement populations (labelled as an estimate)."""
    from ..indicators.engine import hromady_with_data
    from ..rasters.surface import build_population_surface

    when = _date(as_of)
    engine = _connect()
    with engine.connect() as conn:
        targets = list(hromada) if hromada else hromady_with_data(conn)
    for h in targets:
        with engine.begin() as conn:
            row = build_population_surface(conn, h, when, cell_m)
        m = row["method"]
        typer.echo(f"{h}: {row['width']}×{row['height']} cells, {m['placed_population']:g} residents placed "
                   f"({m['by_polygon']} polygons, {m['by_point']} points), {m['unplaced_population']:g} of "
                   f"{m['unlocated']} settlements not on the map left out → {row['path']}")


@raster_app.command("zonal")
def raster_zonal(
    raster_id: int = typer.Argument(..., help="id of a registered raster (gisplan raster list)"),
    hromada: str = typer.Option(..., help="КАТОТТГ code of the громада"),
    zones: str = typer.Option("settlements", help="settlements, hromady or coverage (mobile coverage areas)"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
) -> None:
    """Zonal statistics (exactextract) of a registered raster over the громада's zones."""
    from sqlalchemy import select

    from ..rasters.tables import raster_dataset
    from ..rasters.zonal import zonal_stats, zones as zone_frame

    with _connect().connect() as conn:
        path = conn.execute(select(raster_dataset.c.path).where(raster_dataset.c.id == raster_id)).scalar()
        if path is None:
            raise GisplanError(f"raster_id: no registered raster {raster_id}; see `gisplan raster list`")
        frame = zone_frame(conn, zones, hromada, _date(as_of))
    for row in zonal_stats(path, frame):
        typer.echo("\t".join([str(row["zone"])] + [f"{k} {v:.6g}" for k, v in row.items()
                                                  if k != "zone" and v is not None]))
