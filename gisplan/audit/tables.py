"""The ``audit_log`` table: defined with the core tables (gisplan/db/models.py, migrations 0001 and 0009)."""

from ..db.models import audit_log  # noqa: F401
