"""``gisplan qr …``: plates to print, codes as files, plates marked installed, the plate list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Optional
from uuid import UUID

import typer

from .. import clock
from ..errors import GisplanError

qr_app = typer.Typer(no_args_is_help=True, help="QR plates of tourist objects: print, install, scans")

USER = "cli"


def _engine():
    from ..db.engine import get_engine
    from ..db.migrate import require_current_schema

    engine = get_engine()
    require_current_schema(engine)
    return engine


def _ids(values: Optional[list[str]]) -> Optional[list[UUID]]:
    if not values:
        return None
    out = []
    for v in values:
        try:
            out.append(UUID(v))
        except ValueError:
            raise GisplanError(f"--id: {v!r} is not a feature id (UUID)") from None
    return out


@qr_app.command("plates")
def plates(
    hromada: str = typer.Option(..., help="КАТОТТГ code of the громада"),
    out: Path = typer.Option(..., help="the PDF to write"),
    id: Optional[list[str]] = typer.Option(None, "--id", help="feature id (repeatable); default: every object"),
    size: str = typer.Option("A6", help="A6 or A5"),
    logo: Optional[Path] = typer.Option(None, help="logo image (default: the profile's logo_url when a data: URI)"),
) -> None:
    """Write printable plates (one per page) and record them as printed."""
    from .logo import hromada_logo, hromada_name
    from .plates import plates_pdf
    from .workflow import ensure_short_codes, mark_printed, plate_objects

    if logo is not None and not logo.is_file():
        raise GisplanError(f"--logo: {logo} is not a file")
    with _engine().begin() as conn:
        objects = ensure_short_codes(conn, plate_objects(conn, hromada, _ids(id)), USER)
        pdf = plates_pdf(objects, hromada_name(conn, hromada),
                         logo.read_bytes() if logo else hromada_logo(conn, hromada), size)
        out.write_bytes(pdf)
        mark_printed(conn, objects, USER)
    typer.echo(f"{out}: {len(objects)} plates ({size}), recorded as printed")


@qr_app.command("codes")
def codes(
    hromada: str = typer.Option(..., help="КАТОТТГ code of the громада"),
    out: Path = typer.Option(..., help="folder for {short}.svg and {short}.png"),
) -> None:
    """Write each object's code as SVG and PNG (for a print shop)."""
    from .codes import qr_png, qr_svg, short_url
    from .logo import hromada_logo
    from .workflow import ensure_short_codes, plate_objects

    out.mkdir(parents=True, exist_ok=True)
    with _engine().begin() as conn:
        objects = ensure_short_codes(conn, plate_objects(conn, hromada), USER)
        mark = hromada_logo(conn, hromada)
    for o in objects:
        url = short_url(o.qr_code)
        (out / f"{o.qr_code}.svg").write_bytes(qr_svg(url))
        (out / f"{o.qr_code}.png").write_bytes(qr_png(url, logo=mark))
    typer.echo(f"{out}: {len(objects)} codes (SVG and PNG)")


@qr_app.command("installed")
def installed(
    hromada: str = typer.Option(..., help="КАТОТТГ code of the громада"),
    id: str = typer.Option(..., "--id", help="feature id (UUID) of the tourist object"),
    date: Optional[str] = typer.Option(None, help="YYYY-MM-DD the plate went up (default: today)"),
    condition: str = typer.Option("good", help="good, damaged or missing"),
) -> None:
    """Mark a plate installed: the QR_TOURISM indicator counts the object from that date."""
    from .workflow import mark_installed

    try:
        when = dt.date.fromisoformat(date) if date else clock.today()
    except ValueError:
        raise GisplanError(f"--date: {date!r} is not YYYY-MM-DD") from None
    (feature_id,) = _ids([id])  # type: ignore[misc]
    with _engine().begin() as conn:
        obj = mark_installed(conn, hromada, feature_id, when, USER, condition=condition)
    typer.echo(f"{obj.name}: plate {obj.qr_code} installed on {when.isoformat()}")


@qr_app.command("list")
def list_(hromada: str = typer.Option(..., help="КАТОТТГ code of the громада")) -> None:
    """The громада's tourist objects with their plate state and scan counts."""
    from .workflow import plate_objects

    with _engine().connect() as conn:
        objects = plate_objects(conn, hromada)
    states = {"not_printed": "не надруковано", "printed": "надруковано", "installed": "встановлено"}
    for o in objects:
        typer.echo(f"{o.id}  {o.qr_code or '—':10}  {states[o.state]:15}  {o.scans:6}  {o.name}")
