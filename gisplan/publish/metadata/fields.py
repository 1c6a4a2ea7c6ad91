"""The editable fields of a dataset's ISO record; unset fields fall back to the layer catalogue."""

from __future__ import annotations

from sqlalchemy import Connection, func, select, text
from sqlalchemy.dialects.postgresql import insert

from ...catalog import LayerSpec, catalog
from ...db.models import dataset
from ...errors import GisplanError
from ...registration.tables import dataset_metadata

EDITABLE = ("title", "abstract", "lineage", "keywords")


def catalogue_defaults(layer: LayerSpec) -> dict:
    return {
        "title": layer.title.uk,
        "abstract": layer.abstract.uk,
        "lineage": layer.metadata.lineage.uk if layer.metadata.lineage else None,
        "keywords": list(layer.metadata.keywords.get("uk", ())),
    }


def stored_fields(conn: Connection, layer: str, hromada: str) -> dict:
    row = conn.execute(select(dataset_metadata).where(
        dataset_metadata.c.layer == layer, dataset_metadata.c.hromada == hromada)).first()
    return {k: row._mapping[k] for k in EDITABLE} if row else {k: None for k in EDITABLE}


def effective_fields(conn: Connection, layer: LayerSpec, hromada: str) -> dict:
    stored = stored_fields(conn, layer.name, hromada)
    defaults = catalogue_defaults(layer)
    return {k: stored[k] if stored[k] not in (None, []) else defaults[k] for k in EDITABLE}


def save_fields(conn: Connection, layer_name: str, hromada: str, values: dict, user: str | None) -> dict:
    """Store edited fields (null clears one back to the catalogue's). The dataset must exist."""
    layer = catalog().get(layer_name)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise GisplanError(f"metadata: unknown fields {', '.join(sorted(unknown))}; editable: {', '.join(EDITABLE)}")
    for name in ("title", "abstract", "lineage"):
        if values.get(name) is not None and not isinstance(values[name], str):
            raise GisplanError(f"metadata: {name} must be a text or null")
    if "keywords" in values and values["keywords"] is not None:
        kws = values["keywords"]
        if not isinstance(kws, list) or not all(isinstance(k, str) and k.strip() for k in kws):
            raise GisplanError("metadata: keywords must be a list of non-empty texts")
        values = {**values, "keywords": [k.strip() for k in kws]}
    exists = conn.execute(select(dataset.c.layer).where(
        dataset.c.layer == layer.name, dataset.c.hromada == hromada)).first()
    if exists is None:
        raise GisplanError(f"no dataset {layer.name} in громада {hromada}: add data or publish it first")
    stmt = insert(dataset_metadata).values(layer=layer.name, hromada=hromada, updated_by=user, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[dataset_metadata.c.layer, dataset_metadata.c.hromada],
        set_={**values, "updated_by": user, "updated_at": func.now()})
    conn.execute(stmt)
    return {"stored": stored_fields(conn, layer.name, hromada), "effective": effective_fields(conn, layer, hromada)}


def fields_updated_at(conn: Connection, layer: str, hromada: str):
    return conn.execute(select(dataset_metadata.c.updated_at).where(
        dataset_metadata.c.layer == layer, dataset_metadata.c.hromada == hromada)).scalar()


def metadata_version(conn: Connection, layer: str, hromada: str) -> int:
    """The version of a dataset's stored metadata fields: the row's transaction id (it changes with
    every save), 0 before the first save. Sent as ``ETag: "metadata-{version}"``."""
    return conn.execute(text("SELECT xmin::text::bigint FROM dataset_metadata WHERE layer = :l AND hromada = :h"),
                        {"l": layer, "h": hromada}).scalar() or 0


def claim_metadata(conn: Connection, layer: str, hromada: str, expected: int | None) -> None:
    """Serialise saves of one dataset's metadata (to the end of the transaction) and refuse a save
    based on a version that is no longer current (:class:`VersionConflict`, HTTP 409)."""
    from ...features import VersionConflict

    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"metadata:{layer}:{hromada}"})
    current = metadata_version(conn, layer, hromada)
    if expected is not None and expected != current:
        err = VersionConflict(current)
        err.args = (f"metadata: the fields of {layer} in {hromada} have changed since they were read "
                    f"(now version {current}); read them again and repeat the change",)
        raise err


def parse_metadata_tag(value: str | None) -> int | None:
    if value is None or value.strip() in ("", "*"):
        return None
    v = value.strip().removeprefix("W/")
    if not (v.startswith('"metadata-') and v.endswith('"') and v[10:-1].isdigit()):
        raise GisplanError(f'If-Match: expected "metadata-<version>" (the ETag of GET …/metadata), got {value[:80]!r}')
    return int(v[10:-1])
