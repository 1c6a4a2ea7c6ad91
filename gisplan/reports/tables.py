"""Reports a planner published on the громада's public page (migration 0010).

The file is stored as generated, so the public copy never changes when the data moves on; a new
publication of the same kind, period and format replaces it.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint, Column, DateTime, ForeignKey, Identity, Index, Integer, LargeBinary, Table, Text,
    UniqueConstraint, func,
)

from ..db.models import KATOTTG_CHECK, metadata

published_report = Table(
    "published_report", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("program_id", Integer, ForeignKey("program.id", ondelete="CASCADE"), nullable=False),
    Column("hromada", Text, nullable=False, comment="КАТОТТГ code of the громада"),
    Column("kind", Text, nullable=False, comment="quarterly or annual"),
    Column("year", Integer, nullable=False),
    Column("quarter", Integer, nullable=False, comment="1–4, or 0 for an annual report"),
    Column("format", Text, nullable=False, comment="pdf, docx or xlsx"),
    Column("filename", Text, nullable=False, comment="the public name: /{hromada}/reports/{filename}"),
    Column("media_type", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("template", Text, nullable=False, comment="template name, version and SHA-256 prefix used"),
    Column("published_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_by", Text),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    CheckConstraint("kind IN ('quarterly', 'annual')", name="kind"),
    CheckConstraint("format IN ('pdf', 'docx', 'xlsx')", name="format"),
    CheckConstraint("quarter BETWEEN 0 AND 4", name="quarter"),
    UniqueConstraint("hromada", "filename", name="uq_published_report_file"),
    comment="Звіти, оприлюднені на сторінці громади / Reports published on the громада's page (issue 15)",
)
Index("ix_published_report_program", published_report.c.program_id)
