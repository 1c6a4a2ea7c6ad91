"""Count and share metrics over a layer's attributes: one declarative form, in ``attribute.yaml``.

A metric names its ``layer``, an optional ``filter`` (which features are considered), the
``fields`` it reads, and a ``numerator`` and optional ``denominator``, each ``count: all``,
``count: <condition>`` or ``sum: <column>`` (optionally over another ``layer``, e.g. the population
of settlements). The value is ``scale × numerator / denominator`` (``scale`` 100 for percent, 1000
for per-1000), the numerator alone without a denominator, or ``numerator > 0`` with ``form:
exists``. Only features in service on the as-of date count (the time model). Conditions are SQL
over the layer's columns, like a layer's publication ``row_filter``.

Not computable, with the reason: a field the layer does not have; a field empty in every feature
considered; no feature to divide by; a zero sum to divide by.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml

from gisplan import yaml_text
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from sqlalchemy import text

from ..catalog import COMMON_COLUMNS, catalog
from ..errors import ConfigError
from .model import Metric, MetricSpec, Outcome
from .sqltext import expand, fill, fragments_text, quote_ident, template

SCALES = {"percent": 100, "per_1000": 1000}


class Aggregate(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    count: str | None = None   # "all" or a condition
    sum: str | None = None     # a column
    layer: str | None = None   # default: the metric's layer
    filter: str | None = None  # further condition on this side only

    @model_validator(mode="after")
    def _one(self) -> "Aggregate":
        if (self.count is None) == (self.sum is None):
            raise ValueError("give exactly one of count (all or a condition) and sum (a column)")
        return self

    def expression(self) -> str:
        if self.sum is not None:
            return f"coalesce(sum(t.{quote_ident(self.sum)}), 0)"
        if self.count.strip().lower() == "all":
            return "count(*)"
        return f"count(*) FILTER (WHERE {self.count})"

    def describe(self, layer: str) -> str:
        what = f"sum({self.sum})" if self.sum else ("count" if self.count.strip().lower() == "all"
                                                     else f"count where {self.count}")
        where = f" [{self.filter}]" if self.filter else ""
        return f"{what} of {self.layer or layer}{where}"


class AttributeSpec(MetricSpec):
    layer: str
    filter: str | None = None
    fields: tuple[str, ...] = ()
    numerator: Aggregate
    denominator: Aggregate | None = None
    scale: float | None = None
    form: Literal["value", "exists"] = "value"

    @model_validator(mode="after")
    def _form(self) -> "AttributeSpec":
        if self.form == "exists" and (self.denominator is not None or self.unit != "bool"):
            raise ValueError("form exists has no denominator and unit bool")
        if self.unit == "bool" and self.form != "exists":
            raise ValueError("a bool metric needs form: exists")
        return self


@dataclass
class Amount:
    amount: float
    features: int
    unknown: int


class AttributeMetric(Metric):
    kind = "attribute"
    spec: AttributeSpec

    @property
    def scale(self) -> float:
        s = self.spec
        return s.scale if s.scale is not None else (SCALES.get(s.unit, 1) if s.denominator else 1)

    def definition_text(self) -> str:
        return json.dumps(self.spec.model_dump(mode="json"), sort_keys=True) + template("attribute") + fragments_text()

    def formula(self) -> str:
        s = self.spec
        top = s.numerator.describe(s.layer)
        base = f" in service{f' where {s.filter}' if s.filter else ''}"
        if s.form == "exists":
            return f"({top}{base}) > 0"
        if s.denominator is None:
            return top + base
        scale = f"{self.scale:g} × " if self.scale != 1 else ""
        return f"{scale}{top} / {s.denominator.describe(s.layer)}{base}"

    def method(self) -> dict:
        return {**super().method(), "formula": self.formula()}

    def _missing_field(self) -> tuple[str, str] | None:
        s = self.spec
        wanted = [(s.layer, f) for f in s.fields]
        for side in (s.numerator, s.denominator):
            if side is not None and side.sum:
                wanted.append((side.layer or s.layer, side.sum))
        for layer, name in wanted:
            if name not in catalog().get(layer).fields and name not in COMMON_COLUMNS:
                return layer, name
        return None

    def _run(self, conn, side: Aggregate, hromada: str, as_of: dt.date, params: dict) -> Amount:
        s = self.spec
        layer = side.layer or s.layer
        conditions = [c for c in ((s.filter if layer == s.layer else None), side.filter) if c]
        known = [f for f in s.fields if layer == s.layer]
        unknown = (f"count(*) FILTER (WHERE {' OR '.join(f't.{quote_ident(f)} IS NULL' for f in known)})"
                   if known else "0")
        sql = fill(template("attribute"), aggregate=side.expression(), unknown=unknown,
                   table=quote_ident(catalog().get(layer).table),
                   filter=" AND ".join(f"({c})" for c in conditions) or "true")
        r = conn.execute(text(expand(sql)), {**params, "hromada": hromada, "as_of": as_of}).one()
        return Amount(float(r.amount or 0), int(r.features), int(r.unknown))

    def evaluate(self, conn, hromada: str, as_of: dt.date, params: dict) -> list[Outcome]:
        s = self.spec
        missing = self._missing_field()
        if missing:
            return [Outcome(hromada, reason="field_missing", details={"layer": missing[0], "field": missing[1]})]
        top = self._run(conn, s.numerator, hromada, as_of, params)
        details = {"layer": s.layer, "features": top.features, "unknown": top.unknown}
        if s.fields and top.features and top.unknown == top.features:
            return [Outcome(hromada, reason="field_unknown", details={**details, "field": ", ".join(s.fields)})]
        if s.form == "exists":
            return [Outcome(hromada, value=1.0 if top.amount > 0 else 0.0, numerator=top.amount, details=details)]
        if s.denominator is None:
            return [Outcome(hromada, value=top.amount, numerator=top.amount, details=details)]
        base = self._run(conn, s.denominator, hromada, as_of, params)
        details["denominator_features"] = base.features
        if base.features == 0:
            return [Outcome(hromada, reason="no_features", numerator=top.amount,
                            details={**details, "layer": s.denominator.layer or s.layer})]
        if base.amount == 0:
            return [Outcome(hromada, reason="zero_denominator", numerator=top.amount, denominator=0,
                            details={**details, "denominator_of": s.denominator.describe(s.layer)})]
        return [Outcome(hromada, value=self.scale * top.amount / base.amount, numerator=top.amount,
                        denominator=base.amount, details=details)]


def load_attribute_metrics(path: Path) -> list[AttributeMetric]:
    shown = f"{path.parent.name}/{path.name}"
    try:
        raw = yaml_text.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{shown}: not valid YAML: {exc}") from None
    out = []
    cat = catalog()
    for code, body in raw.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{shown}: {code}: expected a mapping")
        try:
            spec = AttributeSpec(code=code, **body)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise ConfigError(f"{shown}: {code}.{where}: {first['msg'].removeprefix('Value error, ')}") from None
        layers = [spec.layer] + [a.layer for a in (spec.numerator, spec.denominator) if a and a.layer]
        for layer in layers:
            if layer not in cat:
                raise ConfigError(f"{shown}: {code}: unknown layer {layer!r}")
        inputs = tuple(dict.fromkeys([*layers, *spec.inputs]))
        out.append(AttributeMetric(spec.model_copy(update={"inputs": inputs}), path))
    return out
