"""The registration package of a громада for the national geoportal (НІГД), as one zip:

- ``application.txt``: the application text, from a Jinja template the client can replace
  (``GISPLAN_METADATA_REGISTRATION_TEMPLATE``); the official form is not available offline;
- ``datasets.csv`` / ``datasets.json``: every published dataset with its status, deadline,
  metadata, WMS and download URLs;
- ``metadata/{uuid}.xml``: the ISO 19139 record of every dataset and of the громада's services.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import Connection, select

from .. import clock
from ..db.models import dataset
from ..errors import GisplanError
from ..publish.metadata.records import (
    Memo, Services, dataset_record, file_url, service_record, service_refs, wms_url,
)
from ..settings import metadata_settings
from .profile import get_profile
from .status import dataset_statuses

DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "application_uk.txt"
CSV_COLUMNS = ("layer", "title_uk", "title_en", "status", "status_uk", "deadline", "overdue",
               "change_count", "metadata_uuid", "metadata_url", "wms_url", "download_url", "opendata_url")


def template_path() -> Path:
    return metadata_settings().registration_template or DEFAULT_TEMPLATE


def application_text(context: dict) -> str:
    path = template_path()
    env = Environment(loader=FileSystemLoader(str(path.parent)), undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template(path.name).render(**context)


def package_datasets(conn: Connection, hromada: str, services: Services) -> list[dict]:
    b = services.base
    out = []
    for d in dataset_statuses(conn, hromada, b):
        caps = urlencode({"SERVICE": "WMS", "REQUEST": "GetCapabilities"})
        out.append({**d, "wms_url": f"{wms_url(b, hromada)}?{caps}",
                    "download_url": file_url(d["layer"], hromada, "geojson", services),
                    "opendata_url": f"{b}/api/datasets/{d['layer']}/{hromada}/opendata.zip"})
    return out


def _csv(rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for d in rows:
        w.writerow([d["layer"], d["title"]["uk"], d["title"]["en"], d["status"], d["label"]["uk"],
                    d["deadline"] or "", "так" if d["overdue"] else "ні", d["change_count"], d["metadata_uuid"],
                    d["metadata_url"], d["wms_url"], d["download_url"], d["opendata_url"]])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def build_package(conn: Connection, hromada: str, services: Services, today: dt.date | None = None) -> bytes:
    profile = get_profile(conn, hromada)
    if profile is None:
        raise GisplanError(f"no громада with КАТОТТГ code {hromada!r}")
    datasets = package_datasets(conn, hromada, services)
    if not datasets:
        raise GisplanError(f"громада {hromada} has no published datasets")
    refs = [r for r in service_refs(conn, services) if r.hromada == hromada]
    svc = [{"kind": r.kind, "url": r.url, "uuid": r.uuid,
            "metadata_url": f"{services.base}/metadata/{r.uuid}.xml"} for r in refs]
    context = {"hromada": hromada, "profile": profile, "datasets": datasets, "services": svc,
               "today": (today or clock.today()).isoformat(), "base": services.base}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("application.txt", application_text(context))
        z.writestr("datasets.csv", _csv(datasets))
        z.writestr("datasets.json", json.dumps({"hromada": hromada, "profile": profile, "datasets": datasets,
                                                "services": svc}, ensure_ascii=False, indent=2))
        rows = {str(r.metadata_uuid): r for r in conn.execute(
            select(dataset).where(dataset.c.hromada == hromada, dataset.c.published))}
        memo = Memo()
        for d in datasets:
            z.writestr(f"metadata/{d['metadata_uuid']}.xml",
                       dataset_record(conn, rows[d["metadata_uuid"]], services, memo))
        for r in refs:
            z.writestr(f"metadata/{r.uuid}.xml", service_record(conn, r, services, memo))
    return buf.getvalue()
