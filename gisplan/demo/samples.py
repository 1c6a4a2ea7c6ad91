"""Demo samples where no open data exists: deterministic, inside each громада, labelled.

Every row has ``source = 'synthetic-demo'``.

Wi-Fi zones, ЦНАП points with workplace counts and equipment flags, air sensors, alert sirens, CCTV,
investment objects, IT hubs, social objects with their connection, health facilities, preschools
(with the E-Черга flag), tourist routes, mobile coverage by operator and planning-document
footprints. Each layer × громада draws from its own seeded generator (``"<громада>:<layer>"``) and
places objects at located settlements (inside the settlement polygon where there is one), so every
run produces the same rows with the same codes (``demo-…``), and a second load changes nothing.

Where a громада's program states a figure it is used (Хмільницька: 12 CCTV sets, 2 air stations of
which 1 measures radiation, ЦНАП with 150 services and one «Мобільна валіза», ≥ 9 Wi-Fi points;
Балаклійська: Diia validation on every ЦНАП workplace, social objects on fibre); everything else is
a plausible sample. Enough for every layer-based indicator to have a number for each demo громада.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import uuid
from collections.abc import Callable

import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import unary_union
from shapely.prepared import prep
from sqlalchemy import text

from ..catalog import catalog
from .common import (
    BALAKLIIA,
    DEMO_HROMADY,
    INSIDE_SHARE,
    KHMILNYK,
    KREMENCHUK,
    SYNTHETIC_SOURCE,
    DemoContext,
    DemoReport,
    Settlement,
    count_into,
    ewkb,
    inside_shares,
    multi,
    offset,
    point_near,
    prune,
    read_sql,
    seeded,
    square,
    upsert,
)

_GEOD = Geod(ellps="WGS84")
_UUID_NS = uuid.UUID("6f1c1d0e-3a7b-4c55-9a52-2d1e0f7a9b10")  # demo metadata identifiers


# ---------------------------------------------------------------- placing
def _radius(h: str, s: Settlement) -> float:
    if s.category == "M":
        return 3500.0 if h == KREMENCHUK else 1500.0
    return 500.0 if s.category in ("X", "T") else 300.0


class Placer:
    """Deterministic positions in one громада: near a settlement point, inside its polygon (when it
    has one) and inside the громада boundary."""

    def __init__(self, ctx: DemoContext, h: str, rng: random.Random):
        self.h, self.rng, self.boundary = h, rng, ctx.boundaries[h]
        self.located = ctx.located(h)
        self.centre = self.located[0]
        self.villages = [s for s in self.located if s is not self.centre]

    def at(self, s: Settlement, radius: float | None = None) -> Point:
        return point_near(self.rng, s.point, radius or _radius(self.h, s), s.polygon, self.boundary)

    def pick(self, n: int, pool: list[Settlement] | None = None) -> list[Settlement]:
        """``n`` settlements: distinct while the pool lasts, the centre when it is empty."""
        pool = list(pool if pool is not None else self.villages)
        self.rng.shuffle(pool)
        return [pool[i] if i < len(pool) else self.centre for i in range(n)]


def _disc(centre: Point, radius_m: float, n: int = 48) -> Polygon:
    return Polygon([offset(centre, radius_m, 2 * math.pi * k / n) for k in range(n)])


def _row(h: str, layer_code: str, n: int, geom, settlement: Settlement | None, **fields) -> dict:
    return {
        "hromada": h,
        "code": f"demo-{layer_code}-{n:02d}",
        "katottg": settlement.code if settlement else None,
        "status": fields.pop("status", "active"),
        **fields,
        "source": SYNTHETIC_SOURCE,
        "geom": geom,
    }


# ---------------------------------------------------------------- one generator per layer
def wifi_zones(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    n_centre, n_villages = {BALAKLIIA: (4, 3), KHMILNYK: (4, 9), KREMENCHUK: (22, 0)}[h]
    places = [
        ("Центральна площа", "public_space"),
        ("Міський парк", "public_space"),
        ("ЦНАП", "council_premises"),
        ("Публічна бібліотека", "institution"),
        ("Автостанція", "transport"),
        ("Сквер", "public_space"),
        ("Будинок культури", "institution"),
        ("Стадіон", "public_space"),
        ("Набережна", "public_space"),
        ("Лікарня", "institution"),
    ]
    rows = []
    for k in range(n_centre):
        label, kind = places[k % len(places)]
        s = p.centre
        rows.append(
            (
                f"{label}, {s.label}" + (f" ({k // len(places) + 1})" if k >= len(places) else ""),
                kind,
                s,
            )
        )
    for s in p.pick(n_villages):
        if rng.random() < 0.6:
            rows.append((f"Зона відпочинку, {s.label}", "public_space", s))
        else:
            rows.append((f"Старостат, {s.label}", "council_premises", s))
    out = []
    for n, (name, kind, s) in enumerate(rows, start=1):
        access = "restricted" if kind == "council_premises" and rng.random() < 0.3 else "open"
        out.append(
            _row(
                h,
                "wifi",
                n,
                p.at(s, 400 if s.category == "M" and h != KREMENCHUK else None),
                s,
                name=f"Wi-Fi: {name}",
                access=access,
                place_type=kind,
                provider="демо-провайдер",
                ssid=f"{DEMO_HROMADY[h].name_en}_Free"
                if access == "open"
                else f"{DEMO_HROMADY[h].name_en}_Staff",
                speed_mbps=float(rng.choice([50, 100, 100, 200])),
            )
        )
    return out


def cnap_points(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    c = p.centre
    main_workplaces = {BALAKLIIA: 10, KHMILNYK: 12, KREMENCHUK: 30}[h]
    services = {BALAKLIIA: 180, KHMILNYK: 150, KREMENCHUK: 260}[h]
    units = {BALAKLIIA: 3, KHMILNYK: 2, KREMENCHUK: 2}[h]
    remote = {BALAKLIIA: 2, KHMILNYK: 1, KREMENCHUK: 2}[h]
    specs = [
        (
            "main_office",
            f"ЦНАП {DEMO_HROMADY[h].name_gen} міської ради (головний офіс), {c.label}",
            c,
            main_workplaces,
        )
    ]
    for s in p.pick(units) if h != KREMENCHUK else [c] * units:
        specs.append(
            ("territorial_unit", f"Територіальний підрозділ ЦНАП, {s.label}", s, rng.randint(1, 3))
        )
    for s in p.pick(remote):
        specs.append(
            ("remote_workplace", f"Віддалене робоче місце адміністратора, {s.label}", s, 1)
        )
    specs.append(("mobile_case", f"Мобільна валіза ЦНАП (база), {c.label}", c, 1))
    if h == KREMENCHUK:
        specs.append(("diia_centre", f"Дія.Центр, {c.label}", c, 6))
    out = []
    for n, (kind, name, s, wp) in enumerate(specs, start=1):
        qr = wp if h == BALAKLIIA else rng.randint(max(0, wp - 2), wp)
        idcard = round(wp * 0.3) if h == BALAKLIIA else rng.randint(0, wp)
        office = kind in ("main_office", "diia_centre")
        out.append(
            _row(
                h,
                "cnap",
                n,
                p.at(s, 800 if s.category == "M" else None),
                s,
                name=name,
                kind=kind,
                admin_workplaces=wp,
                workplaces_diia_qr=qr,
                workplaces_idcard=idcard,
                has_e_queue=office or rng.random() < 0.4,
                online_booking=office or rng.random() < 0.3,
                diia_quality_monitoring=office or rng.random() < 0.6,
                services_count=services
                if kind == "main_office"
                else rng.randint(20, services // 2),
                opening_hours="пн–пт 08:00–17:00"
                if kind != "mobile_case"
                else "за графіком виїздів",
            )
        )
    return out


def air_sensors(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    n = {BALAKLIIA: 2, KHMILNYK: 2, KREMENCHUK: 8}[h]
    with_polygon = [s for s in p.villages if s.polygon is not None]
    where = [p.centre] + p.pick(n - 1, with_polygon or p.villages)
    out = []
    for k, s in enumerate(where[:n], start=1):
        network = (
            "own"
            if h == KHMILNYK
            else rng.choice(["saveecobot", "ecocity", "sensor_community", "state"])
        )
        radiation = (k == 1) if h == KHMILNYK else rng.random() < 0.3
        pollutants = ["PM2.5", "PM10"] + (["NO2", "SO2", "CO"] if network == "state" else [])
        out.append(
            _row(
                h,
                "air",
                k,
                p.at(s),
                s,
                name=f"Пункт спостереження за якістю повітря, {s.label}",
                network=network,
                external_id=f"demo-{rng.randrange(10_000, 99_999)}",
                sensor_class="reference" if network == "state" else "indicative",
                pollutants=pollutants,
                radiation=radiation,
                operator=f"{DEMO_HROMADY[h].name} міська рада",
                ecozagroza_integrated=rng.random() < 0.4,
            )
        )
    return out


def alert_sirens(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    n_centre, n_villages = {BALAKLIIA: (3, 4), KHMILNYK: (3, 5), KREMENCHUK: (20, 0)}[h]
    out = []
    for k, s in enumerate([p.centre] * n_centre + p.pick(n_villages), start=1):
        system = (
            "centralized_automated"
            if s is p.centre
            else rng.choice(["local", "centralized_automated"])
        )
        out.append(
            _row(
                h,
                "siren",
                k,
                p.at(s),
                s,
                name=f"Сирена оповіщення, {s.label}",
                audible_radius_m=float(rng.choice([500, 700, 1000, 1500])),
                system_type=system,
                control="remote" if system == "centralized_automated" else "manual",
                backup_power=rng.random() < 0.5,
            )
        )
    return out


def cctv_cameras(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    n = {BALAKLIIA: 8, KHMILNYK: 12, KREMENCHUK: 30}[h]
    out = []
    for k in range(1, n + 1):
        s = p.centre if k <= n * 3 // 4 else p.pick(1)[0]
        purpose = rng.choices(
            ["public_order", "traffic", "plate_recognition", "facility_protection"], [5, 3, 1, 1]
        )[0]
        out.append(
            _row(
                h,
                "cctv",
                k,
                p.at(s),
                s,
                name=f"Камера {k}, {s.label}",
                system="Безпечна громада",
                purpose=purpose,
                has_analytics=purpose == "plate_recognition" or rng.random() < 0.2,
                resolution=rng.choice(["2 Мп", "4 Мп", "8 Мп"]),
            )
        )
    return out


def investment_objects(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    specs = [
        ("greenfield", "Земельна ділянка під виробництво", "active"),
        ("brownfield", "Територія колишнього підприємства", "negotiation"),
        ("land_plot", "Ділянка під логістичний комплекс", "active"),
        ("building", "Нежитлова будівля комунальної власності", "planned"),
    ]
    if h == KREMENCHUK:
        specs.append(("industrial_park", "Індустріальний парк (проєкт)", "active"))
    out = []
    for k, (kind, name, status) in enumerate(specs, start=1):
        s = (
            p.centre
            if kind in ("brownfield", "building", "industrial_park") or not p.villages
            else p.pick(1)[0]
        )
        centre = p.at(s, 3000 if s.category == "M" else 800)
        if kind == "building":
            geom, area = centre, round(rng.uniform(0.05, 0.4), 2)
        else:
            side = rng.uniform(150, 600) if kind != "industrial_park" else 1200.0
            geom, area = square(centre, side), round(side * side / 10_000, 2)
        out.append(
            _row(
                h,
                "invest",
                k,
                geom,
                s,
                status=status,
                name=f"{name}, {s.label}",
                kind=kind,
                description="Демонстраційний об’єкт: місце, площа та умови вигадані",
                area_ha=area,
                ownership="communal",
                land_use_code="11.02" if kind != "building" else None,
                utilities=sorted(
                    rng.sample(["electricity", "water", "gas", "road", "sewerage"], 3)
                ),
                price_note="оренда, умови за домовленістю",
                _clip=kind != "building",
            )
        )
    return out


def it_hubs(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    c = p.centre
    specs = {
        BALAKLIIA: [("it_hub", "ІТ-хаб", 5)],
        KHMILNYK: [
            ("digital_hub", "Хаб цифрової освіти у бібліотеці", 10),
            ("coworking", "Коворкінг", 12),
        ],
        KREMENCHUK: [
            ("it_hub", "ІТ-хаб", 60),
            ("coworking", "Коворкінг", 30),
            ("diia_business", "Центр Дія.Бізнес", 8),
        ],
    }[h]
    return [
        _row(
            h,
            "hub",
            k,
            p.at(c, 1200 if h != KREMENCHUK else None),
            c,
            name=f"{name}, {c.label}",
            kind=kind,
            seats=seats,
            operator=f"{DEMO_HROMADY[h].name} міська рада",
        )
        for k, (kind, name, seats) in enumerate(specs, start=1)
    ]


def social_objects(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    c = p.centre
    specs = [
        ("library", "Публічна бібліотека", c),
        ("club", "Будинок культури", c),
        ("youth_centre", "Молодіжний центр", c),
        ("social_centre", "Центр надання соціальних послуг", c),
        ("art_school", "Школа мистецтв", c),
        ("administrative", "Адміністративна будівля ради", c),
    ]
    for s in p.villages:
        if rng.random() < 0.5:
            specs.append(("library", "Бібліотека-філія", s))
        else:
            specs.append(("club", "Сільський клуб", s))
    out = []
    for k, (cat, name, s) in enumerate(specs, start=1):
        if h == BALAKLIIA:
            conn = "fibre"  # the program states 100 % of social objects on fibre
        else:
            conn = rng.choices(["fibre", "xdsl", "wireless", "mobile", "none"], [5, 2, 1, 1, 1])[0]
        out.append(
            _row(
                h,
                "social",
                k,
                p.at(s),
                s,
                name=f"{name}, {s.label}",
                category=cat,
                connection_type=conn,
                speed_mbps=None if conn == "none" else float(rng.choice([20, 50, 100, 100, 200])),
                is_digital_hub=cat == "library" and rng.random() < 0.3,
                e_services=cat in ("library", "administrative") and rng.random() < 0.5,
            )
        )
    return out


def health_facilities(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    c = p.centre
    specs = [
        ("hospital", "Багатопрофільна лікарня", c),
        ("primary_care_centre", "Центр первинної медичної допомоги", c),
        ("ambulatory", "Амбулаторія загальної практики — сімейної медицини № 1", c),
        ("pharmacy", "Комунальна аптека", c),
    ]
    n_amb = {KHMILNYK: 7, BALAKLIIA: 6, KREMENCHUK: 0}[h]
    for s in p.pick(min(n_amb, len(p.villages))):
        specs.append(("ambulatory", "Амбулаторія загальної практики — сімейної медицини", s))
    used = {id(s) for _, _, s in specs}
    for s in [s for s in p.villages if id(s) not in used][:6]:
        specs.append(("feldsher_post", "Фельдшерський пункт", s))
    if h == KREMENCHUK:
        specs += [("emergency", "Пункт екстреної медичної допомоги", c)] + [
            ("ambulatory", f"Амбулаторія загальної практики — сімейної медицини № {k}", c)
            for k in range(2, 8)
        ]
    return [
        _row(
            h,
            "health",
            k,
            p.at(s),
            s,
            name=f"{name}, {s.label}",
            kind=kind,
            online_appointment=kind != "pharmacy" and rng.random() < 0.5,
            broadband=rng.random() < 0.85,
        )
        for k, (kind, name, s) in enumerate(specs, start=1)
    ]


def preschools(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    """Preschools in the schools layer (the ЄДЕБО export holds general secondary schools only)."""
    p = Placer(ctx, h, rng)
    n_centre, n_villages = {BALAKLIIA: (6, 4), KHMILNYK: (7, 6), KREMENCHUK: (24, 0)}[h]
    where = [p.centre] * n_centre + p.pick(n_villages)
    out = []
    for k, s in enumerate(where, start=1):
        number = f" № {k}" if s is p.centre else ""
        broadband = rng.random() < 0.9
        out.append(
            _row(
                h,
                "preschool",
                k,
                p.at(s),
                s,
                name=f"Заклад дошкільної освіти{number}, {s.label}",
                kind="preschool",
                institution_type="заклад дошкільної освіти (ясла-садок)",
                ownership="communal",
                e_queue=rng.random() < 0.5,
                broadband=broadband,
                speed_mbps=float(rng.choice([50, 100])) if broadband else None,
                wifi=broadband and rng.random() < 0.7,
            )
        )
    return out


def _route(p: Placer, start: Settlement, stops: list[Settlement], n: int, far: float) -> LineString:
    """A route from ``start`` through up to ``n`` stops, each leg inside the громада: a stop whose
    leg would leave the boundary is skipped; with no stops, points up to ``far`` metres out."""
    inside = prep(p.boundary)
    line = [start.point]
    candidates = [p.at(s) for s in stops] or sorted(
        (p.at(start, far) for _ in range(4 * n)),
        key=lambda q: math.atan2(q.y - start.point.y, q.x - start.point.x),
    )
    for q in candidates:
        if len(line) > n:
            break
        if q.distance(line[-1]) > 0 and inside.covers(LineString([line[-1], q])):
            line.append(q)
    if len(line) < 3:  # a short out-and-back is better than nothing
        line.append(p.at(start, 800))
    return LineString([q.coords[0] for q in line])


def tourist_routes(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    c = p.centre
    inside = prep(p.boundary)
    # a walking loop in the centre
    loop = [p.at(c, 1200) for _ in range(5)]
    loop = sorted(loop, key=lambda q: math.atan2(q.y - c.point.y, q.x - c.point.x))
    walk = LineString([*(q.coords[0] for q in loop), loop[0].coords[0]])
    if not inside.covers(walk):
        walk = LineString([q.coords[0] for q in loop])
    # a cycling route from the centre through nearby villages (or around a large city)
    near = sorted(p.villages, key=lambda s: s.point.distance(c.point))[:8]
    rng.shuffle(near)
    near = sorted(near, key=lambda s: math.atan2(s.point.y - c.point.y, s.point.x - c.point.x))
    ride = _route(p, c, near, 4, 6000)
    specs = [
        ("walking", f"Пішохідний маршрут «Стежками старого міста», {c.label}", walk),
        ("cycling", f"Веломаршрут «Околицями {DEMO_HROMADY[h].name_gen} громади»", ride),
    ]
    return [
        _row(
            h,
            "route",
            k,
            MultiLineString([line]),
            c,
            name=name,
            kind=kind,
            description="Демонстраційний маршрут: траса вигадана",
            waymarked=rng.random() < 0.5,
            _clip=True,
        )
        for k, (kind, name, line) in enumerate(specs, start=1)
    ]


OPERATORS = [
    ("kyivstar", "lte_4g", 6000, 0.9),
    ("vodafone", "lte_4g", 5000, 0.8),
    ("lifecell", "lte_4g", 4000, 0.6),
    ("lifecell", "umts_3g", 7000, 0.9),
    ("other", "xpon", 1500, 1.0),
]


def mobile_coverage(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    out = []
    for k, (operator, tech, radius, share) in enumerate(OPERATORS, start=1):
        if tech == "xpon":
            sites = [p.centre]
        else:
            sites = [p.centre] + [s for s in p.villages if rng.random() < share]
        r = radius * (2.5 if h == KREMENCHUK and tech != "xpon" else 1.0)
        area = unary_union([_disc(s.point, r * rng.uniform(0.8, 1.2)) for s in sites])
        out.append(
            _row(
                h,
                "coverage",
                k,
                multi(area),
                None,
                operator=operator,
                provider="місцевий провайдер (демо)" if operator == "other" else None,
                technology=tech,
                coverage_source="estimate",
                min_download_mbps=float({"lte_4g": 10, "umts_3g": 2, "xpon": 100}[tech]),
                _clip=True,
            )
        )
    return out


def planning_documents(ctx: DemoContext, h: str, rng: random.Random) -> list[dict]:
    p = Placer(ctx, h, rng)
    c = p.centre
    city = c.polygon or multi(_disc(c.point, 6000 if h == KREMENCHUK else 2500))
    name = DEMO_HROMADY[h].name_gen
    docs = [
        (
            "integrated_plan",
            f"Комплексний план просторового розвитку території {name} міської територіальної "
            f"громади",
            ctx.boundaries[h],
            10_000,
            "under_development",
        ),
        ("general_plan", f"Генеральний план, {c.label}", city, 5000, "active"),
        ("zoning_plan", f"План зонування території, {c.label}", city, 2000, "planned"),
        (
            "detailed_plan",
            f"Детальний план території кварталу, {c.label}",
            square(p.at(c, 1500), 400),
            1000,
            "active",
        ),
        (
            "detailed_plan",
            f"Детальний план території під житлову забудову, {c.label}",
            square(p.at(c, 2000), 600),
            1000,
            "public_hearing",
        ),
        (
            "topographic_survey",
            f"Топографічна зйомка М 1:2000 центральної частини, {c.label}",
            square(c.point, 2000),
            2000,
            "active",
        ),
    ]
    out = []
    for k, (kind, title, geom, scale, status) in enumerate(docs, start=1):
        approved = status in ("active", "superseded")
        in_geoportal = approved and rng.random() < 0.5
        out.append(
            _row(
                h,
                "plan",
                k,
                multi(geom),
                c,
                status=status,
                name=title,
                doc_type=kind,
                scale=scale,
                approved_at=dt.date(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28))
                if approved
                else None,
                approval_decision="рішення ради (демонстраційні дані)" if approved else None,
                developer="демонстраційний розробник",
                national_geoportal_metadata_id=str(uuid.uuid5(_UUID_NS, f"{h}:{k}"))
                if in_geoportal
                else None,
                _clip=True,
            )
        )
    return out


# layer → the generator of its rows in one громада
GENERATORS: dict[str, Callable[[DemoContext, str, random.Random], list[dict]]] = {
    "wifi_zones": wifi_zones,
    "cnap_points": cnap_points,
    "air_sensors": air_sensors,
    "alert_sirens": alert_sirens,
    "cctv_cameras": cctv_cameras,
    "investment_objects": investment_objects,
    "it_hubs": it_hubs,
    "social_objects": social_objects,
    "health_facilities": health_facilities,
    "schools": preschools,
    "tourist_routes": tourist_routes,
    "mobile_coverage": mobile_coverage,
    "planning_documents": planning_documents,
}


def _clip(ctx: DemoContext, rows: list[dict], dims: int) -> None:
    """Clip the geometries of rows marked ``_clip`` to their громада boundary, in PostGIS."""
    items = [
        {"row": n, "hromada": r["hromada"], "wkb": ewkb(r["geom"])}
        for n, r in enumerate(rows)
        if r["_clip"]
    ]
    if not items:
        return
    for found in ctx.conn.execute(
        text(read_sql("clip.sql")), {"rows": json.dumps(items), "dim": dims}
    ):
        rows[found.row]["geom"] = shapely.from_wkb(bytes.fromhex(found.wkb)) if found.wkb else None


def load(ctx: DemoContext) -> list[DemoReport]:
    reports = []
    for layer, generate in GENERATORS.items():
        rows: list[dict] = []
        for h in DEMO_HROMADY:
            if not ctx.located(h):
                continue
            rows.extend(generate(ctx, h, seeded(h, layer)))
        report = DemoReport(
            source=f"{SYNTHETIC_SOURCE}: {layer}" + (" (preschools)" if layer == "schools" else ""),
            layer=layer,
            read=len(rows),
        )
        # every field of the layer is written, so that a field a generator no longer sets is reset
        fields = list(catalog().get(layer).fields)
        keys = list(dict.fromkeys([*(k for r in rows for k in r), *fields]))
        rows = [{k: r.get(k) for k in keys} for r in rows]
        for r in rows:
            r["_clip"] = bool(r.get("_clip"))
        dims = {"tourist_routes": 1}.get(layer, 2)
        _clip(ctx, rows, dims)
        for r in rows:
            r["geom"] = ewkb(r["geom"])
        shares = inside_shares(
            ctx.conn, {n: (r["hromada"], r["geom"]) for n, r in enumerate(rows) if r["geom"]}
        )
        kept, row_no = [], {}
        for n, r in enumerate(rows, start=1):
            if r["geom"] is None or shares.get(n - 1, 0) < INSIDE_SHARE:
                report.reject(n, "geometry", f"{r['code']}: outside громада boundary")
                continue
            kept.append({k: v for k, v in r.items() if k != "_clip"})
            row_no[(r["hromada"], r["code"])] = n
        if layer == "tourist_routes":
            for r in kept:
                g = shapely.from_wkb(bytes.fromhex(r["geom"]))
                r["length_km"] = round(_GEOD.geometry_length(g) / 1000, 2)
        status = upsert(ctx, layer, kept)
        report.removed = prune(
            ctx, layer, {(h, SYNTHETIC_SOURCE) for h in DEMO_HROMADY}, set(status)
        )
        count_into(report, status.values(), [row_no[key] for key in status])
        for h, _ in status:
            ctx.loaded_layers.add((layer, h))
        reports.append(report)
    return reports
