"""Tourist objects from the nature-reserve points (``tourism_nature/pzo-*.geojson``, CC BY 4.0).

The State Register of Geographic Names (2018) gives coordinates rounded to about ±1 km, so every
point is flagged ``location_precision = 'approximate_1km'``; a point is loaded when a demo
громада's full-resolution boundary covers it, else rejected «outside громада boundary». QR fields
are demo samples (no open data): the row's ``source`` says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyogrio
import shapely

from ..boundaries import check_wgs84
from ..catalog import catalog
from .common import (
    DEMO_HROMADY,
    SYNTHETIC_SOURCE,
    DemoContext,
    DemoReport,
    clean_text,
    count_into,
    demo_hromada_of,
    ewkb,
    prune,
    seeded,
    upsert,
)

FILES = ("pzo-kharkivska.geojson", "pzo-vinnytska.geojson", "pzo-poltavska.geojson")
SYNTHETIC_FIELDS = ("has_qr", "qr_code", "qr_installed_at", "qr_plate_condition")
SOURCE = (
    "Державний реєстр географічних назв (2018, land.gov.ua) via gontsa/geonames-ua @d305aa5, "
    "{file}, CC BY 4.0; координати округлено (±1 км); "
    f"{', '.join(SYNTHETIC_FIELDS)}: {SYNTHETIC_SOURCE}"
)

# Share of sites with a QR plate, by громада (a sample; Кременчуцька's program starts from 27 %).
QR_SHARE = 0.35


def qr_sample(hromada: str, code: str) -> dict:
    rng = seeded(hromada, f"tourist_objects:{code}")
    if rng.random() >= QR_SHARE:
        return {
            "has_qr": False,
            "qr_code": None,
            "qr_installed_at": None,
            "qr_plate_condition": None,
        }
    return {
        "has_qr": True,
        "qr_code": "demo-" + hashlib.sha1(f"{hromada}:{code}".encode()).hexdigest()[:6],
        "qr_installed_at": dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 900)),
        "qr_plate_condition": rng.choices(["good", "damaged", "missing"], [8, 1, 1])[0],
    }


def load(ctx: DemoContext) -> list[DemoReport]:
    layer = catalog().get("tourist_objects")
    heritage_of = layer.fields["heritage_status"].code_for
    reports = []
    for file_name in FILES:
        path = ctx.path("tourism_nature", file_name)
        check_wgs84(path)
        frame = pyogrio.read_dataframe(path)
        source = SOURCE.format(file=file_name)
        report = DemoReport(source=path.name, layer="tourist_objects", read=len(frame))
        records = frame.to_dict("records")
        points = {}
        for i, rec in enumerate(records, start=1):
            g = rec["geometry"]
            if g is None or g.is_empty or g.geom_type != "Point":
                report.reject(i, "geometry", "no point")
            else:
                points[i] = ewkb(shapely.force_2d(g))
        where = demo_hromada_of(ctx.conn, points)
        rows, seen = [], {}
        for i, rec in enumerate(records, start=1):
            if i not in points:
                continue
            h = where.get(i)
            if h is None:
                report.reject(
                    i, "geometry", "outside громада boundary (in no demo громада)", expected=True
                )
                continue

            def get(column: str, rec=rec) -> str | None:
                return clean_text(rec.get(column))

            code = get("Реєстраційний номер")
            name = get("Унормована назва")
            if not code or not name:
                report.reject(i, "Реєстраційний номер", "no registration number or name")
                continue
            if (h, code) in seen:
                report.reject(i, "Реєстраційний номер", f"duplicate of row {seen[(h, code)]}")
                continue
            seen[(h, code)] = i
            kind, status, raion = (
                get("Вид географічного об'єкту"),
                get("Адміністративний статус"),
                get("Район"),
            )
            description = "; ".join(
                p for p in [kind, status, f"{raion} (до 2020 р.)" if raion else None] if p
            )
            rows.append(
                {
                    "hromada": h,
                    "code": code,
                    "status": "active",
                    "name": name,
                    "category": "nature_site",
                    "heritage_status": heritage_of(status) if status else None,
                    "description": description,
                    "location_precision": "approximate_1km",
                    **qr_sample(h, code),
                    "source": source,
                    "geom": points[i],
                }
            )
        status = upsert(ctx, "tourist_objects", rows)
        report.removed = prune(
            ctx, "tourist_objects", {(h, source) for h in DEMO_HROMADY}, set(status)
        )
        count_into(report, status.values(), [seen[key] for key in status])
        for h, _ in status:
            ctx.loaded_layers.add(("tourist_objects", h))
        reports.append(report)
    return reports
