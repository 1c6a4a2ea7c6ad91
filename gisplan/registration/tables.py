"""Tables of the metadata and registration work (migration 0004).

- ``hromada_profile``: the громада as custodian of its data (name, address, e-mail, phone, logo);
  planners of the громада edit it, ISO records read it.
- ``dataset_metadata``: the editable fields of a dataset's ISO record (title, abstract, lineage,
  keywords); unset fields fall back to the layer catalogue.
- ``dataset_registration``: where a dataset stands with the national geoportal. "changed since
  registration" is not stored: it is the dataset's change counter moving past the one registered.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger, CheckConstraint, Column, DateTime, ForeignKeyConstraint, Table, Text, func,
)
from sqlalchemy.dialects.postgresql import ARRAY

from ..db.models import KATOTTG_CHECK, metadata

hromada_profile = Table(
    "hromada_profile", metadata,
    Column("hromada", Text, primary_key=True, comment="КАТОТТГ code of the громада"),
    Column("organisation", Text, comment="custodian's name, e.g. Балаклійська міська рада"),
    Column("address", Text),
    Column("email", Text),
    Column("phone", Text),
    Column("website", Text),
    Column("logo_url", Text),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Text),
    CheckConstraint(f"hromada {KATOTTG_CHECK}", name="hromada_format"),
)

dataset_metadata = Table(
    "dataset_metadata", metadata,
    Column("layer", Text, primary_key=True),
    Column("hromada", Text, primary_key=True),
    Column("title", Text),
    Column("abstract", Text),
    Column("lineage", Text),
    Column("keywords", ARRAY(Text)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Text),
    ForeignKeyConstraint(["layer", "hromada"], ["dataset.layer", "dataset.hromada"], ondelete="CASCADE"),
)

dataset_registration = Table(
    "dataset_registration", metadata,
    Column("layer", Text, primary_key=True),
    Column("hromada", Text, primary_key=True),
    Column("status", Text, nullable=False, comment="submitted or registered"),
    Column("change_count", BigInteger, nullable=False,
           comment="the dataset's change counter when submitted or registered"),
    Column("submitted_at", DateTime(timezone=True)),
    Column("registered_at", DateTime(timezone=True)),
    Column("reference", Text, comment="the geoportal's application or registration number"),
    Column("updated_by", Text),
    CheckConstraint("status IN ('submitted', 'registered')", name="status"),
    ForeignKeyConstraint(["layer", "hromada"], ["dataset.layer", "dataset.hromada"], ondelete="CASCADE"),
)
