"""Full-resolution boundaries of the demo громади.

Source: ``boundaries/target_full_res/<oblast>.<raion>.geojson``.

Each raion file holds the громада polygons of its raion and their admin-centre nodes. The demo
громада's polygon replaces the simplified boundary of its ``hromady`` feature (geometry, area and
``source``, which then names the file; ``gisplan territory load`` leaves such a boundary alone).
The other rows are accounted for as rejected: the other громади keep their simplified boundaries,
and the nodes are not boundaries.
"""

from __future__ import annotations

import pyogrio
import shapely
from sqlalchemy import text

from ..boundaries import OSM_SOURCE, _polygonal, check_wgs84
from ..errors import GisplanError
from .common import DEMO_HROMADY, OSM_REPO, DemoContext, DemoReport, ewkb, read_sql


def _current(ctx: DemoContext, code: str):
    wkb = ctx.conn.execute(
        text("SELECT ST_AsBinary(geom) FROM hromady WHERE hromada = :c AND code = :c"), {"c": code}
    ).scalar_one()
    return shapely.from_wkb(bytes(wkb))


def source_of(file_name: str) -> str:
    return f"{OSM_REPO}, full resolution: {file_name}"


def load(ctx: DemoContext) -> list[DemoReport]:
    reports = []
    for h in DEMO_HROMADY.values():
        path = ctx.path("boundaries", "target_full_res", h.raion_file)
        check_wgs84(path)
        frame = pyogrio.read_dataframe(path)
        report = DemoReport(source=path.name, layer="hromady", read=len(frame), hromada=h.code)
        boundary = None
        for i, rec in enumerate(frame.itertuples(index=False), start=1):
            code = getattr(rec, "katotth", None)
            geom = rec.geometry
            name = getattr(rec, "name", None)
            if geom is None or geom.is_empty:
                report.reject(i, "geometry", "empty geometry")
            elif geom.geom_type == "Point":
                report.reject(
                    i, "geometry", "admin-centre node (a point), not a boundary", expected=True
                )
            elif code != h.code:
                report.reject(
                    i,
                    "katotth",
                    f"{name} ({code}) is not a demo громада: its simplified boundary stays",
                    expected=True,
                )
            elif boundary is not None:
                report.reject(i, "katotth", f"duplicate polygon of {h.code}")
            else:
                if not geom.is_valid:
                    fixed = _polygonal(shapely.make_valid(geom))
                    if fixed is None or fixed.is_empty:
                        report.reject(
                            i,
                            "geometry",
                            f"invalid and not repairable: {shapely.is_valid_reason(geom)}",
                        )
                        continue
                    report.repair(i, "geometry", f"made valid: {shapely.is_valid_reason(geom)}")
                    geom = fixed
                boundary, row = _polygonal(geom), i
        if boundary is None:
            raise GisplanError(
                f"{path.name}: no polygon of {h.name} ({h.code}); the file is not the shipped one"
            )
        ours = source_of(path.name)
        current = ctx.conn.execute(
            text("SELECT source, updated_by FROM hromady WHERE hromada = :c AND code = :c"),
            {"c": h.code},
        ).first()
        if current is None:
            raise GisplanError(
                f"no {h.name} громада ({h.code}) in the hromady layer: run "
                f"`gisplan territory load` first"
            )
        if current.source == OSM_SOURCE or (
            current.source == ours and current.updated_by == ctx.user
        ):
            changed = ctx.conn.execute(
                text(read_sql("boundary_update.sql")),
                {"code": h.code, "wkb": ewkb(boundary), "source": ours},
            ).scalar_one_or_none()
            if changed is None:
                report.unchanged += 1
            else:
                report.updated += 1
        else:
            # from another source, or edited by someone else since: never overwritten
            report.unchanged += 1
            stored = _current(ctx, h.code)
            if current.source != ours or not stored.equals(boundary):
                report.repair(
                    row,
                    "geometry",
                    f"kept: the stored boundary ({current.source!r}, "
                    f"last edited by {current.updated_by}) is not overwritten",
                )
            boundary = stored
        ctx.boundaries[h.code] = boundary
        ctx.loaded_layers.add(("hromady", h.code))
        reports.append(report)
    return reports
