"""Program tables (SEEDS-ANALYSIS §3): passport, strategic goals, priority areas, tasks, projects,
funding lines, declared totals, indicators with targets and actuals, amendments, reports, links.

SQLAlchemy Core tables on the shared :data:`gisplan.db.models.metadata`; migration ``0002``.
Money is exact ``numeric`` in тис. грн; a cell that holds a marker («В межах кошторисних
призначень», «+», «-») keeps the marker instead of a number. Numbers are unconstrained
``numeric`` so that the scale is kept as written (``100,0`` stays ``100.0``, ``2,74`` stays
``2.74``).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint, Column, Date, DateTime, ForeignKey, Identity, Index, Integer, Numeric, Table,
    Text, UniqueConstraint, func, text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from ..db.models import KATOTTG_CHECK, metadata

MARKERS_SQL = "('В межах кошторисних призначень', '+', '-')"


def _id() -> Column:
    return Column("id", Integer, Identity(), primary_key=True)


def _program_fk() -> Column:
    return Column("program_id", Integer, ForeignKey("program.id", ondelete="CASCADE"), nullable=False)


def _amount_columns(prefix: str = "") -> list:
    amount, marker = f"{prefix}amount", f"{prefix}marker"
    return [
        Column(amount, Numeric, comment="тис. грн, exactly as written"),
        Column(marker, Text, comment="«В межах кошторисних призначень», «+» (active, no separate cost) "
                                     "or «-» (not active), kept instead of a number"),
        CheckConstraint(f"{marker} IS NULL OR {marker} IN {MARKERS_SQL}", name=f"{marker}_value"),
        CheckConstraint(f"{amount} IS NULL OR {marker} IS NULL", name=f"{prefix}amount_or_marker"),
    ]


def _value_columns(prefix: str) -> list:
    return [
        Column(f"{prefix}value", Numeric, comment="the number as written (scale kept)"),
        Column(f"{prefix}text", Text, comment="the text as written when not a number: Так / Ні / + …"),
        CheckConstraint(f"{prefix}value IS NULL OR {prefix}text IS NULL", name=f"{prefix}number_or_text"),
    ]


def _stamp() -> list:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_by", Text),
    ]


program = Table(
    "program", metadata,
    _id(),
    Column("hromada", Text, comment="КАТОТТГ code of the громада; NULL when the document names none"),
    Column("title", Text, nullable=False),
    Column("period_start", Integer, nullable=False),
    Column("period_end", Integer, nullable=False),
    Column("passport_form", Text, comment="national_2024 (КАТОТТГ code, Мінцифри agreement) or egap_2023 "
                                          "(strategic goals); NULL without a passport"),
    Column("passport", JSONB, nullable=False, server_default=text("'{}'::jsonb"),
           comment="passport fields as written (gisplan.program.schemas.Passport)"),
    Column("edit_version", Integer, nullable=False, server_default=text("1"),
           comment="bumped by every change to the program or its parts: If-Match / 409 (edit_lock.py)"),
    *_stamp(),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    CheckConstraint("period_end >= period_start", name="period_order"),
    CheckConstraint("passport_form IN ('national_2024', 'egap_2023')", name="passport_form"),
    comment="Програма інформатизації / Informatization program",
)
Index("ix_program_hromada", program.c.hromada)

program_version = Table(
    "program_version", metadata,
    _id(), _program_fk(),
    Column("number", Integer, nullable=False, comment="1 = as approved, then one per amendment"),
    Column("decision_number", Text, comment="council decision number, e.g. № 2773-VIII"),
    Column("decision_date", Date),
    Column("note", Text),
    Column("snapshot", JSONB, comment="the program as it stood in this version; NULL for the version in force"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Text),
    UniqueConstraint("program_id", "number", name="uq_program_version_number"),
    comment="Редакції програми (зміни рішеннями ради) / Program versions (amendments)",
)

program_goal = Table(
    "program_goal", metadata,
    _id(), _program_fk(),
    Column("seq", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("source_ref", Text, comment="where the row comes from (seed file and lines)"),
    UniqueConstraint("program_id", "code", name="uq_program_goal_code"),
    comment="Стратегічна ціль (паспорт EGAP) / Strategic goal",
)

program_priority = Table(
    "program_priority", metadata,
    _id(), _program_fk(),
    Column("goal_id", Integer, ForeignKey("program_goal.id", ondelete="CASCADE")),
    Column("seq", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("source_ref", Text),
    UniqueConstraint("program_id", "code", name="uq_program_priority_code"),
    comment="Пріоритетний напрям / Priority area",
)

program_task = Table(
    "program_task", metadata,
    _id(),
    Column("priority_id", Integer, ForeignKey("program_priority.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("source_ref", Text),
    comment="Завдання / захід / Task",
)
Index("ix_program_task_priority", program_task.c.priority_id)

program_project = Table(
    "program_project", metadata,
    _id(), _program_fk(),
    Column("priority_id", Integer, ForeignKey("program_priority.id", ondelete="CASCADE"), nullable=False),
    Column("task_id", Integer, ForeignKey("program_task.id", ondelete="SET NULL")),
    Column("ref", Text, nullable=False, comment="number in the annex, stable across amendments"),
    Column("seq", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("result", Text, comment="Показники ефективності / очікувані результати"),
    Column("executors", Text, comment="Відповідальні за виконання, as written"),
    Column("term", Text, comment="Строки виконання, as written"),
    Column("source_ref", Text),
    *_stamp(),
    UniqueConstraint("program_id", "ref", name="uq_program_project_ref"),
    comment="Проєкт, роботи з інформатизації / Project or work",
)
Index("ix_program_project_priority", program_project.c.priority_id)

program_funding = Table(
    "program_funding", metadata,
    _id(),
    Column("project_id", Integer, ForeignKey("program_project.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("source", Text, comment="Джерело фінансування, as written"),
    *_amount_columns("total_"),
    Column("source_ref", Text),
    comment="Рядок фінансування (проєкт × джерело); total_* is the declared row total",
)
Index("ix_program_funding_project", program_funding.c.project_id)

program_funding_amount = Table(
    "program_funding_amount", metadata,
    Column("funding_id", Integer, ForeignKey("program_funding.id", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True),
    *_amount_columns(),
    comment="Обсяг фінансування за рік / Amount of one funding line in one year",
)

program_declared_total = Table(
    "program_declared_total", metadata,
    _id(), _program_fk(),
    Column("seq", Integer, nullable=False),
    Column("scope", Text, nullable=False, comment="priority («Всього за напрямом»), program («Всього за "
                                                  "програмою») or passport (the passport's volumes)"),
    Column("priority_id", Integer, ForeignKey("program_priority.id", ondelete="CASCADE")),
    Column("source", Text, comment="NULL = all sources («загальний обсяг»)"),
    *_amount_columns("total_"),
    Column("source_ref", Text),
    CheckConstraint("scope IN ('priority', 'program', 'passport')", name="scope"),
    CheckConstraint("(scope = 'priority') = (priority_id IS NOT NULL)", name="priority_scope"),
    comment="Підсумок, як його записано в документі (перевіряється, не довіряється)",
)
Index("ix_program_declared_total_program", program_declared_total.c.program_id)

program_declared_total_amount = Table(
    "program_declared_total_amount", metadata,
    Column("declared_total_id", Integer, ForeignKey("program_declared_total.id", ondelete="CASCADE"),
           primary_key=True),
    Column("year", Integer, primary_key=True),
    *_amount_columns(),
)

program_indicator = Table(
    "program_indicator", metadata,
    _id(), _program_fk(),
    Column("priority_id", Integer, ForeignKey("program_priority.id", ondelete="CASCADE")),
    Column("goal_id", Integer, ForeignKey("program_goal.id", ondelete="CASCADE")),
    Column("project_id", Integer, ForeignKey("program_project.id", ondelete="SET NULL"),
           comment="the project this indicator measures (EGAP programs: one per project)"),
    Column("ref", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("name", Text, nullable=False, comment="the wording of the document"),
    Column("unit", Text, comment="Одиниця виміру, as written"),
    Column("canonical_code", Text, comment="code of the canonical catalogue (canonical_indicators.csv)"),
    Column("value_semantics", Text, comment="level, increment or project_progress_share"),
    *_value_columns("baseline_"),
    Column("baseline_year", Integer),
    Column("declared_dynamics", Text, comment="Динаміка (+/-, %) exactly as written"),
    Column("regulation_ref", Text, comment="e.g. РКМУ 523, Постанова КМУ №835"),
    Column("method", Text, nullable=False, server_default=text("'manual'"),
           comment="layers (computed from layers), registry, manual"),
    Column("metric", Text, comment="the bound metric of the indicator engine"),
    Column("source_ref", Text),
    *_stamp(),
    CheckConstraint("value_semantics IN ('level', 'increment', 'project_progress_share')",
                    name="value_semantics"),
    CheckConstraint("method IN ('layers', 'registry', 'manual')", name="method"),
    UniqueConstraint("program_id", "ref", name="uq_program_indicator_ref"),
    comment="Індикатор виконання програми / Program indicator",
)

program_indicator_target = Table(
    "program_indicator_target", metadata,
    Column("indicator_id", Integer, ForeignKey("program_indicator.id", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True),
    *_value_columns(""),
    comment="Цільове / прогнозне значення за рік",
)

program_indicator_actual = Table(
    "program_indicator_actual", metadata,
    _id(),
    Column("indicator_id", Integer, ForeignKey("program_indicator.id", ondelete="CASCADE"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False, server_default=text("0"), comment="1–4, or 0 for the year"),
    *_value_columns(""),
    Column("numerator", Numeric),
    Column("denominator", Numeric),
    Column("source", Text, nullable=False, comment="computed or entered"),
    Column("entered_by", Text),
    Column("entered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("computed_at", DateTime(timezone=True)),
    Column("inputs", JSONB, comment="what a computed value was computed from"),
    Column("note", Text),
    CheckConstraint("quarter BETWEEN 0 AND 4", name="quarter"),
    CheckConstraint("source IN ('computed', 'entered')", name="source"),
    UniqueConstraint("indicator_id", "year", "quarter", name="uq_program_indicator_actual_period"),
    comment="Фактичне значення за період / Actual value per period",
)

program_project_report = Table(
    "program_project_report", metadata,
    _id(),
    Column("project_id", Integer, ForeignKey("program_project.id", ondelete="CASCADE"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False),
    Column("progress_pct", Numeric),
    Column("spent", Numeric, comment="тис. грн spent in the quarter"),
    Column("narrative", Text),
    Column("entered_by", Text),
    Column("entered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
    CheckConstraint("progress_pct IS NULL OR progress_pct BETWEEN 0 AND 100", name="progress"),
    UniqueConstraint("project_id", "year", "quarter", name="uq_program_project_report_period"),
    comment="Квартальний звіт виконавця / Executor's quarterly report",
)

program_project_assignee = Table(
    "program_project_assignee", metadata,
    Column("project_id", Integer, ForeignKey("program_project.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    comment="Accounts of the executor who report on the project",
)

program_submission = Table(
    "program_submission", metadata,
    _id(), _program_fk(),
    Column("kind", Text, nullable=False),
    Column("year", Integer, nullable=False, comment="the reporting year"),
    Column("submitted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("submitted_by", Text),
    Column("note", Text),
    CheckConstraint("kind IN ('ministry_report')", name="kind"),
    UniqueConstraint("program_id", "kind", "year", name="uq_program_submission_period"),
    comment="Звіти, подані Мінцифри (до 1 березня)",
)

program_feature_link = Table(
    "program_feature_link", metadata,
    _id(), _program_fk(),
    Column("project_id", Integer, ForeignKey("program_project.id", ondelete="CASCADE")),
    Column("task_id", Integer, ForeignKey("program_task.id", ondelete="CASCADE")),
    Column("layer", Text, nullable=False),
    Column("feature_id", UUID(as_uuid=True), nullable=False),
    Column("note", Text),
    Column("linked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("linked_by", Text),
    CheckConstraint("num_nonnulls(project_id, task_id) = 1", name="one_owner"),
    UniqueConstraint("project_id", "layer", "feature_id", name="uq_program_feature_link_project"),
    UniqueConstraint("task_id", "layer", "feature_id", name="uq_program_feature_link_task"),
    comment="Об'єкти шарів, яких стосується проєкт чи завдання / Features a project or task concerns",
)
Index("ix_program_feature_link_feature", program_feature_link.c.layer, program_feature_link.c.feature_id)
