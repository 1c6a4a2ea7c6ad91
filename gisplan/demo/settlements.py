"""Settlements of the demo громади: every codifier settlement, located where OSM knows it.

Sources:

* the КАТОТТГ codifier in the ``territory`` table: the list, names and categories (authoritative);
* ``boundaries/target_hromada_settlements_katottg_osm.geojson``: the codifier settlements of five
  громади matched by name to OSM nodes; a point where one matched, ``geometry: null`` otherwise.
  A settlement without a point is kept with its code, no geometry and ``located = false``: it is
  never placed by guess;
* ``boundaries/target_full_res/<oblast>.<raion>.<hromada>.geojson``: OSM settlement polygons (and
  their centre/label nodes). A polygon becomes the settlement's boundary when its КАТОТТГ code, or
  else its name, matches a codifier settlement of the громада (Хмільницька's carry no code);
* ``hromada_indicators/kse_hromada_full_dataset.csv``: the громада population of 2022, the only real
  figure. Settlement populations are estimates apportioned from it by settlement category
  (``population_method = 'apportioned'``), replaceable by a planner: a population whose method is
  no longer ``apportioned`` is never overwritten by this loader.

Fixed-broadband, mobile-internet and address-register flags are demo samples (no open data): the
row's ``source`` says so. For Хмільницька exactly 34 of 42 settlements have fixed broadband, as its
informatization program states; which 34 is a sample.
"""

from __future__ import annotations

import csv
from collections import defaultdict

import pyogrio
import shapely
from sqlalchemy import text

from ..boundaries import check_wgs84
from ..catalog import catalog
from ..errors import GisplanError
from ..territory import settlements_of
from .common import (
    BALAKLIIA,
    DEMO_HROMADY,
    INSIDE_SHARE,
    KHMILNYK,
    KREMENCHUK,
    OSM_REPO,
    SYNTHETIC_SOURCE,
    DemoContext,
    DemoReport,
    Settlement,
    count_into,
    ewkb,
    inside_shares,
    multi,
    norm_name,
    prune,
    round_point,
    seeded,
    upsert,
)

SETTLEMENTS_FILE = "target_hromada_settlements_katottg_osm.geojson"
KSE_FILE = "kse_hromada_full_dataset.csv"
CODIFIER_EDITION = "КАТОТТГ ред. 16.05.2025"
SYNTHETIC_FIELDS = ("broadband_fixed", "mobile_internet", "edra_verified")

# How many settlements have fixed broadband (a sample; Хмільницька's 34 of 42 is from its program).
BROADBAND_COUNT = {KHMILNYK: 34, BALAKLIIA: 27, KREMENCHUK: 4}
# Weights of the rural remainder of the population, by codifier category.
RURAL_WEIGHTS = {"X": 3, "T": 3, "C": 1, "M": 3}


def settlement_source(h: str) -> str:
    files = f"{SETTLEMENTS_FILE}, {DEMO_HROMADY[h].settlements_file}"
    return (
        f"{CODIFIER_EDITION}; розташування: {OSM_REPO} ({files}); "
        f"{', '.join(SYNTHETIC_FIELDS)}: {SYNTHETIC_SOURCE}"
    )


def population_source(total: int, urban: int | None) -> str:
    urban_part = (
        f"; з неї міське населення urban_popultaion_2022 = {urban}" if urban is not None else ""
    )
    return (
        "Оцінка, не дані про населений пункт: чисельність громади 2022 р. (KSE Loc Data Hub, "
        f"total_popultaion_2022 = {total}{urban_part}) розподілено за категоріями: містам — міське "
        "населення, решту — селищам (вага 3) і селам (вага 1)"
    )


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    if not weights:
        return []
    s = sum(weights)
    exact = [total * w / s for w in weights]
    shares = [int(e) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def apportion(total: int, urban: int | None, settlements: list[Settlement]) -> dict[str, int]:
    """Split the громада total over its settlements: cities share the urban population equally, the
    rest goes to the other settlements by :data:`RURAL_WEIGHTS`. Sums to ``total`` exactly."""
    cities = [s for s in settlements if s.category == "M"]
    if cities and urban is not None and 0 < urban <= total:
        out = dict(zip([s.code for s in cities], _largest_remainder(urban, [1.0] * len(cities))))
        rest = [s for s in settlements if s.category != "M"]
        remainder = total - urban
    else:
        out, rest, remainder = {}, settlements, total
    out.update(
        zip(
            [s.code for s in rest],
            _largest_remainder(remainder, [RURAL_WEIGHTS.get(s.category, 1) for s in rest]),
        )
    )
    return out


def _int(value) -> int | None:
    try:
        return int(round(float(value))) if value not in (None, "", "NA") else None
    except ValueError:
        return None


def _read_kse(ctx: DemoContext) -> tuple[DemoReport, dict[str, int]]:
    """The KSE report and the rows of the demo громади ({code: row number}); fills
    ``ctx.population``."""
    path = ctx.path("hromada_indicators", KSE_FILE)
    report = DemoReport(source=path.name, layer="settlements")
    rows: dict[str, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for i, rec in enumerate(csv.DictReader(fh), start=2):
            report.read += 1
            code = rec.get("hromada_code")
            if code not in DEMO_HROMADY:
                report.reject(
                    i,
                    "hromada_code",
                    f"{rec.get('hromada_name')} ({code}) is not a demo громада",
                    expected=True,
                )
                continue
            if code in rows:
                report.reject(i, "hromada_code", f"duplicate of row {rows[code]}")
                continue
            total = _int(rec.get("total_popultaion_2022"))
            if total is None or total <= 0:
                report.reject(
                    i,
                    "total_popultaion_2022",
                    f"no population figure: {rec.get('total_popultaion_2022')!r}",
                )
                continue
            urban = _int(rec.get("urban_popultaion_2022.x"))
            ctx.population[code] = (total, urban)
            rows[code] = i
    return report, rows


def load(ctx: DemoContext) -> list[DemoReport]:
    conn = ctx.conn
    layer = catalog().get("settlements")
    category_of = layer.fields["category"].code_for

    # the codifier: the authoritative list
    codifier: dict[str, dict[str, Settlement]] = {}
    for h in DEMO_HROMADY:
        rows = settlements_of(conn, h)
        if not rows:
            raise GisplanError(
                f"no settlements of {h} in the territory table: run `gisplan territory load`"
            )
        codifier[h] = {r.code: Settlement(r.code, h, r.name, r.category) for r in rows}

    # the settlement points
    path = ctx.path("boundaries", SETTLEMENTS_FILE)
    check_wgs84(path)
    frame = pyogrio.read_dataframe(path)
    sreport = DemoReport(source=path.name, layer="settlements", read=len(frame))
    row_of: dict[str, tuple[str, int]] = {}  # settlement code -> (громада, row)
    pending_points: dict[int, tuple[str, str]] = {}
    pending_codes: dict[int, str] = {}
    for i, rec in enumerate(frame.itertuples(index=False), start=1):
        code, h = rec.katottg, rec.hromada_katottg
        if h not in DEMO_HROMADY:
            sreport.reject(
                i, "hromada_katottg", f"{rec.hromada} ({h}) is not a demo громада", expected=True
            )
            continue
        s = codifier[h].get(code)
        if s is None:
            sreport.reject(
                i,
                "katottg",
                f"{code} is not a settlement of {DEMO_HROMADY[h].name} in the codifier",
            )
            continue
        if code in row_of:
            sreport.reject(i, "katottg", f"duplicate of row {row_of[code][1]}")
            continue
        if norm_name(rec.name) != norm_name(s.name):
            sreport.reject(i, "name", f"{rec.name!r} differs from the codifier's {s.name!r}")
            continue
        row_of[code] = (h, i)
        if rec.geometry is not None and not rec.geometry.is_empty:
            if rec.geometry.geom_type != "Point":
                sreport.repair(
                    i, "geometry", f"expected a point, got {rec.geometry.geom_type}: not located"
                )
            else:
                s.point = shapely.force_2d(rec.geometry)
                pending_points[i] = (h, ewkb(s.point))
                pending_codes[i] = code
    for i, share in inside_shares(conn, pending_points).items():
        if share < 1:
            codifier[pending_points[i][0]][pending_codes[i]].point = None
            sreport.repair(i, "geometry", "point outside the громада boundary: kept as not located")

    # settlement polygons, per громада
    preports: dict[str, DemoReport] = {}
    polygon_row: dict[
        str, tuple[str, int]
    ] = {}  # settlement code -> (громада, row of its polygon file)
    for h, dh in DEMO_HROMADY.items():
        ppath = ctx.path("boundaries", "target_full_res", dh.settlements_file)
        check_wgs84(ppath)
        pframe = pyogrio.read_dataframe(ppath)
        prep_ = DemoReport(source=ppath.name, layer="settlements", read=len(pframe), hromada=h)
        preports[h] = prep_
        by_name: dict[str, list[Settlement]] = defaultdict(list)
        for s in codifier[h].values():
            by_name[norm_name(s.name)].append(s)
        candidates: dict[int, Settlement] = {}
        for i, rec in enumerate(pframe.itertuples(index=False), start=1):
            geom = rec.geometry
            name = getattr(rec, "name", None)
            if geom is None or geom.is_empty:
                prep_.reject(i, "geometry", "empty geometry")
                continue
            if geom.geom_type == "Point":
                prep_.reject(
                    i,
                    "geometry",
                    f"centre/label node: settlement points come from {SETTLEMENTS_FILE}",
                    expected=True,
                )
                continue
            if getattr(rec, "place", None) == "borough":
                prep_.reject(
                    i, "place", f"{name} is a city district (район у місті), not a settlement"
                )
                continue
            code = getattr(rec, "katotth", None)
            code = code if isinstance(code, str) and code else None
            if code is not None:
                s = codifier[h].get(code)
                if s is None:
                    prep_.reject(
                        i,
                        "katotth",
                        f"{name} ({code}) is not a settlement of {dh.name} in the codifier",
                    )
                    continue
            else:
                found = by_name.get(norm_name(name), [])
                if len(found) != 1:
                    prep_.reject(
                        i,
                        "name",
                        f"{name}: {'no' if not found else len(found)} settlement(s) of "
                        f"{dh.name} with that name in the codifier",
                    )
                    continue
                s = found[0]
            if s.code in polygon_row:
                prep_.reject(
                    i,
                    "name",
                    f"a second polygon for {s.name} (first: row {polygon_row[s.code][1]})",
                )
                continue
            if not geom.is_valid:
                geom = shapely.make_valid(geom)
                prep_.repair(i, "geometry", "made valid")
            poly = multi(shapely.force_2d(geom))
            if poly.geom_type != "MultiPolygon":
                prep_.reject(i, "geometry", f"expected a polygon, got {poly.geom_type}")
                continue
            polygon_row[s.code] = (h, i)
            candidates[i] = s
            s.polygon = poly
        shares = inside_shares(conn, {i: (h, ewkb(s.polygon)) for i, s in candidates.items()})
        for i, s in candidates.items():
            if shares.get(i, 0) < INSIDE_SHARE:
                s.polygon = None
                del polygon_row[s.code]
                prep_.reject(
                    i,
                    "geometry",
                    "outside громада boundary "
                    f"({100 * (1 - shares.get(i, 0)):.1f} % of the polygon lies outside)",
                )

    # population
    kse, kse_rows = _read_kse(ctx)

    # populations a planner entered (any method but 'apportioned') are kept
    kept = {
        (r.hromada, r.code): r
        for r in conn.execute(
            text(
                "SELECT hromada, code, population, population_year, population_source, "
                "population_method FROM settlements WHERE hromada = ANY(:h) "
                "AND population_method IS DISTINCT FROM 'apportioned' "
                "AND (population IS NOT NULL OR population_method IS NOT NULL)"
            ),
            {"h": list(DEMO_HROMADY)},
        )
    }

    # a settlement with an OSM polygon but no point is located all the same: its point is the
    # polygon's representative point
    for h in DEMO_HROMADY:
        for s in codifier[h].values():
            if s.polygon is not None and s.point is None:
                s.point = round_point(*s.polygon.representative_point().coords[0])
                i = polygon_row[s.code][1]
                preports[h].repair(
                    i,
                    "geometry",
                    f"{s.name}: no point in {SETTLEMENTS_FILE}; "
                    f"the polygon's representative point is used",
                )

    rows, sources = [], set()
    missing: dict[str, list[Settlement]] = defaultdict(list)
    for h in DEMO_HROMADY:
        settlements = list(codifier[h].values())
        ctx.settlements[h] = settlements
        total, urban = ctx.population.get(h, (None, None))
        pops = apportion(total, urban, settlements) if total else {}
        rng = seeded(h, "settlements")
        codes = [s.code for s in settlements]
        centre = settlements[0].code
        others = codes[1:]
        with_broadband = {centre, *rng.sample(others, BROADBAND_COUNT[h] - 1)}
        source = settlement_source(h)
        sources.add((h, source))
        for s in settlements:
            if s.code not in row_of:
                missing[h].append(s)
            if h == KREMENCHUK:
                mobile = "full" if s.code == centre or rng.random() < 0.6 else "partial"
            else:
                mobile = (
                    "full"
                    if s.code == centre
                    else rng.choices(["full", "partial", "none"], [5, 3, 1])[0]
                )
            row = {
                "hromada": h,
                "code": s.code,
                "katottg": s.code,
                "status": "active",
                "name": s.name,
                "category": category_of(s.category),
                "population": pops.get(s.code),
                "population_year": 2022 if s.code in pops else None,
                "population_source": population_source(total, urban) if s.code in pops else None,
                "population_method": "apportioned" if s.code in pops else None,
                "located": s.located,
                "broadband_fixed": s.code in with_broadband,
                "mobile_internet": mobile,
                "edra_verified": rng.random() < (0.3 if h == KREMENCHUK else 0.5),
                "source": source,
                "geom": ewkb(s.polygon) if s.located else None,
                "point": ewkb(s.point),
            }
            k = kept.get((h, s.code))
            if k is not None:
                row.update(
                    population=k.population,
                    population_year=k.population_year,
                    population_source=k.population_source,
                    population_method=k.population_method,
                )
            rows.append(row)
    status = upsert(ctx, "settlements", rows)
    removed = prune(ctx, "settlements", sources, set(status))
    for h in DEMO_HROMADY:
        ctx.loaded_layers.add(("settlements", h))

    count_into(
        sreport,
        [status[(h, code)] for code, (h, _) in row_of.items()],
        [i for _, i in row_of.values()],
    )
    sreport.removed = removed
    for h, prep_ in preports.items():
        mine = [(code, i) for code, (hh, i) in polygon_row.items() if hh == h]
        count_into(prep_, [status[(h, code)] for code, _ in mine], [i for _, i in mine])
    for h in kse_rows:  # one KSE row per demo громада: its status is that of its settlements
        st = [status[(h, s.code)] for s in codifier[h].values()]
        count_into(
            kse, ["inserted" if "inserted" in st else "updated" if "updated" in st else "unchanged"]
        )
    out = [sreport, *preports.values(), kse]
    for h, ms in missing.items():  # codifier settlements absent from the points file (none today)
        extra = DemoReport(
            source=f"territory ({CODIFIER_EDITION}), {DEMO_HROMADY[h].name}: "
            f"not in {SETTLEMENTS_FILE}",
            layer="settlements",
            read=len(ms),
            hromada=h,
        )
        count_into(extra, [status[(h, s.code)] for s in ms])
        out.append(extra)
    return out
