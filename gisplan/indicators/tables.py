"""Storage of computed metric values (migration ``0003``).

One row per metric × громада × territorial unit (the громада itself, or one of its settlements) ×
as-of date × parameters. A row keeps what the value was computed from: numerator, denominator, the
method, the parameters, the input datasets' change counters and the definition of the metric, so a
value whose inputs and definition have not changed is read back instead of being recomputed.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, CheckConstraint, Column, Date, DateTime, Identity, Index, Numeric, Table, Text,
    UniqueConstraint, func, text,
)
from sqlalchemy.dialects.postgresql import JSONB

from ..db.models import KATOTTG_CHECK, metadata

indicator_value = Table(
    "indicator_value", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("metric", Text, nullable=False, comment="metric code of the registry (gisplan.indicators)"),
    Column("hromada", Text, nullable=False, comment="КАТОТТГ code of the громада"),
    Column("territory", Text, nullable=False,
           comment="the unit evaluated: the громада's own code, or a settlement of it"),
    Column("as_of", Date, nullable=False, comment="features installed by and not removed by this date"),
    Column("params_hash", Text, nullable=False, comment="sha256 of the parameters (canonical JSON)"),
    Column("parameters", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("value", Numeric, comment="NULL when not computable (see reason)"),
    Column("numerator", Numeric),
    Column("denominator", Numeric),
    Column("unit", Text, nullable=False),
    Column("reason", Text, comment="why there is no value (a reason code of the registry)"),
    Column("details", JSONB, comment="counts behind the value: unknown attributes, unlocated settlements …"),
    Column("method", JSONB, nullable=False, comment="how the value is computed {uk, en}, as of computation"),
    Column("inputs", JSONB, nullable=False, comment="{dataset (layer): change_count} of the громада"),
    Column("definition", Text, nullable=False, comment="sha256 of the metric definition in force"),
    Column("computed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    CheckConstraint(f"territory {KATOTTG_CHECK}", name="territory_format"),
    CheckConstraint("(value IS NULL) <> (reason IS NULL)", name="value_or_reason"),
    UniqueConstraint("metric", "hromada", "territory", "as_of", "params_hash", name="uq_indicator_value_key"),
    comment="Обчислені значення показників / Computed metric values",
)
Index("ix_indicator_value_hromada", indicator_value.c.hromada, indicator_value.c.as_of)
