"""Datasets (one layer within one громада): the unit of publication, metadata and caching."""

from __future__ import annotations

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from .catalog import KATOTTG_RE, catalog
from .db.models import audit_log, dataset
from .errors import GisplanError


def _check(layer: str, hromada: str) -> None:
    catalog().get(layer)
    if not KATOTTG_RE.match(hromada):
        raise GisplanError(f"hromada: {hromada!r} is not a КАТОТТГ code (UA and 17 digits)")


def set_published(conn: Connection, layer: str, hromada: str, published: bool, user: str | None) -> dict:
    """Publish or withdraw a dataset; anonymous outputs (the ``pub`` views) follow at once."""
    _check(layer, hromada)
    stmt = insert(dataset).values(
        layer=layer, hromada=hromada, published=published,
        published_at=func.now() if published else None,
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[dataset.c.layer, dataset.c.hromada],
        set_={"published": published, "published_at": func.now() if published else None},
    ).returning(*dataset.c)
    row = conn.execute(stmt).one()
    conn.execute(audit_log.insert().values(
        user_name=user, action="publish" if published else "unpublish", target=f"{layer}/{hromada}",
    ))
    return _public(row)


def publish_layer(conn: Connection, layer: str, user: str | None) -> int:
    """Publish every dataset of a layer that has data (e.g. the boundaries of all громади)."""
    catalog().get(layer)
    n = conn.execute(dataset.update().where(dataset.c.layer == layer, ~dataset.c.published)
                     .values(published=True, published_at=func.now())).rowcount
    conn.execute(audit_log.insert().values(user_name=user, action="publish", target=f"{layer}/*",
                                           detail={"datasets": n}))
    return conn.execute(select(func.count()).select_from(dataset)
                        .where(dataset.c.layer == layer, dataset.c.published)).scalar_one()


def list_datasets(conn: Connection, hromada: str | None = None, published: bool | None = None) -> list[dict]:
    q = select(dataset).order_by(dataset.c.hromada, dataset.c.layer)
    if hromada:
        q = q.where(dataset.c.hromada == hromada)
    if published is not None:
        q = q.where(dataset.c.published == published)
    return [_public(r) for r in conn.execute(q)]


def _public(row) -> dict:
    m = dict(row._mapping)
    m.pop("extent", None)  # the tiles' box of the dataset (migration 0014): internal, not JSON
    for k in ("published_at", "changed_at"):
        m[k] = m[k].isoformat() if m[k] else None
    m["metadata_uuid"] = str(m["metadata_uuid"])
    return m
