"""``gisplan indicators …``: compute metrics, show them, list the registry, show program progress."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import typer

from .. import clock
from ..errors import GisplanError

indicators_app = typer.Typer(no_args_is_help=True,
                             help="Spatial indicators computed from the layers (as of a date), and program progress")


def _echo(msg: str) -> None:
    typer.echo(msg)


def _date(value: Optional[str], option: str = "--as-of") -> dt.date:
    if not value:
        return clock.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise GisplanError(f"{option}: {value!r} is not YYYY-MM-DD") from None


def _fmt(v) -> str:
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "Так" if v else "Ні"
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _codes(metric: Optional[list[str]]) -> Optional[list[str]]:
    from .registry import registry

    if not metric:
        return None
    reg = registry()
    for code in metric:
        reg.get(code)  # unknown codes fail here, with the list of metrics
    return metric


@indicators_app.command("compute")
def compute(
    hromada: Optional[list[str]] = typer.Option(None, help="КАТОТТГ code of a громада (repeatable); "
                                                           "default: every громада with data"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    metric: Optional[list[str]] = typer.Option(None, help="metric code (repeatable); default: all"),
    force: bool = typer.Option(False, help="recompute even when the inputs have not changed"),
) -> None:
    """Compute the metrics per громада (and settlement) as of a date; unchanged values are reused."""
    from ..db.engine import get_engine
    from ..db.migrate import require_current_schema
    from .engine import evaluate, hromady_with_data
    from .registry import registry

    when = _date(as_of)
    codes = _codes(metric)
    engine = get_engine()
    require_current_schema(engine)
    with engine.connect() as conn:
        targets = list(hromada) if hromada else hromady_with_data(conn)
    if not targets:
        raise GisplanError("no громада has data yet: load some (`gisplan demo load`) or give --hromada")
    n_metrics = len(codes) if codes else len(registry())
    summary = []
    with typer.progressbar(length=len(targets) * n_metrics, label=f"indicators as of {when}") as bar:
        for h in targets:
            with engine.begin() as conn:
                values = evaluate(conn, h, when, codes, force=force, progress=lambda _code: bar.update(1))
            summary.append((h, values))
    for h, values in summary:
        computed = sum(v.recomputed for v in values)
        reasons = sum(v.value is None for v in values)
        _echo(f"{h}: {len(values)} metrics as of {when}: {computed} computed, {len(values) - computed} unchanged "
              f"(reused), {len(values) - reasons} with a value, {reasons} not computable")


@indicators_app.command("show")
def show(
    hromada: str = typer.Argument(..., help="КАТОТТГ code of the громада"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
    metric: Optional[list[str]] = typer.Option(None, help="metric code (repeatable); default: all"),
    settlements: bool = typer.Option(False, help="also the values of each settlement"),
) -> None:
    """The metrics of one громада as of a date (computed when missing or out of date)."""
    from ..db.engine import get_engine
    from .engine import evaluate

    when = _date(as_of)
    with get_engine().begin() as conn:
        values = evaluate(conn, hromada, when, _codes(metric))
    for v in values:
        p = v.public()
        if p["reason"]:
            _echo(f"{v.metric:28} не обчислено / not computable: {p['reason']['uk']} / {p['reason']['en']}")
        else:
            frac = f" ({_fmt(v.numerator)} / {_fmt(v.denominator)})" if v.denominator is not None else ""
            label = "" if v.unit == "bool" else f" {p['unit_label']['uk']}"
            _echo(f"{v.metric:28} {_fmt(p['value'])}{label}{frac}")
        if settlements:
            for s in p.get("settlements", []):
                shown = _fmt(s["value"]) if s["reason"] is None else s["reason"]["uk"]
                _echo(f"    {s['territory']}: {shown}")


@indicators_app.command("list")
def list_metrics() -> None:
    """The metric registry: code, kind, unit, inputs and name."""
    from .registry import registry

    for m in registry():
        _echo(f"{m.code:28} {m.kind:9} {m.spec.unit:11} {','.join(m.inputs)[:60]:60} {m.spec.name.uk}")


@indicators_app.command("progress")
def progress(
    program_id: int = typer.Argument(...),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="YYYY-MM-DD (default: today)"),
) -> None:
    """Progress of a program's indicators bound to metrics: target of the year, actual, on track."""
    from ..db.engine import get_engine
    from .progress import program_progress

    with get_engine().begin() as conn:
        report = program_progress(conn, program_id, _date(as_of))
    _echo(f"program {report['program_id']} «{report['title']}», year {report['year']}, as of {report['as_of']}")
    for item in report["indicators"]:
        state = {True: "on track", False: "behind", None: "—"}[item["on_track"]]
        pct = f" ({item['pct_of_target']:g} % of target)" if item["pct_of_target"] is not None else ""
        _echo(f"  {item['ref']:>4} {item['metric']['code']:28} target {_fmt(item['target'])}, "
              f"actual {_fmt(item['actual'])}{pct}: {state}")
        if item["note"]:
            _echo(f"       {item['note']['uk']}")
    _echo(f"  not bound to a metric: {len(report['unbound'])}")
