"""Core tables (not built from the layer catalogue): territory, datasets, logs, accounts.

SQLAlchemy Core tables on one ``MetaData``; the layer tables are added to the same metadata by
:mod:`gisplan.db.layer_tables`, so Alembic sees one schema.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, Date, DateTime, Double, ForeignKey, Identity, Index,
    Integer, MetaData, Table, Text, UniqueConstraint, func, text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

KATOTTG_CHECK = "~ '^UA[0-9]{17}$'"

# ---------------------------------------------------------------- territory (КАТОТТГ codifier)
territory = Table(
    "territory", metadata,
    Column("code", Text, primary_key=True, comment="КАТОТТГ code, ^UA\\d{17}$"),
    Column("level", Integer, nullable=False,
           comment="1 oblast / special-status city, 2 raion, 3 hromada, 4 settlement, 5 city district"),
    Column("category", Text, nullable=False, comment="O K P H M X C T B (Latin letters)"),
    Column("name", Text, nullable=False),
    Column("parent_code", Text, nullable=True),
    Column("oblast_code", Text, nullable=True),
    Column("raion_code", Text, nullable=True),
    Column("hromada_code", Text, nullable=True),
    Column("edition", Date, nullable=False, comment="codifier edition date"),
    CheckConstraint(f"code {KATOTTG_CHECK}", name="code_format"),
    CheckConstraint("category IN ('O','K','P','H','M','X','C','T','B')", name="category"),
    CheckConstraint("level BETWEEN 1 AND 5", name="level"),
)
Index("ix_territory_hromada_code", territory.c.hromada_code)
Index("ix_territory_parent_code", territory.c.parent_code)
Index("ix_territory_level", territory.c.level)

# ---------------------------------------------------------------- datasets: layer × громада
DATASET_EXTENT_COMMENT = ("a box (EPSG:4326) holding every feature of the dataset: grown by triggers when "
                          "features are written, never shrunk by them (vector tiles find their datasets by it)")
dataset = Table(
    "dataset", metadata,
    Column("layer", Text, primary_key=True),
    Column("hromada", Text, primary_key=True),
    Column("published", Boolean, nullable=False, server_default=text("false")),
    Column("published_at", DateTime(timezone=True)),
    Column("metadata_uuid", UUID(as_uuid=True), nullable=False, server_default=text("gen_random_uuid()")),
    Column("change_count", BigInteger, nullable=False, server_default=text("0")),
    Column("changed_at", DateTime(timezone=True)),
    Column("extent", Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=False),
           comment=DATASET_EXTENT_COMMENT),  # migration 0014, kept by gisplan/db/sql/dataset_extent.sql
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
    UniqueConstraint("metadata_uuid", name="uq_dataset_metadata_uuid"),
)
Index("ix_dataset_extent", dataset.c.extent, postgresql_using="gist")  # which datasets a tile meets

# ---------------------------------------------------------------- logs
import_log = Table(
    "import_log", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True)),
    Column("layer", Text),
    Column("hromada", Text),
    Column("source", Text, nullable=False, comment="file name or loader name"),
    Column("mode", Text),
    Column("user_name", Text),
    Column("rows_read", Integer, nullable=False, server_default=text("0")),
    Column("rows_loaded", Integer, nullable=False, server_default=text("0")),
    Column("rows_rejected", Integer, nullable=False, server_default=text("0")),
    Column("rows_repaired", Integer, nullable=False, server_default=text("0")),
    Column("status", Text, nullable=False, server_default=text("'ok'")),
    Column("report", JSONB, comment="rejected rows with row number, field and reason"),
)

audit_log = Table(  # read by admins at GET /api/admin/audit (gisplan/audit, migration 0009)
    "audit_log", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("user_name", Text, comment="who: the signed-in user, the name tried at a failed sign-in, or 'cli'"),
    Column("action", Text, nullable=False, comment="sign-in, sign-out, publish …, or METHOD /route/{template}"),
    Column("target", Text, comment="the object changed"),
    Column("detail", JSONB),
    Column("ok", Boolean, nullable=False, server_default=text("true"), comment="false: a failed sign-in"),
    Column("hromada", Text, comment="КАТОТТГ code concerned, when known"),
    Column("status", Integer, comment="HTTP status of the answer (changes made through the web app)"),
    Column("client", Text, comment="client address (sign-ins and changes by signed-in users)"),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_user_name_at", "user_name", "at"),
)

# ---------------------------------------------------------------- accounts
users = Table(
    "users", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("username", Text, nullable=False),
    Column("full_name", Text),
    Column("password_hash", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("role IN ('admin', 'planner', 'viewer', 'executor')", name="role"),  # executor: migration 0009
    UniqueConstraint("username", name="uq_users_username"),
)

user_hromada = Table(
    "user_hromada", metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("hromada", Text, primary_key=True),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
)

auth_token = Table(
    "auth_token", metadata,
    Column("id", Integer, Identity(), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False, comment="session (cookie) or api (bearer)"),
    Column("token_hash", Text, nullable=False, comment="sha256 of the token; the token itself is never stored"),
    Column("name", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('session', 'api')", name="kind"),
    UniqueConstraint("token_hash", name="uq_auth_token_token_hash"),
)

# ---------------------------------------------------------------- shared by worker processes (issue 17)
catalogue_version = Table(  # gisplan/publish/catalogue_version.py; bumped by triggers (sql/catalogue_version.sql)
    "catalogue_version", metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("version", BigInteger, nullable=False, server_default=text("0"),
           comment="moves when what the services list changes: datasets published, withdrawn, added, removed; "
                   "the territory"),
    CheckConstraint("id", name="one_row"),
)

rate_limit_bucket = Table(  # api/rate_limit.py: one token bucket per client address, for every worker
    "rate_limit_bucket", metadata,
    Column("namespace", Text, primary_key=True, comment="'shared' for the app's limit; an instance's own otherwise"),
    Column("key", Text, primary_key=True, comment="client address"),
    Column("tokens", Double, nullable=False),
    Column("at", Double, nullable=False, comment="seconds (epoch) of the last request"),
    Column("allowed", Boolean, nullable=False, comment="whether the last request was let through"),
    Column("expires", Double, nullable=False, comment="when the bucket is full again: the row can go"),
    prefixes=["UNLOGGED"],
)

login_failure = Table(  # api/login_throttle.py: failed sign-ins per user name and per address, for every worker
    "login_failure", metadata,
    Column("namespace", Text, primary_key=True),
    Column("key", Text, primary_key=True, comment="user:<name> or addr:<address>"),
    Column("times", ARRAY(Double), nullable=False, comment="seconds (epoch) of the failures within the window"),
    Column("at", Double, nullable=False, comment="seconds (epoch) of the last failure"),
    Column("max_failures", Integer, nullable=False),
    Column("locked_until", Double),
    Column("expires", Double, nullable=False, comment="when the row says nothing any more: it can go"),
    prefixes=["UNLOGGED"],
)
