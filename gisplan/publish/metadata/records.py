"""The ISO 19139 records: one per published dataset (layer × громада) and one per service.

A dataset's record is built from the layer catalogue (topic categories, keywords, update frequency,
scale), the editable fields (:mod:`.fields`), the громада's profile (the custodian), the dataset's
row in ``dataset`` (``metadata_uuid``; ``change_count`` as the edition and ``changed_at`` as the
revision date and ``dateStamp``), the sources of its rows (lineage) and the громада's boundary box.
Services: the national WMS (``/ows``), each громада's WMS (``/{code}/ows``) and the catalogue
(``/csw``) when it is served; their UUIDs are those the WMS capabilities link to.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import Connection, func, select, text

from ...catalog import LayerSpec, catalog
from ...db.layer_tables import layer_table
from ...db.models import dataset, territory
from ...registration.profile import get_profile
from ...registration.tables import hromada_profile
from ...settings import metadata_settings, wms_settings
from ..templating import render
from ..wms_capabilities import service_metadata_uuid
from .fields import effective_fields, fields_updated_at

CRS_URIS = ("http://www.opengis.net/def/crs/EPSG/0/5561", "http://www.opengis.net/def/crs/EPSG/0/4326")
UKRAINE_LONLAT = (22.137, 44.386, 40.228, 52.379)
TOPIC_THESAURUS = "gisplan: каталог шарів (ключові слова шару)"
PLACE_THESAURUS = "Кодифікатор адміністративно-територіальних одиниць та територій територіальних громад"
SERVICE_THESAURUS = "ISO 19119:2005 (класифікація сервісів)"
DOWNLOAD_FILES = ("geojson", "gpkg")
PROTOCOLS = {"wms": "OGC:WMS", "wfs": "OGC:WFS", "ogcapi": "OGC API - Features",
             "download": "WWW:DOWNLOAD-1.0-http--download", "csw": "OGC:CSW"}


@dataclass(frozen=True)
class Services:
    """Which services the running app offers (links to the others are left out)."""

    base: str              # the site's origin, no trailing slash
    ogcapi: bool = False
    wfs: bool = False
    csw: bool = False
    downloads: bool = False  # per-dataset files at /{code}/downloads/{layer}.geojson|gpkg


class Memo(dict):
    """Facts shared by the records rendered for one request (a CSW page, a package): the громада's
    profile and extent, its published datasets, the codifier's edition, each read once."""

    def get_or(self, key: tuple, compute):
        if key not in self:
            self[key] = compute()
        return self[key]


# ------------------------------------------------------------------ shared facts
def _iso_dt(value: dt.datetime | None) -> str:
    value = value or dt.datetime.now(dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _date(value) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def hromada_extent(conn: Connection, code: str | None) -> tuple[float, float, float, float]:
    """The громада's boundary box (lon/lat), else Ukraine's."""
    if code:
        row = conn.execute(text(
            "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT geom::box2d AS b "
            "FROM public.hromady WHERE hromada = :h AND geom IS NOT NULL LIMIT 1) s"), {"h": code}).first()
        if row and row[0] is not None:
            return tuple(round(float(v), 6) for v in row)  # type: ignore[return-value]
    return UKRAINE_LONLAT


def _extent(box, description: str, gml_id: str, begin=None, end=None) -> dict:
    """``gml_id`` must be unique in any document that holds the record (CSW responses hold many)."""
    west, south, east, north = box
    return {"west": west, "south": south, "east": east, "north": north, "description": description,
            "begin": _date(begin), "end": _date(end), "gml_id": gml_id}


def _licence() -> dict:
    s = metadata_settings()
    return {"use_limitation": s.use_limitation, "access": s.access_note, "text": s.licence_title,
            "url": s.licence_url}


def _conformity() -> dict:
    s = metadata_settings()
    return {"title": s.conformity_title, "date": s.conformity_date,
            "explanation": "Запис складено за ISO 19115:2003 / ISO/TS 19139; відповідність вимогам не оцінено"}


def _national_custodian() -> dict:
    w = wms_settings()
    return {"organisation": w.contact_organization, "email": w.contact_email, "phone": None,
            "address": None, "website": None, "logo_url": None}


def _codifier_date(conn: Connection) -> str:
    edition = conn.execute(select(func.max(territory.c.edition))).scalar()
    return (edition or dt.date(2020, 11, 26)).isoformat()


# ------------------------------------------------------------------ datasets
def wms_url(base: str, code: str | None) -> str:
    return f"{base}/{code}/ows" if code else f"{base}/ows"


def file_url(layer: str, code: str, fmt: str, services: Services) -> str:
    """The dataset as one file: the pre-built download (``/{code}/downloads/{layer}.{fmt}``, GeoJSON and
    GeoPackage) when the app serves them, else the export of the layer API (any format)."""
    if services.downloads and fmt in DOWNLOAD_FILES:
        return f"{services.base}/{code}/downloads/{layer}.{fmt}"
    return f"{services.base}/api/layers/{layer}/export?" + urlencode({"format": fmt, "hromada": code})


def dataset_links(layer: str, code: str, services: Services) -> list[dict]:
    """Distribution links of a dataset: view, download services and files."""
    b = services.base
    caps = urlencode({"SERVICE": "WMS", "REQUEST": "GetCapabilities"})
    links = [{"url": f"{wms_url(b, code)}?{caps}", "protocol": PROTOCOLS["wms"], "layer": layer,
              "description": "Сервіс перегляду WMS 1.3.0 / View service", "function": "information"}]
    if services.ogcapi:
        links.append({"url": f"{b}/{code}/ogcapi/collections/{layer}", "protocol": PROTOCOLS["ogcapi"],
                      "layer": layer, "description": "OGC API – Features (GeoJSON)", "function": "download"})
    if services.wfs:
        wfs = urlencode({"SERVICE": "WFS", "REQUEST": "GetCapabilities"})
        links.append({"url": f"{wms_url(b, code)}?{wfs}", "protocol": PROTOCOLS["wfs"], "layer": layer,
                      "description": "Сервіс завантаження WFS 2.0 / Download service", "function": "download"})
    for fmt, label in (("geojson", "GeoJSON"), ("gpkg", "GeoPackage"), ("csv", "CSV")):
        links.append({"url": file_url(layer, code, fmt, services), "protocol": PROTOCOLS["download"],
                      "layer": None, "description": f"Файл {label} / {label} file", "function": "download"})
    links.append({"url": f"{b}/api/datasets/{layer}/{code}/opendata.zip", "protocol": PROTOCOLS["download"],
                  "layer": None, "description": "Пакет відкритих даних (CSV, JSON, GeoJSON, опис) / Open-data package",
                  "function": "download"})
    return links


def _row_facts(conn: Connection, layer: LayerSpec, code: str) -> dict:
    """First and last time of the dataset's public rows and their sources."""
    t = layer_table(layer.table)
    q = select(func.min(func.coalesce(t.c.installed_at, func.date(t.c.created_at))),
               func.max(t.c.updated_at),
               func.array_remove(func.array_agg(t.c.source.distinct()), None)
               ).where(t.c.hromada == code, t.c.public)
    first, last, sources = conn.execute(q).one()
    return {"first": first, "last": last, "sources": sorted(sources or [])}


def _lineage(statement: str | None, sources: list[str]) -> str | None:
    parts = [statement] if statement else []
    if sources:
        shown = sources[:20]
        more = f" та ще {len(sources) - 20}" if len(sources) > 20 else ""
        parts.append("Джерела / sources: " + "; ".join(shown) + more + ".")
    return " ".join(parts) or None


def dataset_context(conn: Connection, row, services: Services, memo: Memo | None = None) -> dict:
    memo = Memo() if memo is None else memo
    layer = catalog().get(row.layer)
    code = row.hromada
    profile = memo.get_or(("profile", code), lambda: get_profile(conn, code)) or {"organisation": code, "email": None, "phone": None,
                                          "address": None, "website": None, "logo_url": None}
    fields = effective_fields(conn, layer, code)
    facts = _row_facts(conn, layer, code)
    place = profile.get("name") or code
    changed = row.changed_at or row.published_at
    stamps = [s for s in (changed, row.published_at, fields_updated_at(conn, layer.name, code),
                          memo.get_or(("profile_at", code), lambda: _profile_updated_at(conn, code)))
              if s is not None]
    keyword_groups = [
        {"keywords": fields["keywords"] or [layer.title.uk], "type": "theme", "thesaurus": TOPIC_THESAURUS,
         "date": "2026-01-01", "anchor": None},
        {"keywords": [place, code], "type": "place", "thesaurus": PLACE_THESAURUS,
         "date": memo.get_or(("codifier",), lambda: _codifier_date(conn)), "anchor": None},
    ]
    if layer.metadata.inspire_theme:
        keyword_groups.insert(0, {"keywords": [layer.metadata.inspire_theme], "type": "theme",
                                  "thesaurus": "GEMET - INSPIRE themes, version 1.0", "date": "2008-06-01",
                                  "anchor": None})
    return {
        "uuid": str(row.metadata_uuid), "scope": "dataset", "scope_name": "набір геопросторових даних",
        "custodian": profile, "date_stamp": _iso_dt(max(stamps) if stamps else None), "crs": CRS_URIS,
        "title": f"{fields['title']}: {place}", "title_en": f"{layer.title.en}: {code}",
        "created": _date(facts["first"]), "published": _date(row.published_at) or _date(changed),
        "revised": _date(row.changed_at), "edition": str(row.change_count),
        "identifier": str(row.metadata_uuid), "identifier_space": f"{services.base}/metadata/",
        "abstract": fields["abstract"], "progress": "onGoing",
        "frequency": layer.metadata.update_frequency, "keyword_groups": keyword_groups,
        "licence": _licence(), "scale": layer.metadata.equivalent_scale,
        "resolution_m": layer.metadata.spatial_resolution_m, "topics": layer.metadata.topic_categories,
        "extent": _extent(memo.get_or(("extent", code), lambda: hromada_extent(conn, code)), place,
                          f"te-{row.metadata_uuid}", facts["first"],
                          row.changed_at or facts["last"] or row.published_at),
        "formats": [{"name": "GeoJSON", "version": "RFC 7946"}, {"name": "GeoPackage", "version": "1.3"},
                    {"name": "CSV", "version": "RFC 4180"}],
        "links": dataset_links(layer.name, code, services),
        "conformity": _conformity(), "lineage": _lineage(fields["lineage"], facts["sources"]),
        "layer": layer.name, "hromada": code,
    }


def _profile_updated_at(conn: Connection, code: str):
    return conn.execute(select(hromada_profile.c.updated_at).where(hromada_profile.c.hromada == code)).scalar()


def published_dataset(conn: Connection, uid: str):
    try:
        value = uuidlib.UUID(uid)
    except ValueError:
        return None
    return conn.execute(select(dataset).where(dataset.c.metadata_uuid == value, dataset.c.published)).first()


def dataset_record(conn: Connection, row, services: Services, memo: Memo | None = None) -> str:
    return render("iso19139_dataset.xml", r=dataset_context(conn, row, services, memo))


# ------------------------------------------------------------------ services
@dataclass(frozen=True)
class ServiceKind:
    """What the record of one kind of service says (titles get the place appended)."""

    title_uk: str
    title_en: str
    abstract: str
    service_type: str      # INSPIRE spatial data service type: view, download, discovery
    version: str
    operation: str         # the operation coupled to the datasets
    format_name: str
    keyword: str           # ISO 19119 service category
    capabilities: str      # query that asks for the capabilities ("" = the URL itself)


def service_kind(kind: str) -> ServiceKind:
    w = wms_settings()
    kinds = {
        "wms": ServiceKind(w.title_uk, w.title_en, w.abstract_uk, "view", "1.3.0", "GetMap", "WMS",
                           "infoMapAccessService", urlencode({"SERVICE": "WMS", "REQUEST": "GetCapabilities"})),
        "wfs": ServiceKind("Сервіс завантаження WFS 2.0", "Download service (WFS 2.0)",
                           "Сервіс завантаження (WFS 2.0) наборів геопросторових даних громад: GML 3.2 і GeoJSON.",
                           "download", "2.0.0", "GetFeature", "WFS", "infoFeatureAccessService",
                           urlencode({"SERVICE": "WFS", "REQUEST": "GetCapabilities"})),
        "ogcapi": ServiceKind("Сервіс завантаження OGC API – Features", "Download service (OGC API – Features)",
                              "Сервіс завантаження наборів геопросторових даних громад за стандартом "
                              "OGC API – Features (GeoJSON, RFC 7946).",
                              "download", "1.0", "items", "OGC API – Features", "infoFeatureAccessService", ""),
        "csw": ServiceKind("Каталог метаданих (CSW 2.0.2)", "Metadata catalogue (CSW 2.0.2)",
                           "Сервіс пошуку метаданих наборів геопросторових даних і сервісів громад "
                           "(CSW 2.0.2, ISO AP 1.0).", "discovery", "2.0.2", "GetRecords", "CSW",
                           "infoCatalogueService", urlencode({"SERVICE": "CSW", "REQUEST": "GetCapabilities"})),
    }
    return kinds[kind]


@dataclass(frozen=True)
class ServiceRef:
    kind: str              # wms, wfs, ogcapi or csw
    hromada: str | None    # None: national
    url: str               # the service's URL, no query
    uuid: str

    @property
    def capabilities_url(self) -> str:
        query = service_kind(self.kind).capabilities
        return f"{self.url}?{query}" if query else self.url


def _uuid(url: str) -> str:
    return str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, url))


def _refs_at(services: Services, code: str | None) -> list[ServiceRef]:
    """The services at one place: national (``code`` None) or one громада's."""
    b = services.base
    ows = wms_url(b, code)
    root = f"{b}/{code}" if code else b
    refs = [ServiceRef("wms", code, ows, service_metadata_uuid(wms_settings(), ows))]
    if services.wfs:  # WFS shares the /ows endpoint with WMS: its own record, its own UUID
        refs.append(ServiceRef("wfs", code, ows, _uuid(f"{ows}#WFS")))
    if services.ogcapi:
        refs.append(ServiceRef("ogcapi", code, f"{root}/ogcapi", _uuid(f"{root}/ogcapi")))
    if services.csw:
        refs.append(ServiceRef("csw", code, f"{root}/csw", _uuid(f"{root}/csw")))
    return refs


def service_refs(conn: Connection, services: Services) -> list[ServiceRef]:
    """Every service that has a record: national ones first, then each громада with published data."""
    codes = conn.execute(select(dataset.c.hromada).where(dataset.c.published).distinct()
                         .order_by(dataset.c.hromada)).scalars().all()
    refs = _refs_at(services, None)
    for code in codes:
        refs += _refs_at(services, code)
    return refs


def find_service(conn: Connection, uid: str, services: Services) -> ServiceRef | None:
    return next((r for r in service_refs(conn, services) if r.uuid == uid), None)


def _published_rows(conn: Connection, hromada: str | None) -> list:
    q = select(dataset).where(dataset.c.published).order_by(dataset.c.layer, dataset.c.hromada)
    if hromada:
        q = q.where(dataset.c.hromada == hromada)
    return conn.execute(q).all()


def service_context(conn: Connection, ref: ServiceRef, services: Services, memo: Memo | None = None) -> dict:
    memo = Memo() if memo is None else memo
    rows = memo.get_or(("published", ref.hromada), lambda: _published_rows(conn, ref.hromada))
    if ref.hromada:
        custodian = memo.get_or(("profile", ref.hromada), lambda: get_profile(conn, ref.hromada)) \
            or _national_custodian()
        place = custodian.get("name") or ref.hromada
    else:
        custodian, place = _national_custodian(), "Україна"
    k = service_kind(ref.kind)
    changed = [r.changed_at or r.published_at for r in rows if (r.changed_at or r.published_at)]
    coupled = [{"uuid": str(r.metadata_uuid), "href": f"{services.base}/metadata/{r.metadata_uuid}.xml"}
               for r in rows]
    return {
        "uuid": ref.uuid, "scope": "service", "scope_name": "сервіс", "custodian": custodian,
        "date_stamp": _iso_dt(max(changed) if changed else None), "crs": CRS_URIS,
        "title": f"{k.title_uk}: {place}", "title_en": f"{k.title_en}: {ref.hromada or 'Ukraine'}",
        "created": None,
        "published": _date(min(changed)) if changed else dt.date.today().isoformat(),
        "revised": _date(max(changed)) if changed else None, "edition": None,
        "identifier": ref.uuid, "identifier_space": f"{services.base}/metadata/", "abstract": k.abstract,
        "keyword_groups": [{"keywords": [k.keyword], "type": "theme", "thesaurus": SERVICE_THESAURUS,
                            "date": "2005-02-15", "anchor": None}],
        "licence": _licence(), "service_type": k.service_type, "service_version": k.version,
        "operation": k.operation,
        "extent": _extent(memo.get_or(("extent", ref.hromada), lambda: hromada_extent(conn, ref.hromada)), place,
                          f"te-{ref.uuid}"),
        "coupled": coupled, "capabilities_url": ref.capabilities_url, "format_name": k.format_name,
        "connect_operation": "GetCapabilities" if k.capabilities else "landingPage",
        "links": [{"url": ref.capabilities_url, "protocol": PROTOCOLS[ref.kind], "layer": None,
                   "description": f"{k.format_name} {'GetCapabilities' if k.capabilities else 'landing page'}",
                   "function": "information"}],
        "conformity": _conformity(), "lineage": None, "layer": None, "hromada": ref.hromada,
    }


def service_record(conn: Connection, ref: ServiceRef, services: Services, memo: Memo | None = None) -> str:
    return render("iso19139_service.xml", r=service_context(conn, ref, services, memo))


def record_by_uuid(conn: Connection, uid: str, services: Services) -> str | None:
    """The record of a published dataset or of a service; None when there is none."""
    row = published_dataset(conn, uid)
    if row is not None:
        return dataset_record(conn, row, services)
    ref = find_service(conn, uid, services)
    if ref is not None:
        return service_record(conn, ref, services)
    from .gap_records import record_by_uuid as gap_record_by_uuid  # a computed gap layer's record

    return gap_record_by_uuid(conn, uid, services)
