"""Evaluate metrics for a громада as of a date, reusing stored values whose inputs are unchanged.

A stored value is reused when its metric definition (the declaration and SQL, hashed) and its
inputs are the same as now: ``{layer: change_count}`` of the громада's dataset of every input layer
(the counters the layer triggers keep), plus, for metrics that depend on publication, the time each
input dataset was last published, and for metrics that depend on registration with the national
geoportal, each input dataset's registration state. Otherwise the metric is evaluated and its rows
(the громада and, per settlement, its settlements) replace the stored ones. Concurrent evaluations
of the same value are serialised by a transaction-level advisory lock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, delete, insert, select, text

from ..catalog import KATOTTG_RE
from ..db.models import dataset
from ..errors import GisplanError
from ..registration.status import registration_fingerprint
from .model import Metric, Outcome, params_hash
from .registry import registry
from .tables import indicator_value


@dataclass
class MetricValue:
    """One stored value with its provenance."""

    metric: str
    hromada: str
    territory: str
    as_of: dt.date
    parameters: dict
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str
    reason: str | None
    details: dict
    method: dict
    inputs: dict
    computed_at: dt.datetime
    recomputed: bool = False
    settlements: list["MetricValue"] = field(default_factory=list)

    def public(self, metric: Metric | None = None) -> dict:
        m = metric or registry().get(self.metric)
        value = self.value
        if value is not None and self.unit == "bool":
            value = bool(value)
        out = {
            "code": self.metric, "territory": self.territory, "name": m.spec.name.model_dump(),
            "value": value, "unit": self.unit, "unit_label": m.unit_label(),
            "numerator": self.numerator, "denominator": self.denominator,
            "method": self.method, "parameters": self.parameters, "as_of": self.as_of.isoformat(),
            "computed_at": self.computed_at.isoformat(), "inputs": self.inputs, "details": self.details,
            "reason": m.reason(self.reason, {**self.details, **self.parameters}, self.as_of) if self.reason else None,
        }
        if self.settlements:
            out["settlements"] = [s.public(m) for s in self.settlements]
        return out


def _number(v) -> float | None:
    return None if v is None else float(v)


def _from_row(r) -> MetricValue:
    return MetricValue(
        metric=r.metric, hromada=r.hromada, territory=r.territory, as_of=r.as_of, parameters=r.parameters,
        value=_number(r.value), numerator=_number(r.numerator), denominator=_number(r.denominator), unit=r.unit,
        reason=r.reason, details=r.details or {}, method=r.method, inputs=r.inputs, computed_at=r.computed_at)


def fingerprint(conn: Connection, hromada: str, metric: Metric) -> dict:
    """What the metric's value depends on in the database: the change counters of the громада's
    input datasets (0 for a dataset that never had a feature) and, when the metric watches
    publication, the time of each dataset's last publication (None when not published)."""
    rows = {r.layer: r for r in conn.execute(
        select(dataset.c.layer, dataset.c.change_count, dataset.c.published, dataset.c.published_at)
        .where(dataset.c.hromada == hromada, dataset.c.layer.in_(list(metric.inputs))))}
    out: dict = {}
    for layer in metric.inputs:
        r = rows.get(layer)
        out[layer] = int(r.change_count) if r else 0
        if metric.watches_publication:
            out[f"{layer}@published"] = r.published_at.isoformat() if r is not None and r.published else None
    if metric.spec.registration:
        out.update(registration_fingerprint(conn, hromada, metric.inputs))
    from ..rasters.population import raster_input

    raster = raster_input(conn, metric.code, hromada)
    if raster is not None:  # a registered population raster replaces the settlement model
        out["population_raster"] = raster
    return out


def _stored(conn: Connection, metric: str, hromada: str, as_of: dt.date, phash: str) -> list:
    return conn.execute(select(indicator_value).where(
        indicator_value.c.metric == metric, indicator_value.c.hromada == hromada,
        indicator_value.c.as_of == as_of, indicator_value.c.params_hash == phash,
    ).order_by(indicator_value.c.territory)).all()


def _group(rows: list[MetricValue], hromada: str) -> MetricValue:
    top = next(r for r in rows if r.territory == hromada)
    top.settlements = [r for r in rows if r.territory != hromada]
    return top


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 9)


def evaluate_metric(conn: Connection, metric: Metric, hromada: str, as_of: dt.date,
                    parameters: dict | None = None, force: bool = False) -> MetricValue:
    """The value of one metric (with its settlement values), stored or freshly computed."""
    params = {**metric.spec.parameters, **(parameters or {})}
    unknown = set(params) - set(metric.spec.parameters)
    if unknown:
        raise GisplanError(f"{metric.code}: unknown parameter {sorted(unknown)[0]!r}; "
                           f"parameters: {', '.join(metric.spec.parameters) or 'none'}")
    phash = params_hash(params)
    definition = metric.definition
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                 {"key": f"indicator:{metric.code}:{hromada}:{as_of}:{phash}"})
    inputs = fingerprint(conn, hromada, metric)
    stored = _stored(conn, metric.code, hromada, as_of, phash)
    if stored and not force and all(r.inputs == inputs and r.definition == definition for r in stored) \
            and any(r.territory == hromada for r in stored):
        return _group([_from_row(r) for r in stored], hromada)
    outcomes: list[Outcome] = metric.evaluate(conn, hromada, as_of, params)
    conn.execute(delete(indicator_value).where(
        indicator_value.c.metric == metric.code, indicator_value.c.hromada == hromada,
        indicator_value.c.as_of == as_of, indicator_value.c.params_hash == phash))
    method = metric.method()
    rows = [dict(metric=metric.code, hromada=hromada, territory=o.territory, as_of=as_of, params_hash=phash,
                 parameters=params, value=_round(o.value), numerator=_round(o.numerator),
                 denominator=_round(o.denominator), unit=metric.spec.unit, reason=o.reason, details=o.details,
                 method=method, inputs=inputs, definition=definition)
            for o in outcomes if o.territory and KATOTTG_RE.match(o.territory)]
    if not any(r["territory"] == hromada for r in rows):
        raise GisplanError(f"{metric.code}: the evaluation gave no row for the громада {hromada}")
    conn.execute(insert(indicator_value), rows)
    values = [_from_row(r) for r in _stored(conn, metric.code, hromada, as_of, phash)]
    for v in values:
        v.recomputed = True
    return _group(values, hromada)


def evaluate(conn: Connection, hromada: str, as_of: dt.date, codes: Iterable[str] | None = None,
             parameters: dict[str, dict] | None = None, force: bool = False,
             progress: Callable[[str], None] | None = None) -> list[MetricValue]:
    """Evaluate ``codes`` (default: every metric) for one громада as of a date.

    ``parameters`` maps a metric code to parameter overrides; ``progress`` is called with each
    metric code once it is done."""
    if not KATOTTG_RE.match(hromada):
        raise GisplanError(f"hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")
    reg = registry()
    metrics = [reg.get(c) for c in codes] if codes is not None else list(reg)
    out = []
    for m in metrics:
        out.append(evaluate_metric(conn, m, hromada, as_of, (parameters or {}).get(m.code), force))
        if progress:
            progress(m.code)
    return out


def hromady_with_data(conn: Connection) -> list[str]:
    """Громади that have at least one feature beyond their boundary (worth evaluating)."""
    return conn.execute(select(dataset.c.hromada).distinct()
                        .where(dataset.c.layer != "hromady", dataset.c.change_count > 0)
                        .order_by(dataset.c.hromada)).scalars().all()
