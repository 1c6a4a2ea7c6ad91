"""Open-data export of a published dataset, in the form the national open-data portal
(data.gov.ua, a CKAN site) takes: resources (CSV, JSON, GeoJSON) plus a description of the set
(``package.json`` with CKAN's package fields) and the ISO 19139 record (``metadata.xml``).

Only what anonymous callers may see goes out (the ``pub`` views: published datasets, public rows
and fields). The shelter layer also comes as ``shelters_lviv.csv`` in the column names of the Lviv
oblast open-data shelter set (GEOPORTAL.md §5.1). Only the first columns of that dictionary could
be verified (``shelterId``, ``shelterType``, ``atuCode``, ``adressPostCode`` — their spelling —,
``adressAdminUnitL1``…``L3``: country, region, district, named in full as in the sibling Lviv
address dictionary, «Львівська область», «Яворівський район»); the remaining columns keep gisplan's
field names.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
import zipfile
from pathlib import Path

from sqlalchemy import Connection, select

from ..catalog import catalog
from ..db.models import dataset, territory
from ..errors import GisplanError
from ..features import list_features
from ..ingest.export import ExportOptions, export_layer
from ..publish.metadata.fields import effective_fields
from ..publish.metadata.records import Services, dataset_links, dataset_record
from ..settings import metadata_settings
from .profile import get_profile

PAGE = 5_000
FREQUENCY_UK = {
    "continual": "постійно", "daily": "щодня", "weekly": "щотижня", "fortnightly": "раз на два тижні",
    "monthly": "щомісяця", "quarterly": "щокварталу", "biannually": "раз на пів року", "annually": "щороку",
    "asNeeded": "за потреби", "irregular": "нерегулярно", "notPlanned": "не заплановано", "unknown": "невідомо",
}
LVIV_LEAD = ("shelterId", "shelterType", "atuCode", "adressPostCode", "adressAdminUnitL1", "adressAdminUnitL2",
             "adressAdminUnitL3")
LVIV_REST = ("name", "address", "dual_use_subtype", "capacity", "area_m2", "entrances", "accessible", "readiness",
             "opening_hours", "always_open", "heating", "ventilation", "water", "toilet", "last_verified",
             "longitude", "latitude")


def public_features(conn: Connection, layer: str, hromada: str) -> list[dict]:
    out: list[dict] = []
    while True:
        page = list_features(conn, layer, public=True, hromada=hromada, limit=PAGE, offset=len(out))
        out += page.features
        if len(out) >= page.matched or not page.features:
            return out


def _region_name(name: str, category: str) -> str:
    """As the Lviv dictionaries write them: «Харківська область», «Ізюмський район»; Crimea and the
    cities with special status (category K) keep their names."""
    if category == "O" and not name.startswith("Автономна"):
        return f"{name} область"
    if category == "P":
        return f"{name} район"
    return name


def _territory_names(conn: Connection, hromada: str) -> dict[str, str]:
    row = conn.execute(select(territory.c.oblast_code, territory.c.raion_code)
                       .where(territory.c.code == hromada)).first()
    codes = [c for c in (row or ()) if c]
    names = {r.code: _region_name(r.name, r.category) for r in conn.execute(
        select(territory.c.code, territory.c.name, territory.c.category).where(territory.c.code.in_(codes)))}
    return {"oblast": names.get(row.oblast_code, "") if row else "", "raion": names.get(row.raion_code, "") if row else ""}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "так" if value else "ні"
    return str(value)


def shelters_lviv_csv(conn: Connection, hromada: str, features: list[dict]) -> bytes:
    """The shelters in the Lviv open-data dictionary's columns (kinds as their Ukrainian names)."""
    layer = catalog().get("shelters")
    kinds = layer.fields["kind"].values or {}
    subtypes = layer.fields["dual_use_subtype"].values or {}
    ready = layer.fields["readiness"].values or {}
    places = _territory_names(conn, hromada)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(LVIV_LEAD + LVIV_REST)
    for f in features:
        p = f["properties"]
        lon = lat = ""
        if f.get("geometry") and f["geometry"]["type"] == "Point":
            lon, lat = f["geometry"]["coordinates"][:2]
        kind = kinds.get(p.get("kind") or "")
        row = [p.get("code") or "", kind.uk if kind else "", p.get("katottg") or hromada, "", "Україна",
               places["oblast"], places["raion"]]
        for name in LVIV_REST:
            if name == "longitude":
                row.append(lon)
            elif name == "latitude":
                row.append(lat)
            elif name == "dual_use_subtype":
                v = subtypes.get(p.get(name) or "")
                row.append(v.uk if v else "")
            elif name == "readiness":
                v = ready.get(p.get(name) or "")
                row.append(v.uk if v else "")
            else:
                row.append(_text(p.get(name)))
        w.writerow(row)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def package_description(conn: Connection, row, services: Services, resources: list[dict]) -> dict:
    """The set's description with CKAN's package fields (data.gov.ua)."""
    layer = catalog().get(row.layer)
    profile = get_profile(conn, row.hromada) or {}
    fields = effective_fields(conn, layer, row.hromada)
    s = metadata_settings()
    return {
        "name": _slug(f"{row.hromada}-{layer.name}"),
        "title": f"{fields['title']}: {profile.get('name', row.hromada)}",
        "notes": fields["abstract"],
        "tags": [{"name": k} for k in fields["keywords"]],
        "license_id": s.licence_id,
        "license_title": s.licence_title,
        "license_url": s.licence_url,
        "author": profile.get("organisation"),
        "maintainer": profile.get("organisation"),
        "maintainer_email": profile.get("email"),
        "language": "uk",
        "update_frequency": FREQUENCY_UK[layer.metadata.update_frequency],
        "metadata_modified": (row.changed_at or row.published_at).isoformat() if (row.changed_at or row.published_at) else None,
        "extras": [
            {"key": "katottg", "value": row.hromada},
            {"key": "metadata_uuid", "value": str(row.metadata_uuid)},
            {"key": "metadata_url", "value": f"{services.base}/metadata/{row.metadata_uuid}.xml"},
            {"key": "change_count", "value": str(row.change_count)},
            {"key": "lineage", "value": fields["lineage"] or ""},
        ],
        "resources": resources,
        "services": [{"url": link["url"], "protocol": link["protocol"]} for link in
                     dataset_links(layer.name, row.hromada, services) if link["protocol"] != "WWW:DOWNLOAD-1.0-http--download"],
    }


def build_opendata(conn: Connection, layer_name: str, hromada: str, services: Services) -> bytes:
    layer = catalog().get(layer_name)
    row = conn.execute(select(dataset).where(dataset.c.layer == layer.name, dataset.c.hromada == hromada,
                                             dataset.c.published)).first()
    if row is None:
        raise GisplanError(f"dataset {layer.name} of громада {hromada} is not published")
    features = public_features(conn, layer.name, hromada)
    stem = layer.name
    resources = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z, \
            tempfile.TemporaryDirectory(prefix="gisplan-opendata-") as tmp:
        csv_geometry = "xy" if layer.geometry.type == "Point" else "wkt"
        for fmt, name, mime, what in (
                ("csv", f"{stem}.csv", "text/csv", "таблиця (UTF-8, координати WGS 84)"),
                ("geojson", f"{stem}.geojson", "application/geo+json", "GeoJSON (RFC 7946, WGS 84)")):
            out = Path(tmp) / name
            export_layer(conn, layer.name, out, ExportOptions(format=fmt, hromada=hromada, public=True,
                                                             csv_geometry=csv_geometry))
            z.write(out, name)
            resources.append({"name": name, "format": fmt.upper(), "mimetype": mime, "description": what,
                              "url": name})
        z.writestr(f"{stem}.json", json.dumps([{"id": f["id"], **f["properties"], "geometry": f["geometry"]}
                                               for f in features], ensure_ascii=False, indent=1))
        resources.append({"name": f"{stem}.json", "format": "JSON", "mimetype": "application/json",
                          "description": "записи з геометрією GeoJSON", "url": f"{stem}.json"})
        if layer.name == "shelters":
            z.writestr("shelters_lviv.csv", shelters_lviv_csv(conn, hromada, features))
            resources.append({"name": "shelters_lviv.csv", "format": "CSV", "mimetype": "text/csv",
                              "description": "укриття у структурі набору відкритих даних Львівської ОВА",
                              "url": "shelters_lviv.csv"})
        z.writestr("metadata.xml", dataset_record(conn, row, services))
        resources.append({"name": "metadata.xml", "format": "XML", "mimetype": "application/xml",
                          "description": "метадані ISO 19139", "url": "metadata.xml"})
        z.writestr("package.json", json.dumps(package_description(conn, row, services, resources),
                                               ensure_ascii=False, indent=2))
    return buf.getvalue()
