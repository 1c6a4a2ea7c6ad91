"""Tables of the QR workflow (migration 0007).

- ``qr_plate``: one row per tourist object whose plate was printed (when and by whom). Installation
  is not stored here: it is the object's own ``has_qr`` / ``qr_installed_at`` fields, which the
  ``QR_TOURISM`` indicator reads and the feature history keeps.
- ``qr_scan``: how many times a short link was opened, per day. No address, agent or time of day is
  kept: aggregate counts only.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, Date, DateTime, Index, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID

from ..db.models import KATOTTG_CHECK, metadata

qr_plate = Table(
    "qr_plate", metadata,
    Column("feature_id", UUID(as_uuid=True), primary_key=True, comment="id of the tourist_objects feature"),
    Column("hromada", Text, nullable=False, comment="КАТОТТГ code of the громада"),
    Column("short", Text, nullable=False, comment="the short code printed (the feature's qr_code then)"),
    Column("printed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("printed_by", Text),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    comment="QR plates printed for tourist objects (issue 14)",
)
Index("ix_qr_plate_hromada", qr_plate.c.hromada)

qr_scan = Table(
    "qr_scan", metadata,
    Column("short", Text, primary_key=True, comment="the short code of /q/{short}"),
    Column("day", Date, primary_key=True),
    Column("count", BigInteger, nullable=False, server_default="0"),
    comment="Openings of QR short links per day: aggregate counts, no personal data (issue 14)",
)
