"""Geometric (and other query) metrics: one ``sql/<code>.sql`` file each.

The file opens with its declaration, a YAML block in ``--`` comments (code, name, unit, inputs,
parameters, method, reasons …), followed by one SELECT. The SELECT gets ``:hromada``, ``:as_of``,
``:year_start`` (1 January of the as-of year) and the metric's parameters, and returns the columns
``territory, value, numerator, denominator, reason, details``: one row for the громада (territory =
its code) and, for a ``per_settlement`` metric, one per settlement. A row has a value or a reason
code (declared under ``reasons``, or one of :data:`~gisplan.indicators.model.COMMON_REASONS`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml

from gisplan import yaml_text
from pydantic import ValidationError
from sqlalchemy import text

from ..errors import ConfigError
from .model import Metric, MetricSpec, Outcome
from .sqltext import expand, fragments_text

RESULT_COLUMNS = ("territory", "value", "numerator", "denominator", "reason", "details")


def split_header(source: str) -> tuple[str, str]:
    """The leading ``--`` comment block (without the ``-- `` prefix) and the SQL after it."""
    lines = source.splitlines()
    header = []
    i = 0
    for i, line in enumerate(lines):
        if line.startswith("--"):
            header.append(line[3:] if line.startswith("-- ") else line[2:])
        elif line.strip() == "" and not header:
            continue
        else:
            break
    else:
        i = len(lines)
    return "\n".join(header), "\n".join(lines[i:]).strip()


def number(v) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    return float(v) if isinstance(v, (int, float, Decimal)) else float(v)


class SqlMetric(Metric):
    kind = "sql"

    def __init__(self, spec: MetricSpec, source: Path, sql: str, raw: str):
        super().__init__(spec, source)
        self.sql = sql
        self.raw = raw

    @classmethod
    def load(cls, path: Path) -> "SqlMetric":
        shown = f"{path.parent.name}/{path.name}"
        raw = path.read_text(encoding="utf-8")
        header, sql = split_header(raw)
        try:
            declared = yaml_text.safe_load(header) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{shown}: the declaration (leading -- comments) is not valid YAML: {exc}") from None
        if not isinstance(declared, dict):
            raise ConfigError(f"{shown}: the declaration (leading -- comments) must be a YAML mapping")
        try:
            spec = MetricSpec(**declared)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "(top level)"
            raise ConfigError(f"{shown}: {where}: {first['msg'].removeprefix('Value error, ')}") from None
        if spec.code.lower() != path.stem:
            raise ConfigError(f"{shown}: code {spec.code} must match the file name ({spec.code.lower()}.sql)")
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            raise ConfigError(f"{shown}: expected one SELECT (or WITH … SELECT) after the declaration")
        return cls(spec, path, sql, raw)

    def definition_text(self) -> str:
        return self.raw + fragments_text()

    def evaluate(self, conn, hromada: str, as_of: dt.date, params: dict) -> list[Outcome]:
        binds = {**params, "hromada": hromada, "as_of": as_of, "year_start": dt.date(as_of.year, 1, 1)}
        rows = conn.execute(text(expand(self.sql)), binds).mappings().all()
        out = []
        for r in rows:
            missing = [c for c in RESULT_COLUMNS if c not in r]
            if missing:
                raise ConfigError(f"{self.source.name}: the SELECT must return {', '.join(missing)}")
            out.append(Outcome(
                territory=r["territory"], value=number(r["value"]), numerator=number(r["numerator"]),
                denominator=number(r["denominator"]), reason=r["reason"], details=dict(r["details"] or {})))
        from ..rasters.population import apply as population_source  # a registered raster wins

        return population_source(conn, self.code, hromada, binds, out)
