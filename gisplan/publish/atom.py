"""The INSPIRE pre-defined dataset download service as Atom feeds (RFC 4287 with GeoRSS Simple)
and its OpenSearch description (Technical Guidance for Download Services 3.1, §5).

- the service feed: one entry per published dataset (layer × громада) with its identifier
  (the ISO record's UUID), a link to the ISO record, to its dataset feed, a box and the CRS;
- a dataset feed: one entry per CRS (EPSG:4326) with the files of :mod:`.downloads` as
  ``alternate`` links carrying their media type and length;
- the OpenSearch description: search, Describe Spatial Data Set and Get Spatial Data Set templates,
  answered by ``/atom/search``.

Built from the ``dataset`` table, the codifier and the catalogue; the file lengths come from the
files themselves (written when missing).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Engine, text

from ..catalog import catalog
from ..settings import download_settings, metadata_settings
from .crs import UKRAINE_LONLAT
from .downloads import FORMAT_NAMES, FORMATS, download_file
from .templating import render
from .wfs_query import sql_text

CRS = {"term": "http://www.opengis.net/def/crs/EPSG/0/4326", "label": "WGS 84 (EPSG:4326)"}
ATOM = "application/atom+xml"
OPENSEARCH = "application/opensearchdescription+xml"
EPOCH = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class FeedDataset:
    layer: str
    hromada: str
    hromada_name: str
    uuid: str
    updated: dt.datetime
    lonlat: tuple[float, float, float, float]

    @property
    def spec(self):
        return catalog().get(self.layer)

    @property
    def title(self) -> str:
        return f"{self.spec.title.uk} — {self.hromada_name} / {self.spec.title.en}"

    @property
    def box(self) -> str:
        """GeoRSS box: lower corner then upper corner, each latitude first."""
        x0, y0, x1, y1 = self.lonlat
        return f"{y0:.6f} {x0:.6f} {y1:.6f} {x1:.6f}"

    def feed_path(self) -> str:
        return f"/atom/{self.hromada}/{self.layer}.xml"


def datasets(engine: Engine, *, hromada: str | None = None, layer: str | None = None,
             uid: str | None = None) -> list[FeedDataset]:
    """Published datasets of known layers, in громада then catalogue order."""
    if uid is not None:
        try:
            uid = str(uuid.UUID(uid))
        except ValueError:
            return []
    names = catalog().names()
    with engine.connect() as conn:
        rows = conn.execute(text(sql_text("atom_datasets.sql")),
                            {"hromada": hromada, "layer": layer, "uuid": uid}).all()
    out = []
    for r in rows:
        if r.layer not in names:
            continue
        stamps = [s for s in (r.changed_at, r.published_at) if s is not None]
        box = (r.x0, r.y0, r.x1, r.y1) if r.x0 is not None else UKRAINE_LONLAT
        out.append(FeedDataset(r.layer, r.hromada, r.hromada_name or r.hromada, r.uuid,
                               max(stamps) if stamps else EPOCH, tuple(float(v) for v in box)))
    order = {n: i for i, n in enumerate(names)}
    return sorted(out, key=lambda d: (d.hromada, order[d.layer]))


def _common(base: str) -> dict:
    s, m = download_settings(), metadata_settings()
    return {"base": base, "author": {"name": s.author_name, "email": s.author_email},
            "rights": f"{m.licence_title}. {m.use_limitation}", "crs": CRS, "namespace": base + "/",
            "title": f"{s.feed_title_uk} / {s.feed_title_en}"}


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def service_feed(engine: Engine, base: str, query: str | None = None) -> str:
    """The service feed; ``query`` keeps the datasets whose title, layer or громада contain it."""
    found = datasets(engine)
    if query:
        wanted = query.casefold()
        found = [d for d in found if wanted in f"{d.title} {d.layer} {d.hromada} {d.spec.abstract.uk}".casefold()]
    updated = max((d.updated for d in found), default=EPOCH)
    self_path = "/atom/service.xml"
    return render("atom_service.xml", **_common(base), datasets=found, updated=_stamp(updated),
                  self_href=base + self_path + (f"?q={quote(query)}" if query else ""), stamp=_stamp)


@dataclass(frozen=True)
class FeedFile:
    href: str
    media_type: str
    length: int
    title: str


def dataset_feed(engine: Engine, base: str, hromada: str, layer: str) -> str | None:
    """The dataset feed with its files (written first when missing); None when not published."""
    found = datasets(engine, hromada=hromada, layer=layer)
    if not found:
        return None
    d = found[0]
    files = []
    for fmt in FORMATS:
        f = download_file(engine, layer, hromada, fmt)
        files.append(FeedFile(f"{base}/{hromada}/downloads/{layer}.{fmt}", f.media_type, f.size,
                              f"{d.spec.title.uk} ({FORMAT_NAMES[fmt]}, {f.features} об'єктів / features)"))
    return render("atom_dataset.xml", **_common(base), d=d, files=files, updated=_stamp(d.updated),
                  abstract=f"{d.spec.abstract.uk} / {d.spec.abstract.en}")


def opensearch(engine: Engine, base: str) -> str:
    example = next(iter(datasets(engine)), None)
    return render("atom_opensearch.xml", **_common(base), example=example, formats=FORMATS)
