"""Shelters from the February 2022 KMZ snapshots (``shelters/*.geojson``, HalfdanJ/ua-shelter-map).

The files cover whole oblasts; a point is loaded when a demo громада's full-resolution boundary
covers it, and rejected with the reason «outside громада boundary» otherwise (most rows). The
snapshot has no kind or capacity columns, so both are left unknown; the KML description (address,
and for Poltava the kind and capacity as free text) is kept as the address, verbatim. The
accounting number in the name is the feature's code («б/н» + coordinates when there is none).
"""

from __future__ import annotations

import re

import pyogrio
import shapely

from ..boundaries import check_wgs84
from .common import (
    DEMO_HROMADY,
    DemoContext,
    DemoReport,
    clean_text,
    count_into,
    demo_hromada_of,
    ewkb,
    prune,
    upsert,
)

# file → the source named on every row (with the date of the snapshot)
_VIA = "via HalfdanJ/ua-shelter-map @761a74b, KMZ of 2022-02-25 — архівні дані, не чинний реєстр"
FILES = {
    "kharkiv_city_oblast_shelters_2022.geojson": (
        f"Карта «Только ЗС ЦЗ» (Харків і Харківська обл.) {_VIA}"
    ),
    "poltava_oblast_shelters_2022.geojson": f"ГУ ДСНС України у Полтавській обл. {_VIA}",
}
_NUMBER = re.compile(r"\d{3,}")


def shelter_code(name: str | None, point) -> str:
    """The accounting number(s) as written in the name («60301 А», «ПРУ 76108»), or «б/н» (no
    number)
    with the coordinates when the name has none."""
    if name and _NUMBER.search(name):
        return name
    return f"б/н {point.y:.5f} {point.x:.5f}"


def load(ctx: DemoContext) -> list[DemoReport]:
    reports = []
    for file_name, source in FILES.items():
        path = ctx.path("shelters", file_name)
        check_wgs84(path)
        frame = pyogrio.read_dataframe(path)
        report = DemoReport(source=path.name, layer="shelters", read=len(frame))
        points = {}
        for i, rec in enumerate(frame.itertuples(index=False), start=1):
            g = rec.geometry
            if g is None or g.is_empty:
                report.reject(i, "geometry", "no geometry")
            elif g.geom_type != "Point":
                report.reject(i, "geometry", f"expected a point, got {g.geom_type}")
            else:
                points[i] = ewkb(shapely.force_2d(g))
        where = demo_hromada_of(ctx.conn, points)
        rows, seen = [], {}
        for i, rec in enumerate(frame.itertuples(index=False), start=1):
            if i not in points:
                continue
            h = where.get(i)
            if h is None:
                report.reject(
                    i, "geometry", "outside громада boundary (in no demo громада)", expected=True
                )
                continue
            name = clean_text(rec.name)
            code = shelter_code(name, rec.geometry)
            if (h, code) in seen:
                report.reject(
                    i,
                    "name",
                    f"duplicate accounting number {code} in {DEMO_HROMADY[h].name} "
                    f"(first on row {seen[(h, code)]})",
                )
                continue
            seen[(h, code)] = i
            folder = clean_text(rec.folder)
            rows.append(
                {
                    "hromada": h,
                    "code": code,
                    "status": "active",
                    "name": name,
                    "kind": None,
                    "capacity": None,
                    "address": clean_text(rec.description),
                    "notes": f"Папка KML: {folder}" if folder else None,
                    "source": source,
                    "geom": points[i],
                }
            )
        status = upsert(ctx, "shelters", rows)
        report.removed = prune(ctx, "shelters", {(h, source) for h in DEMO_HROMADY}, set(status))
        count_into(report, status.values(), [seen[key] for key in status])
        for h, _ in status:
            ctx.loaded_layers.add(("shelters", h))
        reports.append(report)
    return reports
