"""The demo громади Балаклійська, Хмільницька and Кременчуцька, from the data the project ships.

``gisplan demo load`` (run by ``make run``) calls :func:`load_demo`. Real where real data exists:

* full-resolution OSM boundaries of the three громади (:mod:`.boundaries`);
* every codifier settlement, with its OSM polygon or point where OSM has one, and ``located =
  false`` with no geometry otherwise; populations apportioned from the KSE 2022 громада total and
  labelled as estimates (:mod:`.settlements`);
* schools of the ЄДЕБО register matched to their settlement (:mod:`.schools`);
* shelters of the February 2022 snapshots (:mod:`.shelters`) and nature-reserve sites as tourist
  objects (:mod:`.tourism`).

Labelled samples where no open data exists (:mod:`.samples`): ``source = 'synthetic-demo'``, shown
as «демонстраційні дані». Real rows carrying some demo attributes name them in their source:
``"<real source>; broadband_fixed, mobile_internet: synthetic-demo"``
(see :func:`synthetic_fields`).

Every source is accounted for: one report per file (and per synthetic layer), rows read = loaded +
rejected, each rejection with its reason, kept in ``import_log``; rejections worth reviewing are
listed before the expected ones (rows of other громади). The load runs in one transaction and is
idempotent: a second load reports every row unchanged and raises no feature's version. It owns only
the rows it wrote last (``updated_by`` = its user): a row a planner has edited since is kept as it
is and noted in the report, so re-running the demo (``make run`` does) never undoes their work.
"""

from __future__ import annotations

from sqlalchemy import Engine, select, text

from ..datasets import set_published
from ..db.engine import acting_as
from ..db.models import dataset
from ..errors import GisplanError
from ..loadreport import LayerLoadReport
from ..settings import path_settings
from .common import (
    BALAKLIIA,
    DEMO_HROMADY,
    KHMILNYK,
    KREMENCHUK,
    SYNTHETIC_SOURCE,
    DemoContext,
    DemoReport,
)

__all__ = [
    "BALAKLIIA",
    "DEMO_HROMADY",
    "KHMILNYK",
    "KREMENCHUK",
    "SYNTHETIC_LABEL",
    "SYNTHETIC_SOURCE",
    "DemoReport",
    "is_synthetic",
    "load_demo",
    "synthetic_fields",
]

SYNTHETIC_LABEL = {"uk": "демонстраційні дані", "en": "demo data"}
_MARK = f": {SYNTHETIC_SOURCE}"


def is_synthetic(source: str | None) -> bool:
    """Does a row with this ``source`` carry demo data, wholly (``'synthetic-demo'``) or in some of
    its fields (``'<real source>; a, b: synthetic-demo'``)? Pages then show
    :data:`SYNTHETIC_LABEL`."""
    return bool(source) and (source == SYNTHETIC_SOURCE or source.endswith(_MARK))


def synthetic_fields(source: str | None) -> tuple[str, ...] | None:
    """Which fields of a row are demo data: ``None`` when the whole row is (source
    ``'synthetic-demo'``), the named fields for ``'<real source>; a, b: synthetic-demo'``,
    else ``()``."""
    if source == SYNTHETIC_SOURCE:
        return None
    if not source or not source.endswith(_MARK):
        return ()
    named = source[: -len(_MARK)].rsplit(";", 1)[-1]
    return tuple(f.strip() for f in named.split(",") if f.strip())


def _check_territory(conn) -> None:
    found = conn.execute(
        text("SELECT count(*) FROM hromady WHERE hromada = ANY(:h) AND code = hromada"),
        {"h": list(DEMO_HROMADY)},
    ).scalar_one()
    if found < len(DEMO_HROMADY):
        raise GisplanError(
            "the demo needs the codifier and the громада boundaries: "
            "run `gisplan territory load` first"
        )


def _publish(ctx: DemoContext) -> int:
    """Publish every demo dataset that is not published yet (the layer specs decide which rows and
    fields go out: CCTV publishes no rows). Already published datasets are left alone."""
    published = {
        (r.layer, r.hromada)
        for r in ctx.conn.execute(
            select(dataset.c.layer, dataset.c.hromada).where(dataset.c.published)
        )
    }
    n = 0
    for layer, h in sorted(ctx.loaded_layers):
        if (layer, h) not in published:
            set_published(ctx.conn, layer, h, True, user=ctx.user)
            n += 1
    return n


def load_demo(engine: Engine, user: str = "demo") -> list[LayerLoadReport]:
    """Load the three demo громади in one transaction; one report per source (in import_log)."""
    from . import boundaries, samples, schools, settlements, shelters, tourism

    reports: list[DemoReport] = []
    with engine.begin() as conn, acting_as(conn, user):
        _check_territory(conn)
        ctx = DemoContext(conn=conn, data_dir=path_settings().data_dir, user=user)
        for module in (boundaries, settlements, schools, shelters, tourism, samples):
            reports.extend(module.load(ctx))
        _publish(ctx)
        for report in reports:
            report.log(conn, user=user)
    return reports
