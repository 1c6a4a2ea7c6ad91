"""Where each published dataset stands with the national geoportal.

Stored: ``submitted`` or ``registered`` with the dataset's change counter at that moment. Derived:
``not_submitted`` (no row), and ``changed`` once the counter moves past the one registered (or
submitted). The law gives 10 working days from producing or updating data to file the
application; the deadline counts Monday–Friday only (public holidays are not observed under
martial law, Labour Code art. 73 as suspended by Law 2136-IX).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.postgresql import insert

from .. import clock
from ..catalog import catalog
from ..db.models import dataset
from ..errors import GisplanError
from ..settings import metadata_settings
from .tables import dataset_registration

STATUSES = {
    "not_submitted": {"uk": "не подано", "en": "not submitted"},
    "submitted": {"uk": "подано заяву", "en": "submitted"},
    "registered": {"uk": "зареєстровано", "en": "registered"},
    "changed": {"uk": "змінено після реєстрації", "en": "changed since registration"},
}
STORED = ("submitted", "registered")


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Mon–Fri) after ``start``."""
    d = start
    left = days
    while left > 0:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def classify(row, today: dt.date | None = None) -> dict:
    """Status, deadline and overdue flag of one dataset row joined with its registration."""
    today = today or clock.today()
    days = metadata_settings().registration_working_days
    if row.reg_status is None:
        code = "not_submitted"
        since = _as_date(row.changed_at) or _as_date(row.published_at)
    elif row.change_count > row.reg_change_count:
        code = "changed"
        since = _as_date(row.changed_at)
    else:
        code = row.reg_status
        since = None
    deadline = add_working_days(since, days) if since else None
    return {"status": code, "label": STATUSES[code], "since": since.isoformat() if since else None,
            "deadline": deadline.isoformat() if deadline else None,
            "overdue": bool(deadline and deadline < today)}


def _query(hromada: str, layer: str | None = None):
    r = dataset_registration
    q = (select(dataset.c.layer, dataset.c.hromada, dataset.c.metadata_uuid, dataset.c.change_count,
                dataset.c.changed_at, dataset.c.published_at,
                r.c.status.label("reg_status"), r.c.change_count.label("reg_change_count"),
                r.c.submitted_at, r.c.registered_at, r.c.reference)
         .select_from(dataset.outerjoin(r, (r.c.layer == dataset.c.layer) & (r.c.hromada == dataset.c.hromada)))
         .where(dataset.c.hromada == hromada, dataset.c.published).order_by(dataset.c.layer))
    if layer:
        q = q.where(dataset.c.layer == layer)
    return q


def dataset_statuses(conn: Connection, hromada: str, base: str = "", today: dt.date | None = None) -> list[dict]:
    """Every published dataset of the громада with its registration status and URLs."""
    cat = catalog()
    out = []
    for row in conn.execute(_query(hromada)):
        spec = cat.get(row.layer) if row.layer in cat else None
        out.append({
            "layer": row.layer, "hromada": row.hromada,
            "title": {"uk": spec.title.uk, "en": spec.title.en} if spec else {"uk": row.layer, "en": row.layer},
            "metadata_uuid": str(row.metadata_uuid), "change_count": row.change_count,
            "changed_at": row.changed_at.isoformat() if row.changed_at else None,
            "registered_change_count": row.reg_change_count,
            "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
            "registered_at": row.registered_at.isoformat() if row.registered_at else None,
            "reference": row.reference,
            "metadata_url": f"{base}/metadata/{row.metadata_uuid}.xml",
            **classify(row, today),
        })
    return out


def summary(conn: Connection, hromada: str, today: dt.date | None = None) -> dict:
    """Counts per status and the overdue ones: what the geoportal indicators read."""
    counts = {k: 0 for k in STATUSES}
    overdue = 0
    for row in conn.execute(_query(hromada)):
        c = classify(row, today)
        counts[c["status"]] += 1
        overdue += c["overdue"]
    return {"counts": counts, "overdue": overdue, "total": sum(counts.values())}


def set_status(conn: Connection, layer: str, hromada: str, status: str | None, reference: str | None,
               user: str | None) -> dict:
    """Record that the dataset's application was submitted, or that it was registered."""
    if status not in STORED:
        raise GisplanError(f"status: {status!r} is not one of {', '.join(STORED)}")
    row = conn.execute(select(dataset.c.change_count, dataset.c.published).where(
        dataset.c.layer == layer, dataset.c.hromada == hromada)).first()
    if row is None or not row.published:
        raise GisplanError(f"dataset {layer} of громада {hromada} is not published: publish it first")
    now = func.now()
    values = {"status": status, "change_count": row.change_count, "reference": reference, "updated_by": user,
              "submitted_at" if status == "submitted" else "registered_at": now}
    stmt = insert(dataset_registration).values(layer=layer, hromada=hromada, **values)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[dataset_registration.c.layer, dataset_registration.c.hromada], set_=values))
    return next(d for d in dataset_statuses(conn, hromada) if d["layer"] == layer)


def registration_fingerprint(conn: Connection, hromada: str, layers) -> dict:
    """``{layer@registration: "status:counter:submitted:registered"}`` of the громада's datasets of
    ``layers`` (None when never submitted): what an indicator that reads registration depends on."""
    r = dataset_registration
    rows = {row.layer: row for row in conn.execute(
        select(r.c.layer, r.c.status, r.c.change_count, r.c.submitted_at, r.c.registered_at)
        .where(r.c.hromada == hromada, r.c.layer.in_(list(layers))))}
    out = {}
    for layer in layers:
        row = rows.get(layer)
        out[f"{layer}@registration"] = None if row is None else ":".join(
            str(v.isoformat() if hasattr(v, "isoformat") else v)
            for v in (row.status, row.change_count, row.submitted_at, row.registered_at))
    return out
