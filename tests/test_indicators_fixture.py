"""Metrics on small hand-drawn fixtures, with values worked out by hand (issue 7).

The fixture lies in Іванківська громада (Київська обл., UA32100050000082904), which no other test
uses, around the centre of the largest circle inside its boundary. Shapes are drawn in metres on an
azimuthal equidistant projection centred there (areas and distances within 10 km of the centre are
true to about 1e-6), then stored in EPSG:4326. Everything happens in one transaction that is rolled
back at the end of the module.

    settlement  shape                             centre (m)     residents
    A           square 1 km × 1 km   = 1 km²      (0, 0)         1000
    B           square 1 km × 1 km   = 1 km²      (5000, 0)       500
    C           rectangle 1 × 2 km   = 2 km²      (-5000, 0)      600
    D           point only                        (0, 1200)       200
    E           not on the map                                    100
                                                        total:   2400 residents, 4 km² of polygons

The as-of date is 2025-06-30.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import Connection, text

from gisplan import clock
from gisplan.datasets import set_published
from gisplan.indicators.engine import evaluate, evaluate_metric
from gisplan.indicators.registry import registry
from gisplan.indicators.tables import indicator_value

H = "UA32100050000082904"        # Іванківська
POINTS_ONLY = "UA32020130000010013"  # Рокитнянська: settlements known only as points, no population
EMPTY = "UA32100110000030685"    # Поліська: no settlements, boundary removed in one test
D = dt.date(2025, 6, 30)
CODE = {k: f"UA321000509900000{n:02d}" for n, k in enumerate("ABCDE", start=1)}
POP = {"A": 1000, "B": 500, "C": 600, "D": 200, "E": 100}


@dataclass
class World:
    conn: Connection
    to_wgs84: Transformer

    def wkt(self, geom) -> str:
        return shapely.transform(geom, self.to_wgs84.transform, interleaved=False).wkt

    def put(self, layer: str, hromada: str = H, geom=None, point=None, **fields) -> None:
        cols = {"hromada": hromada, **fields}
        names = list(cols)
        values = [f":{n}" for n in names]
        params = dict(cols)
        for col, shape in (("geom", geom), ("point", point)):
            if shape is not None:
                names.append(col)
                values.append(f"ST_GeomFromText(:{col}_wkt, 4326)")
                params[f"{col}_wkt"] = self.wkt(shape)
        self.conn.execute(text(f"INSERT INTO {layer} ({', '.join(names)}) VALUES ({', '.join(values)})"), params)


def square(cx: float, cy: float, w: float, h: float | None = None) -> MultiPolygon:
    h = w if h is None else h
    return MultiPolygon([box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)])


def segment_area(r: float, d: float) -> float:
    """The part of a disc of radius r beyond a chord at distance d from its centre."""
    return r * r * math.acos(d / r) - d * math.sqrt(r * r - d * d)


@pytest.fixture(scope="module")
def world(engine):
    conn = engine.connect()
    tx = conn.begin()
    lon, lat, radius = conn.execute(text(
        "SELECT ST_X(c.center), ST_Y(c.center), ST_Distance(geography(c.center), geography(c.nearest)) "
        "FROM hromady h, ST_MaximumInscribedCircle(h.geom) c WHERE h.hromada = :h AND h.code = :h"),
        {"h": H}).one()
    assert radius > 9000, "the fixture needs 9 km around the centre inside the boundary"
    w = World(conn, Transformer.from_crs(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m",
                                         "EPSG:4326", always_xy=True))
    # settlements
    w.put("settlements", geom=square(0, 0, 1000), code=CODE["A"], katottg=CODE["A"], name="A",
          population=1000, broadband_fixed=True)
    w.put("settlements", geom=square(5000, 0, 1000), code=CODE["B"], katottg=CODE["B"], name="B",
          population=500, broadband_fixed=False)
    w.put("settlements", geom=square(-5000, 0, 1000, 2000), code=CODE["C"], katottg=CODE["C"], name="C",
          population=600, broadband_fixed=True)
    w.put("settlements", point=Point(0, 1200), code=CODE["D"], katottg=CODE["D"], name="D", population=200)
    w.put("settlements", code=CODE["E"], katottg=CODE["E"], name="E", population=100, located=False,
          broadband_fixed=False)
    # air sensors: three count on D; S3 is installed after it, S4 removed before it, S5 only planned,
    # S7 out of service since an unknown date
    w.put("air_sensors", geom=Point(100, 100), code="S1")
    w.put("air_sensors", geom=Point(5100, 0), code="S2")
    w.put("air_sensors", geom=Point(0, 1300), code="S6", katottg=CODE["D"])
    w.put("air_sensors", geom=Point(-5000, 0), code="S3", installed_at=dt.date(2025, 7, 1))
    w.put("air_sensors", geom=Point(-5000, 500), code="S4", installed_at=dt.date(2024, 1, 1),
          removed_at=dt.date(2025, 6, 29), status="removed")
    w.put("air_sensors", geom=Point(-5000, -500), code="S5", status="planned")
    w.put("air_sensors", geom=Point(-5000, 200), code="S7", status="inactive")
    # sirens: R1 covers A and D; R2 cuts C; R3 is planned, R4 removed before D
    w.put("alert_sirens", geom=Point(0, 0), code="R1", audible_radius_m=1500, system_type="centralized_automated")
    w.put("alert_sirens", geom=Point(-6000, 0), code="R2", audible_radius_m=1000, system_type="local")
    w.put("alert_sirens", geom=Point(5000, 0), code="R3", audible_radius_m=3000, status="planned")
    w.put("alert_sirens", geom=Point(5000, 0), code="R4", audible_radius_m=3000, status="removed",
          removed_at=dt.date(2025, 1, 1))
    # Wi-Fi: W1 open in A, W4 open at D (by its code); W2 restricted, W3 only planned
    w.put("wifi_zones", geom=Point(200, 0), code="W1", name="W1", access="open")
    w.put("wifi_zones", geom=Point(5200, 0), code="W2", name="W2", access="restricted")
    w.put("wifi_zones", geom=Point(5300, 0), code="W3", name="W3", access="open", status="planned")
    w.put("wifi_zones", geom=Point(100, 1300), code="W4", name="W4", access="open", katottg=CODE["D"])
    # CCTV: three in service, one inactive, one outside the boundary
    for n, x in enumerate((0, 100, 200), start=1):
        w.put("cctv_cameras", geom=Point(x, -200), code=f"K{n}")
    w.put("cctv_cameras", geom=Point(300, -200), code="K4", status="inactive")
    w.put("cctv_cameras", geom=Point(0, -150_000), code="K5")
    # coverage: 4G over A, 60 % of B and D; 2G over C
    w.put("mobile_coverage", geom=MultiPolygon([box(-1000, -1000, 5100, 1500)]), operator="kyivstar",
          technology="lte_4g")
    w.put("mobile_coverage", geom=MultiPolygon([box(-6000, -1500, -4000, 1500)]), operator="vodafone",
          technology="gsm_2g")
    # CNAP: the main office at B's centre; a mobile case (not a point of service) at A; a remote
    # workplace far from everything
    w.put("cnap_points", geom=Point(5000, 0), code="C1", name="C1", kind="main_office", admin_workplaces=10,
          workplaces_diia_qr=9, workplaces_idcard=3, has_e_queue=True, online_booking=True,
          diia_quality_monitoring=True)
    w.put("cnap_points", geom=Point(0, 0), code="C2", name="C2", kind="mobile_case", admin_workplaces=1,
          workplaces_diia_qr=1, workplaces_idcard=0, has_e_queue=False, online_booking=False,
          diia_quality_monitoring=False)
    w.put("cnap_points", geom=Point(0, -8000), code="C3", name="C3", kind="remote_workplace", admin_workplaces=1,
          workplaces_diia_qr=0, workplaces_idcard=1, has_e_queue=True, online_booking=False)
    # shelters: 150 places at A's centre, 50 at D (by code), one of unknown capacity at B's centre
    w.put("shelters", geom=Point(0, 0), code="SH1", capacity=150)
    w.put("shelters", geom=Point(0, 1500), code="SH2", capacity=50, katottg=CODE["D"])
    w.put("shelters", geom=Point(5000, 0), code="SH3")
    # tourist objects: QR plates installed before D, after D, none, and with no date
    w.put("tourist_objects", geom=Point(300, 300), code="T1", name="T1", has_qr=True,
          qr_installed_at=dt.date(2025, 1, 1))
    w.put("tourist_objects", geom=Point(300, 350), code="T2", name="T2", has_qr=True,
          qr_installed_at=dt.date(2025, 9, 1))
    w.put("tourist_objects", geom=Point(300, 400), code="T3", name="T3", has_qr=False)
    w.put("tourist_objects", geom=Point(300, 450), code="T4", name="T4", has_qr=True)
    w.put("it_hubs", geom=Point(50, 50), code="IT1", name="IT1", seats=12)
    # planning documents: one registered in the national geoportal, one not, one not yet in force
    for code, doc_type, status, approved, meta in (
            ("P1", "general_plan", "active", dt.date(2020, 5, 1), "b3c0d8de-0000-4000-8000-000000000001"),
            ("P2", "detailed_plan", "active", dt.date(2021, 3, 1), None),
            ("P3", "zoning_plan", "planned", None, "b3c0d8de-0000-4000-8000-000000000003")):
        w.put("planning_documents", geom=square(0, 0, 3000), code=code, name=code, doc_type=doc_type,
              status=status, approved_at=approved, national_geoportal_metadata_id=meta)
    # the громада whose settlements are points only, with no population known
    w.put("settlements", hromada=POINTS_ONLY, code="UA32020130990000001", katottg="UA32020130990000001",
          name="P1", point=Point(0, 0))
    yield w
    tx.rollback()
    conn.close()


def value(world, code: str, as_of: dt.date = D, hromada: str = H, **params):
    return evaluate_metric(world.conn, registry().get(code), hromada, as_of, params or None)


def by_territory(v) -> dict:
    return {s.territory: s for s in v.settlements}


def test_fixture_is_inside_the_boundary(world):
    outside = world.conn.execute(text(
        "SELECT count(*) FROM settlements s, hromady h WHERE s.hromada = :h AND h.hromada = :h AND h.code = :h "
        "AND NOT ST_Covers(h.geom, coalesce(s.geom, s.point))"), {"h": H}).scalar_one()
    assert outside == 0


# ------------------------------------------------------------------------------ air sensors
def test_air_sensor_count_density_and_share(world):
    count = value(world, "AIR_SENSOR_COUNT")
    assert (count.value, count.details["outside_boundary"]) == (3, 0)   # S1, S2, S6

    density = value(world, "AIR_SENSOR_DENSITY")
    assert density.numerator == 3
    assert density.denominator == pytest.approx(4.0, rel=1e-5)          # km² of the polygons A, B, C
    assert density.value == pytest.approx(3 / 4, rel=1e-5)
    assert density.details["without_polygon"] == 2                      # D and E
    per = by_territory(density)
    assert per[CODE["A"]].value == pytest.approx(1.0, rel=1e-5)         # S1 in 1 km²
    assert per[CODE["B"]].value == pytest.approx(1.0, rel=1e-5)         # S2 in 1 km²
    assert per[CODE["C"]].value == 0                                    # S3/S4/S5/S7 do not count on D
    assert per[CODE["D"]].reason == "settlement_no_polygon"

    share = value(world, "AIR_SENSOR_SETTLEMENT_SHARE")
    assert (share.numerator, share.denominator, share.value) == (3, 5, 60.0)   # A, B by polygon; D by code


def test_as_of_rule(world):
    """A sensor installed after the date, or removed before it, does not count; either counts
    while it is in the world."""
    after_installation = value(world, "AIR_SENSOR_COUNT", dt.date(2025, 7, 1))
    assert after_installation.value == 4          # S3 installed on 2025-07-01
    before_removal = value(world, "AIR_SENSOR_COUNT", dt.date(2025, 6, 28))
    assert before_removal.value == 4              # S4 removed on 2025-06-29
    on_removal_day = value(world, "AIR_SENSOR_COUNT", dt.date(2025, 6, 29))
    assert on_removal_day.value == 3
    before_both = value(world, "AIR_SENSOR_COUNT", dt.date(2023, 12, 31))
    assert before_both.value == 3                 # S4 not installed yet
    assert value(world, "AIR_SENSOR_SETTLEMENT_SHARE", dt.date(2025, 7, 1)).value == 80.0  # C now has S3
    # sirens: R4 (removed 2025-01-01) covers B before that date
    assert value(world, "ALERT", dt.date(2024, 12, 31)).numerator == pytest.approx(
        1000 + 200 + 600 * segment_area(1000, 500) / 2e6 + 500, abs=0.6)


# ------------------------------------------------------------------------------ alerting
def test_alert_population_covered(world):
    alert = value(world, "ALERT")
    c_share = segment_area(1000, 500) / 2_000_000          # R2's disc beyond C's edge, over 2 km²
    assert c_share == pytest.approx(0.3070924, abs=1e-7)
    covered = 1000 + 200 + 600 * c_share                    # A whole, D (point) in, C in part
    assert alert.denominator == 2400                        # E (unlocated) counts as not covered
    assert alert.numerator == pytest.approx(covered, abs=0.6)
    assert alert.value == pytest.approx(100 * covered / 2400, abs=0.03)
    assert alert.details == {**alert.details, "sirens": 2, "unlocated": 1, "unlocated_population": 100}
    per = by_territory(alert)
    assert per[CODE["A"]].value == pytest.approx(100.0)
    assert per[CODE["B"]].value == 0
    assert per[CODE["C"]].value == pytest.approx(100 * c_share, abs=0.05)
    assert per[CODE["D"]].value == 100
    assert per[CODE["E"]].reason == "settlement_unlocated"
    assert value(world, "ALERT_SYSTEM").value == 1          # R1 is centralized automated


# ------------------------------------------------------------------------------ Wi-Fi, CCTV
def test_wifi_and_cctv(world):
    assert value(world, "WIFI_ZONES").value == 2            # W1 and W4
    share = value(world, "WIFI_SETTLEMENT_SHARE")
    assert (share.numerator, share.denominator, share.value) == (2, 5, 40.0)   # A and D
    cctv = value(world, "CCTV")
    assert (cctv.value, cctv.details["outside_boundary"]) == (3, 1)


# ------------------------------------------------------------------------------ connectivity
def test_broadband_and_mobile_coverage(world):
    broadband = value(world, "BROADBAND_SETTLEMENT_SHARE")
    assert (broadband.numerator, broadband.denominator, broadband.value) == (2, 5, 40.0)
    assert broadband.details["unknown"] == 1                # D

    people = value(world, "MOBILE_POPULATION_SHARE")       # A whole, 60 % of B, D in; 2G over C ignored
    assert people.numerator == pytest.approx(1000 + 0.6 * 500 + 200, abs=0.05)
    assert people.value == pytest.approx(62.5, abs=0.01)
    assert by_territory(people)[CODE["B"]].value == pytest.approx(60.0, abs=0.01)
    places = value(world, "MOBILE_SETTLEMENT_SHARE")        # B counts: 0.6 ≥ min_area_share 0.5
    assert (places.numerator, places.value) == (3, 60.0)

    with_2g = value(world, "MOBILE_POPULATION_SHARE", technologies=["gsm_2g", "lte_4g"])
    assert with_2g.value == pytest.approx(100 * 2100 / 2400, abs=0.01)
    assert value(world, "MOBILE_SETTLEMENT_SHARE", min_area_share=0.7).value == 40.0   # B no longer


# ------------------------------------------------------------------------------ reach, shelters
def test_cnap_reach(world):
    reach = value(world, "CNAP_REACH", distance_m=3000)     # only C1 serves: B whole, nothing else
    assert reach.numerator == pytest.approx(500, abs=0.01)
    assert reach.value == pytest.approx(100 * 500 / 2400, abs=0.001)
    assert reach.details["service_points"] == 2             # C1 and C3; the mobile case C2 is not one
    assert reach.parameters["distance_m"] == 3000


def test_shelter_reach_and_places(world):
    reach = value(world, "SHELTER_REACH")                   # 500 m discs inside A and B, D at 300 m of SH2
    disc = math.pi / 4                                      # a disc of 500 m in a 1 km square
    assert reach.numerator == pytest.approx(1000 * disc + 500 * disc + 200, rel=1e-3)
    per = by_territory(reach)
    assert per[CODE["A"]].value == pytest.approx(100 * disc, rel=1e-3)
    assert per[CODE["C"]].value == 0

    places = value(world, "SHELTER_PLACES")
    assert places.value == pytest.approx(200 / 2400)        # SH3's capacity is unknown
    assert places.details == {"shelters": 3, "capacity_unknown": 1}
    per = by_territory(places)
    assert per[CODE["A"]].value == pytest.approx(0.15)
    assert per[CODE["D"]].value == pytest.approx(0.25)      # SH2 by its code
    assert per[CODE["B"]].reason == "capacity_unknown"
    assert per[CODE["C"]].value == 0


# ------------------------------------------------------------------------------ attribute shares
def test_attribute_shares(world):
    qr = value(world, "QR_TOURISM")
    assert (qr.numerator, qr.denominator, qr.value) == (2, 4, 50.0)      # T1 and T4 on D
    assert value(world, "QR_TOURISM", dt.date(2025, 9, 1)).value == 75.0  # T2's plate since then
    assert value(world, "QR_TOURISM_COUNT").value == 2
    assert value(world, "CNAP_DIIA_VALIDATION").value == pytest.approx(100 * 10 / 12)
    assert value(world, "CNAP_IDCARD").value == pytest.approx(100 * 4 / 12)
    equeue = value(world, "CNAP_EQUEUE")                    # C1 and C3 are units; only C1 books online
    assert (equeue.numerator, equeue.denominator) == (1, 2)
    assert value(world, "CNAP_EQUEUE_COUNT").value == 2
    quality = value(world, "CNAP_QUALITY_MONITORING")
    assert (quality.value, quality.details["unknown"]) == (50.0, 1)
    assert value(world, "DIIA_CENTRE").value == 0
    assert value(world, "IT_HUB_SEATS").value == pytest.approx(1000 * 12 / 2400)
    meta = value(world, "GEOPORTAL_METADATA")               # P3 is not in force
    assert (meta.numerator, meta.denominator, meta.value) == (1, 2, 50.0)
    assert value(world, "GEOPORTAL_METADATA", doc_types=["detailed_plan"]).value == 0


def test_platform_state(world):
    assert value(world, "TOURIST_INFO").value == 0          # nothing published
    set_published(world.conn, "tourist_objects", H, True, user="test")
    info = value(world, "TOURIST_INFO", clock.today())
    assert info.value == 1
    emap = value(world, "TOURIST_EMAP", clock.today())
    assert (emap.value, emap.numerator, emap.denominator) == (0, 1, 2)  # no routes
    assert value(world, "TOURIST_INFO", dt.date(2025, 1, 1)).value == 0   # published only today
    assert value(world, "GEOPORTAL_PUBLIC", clock.today()).value == 1
    assert value(world, "INVEST_GIS_LAYER", clock.today()).value == 0


# ------------------------------------------------------------------------------ not computable
def test_not_computable_says_why(world):
    density = value(world, "AIR_SENSOR_DENSITY", hromada=POINTS_ONLY)
    assert density.value is None and density.reason == "settlements_points_only"
    public = density.public()
    assert public["reason"]["en"] == "settlements are points only: density needs polygons (settlement boundaries)"
    assert public["reason"]["uk"].startswith("населені пункти задані лише точками")
    assert value(world, "ALERT", hromada=POINTS_ONLY).reason == "no_population"
    assert value(world, "ALERT", hromada=EMPTY).reason == "no_settlements"
    assert value(world, "SCHOOL_EJOURNAL").reason == "no_features"
    ecozagroza = value(world, "AIR_ECOZAGROZA")             # no sensor says either way
    assert ecozagroza.reason == "field_unknown"
    assert "ecozagroza_integrated" in ecozagroza.public()["reason"]["en"]
    pb = value(world, "SCHOOL_PB")
    assert pb.reason == "field_missing" and "school_pb_years" in pb.public()["reason"]["uk"]
    with world.conn.begin_nested() as sp:
        world.conn.execute(text("DELETE FROM hromady WHERE hromada = :h"), {"h": EMPTY})
        assert value(world, "AIR_SENSOR_COUNT", hromada=EMPTY).reason == "no_boundary"
        sp.rollback()


# ------------------------------------------------------------------------------ storage and reuse
def _ids(conn, code: str) -> list[int]:
    return conn.execute(indicator_value.select().with_only_columns(indicator_value.c.id).where(
        indicator_value.c.metric == code, indicator_value.c.hromada == H,
        indicator_value.c.as_of == D)).scalars().all()


def test_values_are_stored_with_provenance_and_reused(world):
    with world.conn.begin_nested() as sp:
        first = evaluate(world.conn, H, D, ["AIR_SENSOR_COUNT", "QR_TOURISM", "ALERT"], force=True)
        assert [v.recomputed for v in first] == [True, True, True]
        alert = next(v for v in first if v.metric == "ALERT")
        assert alert.inputs == {"alert_sirens": 4, "settlements": 5}
        assert alert.parameters == {"quad_segs": 32} and "audible_radius_m" in alert.method["en"]
        assert len(alert.settlements) == 5
        ids = {c: _ids(world.conn, c) for c in ("AIR_SENSOR_COUNT", "QR_TOURISM", "ALERT")}
        assert len(ids["ALERT"]) == 6                       # the громада and its five settlements

        again = evaluate(world.conn, H, D, ["AIR_SENSOR_COUNT", "QR_TOURISM", "ALERT"])
        assert [v.recomputed for v in again] == [False, False, False]
        assert {c: _ids(world.conn, c) for c in ids} == ids

        world.put("air_sensors", geom=Point(-5100, 0), code="S8")   # a new sensor in C
        after = {v.metric: v for v in evaluate(world.conn, H, D, ["AIR_SENSOR_COUNT", "QR_TOURISM"])}
        assert after["AIR_SENSOR_COUNT"].recomputed and after["AIR_SENSOR_COUNT"].value == 4
        assert after["AIR_SENSOR_COUNT"].inputs["air_sensors"] == 8
        assert not after["QR_TOURISM"].recomputed

        forced = evaluate(world.conn, H, D, ["QR_TOURISM"], force=True)[0]
        assert forced.recomputed and forced.value == 50.0
        world.conn.execute(indicator_value.update().where(indicator_value.c.metric == "QR_TOURISM")
                           .values(definition="an older definition"))
        assert evaluate(world.conn, H, D, ["QR_TOURISM"])[0].recomputed   # the definition changed

        other = evaluate(world.conn, H, D, ["CNAP_REACH"], parameters={"CNAP_REACH": {"distance_m": 3000}})[0]
        default = evaluate(world.conn, H, D, ["CNAP_REACH"])[0]
        assert other.value != default.value and len(_ids(world.conn, "CNAP_REACH")) == 2 * 6
        sp.rollback()

