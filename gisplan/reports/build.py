"""One report, end to end: check the request, assemble the figures, draw the maps and charts, fill
the template of the format, and say which template version was used."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from ..errors import GisplanError
from ..program import store
from ..program.tables import program
from . import data
from .charts import indicator_charts
from .gap_maps import gap_maps
from .maps import indicator_maps
from .templates import find_template

KINDS = ("quarterly", "annual")
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


class ReportError(GisplanError):
    pass


@dataclass
class Report:
    content: bytes
    media_type: str
    filename: str
    template: dict
    context: dict


def find_program(conn: Connection, hromada: str, year: int) -> int:
    """The громада's program whose period covers ``year`` (the newest when several do)."""
    pid = conn.execute(select(program.c.id).where(
        program.c.hromada == hromada, program.c.period_start <= year, program.c.period_end >= year)
        .order_by(program.c.id.desc()).limit(1)).scalar()
    if pid is None:
        raise ReportError(f"--hromada {hromada}: no program of this громада covers year {year}")
    return pid


def check_request(conn: Connection, pid: int, kind: str, year: int, quarter: int | None, fmt: str) -> None:
    if kind not in KINDS:
        raise ReportError(f"kind: {kind!r} is not a report kind; use {' or '.join(KINDS)}")
    if fmt not in FORMATS:
        raise ReportError(f"format: {fmt!r} is not offered; use {', '.join(FORMATS)}")
    row = store.program_row(conn, pid)
    if not row.period_start <= year <= row.period_end:
        raise ReportError(f"year: {year} is outside the program period {row.period_start}–{row.period_end}")
    if kind == "quarterly" and quarter not in (1, 2, 3, 4):
        raise ReportError(f"quarter: a quarterly report needs a quarter 1–4, got {quarter}")
    if kind == "annual" and quarter is not None:
        raise ReportError("quarter: an annual report covers the whole year; leave the quarter out")


def context(conn: Connection, pid: int, kind: str, year: int, quarter: int | None = None,
            executor: str | None = None, as_of: dt.date | None = None, images: bool = True) -> dict:
    """The figures of the report (no template yet); ``images`` draws the annual maps and charts."""
    if kind == "quarterly":
        ctx = data.quarterly(conn, pid, year, quarter, executor)
        ctx.update(maps=[], charts=[], gap_maps=[])
        return ctx
    ctx = data.annual(conn, pid, year, as_of)
    maps = indicator_maps(conn, ctx["program"]["hromada"], ctx["bound"]) if images else []
    ctx["maps"] = [{"metric": m.metric, "title": m.title, "layers": ", ".join(m.layers), "png": m.png} for m in maps]
    ctx["charts"] = indicator_charts(ctx["bound"]) if images else []
    ctx["gap_maps"] = gap_maps(conn, ctx["program"]["hromada"], ctx["bound"],
                               dt.date.fromisoformat(ctx["as_of"])) if images else []
    return ctx


def build_report(conn: Connection, pid: int, kind: str, year: int, fmt: str, quarter: int | None = None,
                 executor: str | None = None, as_of: dt.date | None = None) -> Report:
    from .docx_render import render_docx
    from .pdf_render import render_pdf
    from .xlsx_render import render_xlsx

    check_request(conn, pid, kind, year, quarter, fmt)
    template = find_template(kind, fmt)
    ctx = context(conn, pid, kind, year, quarter, executor, as_of, images=fmt != "xlsx")
    ctx["template"] = template.public()
    render = {"xlsx": render_xlsx, "docx": render_docx, "pdf": render_pdf}[fmt]
    content = render(template, ctx)
    period = f"{year}-q{quarter}" if kind == "quarterly" else str(year)
    hromada = ctx["program"]["hromada"] or f"program-{pid}"
    return Report(content, FORMATS[fmt], f"{hromada}-{kind}-{period}.{fmt}", template.public(), ctx)
