"""``gisplan program …``: import, export, check, list, amend and show the calendar of programs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional

import typer

from ..errors import GisplanError

program_app = typer.Typer(no_args_is_help=True, help="Informatization programs: XLSX import/export, checks, calendar")


def _echo(msg: str) -> None:
    typer.echo(msg)


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise GisplanError(f"{path}: no such file")
    return path.read_bytes()


@program_app.command("import")
def program_import(
    file: Path = typer.Argument(..., help="workbook in the annex layout (Паспорт, Додаток 1, Додаток 2), "
                                          "or the approved program as DOCX"),
    hromada: Optional[str] = typer.Option(None, help="КАТОТТГ code of the громада"),
    amend: Optional[int] = typer.Option(None, help="amend this program (new version) instead of creating one"),
    decision: Optional[str] = typer.Option(None, help="council decision number (with --amend)"),
    date: Optional[str] = typer.Option(None, help="decision date YYYY-MM-DD (with --amend)"),
) -> None:
    """Import a program workbook or DOCX; nothing is stored unless the whole file reads."""
    from ..db.engine import get_engine
    from .loading import amend_from_workbook, import_workbook

    data = _read(file)
    from .docx.importing import import_docx, is_docx

    if is_docx(data):  # the approved document: annex tables read, indicators matched to canonical codes
        if amend is not None:
            raise GisplanError("--amend takes a workbook (XLSX); import the DOCX as a program first")
        with get_engine().begin() as conn:
            drep = import_docx(conn, data, source=file.name, hromada=hromada, user="cli")
        _echo(drep.summary())
        for m in drep.program.mismatches:
            _echo(f"  mismatch: {m}")
        for item in drep.review:
            _echo(f"  review: indicator {item['indicator']} ({item['place']}) «{item['name'][:70]}»: {item['reason']}")
        return
    with get_engine().begin() as conn:
        if amend is None:
            rep = import_workbook(conn, data, source=file.name, hromada=hromada, user="cli")
        else:
            if not decision or not date:
                raise GisplanError("--amend needs --decision NUMBER and --date YYYY-MM-DD")
            try:
                when = dt.date.fromisoformat(date)
            except ValueError:
                raise GisplanError(f"--date: {date!r} is not YYYY-MM-DD") from None
            rep = amend_from_workbook(conn, amend, data, source=file.name, decision_number=decision,
                                      decision_date=when, hromada=hromada, user="cli")
    _echo(rep.summary())
    for m in rep.mismatches:
        _echo(f"  mismatch: {m}")


@program_app.command("export")
def program_export(
    program_id: int = typer.Argument(...),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="default: program-ID.xlsx"),
    version: Optional[int] = typer.Option(None, help="an earlier version"),
) -> None:
    """Write a program as XLSX in the layout of the official annexes."""
    from ..db.engine import get_engine
    from .store import read_document
    from .versions import read_version
    from .xlsx import write_workbook

    with get_engine().connect() as conn:
        doc = read_version(conn, program_id, version) if version else read_document(conn, program_id)
    output = output or Path(f"program-{program_id}{f'-v{version}' if version else ''}.xlsx")
    output.write_bytes(write_workbook(doc))
    _echo(f"{output}: «{doc.title}»")


@program_app.command("list")
def program_list(hromada: Optional[str] = typer.Option(None, help="КАТОТТГ code of a громада")) -> None:
    """Programs with their period, version and counts."""
    from ..db.engine import get_engine
    from .store import list_programs

    with get_engine().connect() as conn:
        for p in list_programs(conn, None, hromada):
            _echo(f"{p.id:5} {p.hromada or '-':19} {p.period_start}-{p.period_end} v{p.version} "
                  f"{p.projects:3} projects {p.indicators:3} indicators  {p.title}")


@program_app.command("check")
def program_check(program_id: int) -> None:
    """Recompute totals and dynamics; print every mismatch with its place."""
    from ..db.engine import get_engine
    from .checks import check_report
    from .store import read_document
    from .values import fmt

    with get_engine().connect() as conn:
        report = check_report(read_document(conn, program_id))
    t = report.totals
    years = ", ".join(f"{y}: {fmt(v)}" for y, v in t["years"].items())
    _echo(f"total {fmt(t['total'])} тис. грн ({years}); projects per year {report.task_counts}")
    for m in report.mismatches:
        _echo(f"  mismatch: {m}")
    if not report.mismatches:
        _echo("no mismatches")


@program_app.command("calendar")
def program_calendar(program_id: int, today: Optional[str] = typer.Option(None, help="YYYY-MM-DD")) -> None:
    """Reporting due dates, what is missing and what is overdue."""
    from ..db.engine import get_engine
    from .calendar import program_calendar as build

    when = dt.date.fromisoformat(today) if today else None
    with get_engine().connect() as conn:
        cal = build(conn, program_id, when)
    for item in cal["items"]:
        q = f" Q{item['quarter']}" if item["quarter"] else ""
        _echo(f"{item['due']} {item['status']:8} {item['year']}{q} {item['label']['uk']}"
              + (f" (missing {len(item['missing'])} of {item['expected']})" if item["missing"] else ""))
