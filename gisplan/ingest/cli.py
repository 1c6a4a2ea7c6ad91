"""``gisplan layer import`` and ``gisplan layer export``."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Optional

import typer

layer_app = typer.Typer(no_args_is_help=True, help="Шари: імпорт і експорт файлів / Layers: import and export files")


def _progress_bar(total_known: bool):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn() if total_known
               else TextColumn("{task.completed} рядків / rows"), TimeElapsedColumn()]
    return Progress(*columns, console=Console(stderr=True), transient=True)


def _cli_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in some containers
        return "cli"


@layer_app.command("import")
def layer_import(
    layer: str = typer.Argument(..., help="шар каталогу / layer of the catalogue, e.g. shelters"),
    file: Path = typer.Argument(..., help="GeoJSON, GeoPackage, Shapefile (.zip/.shp), CSV, KML/KMZ"),
    hromada: Optional[str] = typer.Option(None, help="КАТОТТГ code of the громада of rows that name none"),
    mode: str = typer.Option("append", help="append, upsert or replace"),
    key: str = typer.Option("code", help="upsert/replace: match features by code, id or another field"),
    map_: list[str] = typer.Option([], "--map", help="SOURCE=FIELD (repeat); SOURCE= ignores a column"),
    dry_run: bool = typer.Option(False, "--dry-run", help="check and count, change nothing"),
    crs: Optional[str] = typer.Option(None, help="the file's CRS when it declares none or a wrong one"),
    source_layer: Optional[str] = typer.Option(None, help="layer of a multi-layer file (GeoPackage, KML)"),
    points_from_polygons: bool = typer.Option(False, "--points-from-polygons",
                                              help="point layers: take a point inside each polygon"),
    source: Optional[str] = typer.Option(None, help="value of the source column (default: the file name)"),
    report_dir: Path = typer.Option(Path("import-reports"), help="folder for the JSON and CSV reports"),
) -> None:
    """Імпорт файлу в шар (все або нічого) / Import a file into a layer, all or nothing."""
    from ..db.engine import get_engine
    from .errors import ImportRejected
    from .load import ImportOptions, import_file
    from .mapping import parse_map

    options = ImportOptions(mode=mode, key=key, hromada=hromada, mapping=parse_map(map_), dry_run=dry_run,
                            crs=crs, source_layer=source_layer, points_from_polygons=points_from_polygons,
                            source=source, report_dir=report_dir)
    with _progress_bar(True) as bar:
        task = bar.add_task(f"{file.name} → {layer}", total=None)

        def progress(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        try:
            report = import_file(get_engine(), layer, file, options, user=_cli_user(), progress=progress)
        except ImportRejected as exc:
            bar.stop()
            rep = exc.report
            typer.echo(rep.summary(), err=True)
            for r in rep.rejections[:20]:
                typer.echo(f"  рядок / row {r.row} {r.field}: {r.reason}", err=True)
            if rep.rejection_count > 20:
                typer.echo(f"  … {rep.rejection_count - 20} more", err=True)
            typer.echo(f"report: {rep.files.get('json')} and {rep.files.get('csv')}", err=True)
            raise
    typer.echo(report.summary())
    for r in report.repairs[:20]:
        typer.echo(f"  repaired row {r.row} {r.field}: {r.reason}")
    for col, why in report.ignored_columns.items():
        typer.echo(f"  column {col!r} not loaded: {why}")
    typer.echo(f"report: {report.files.get('json')} and {report.files.get('csv')} (import_log {report.import_log_id})")


@layer_app.command("export")
def layer_export(
    layer: str = typer.Argument(..., help="шар каталогу / layer of the catalogue"),
    format: str = typer.Option(..., "--format", "-f", help="geojson, gpkg, csv, shp (zipped) or kml"),
    out: Path = typer.Option(..., "--out", "-o", help="file to write"),
    crs: str = typer.Option("EPSG:4326", help="output CRS, e.g. EPSG:5564 (KML: 4326 only)"),
    hromada: Optional[str] = typer.Option(None, help="only this громада (КАТОТТГ code)"),
    bbox: Optional[str] = typer.Option(None, help="minLon,minLat,maxLon,maxLat (EPSG:4326)"),
    public: bool = typer.Option(False, "--public", help="only what anonymous users see (pub view)"),
    csv_geometry: str = typer.Option("wkt", help="CSV: wkt, or xy (x/y columns, point layers)"),
) -> None:
    """Експорт шару у файл / Export a layer to a file."""
    from ..db.engine import get_engine
    from .errors import IngestError
    from .export import ExportOptions, export_layer

    box = None
    if bbox:
        try:
            box = tuple(float(x) for x in bbox.split(","))
        except ValueError:
            box = ()
        if len(box) != 4:
            raise IngestError("bbox: four numbers minLon,minLat,maxLon,maxLat")
    options = ExportOptions(format=format, crs=crs, hromada=hromada, bbox=box, public=public,
                            csv_geometry=csv_geometry)
    with get_engine().connect() as conn:
        result = export_layer(conn, layer, out, options)
    typer.echo(f"{result.features} features → {result.path} ({format}, EPSG:{result.crs})")
    for note in result.notes:
        typer.echo(f"  {note}")
