"""``gisplan report quarterly|annual``: a monitoring report of a громада's program as PDF, DOCX or XLSX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from ..errors import GisplanError

report_app = typer.Typer(no_args_is_help=True, help="Monitoring reports of programs: quarterly and annual")

HROMADA = typer.Option(..., "--hromada", help="КАТОТТГ code of the громада")
YEAR = typer.Option(..., "--year", help="the reporting year")
FORMAT = typer.Option("pdf", "--format", help="pdf, docx or xlsx")
OUT = typer.Option(..., "--out", help="the file to write")


def _write(kind: str, hromada: str, year: int, fmt: str, out: Path, quarter: int | None, executor: str | None,
           as_of: Optional[str]) -> None:
    from ..catalog import KATOTTG_RE
    from ..db.engine import get_engine
    from ..db.migrate import require_current_schema
    from .build import build_report, find_program

    if not KATOTTG_RE.match(hromada):
        raise GisplanError(f"--hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")
    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise GisplanError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
    if out.parent and not out.parent.is_dir():
        raise GisplanError(f"--out: folder {out.parent} does not exist")
    engine = get_engine()
    require_current_schema(engine)
    with engine.connect() as conn:
        pid = find_program(conn, hromada, year)
        report = build_report(conn, pid, kind, year, fmt, quarter=quarter, executor=executor, as_of=day)
    out.write_bytes(report.content)
    extra = ""
    if kind == "annual" and fmt != "xlsx":
        extra = f", {len(report.context['maps'])} maps, {len(report.context['charts'])} charts"
    typer.echo(f"{out}: {kind} report of program {pid} for {year}{f' Q{quarter}' if quarter else ''}, "
               f"{len(report.content):,} bytes{extra}; template {report.template['label']}")


@report_app.command("quarterly")
def quarterly(hromada: str = HROMADA, year: int = YEAR,
              quarter: int = typer.Option(..., "--quarter", help="1–4"),
              format: str = FORMAT, out: Path = OUT,
              executor: Optional[str] = typer.Option(None, "--executor", help="only the projects of this executor "
                                                                               "(part of its name)")) -> None:
    """Each project's status, funding planned for the year, spent in the quarter and year to date, comments."""
    _write("quarterly", hromada, year, format, out, quarter, executor, None)


@report_app.command("annual")
def annual(hromada: str = HROMADA, year: int = YEAR, format: str = FORMAT, out: Path = OUT,
           as_of: Optional[str] = typer.Option(None, "--as-of", help="compute the indicators as of this date "
                                                                    "(default: 31 December or today)")) -> None:
    """Indicators (baseline, target, actual, % achieved), funding per priority and source, projects completed
    and carried over, maps of the spatial indicators and charts of their series."""
    _write("annual", hromada, year, format, out, None, None, as_of)
