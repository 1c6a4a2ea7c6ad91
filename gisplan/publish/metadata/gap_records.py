"""ISO 19139 records of the gap layers: one per gap layer (``gap.<gap>``), national, with the
layer's fixed UUID (:func:`gisplan.publish.gap_publication.record_uuid`).

A record exists while some громада publishes every input of the gap (the audience of the
anonymous WMS and OGC API layers); it covers those громади (extent, place keywords). It says what
the layer is: the registry's title and method in Ukrainian and English, the lineage naming the
input layers and the method, the date it is computed as of (revision date, edition, temporal
extent), and the WMS layer and OGC API collection that serve it.
"""

from __future__ import annotations

from sqlalchemy import Connection

from ...catalog import catalog
from ..gap_publication import GapProduct, extent, product, products
from ..sources import Scope
from ..templating import render
from .catalogue import Entry, _finish
from .records import (CRS_URIS, PLACE_THESAURUS, PROTOCOLS, TOPIC_THESAURUS, Memo, Services, _conformity,
                      _extent, _licence, _national_custodian, wms_url)

TOPICS = ("society", "utilitiesCommunication")
PLACES_NAMED = 50  # place keywords: the covered громади's codes, at most this many


def _input_titles(p: GapProduct) -> tuple[list[str], list[str]]:
    cat = catalog()
    uk, en = [], []
    for name in p.spec.inputs:
        spec = cat.get(name) if name in cat else None
        uk.append(f"{spec.title.uk} ({name})" if spec else name)
        en.append(f"{spec.title.en} ({name})" if spec else name)
    return uk, en


def lineage(p: GapProduct) -> str:
    uk, en = _input_titles(p)
    day = p.as_of.isoformat()
    return (f"Обчислено gisplan на {day} з оприлюднених наборів даних громад: {'; '.join(uk)}. "
            f"Метод: {p.spec.method.uk} / Computed by gisplan as of {day} from the громади's published "
            f"datasets: {'; '.join(en)}. Method: {p.spec.method.en}")


def _covers(p: GapProduct) -> str:
    named = ", ".join(p.hromady[:PLACES_NAMED])
    more = f" та ще {len(p.hromady) - PLACES_NAMED} / and {len(p.hromady) - PLACES_NAMED} more" \
        if len(p.hromady) > PLACES_NAMED else ""
    return f"Громади / hromady ({len(p.hromady)}): {named}{more}"


def links(p: GapProduct, services: Services) -> list[dict]:
    b = services.base
    out = [{"url": f"{wms_url(b, None)}?SERVICE=WMS&REQUEST=GetCapabilities", "protocol": PROTOCOLS["wms"],
            "layer": p.name,
            "description": "Сервіс перегляду WMS 1.3.0 (обчислений шар) / View service (computed layer)",
            "function": "information"}]
    if services.ogcapi:
        out.append({"url": f"{b}/ogcapi/collections/{p.name}", "protocol": PROTOCOLS["ogcapi"], "layer": p.name,
                    "description": "OGC API – Features (GeoJSON), лише читання / read-only", "function": "download"})
        out.append({"url": f"{b}/ogcapi/collections/{p.name}/items?f=json", "protocol": PROTOCOLS["download"],
                    "layer": None, "description": "Об’єкти GeoJSON / GeoJSON features", "function": "download"})
    return out


def context(conn: Connection, p: GapProduct, services: Services, memo: Memo | None = None) -> dict:
    memo = Memo() if memo is None else memo
    day = p.as_of.isoformat()
    uk, en = p.layer.title.uk, p.layer.title.en
    return {
        "uuid": p.record_uuid, "scope": "dataset", "scope_name": "набір геопросторових даних (обчислений)",
        "custodian": _national_custodian(), "date_stamp": f"{day}T00:00:00Z", "crs": CRS_URIS,
        "title": f"Прогалина покриття: {uk}", "title_en": f"Coverage gap: {en}",
        "created": None, "published": day, "revised": day, "edition": day,
        "identifier": p.record_uuid, "identifier_space": f"{services.base}/metadata/",
        "abstract": (f"Обчислений шар прогалини (лише читання) на {day}. {p.spec.method.uk} "
                     f"/ Computed gap layer (read-only) as of {day}. {p.spec.method.en}"),
        "progress": "onGoing", "frequency": "daily",
        "keyword_groups": [
            {"keywords": [*p.layer.keywords["uk"], *p.layer.keywords["en"]], "type": "theme",
             "thesaurus": TOPIC_THESAURUS, "date": "2026-01-01", "anchor": None},
            {"keywords": ["Україна", *p.hromady[:PLACES_NAMED]], "type": "place", "thesaurus": PLACE_THESAURUS,
             "date": "2020-11-26", "anchor": None},
        ],
        "licence": _licence(), "scale": None, "resolution_m": None, "topics": TOPICS,
        "extent": _extent(memo.get_or(("gap-extent", p.name), lambda: extent(conn, p.hromady)), _covers(p),
                          f"te-{p.record_uuid}", p.as_of, p.as_of),
        "formats": [{"name": "GeoJSON", "version": "RFC 7946"}],
        "links": links(p, services),
        "conformity": _conformity(), "lineage": lineage(p),
        "layer": p.name, "hromada": None,
    }


def record(conn: Connection, p: GapProduct, services: Services, memo: Memo | None = None) -> str:
    return render("iso19139_dataset.xml", r=context(conn, p, services, memo))


def public_products(conn: Connection) -> list[GapProduct]:
    """The gap layers with a record: those an anonymous caller sees somewhere."""
    return products(conn, Scope())


def record_by_uuid(conn: Connection, uid: str, services: Services) -> str | None:
    found = next((p for p in public_products(conn) if p.record_uuid == uid), None)
    return record(conn, found, services) if found else None


def entries(conn: Connection, hromada: str | None) -> list[Entry]:
    """CSW entries of the gap records; of one громада: those covering it."""
    out = []
    memo = Memo()
    for p in public_products(conn):
        if hromada and hromada not in p.hromady:
            continue
        day = p.as_of.isoformat()
        out.append(_finish(Entry(
            identifier=p.record_uuid, type="dataset", title=f"Прогалина покриття: {p.layer.title.uk}",
            abstract=f"{p.spec.method.uk} / {p.spec.method.en}",
            subjects=[*p.layer.keywords["uk"], *p.layer.keywords["en"], p.layer.title.en, *TOPICS, "computed"],
            modified=day, box=memo.get_or(("gap-extent", p.name), lambda p=p: extent(conn, p.hromady)),
            layer=p.name, gap=p.name)))
    return out


def gap_record(conn: Connection, e: Entry, services: Services, memo: Memo) -> str:
    """The record of a CSW entry made by :func:`entries`."""
    p = product(conn, Scope(), e.gap)
    assert p is not None, e.gap
    return record(conn, p, services, memo)

