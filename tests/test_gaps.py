"""Gap layers and greedy siting suggestions on a hand-drawn fixture, checked by hand (issue 8).

The fixture lies in Макарівська громада (UA32080190000081428), which no other test uses, around the
centre of the largest circle inside its boundary. Shapes are drawn in metres on an azimuthal
equidistant projection centred there, then stored in EPSG:4326; the rows are committed (the API
reads them through its own connections) and deleted at the end of the module.

    settlement  shape                  centre (m)     residents  broadband
    A           square 1 km            (0, 0)         1000       yes
    B           square 1 km            (4000, 0)       600       no
    C           point                  (0, 3000)       300       no
    D           point                  (4500, 3000)    100       —
    E           not on the map                          50       no

    siren R1 (0, 0) r = 1000 m: covers all of A (its corners are 707 m away), nothing else
    air sensors: S1 in A; S2 at C by its КАТОТТГ code      Wi-Fi: W1 (open) in B
    mobile LTE: box x −1000…3800, y −1000…3500: A whole, 30 % of B, C inside, D outside
    shelters: SH1 in A (800 places), SH2 in B (700), SH3 at C by code (capacity unknown)
    CNAP: main office at (0, 0), reach 5 km: D (5408 m away) and E (unlocated) are beyond

Siren suggestions with a 3.5 km radius, by hand. Demand: B 600, C 300, D 100 (A is covered, E is
not on the map). Distances: A–B 4000, A–C 3000, B–D 3041, C–D 4500, A–D 5408, B–C 5000, so
A covers C (300); B covers B and D (700); C covers C (300); D covers D and B (700). Step 1: B and D
tie at 700 residents; B has the lower code: B, +700. Step 2: only C is left; A and C tie at 300; A.
Step 3: nothing left, so two suggestions for n = 3.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, box
from sqlalchemy import text

from conftest import auth
from gisplan.errors import GisplanError
from gisplan.gaps.compute import gap_collection
from gisplan.gaps.registry import gaps
from gisplan.gaps.siting import greedy, suggestions

H = "UA32080190000081428"  # Макарівська
D = dt.date(2025, 6, 30)
CODE = {k: f"UA320801909900000{n:02d}" for n, k in enumerate("ABCDE", start=1)}
LAYERS = ("settlements", "alert_sirens", "air_sensors", "wifi_zones", "mobile_coverage", "shelters",
          "cnap_points")


def square(cx, cy, w):
    return MultiPolygon([box(cx - w / 2, cy - w / 2, cx + w / 2, cy + w / 2)])


@pytest.fixture(scope="module")
def world(engine):
    with engine.begin() as conn:
        lon, lat, radius = conn.execute(text(
            "SELECT ST_X(c.center), ST_Y(c.center), ST_Distance(geography(c.center), geography(c.nearest)) "
            "FROM hromady h, ST_MaximumInscribedCircle(h.geom) c WHERE h.hromada = :h AND h.code = :h"),
            {"h": H}).one()
        assert radius > 6000, "the fixture needs 6 km around the centre inside the boundary"
        to_wgs84 = Transformer.from_crs(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84 +units=m",
                                        "EPSG:4326", always_xy=True)

        def put(layer, geom=None, point=None, **fields):
            cols = {"hromada": H, **fields}
            names, values, params = list(cols), [f":{n}" for n in cols], dict(cols)
            for col, shape in (("geom", geom), ("point", point)):
                if shape is not None:
                    names.append(col)
                    values.append(f"ST_GeomFromText(:{col}_wkt, 4326)")
                    params[f"{col}_wkt"] = shapely.transform(shape, to_wgs84.transform, interleaved=False).wkt
            conn.execute(text(f"INSERT INTO {layer} ({', '.join(names)}) VALUES ({', '.join(values)})"), params)

        put("settlements", geom=square(0, 0, 1000), code=CODE["A"], katottg=CODE["A"], name="A",
            population=1000, broadband_fixed=True)
        put("settlements", geom=square(4000, 0, 1000), code=CODE["B"], katottg=CODE["B"], name="B",
            population=600, broadband_fixed=False)
        put("settlements", point=Point(0, 3000), code=CODE["C"], katottg=CODE["C"], name="C",
            population=300, broadband_fixed=False)
        put("settlements", point=Point(4500, 3000), code=CODE["D"], katottg=CODE["D"], name="D", population=100)
        put("settlements", code=CODE["E"], katottg=CODE["E"], name="E", population=50, located=False,
            broadband_fixed=False)
        put("alert_sirens", geom=Point(0, 0), code="R1", audible_radius_m=1000, system_type="local")
        put("alert_sirens", geom=Point(4000, 0), code="R2", audible_radius_m=3000, system_type="local",
            status="planned")  # not in service: covers nothing
        put("air_sensors", geom=Point(100, 100), code="S1")
        put("air_sensors", geom=Point(0, 3100), code="S2", katottg=CODE["C"])
        put("wifi_zones", geom=Point(4100, 0), code="W1", name="W1", access="open")
        put("wifi_zones", geom=Point(100, 0), code="W2", name="W2", access="restricted")
        put("mobile_coverage", geom=MultiPolygon([box(-1000, -1000, 3800, 3500)]), operator="kyivstar",
            technology="lte_4g")
        put("shelters", geom=Point(0, 0), code="SH1", capacity=800)
        put("shelters", geom=Point(4000, 0), code="SH2", capacity=700)
        put("shelters", geom=Point(0, 3050), code="SH3", katottg=CODE["C"])
        put("cnap_points", geom=Point(0, 0), code="C1", name="ЦНАП", kind="main_office")
        put("cnap_points", geom=Point(4500, 3000), code="C2", name="Мобільна валіза", kind="mobile_case")
    yield
    with engine.begin() as conn:
        for layer in LAYERS:
            conn.execute(text(f"DELETE FROM {layer} WHERE hromada = :h"), {"h": H})


def names(fc):
    return [f["properties"]["name"] for f in fc["features"]]


def test_registry_declares_every_gap():
    assert set(gaps()) == {
        "settlements_without_broadband", "settlements_without_mobile", "settlements_without_air_sensor",
        "settlements_without_wifi", "population_outside_sirens", "population_beyond_shelters",
        "beyond_cnap", "shelter_deficit"}
    for g in gaps().values():
        assert g.name.uk and g.name.en and g.method.uk and g.method.en


def test_settlement_gaps(world, engine):
    with engine.connect() as conn:
        broadband = gap_collection(conn, H, "settlements_without_broadband", D)
        mobile = gap_collection(conn, H, "settlements_without_mobile", D)
        sensor = gap_collection(conn, H, "settlements_without_air_sensor", D)
        wifi = gap_collection(conn, H, "settlements_without_wifi", D)
    assert names(broadband) == ["B", "C", "E"]
    assert broadband["summary"] == {"features": 3, "settlements": 3, "residents": 950, "unlocated": 1}
    assert broadband["features"][2]["geometry"] is None
    assert names(mobile) == ["B", "D", "E"]
    b = mobile["features"][0]["properties"]
    assert b["covered_share"] == pytest.approx(0.3, abs=1e-3)
    assert names(sensor) == ["B", "D", "E"]
    assert names(wifi) == ["A", "C", "D", "E"]  # W2 in A is restricted


def test_population_outside_sirens(world, engine):
    with engine.connect() as conn:
        fc = gap_collection(conn, H, "population_outside_sirens", D)
    assert names(fc) == ["B", "C", "D", "E"]
    assert fc["summary"]["residents"] == pytest.approx(1050)
    assert fc["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert fc["features"][1]["geometry"]["type"] == "Point"
    # as of a day before R1 existed nobody is covered
    with engine.begin() as conn:
        conn.execute(text("UPDATE alert_sirens SET installed_at = '2025-07-01' WHERE hromada = :h AND code = 'R1'"),
                     {"h": H})
        before = gap_collection(conn, H, "population_outside_sirens", D)
        conn.rollback()
    assert before["summary"]["residents"] == pytest.approx(2050)


def test_shelter_deficit(world, engine):
    with engine.connect() as conn:
        fc = gap_collection(conn, H, "shelter_deficit", D)
    by_name = {f["properties"]["name"]: f["properties"] for f in fc["features"]}
    assert names(fc) == ["C", "A", "D", "E"]  # B has 700 places for 600 residents
    assert by_name["A"]["balance"] == -200 and by_name["A"]["places"] == 800
    assert by_name["C"]["balance"] == -300 and by_name["C"]["shelters_capacity_unknown"] == 1
    assert fc["summary"]["places_missing"] == 650


def test_beyond_cnap(world, engine):
    with engine.connect() as conn:
        fc = gap_collection(conn, H, "beyond_cnap", D)
        boundary_km2 = conn.execute(text(
            "SELECT ST_Area(geography(geom)) / 1e6 FROM hromady WHERE hromada = :h AND code = :h"), {"h": H}).scalar()
    (f,) = fc["features"]
    props = f["properties"]
    assert props["residents_beyond"] == pytest.approx(150)  # D and the unlocated E; C2 is a mobile case
    assert props["service_points"] == 1
    assert props["area_km2"] == pytest.approx(boundary_km2 - math.pi * 25, rel=0, abs=0.05)


def test_greedy_siren_suggestions_by_hand(world, engine):
    with engine.connect() as conn:
        fc = suggestions(conn, H, "sirens", 3, D, radius_m=3500)
    picks = [(f["properties"]["name"], f["properties"]["gain"], f["properties"]["covers"]) for f in fc["features"]]
    assert picks == [("B", 600 + 100, [CODE["B"], CODE["D"]]), ("A", 300, [CODE["C"]])]
    assert fc["features"][1]["properties"]["cumulative_gain"] == 1000
    assert fc["gain_unit"] == "residents"


def test_sensor_suggestions_close_one_settlement_each(world, engine):
    with engine.connect() as conn:
        fc = suggestions(conn, H, "sensors", 5, D)
    assert [(f["properties"]["name"], f["properties"]["gain"], f["properties"]["residents_gain"])
            for f in fc["features"]] == [("B", 1, 600), ("D", 1, 100)]  # E is not on the map


def test_greedy_counts_only_what_is_still_uncovered():
    row = lambda c, d, w: {"candidate": c, "name": c, "lon": 0, "lat": 0, "demand": d, "weight": w, "residents": w}
    pairs = [row("x", "1", 5), row("x", "2", 5), row("y", "2", 5), row("y", "3", 6), row("z", "3", 6)]
    picks = greedy(pairs, 3)
    # y (11) first; then x gains only 1's 5 and z nothing
    assert [(p["candidate"], p["gain"]) for p in picks] == [("y", 11), ("x", 5)]


def test_bad_input_is_named(world, engine):
    with engine.connect() as conn:
        with pytest.raises(GisplanError, match="kind"):
            suggestions(conn, H, "towers", 3, D)
        with pytest.raises(GisplanError, match="^n: "):
            suggestions(conn, H, "sirens", 0, D)
        with pytest.raises(GisplanError, match="gap"):
            gap_collection(conn, H, "no_such_gap", D)


def test_api_gaps_and_suggestions(world, client, make_user):
    _, _, token = make_user("viewer", (H,))
    _, _, other = make_user("viewer", ("UA63040010000010092",))
    r = client.get(f"/api/hromady/{H}/gaps/shelter_deficit?as_of={D}", headers=auth(token))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.json()["summary"]["places_missing"] == 650
    r = client.get(f"/api/hromady/{H}/suggestions/sirens?n=3&radius_m=3500&as_of={D}", headers=auth(token))
    assert [f["properties"]["name"] for f in r.json()["features"]] == ["B", "A"]
    assert client.get(f"/api/hromady/{H}/gaps/shelter_deficit").status_code == 401
    assert client.get(f"/api/hromady/{H}/gaps/shelter_deficit", headers=auth(other)).status_code == 403
    r = client.get(f"/api/hromady/{H}/gaps/nothing", headers=auth(token))
    assert r.status_code == 404 and "gap" in r.json()["detail"]
    assert client.get(f"/api/hromady/{H}/suggestions/towers", headers=auth(token)).status_code == 404
    assert len(client.get("/api/gaps").json()["gaps"]) == 8


@pytest.fixture(scope="module")
def demo(engine):
    from gisplan.demo import load_demo

    load_demo(engine, user="gaps-test")


@pytest.mark.parametrize("hromada", ["UA63040010000010092", "UA05120170000013778", "UA53020110000092487"])
def test_every_gap_and_suggestion_is_served_for_the_demo(demo, client, make_user, hromada):
    _, _, token = make_user("viewer", (hromada,))
    for name in gaps():
        r = client.get(f"/api/hromady/{hromada}/gaps/{name}", headers=auth(token))
        assert r.status_code == 200, (name, r.text)
        fc = r.json()
        assert fc["type"] == "FeatureCollection" and fc["summary"]["features"] == len(fc["features"])
        for f in fc["features"]:
            assert f["geometry"] is None or f["geometry"]["type"] in ("Point", "MultiPolygon")
    for kind, gap_name in (("sensors", "settlements_without_air_sensor"), ("wifi", "settlements_without_wifi"),
                           ("sirens", "population_outside_sirens"), ("shelters", "population_beyond_shelters")):
        r = client.get(f"/api/hromady/{hromada}/suggestions/{kind}?n=3", headers=auth(token))
        assert r.status_code == 200, (kind, r.text)
        feats = r.json()["features"]
        if kind in ("sirens", "shelters"):
            gains = [f["properties"]["gain"] for f in feats]
            assert gains == sorted(gains, reverse=True)
        # something is suggested exactly when part of the gap is on the map
        fc = client.get(f"/api/hromady/{hromada}/gaps/{gap_name}", headers=auth(token)).json()
        on_map = [f for f in fc["features"] if f["geometry"] is not None
                  and f["properties"].get("residents_outside", 1) > 0]
        assert bool(feats) == bool(on_map), (kind, fc["summary"])


def test_cli_gaps_compute_and_suggest(world, tmp_path):
    from typer.testing import CliRunner

    from gisplan.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["gaps", "compute", "--hromada", H, "--as-of", D.isoformat(),
                            "--gap", "shelter_deficit", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert f"{H} shelter_deficit as of {D}: features 4, places_missing 650" in r.output
    assert (tmp_path / H / "shelter_deficit.geojson").is_file()
    r = runner.invoke(app, ["gaps", "suggest", H, "sirens", "-n", "3", "--as-of", D.isoformat(),
                            "--radius-m", "3500"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0].startswith("1. B (") and "+700 residents" in r.output
    r = runner.invoke(app, ["gaps", "compute", "--hromada", H, "--gap", "nope"])
    assert r.exit_code != 0


def test_national_synthetic_set_is_deterministic(engine):
    """``gisplan demo load --national`` on the first 12 громади: the same rows twice, within the
    declared proportions, and nothing left behind by a reload."""
    from gisplan.synthetic.national import LAYERS, SOURCE, load_national

    def digest():
        with engine.connect() as conn:
            return {layer: conn.execute(text(
                f"SELECT md5(string_agg(coalesce(code, '') || ST_AsText(coalesce(geom, ST_Point(0, 0))), ',' "
                f"ORDER BY code, ST_AsText(geom))) FROM {layer} WHERE source = :s"), {"s": SOURCE}).scalar()
                for layer in LAYERS}

    try:
        first = load_national(engine, limit=12)
        d1 = digest()
        second = load_national(engine, limit=12)
        assert second == first and digest() == d1
        assert 12 * 15 <= first["settlements"] <= 12 * 25
        assert first["cnap_points"] == first["mobile_coverage"] == 12
        assert 1.5 < first["shelters"] / first["settlements"] < 2.5
        assert first["air_sensors"] < first["schools"]
    finally:
        with engine.begin() as conn:
            for layer in LAYERS:
                conn.execute(text(f"DELETE FROM {layer} WHERE source = :s"), {"s": SOURCE})
