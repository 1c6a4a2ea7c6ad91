"""The datasets' boxes that tiles find their datasets by (``dataset.extent``, migration 0014; issue 17):
they hold every feature after the demo load and after inserts, updates and a change of громада made by
any statement; a feature moved far from its dataset makes the tile at its new place draw it (not a
stale empty tile); deletions leave the box larger until :func:`recompute` shrinks it, after which the
tile there is empty without PostGIS being asked (cache counters); TileJSON's bounds follow the boxes."""

from __future__ import annotations

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from gisplan.catalog import catalog
from gisplan.demo import load_demo
from gisplan.features import create_feature, delete_feature, update_feature
from gisplan.publish.tiles.extents import recompute, recompute_all
from gisplan.publish.tiles.service import tile_service
from gisplan.publish.tiles.state import geometry_expression
from tests.conftest import KHMILNYK, KREMENCHUK
from tests.test_tiles import tile_of

LVIV = (24.0311, 49.8420)  # far from every demo громада: no published shelters dataset reaches it
UZHHOROD = (22.2879, 48.6208)
Z = 12


def _uncovered(engine) -> list[str]:
    """Datasets with a feature outside their box (or features and no box), over every layer."""
    bad = []
    with engine.connect() as conn:
        for layer in catalog():
            rows = conn.execute(text(
                f"SELECT t.hromada FROM public.\"{layer.table}\" t "
                f"JOIN dataset d ON d.layer = :layer AND d.hromada = t.hromada "
                f"WHERE {geometry_expression(layer)} IS NOT NULL "
                f"AND (d.extent IS NULL OR NOT d.extent ~ {geometry_expression(layer)}) "
                f"GROUP BY t.hromada"), {"layer": layer.name}).scalars().all()
            bad += [f"{layer.name}/{h}" for h in rows]
    return bad


def _box(engine, layer: str, hromada: str):
    with engine.connect() as conn:
        return conn.execute(text("SELECT ST_XMin(extent), ST_YMin(extent), ST_XMax(extent), ST_YMax(extent) "
                                 "FROM dataset WHERE layer = :l AND hromada = :h"), {"l": layer, "h": hromada}).one()


def _version(engine, fid) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT version FROM shelters WHERE id = :i"), {"i": fid}).scalar_one()


def _codes(response) -> list[str]:
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    return [f["properties"].get("code") for f in mapbox_vector_tile.decode(response.content)["shelters"]["features"]]


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="extent-test")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shelters WHERE code LIKE 'extent-%'"))
        point = conn.execute(text("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM hromady "
                                  "WHERE hromada = :h) s"), {"h": KREMENCHUK}).one()
    return tuple(point)


def test_every_feature_is_inside_its_datasets_box_after_the_load(engine, demo):
    assert _uncovered(engine) == []
    with engine.connect() as conn:  # and the boxes are the features' extents, not the whole world
        wide = conn.execute(text("SELECT count(*) FROM dataset WHERE ST_XMax(extent) - ST_XMin(extent) > 5 "
                                 "AND layer <> 'hromady'")).scalar_one()
    assert wide == 0


def test_statements_of_many_rows_and_a_change_of_hromada_grow_the_boxes(engine, demo):
    with engine.begin() as conn:  # one INSERT … SELECT of three rows, as an import writes
        conn.execute(text(
            "INSERT INTO shelters (hromada, katottg, code, name, capacity, source, geom) "
            "SELECT :h, :h, 'extent-bulk-' || i, 'Укриття extent', 10, 'test', "
            "ST_SetSRID(ST_MakePoint(:lon + i * 0.01, :lat), 4326) FROM generate_series(1, 3) i"),
            {"h": KHMILNYK, "lon": UZHHOROD[0], "lat": UZHHOROD[1]})
    west, _, east, _ = _box(engine, "shelters", KHMILNYK)
    assert west <= UZHHOROD[0] + 0.01 and east >= UZHHOROD[0] + 0.03
    with engine.begin() as conn:  # one of them given to Кременчуцька: its box grows to Uzhhorod too
        conn.execute(text("UPDATE shelters SET hromada = :k WHERE code = 'extent-bulk-3'"), {"k": KREMENCHUK})
    assert _box(engine, "shelters", KREMENCHUK)[0] <= UZHHOROD[0] + 0.03
    # a settlement known by its point only (no boundary): the box holds the point
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO settlements (hromada, katottg, code, name, category, source, point) "
            "VALUES (:h, :h, 'extent-point', 'Точка extent', 'village', 'test', ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"),
            {"h": KHMILNYK, "lon": LVIV[0], "lat": LVIV[1]})
    west, south, east, north = _box(engine, "settlements", KHMILNYK)
    assert west <= LVIV[0] <= east and south <= LVIV[1] <= north
    assert _uncovered(engine) == []
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM shelters WHERE code LIKE 'extent-bulk-%'"))
        conn.execute(text("DELETE FROM settlements WHERE code = 'extent-point'"))
        recompute(conn, catalog().get("shelters"))
        recompute(conn, catalog().get("settlements"))
    with engine.connect() as conn:  # shrunk back by recompute to what is left (nothing: no box)
        left = conn.execute(text("SELECT ST_XMin(ST_Extent(geom)), ST_YMin(ST_Extent(geom)), ST_XMax(ST_Extent(geom)), "
                                 "ST_YMax(ST_Extent(geom)) FROM shelters WHERE hromada = :h"), {"h": KHMILNYK}).one()
    assert tuple(_box(engine, "shelters", KHMILNYK)) == tuple(left)
    assert left[0] is None or left[0] > UZHHOROD[0] + 0.03


def test_a_feature_moved_far_away_is_drawn_at_its_new_place(client, engine, demo):
    service = tile_service(engine)
    with engine.begin() as conn:
        moved = create_feature(conn, "shelters", {"hromada": KREMENCHUK, "code": "extent-moved",
                                                  "name": "Укриття extent", "capacity": 7},
                               {"type": "Point", "coordinates": list(demo)}, "extent-test")
    kx, ky = tile_of(*demo, Z)
    lx, ly = tile_of(*LVIV, Z)
    home, far = f"/tiles/shelters/{Z}/{kx}/{ky}.mvt", f"/tiles/shelters/{Z}/{lx}/{ly}.mvt"
    assert "extent-moved" in _codes(client.get(home))
    before = service.cache.stats()
    empty = client.get(far)
    assert empty.status_code == 204
    assert service.cache.stats().misses == before.misses  # no dataset there: not even the cache asked

    with engine.begin() as conn:  # the planner swaps in a location ~550 km away, in the same громада
        update_feature(conn, "shelters", moved["id"], _version(engine, moved["id"]),
                       {}, {"type": "Point", "coordinates": list(LVIV)}, "extent-test")
    drawn = client.get(far, headers={"If-None-Match": empty.headers["etag"]})
    assert drawn.status_code == 200 and drawn.headers["etag"] != empty.headers["etag"]
    assert _codes(drawn) == ["extent-moved"]
    assert "extent-moved" not in _codes(client.get(home))

    # moved back: the box still reaches Lviv (it never shrinks by itself), so the tile there is
    # drawn (empty) from the dataset's new counter; the old place shows the feature again
    with engine.begin() as conn:
        update_feature(conn, "shelters", moved["id"], _version(engine, moved["id"]),
                       {}, {"type": "Point", "coordinates": list(demo)}, "extent-test")
    before = service.cache.stats()
    assert client.get(far).status_code == 204
    assert service.cache.stats().misses == before.misses + 1  # asked the cache, then PostGIS
    assert "extent-moved" in _codes(client.get(home))

    with engine.begin() as conn:  # shrunk to the features: Lviv is outside every box again
        assert recompute(conn, catalog().get("shelters")) >= 1
    west, _, _, _ = _box(engine, "shelters", KREMENCHUK)
    assert west > LVIV[0] + 1
    before = service.cache.stats()
    assert client.get(far).status_code == 204
    assert service.cache.stats().misses == before.misses  # no dataset met: PostGIS not asked
    assert "extent-moved" in _codes(client.get(home))

    with engine.begin() as conn:
        delete_feature(conn, "shelters", moved["id"], _version(engine, moved["id"]), "extent-test")
    assert "extent-moved" not in _codes(client.get(home))


def test_recompute_all_keeps_every_feature_covered_and_tilejson_follows(client, engine, demo):
    with engine.begin() as conn:
        recompute_all(conn)
    assert _uncovered(engine) == []
    doc = client.get(f"/{KREMENCHUK}/tiles/shelters.json").json()
    west, south, east, north = _box(engine, "shelters", KREMENCHUK)
    assert doc["bounds"] == [round(v, 6) for v in (west, south, east, north)]
    assert doc["datasets"] == 1
    with engine.connect() as conn:
        published = conn.execute(text("SELECT count(*) FROM dataset WHERE layer = 'shelters' AND published")).scalar()
    assert client.get("/tiles/shelters.json").json()["datasets"] == published


def test_cli_recomputes_the_boxes(engine, demo):
    from typer.testing import CliRunner

    from gisplan.cli import app

    with engine.begin() as conn:  # a box made too large by hand
        conn.execute(text("UPDATE dataset SET extent = ST_Envelope(ST_Collect(extent, ST_SetSRID(ST_MakePoint(:x, :y), "
                          "4326))) WHERE layer = 'shelters' AND hromada = :h"),
                     {"x": LVIV[0], "y": LVIV[1], "h": KREMENCHUK})
    r = CliRunner().invoke(app, ["dataset", "extents", "--layer", "shelters"])
    assert r.exit_code == 0, r.output
    assert "shelters" in r.output and "boxes changed 1" in r.output
    assert _box(engine, "shelters", KREMENCHUK)[0] > LVIV[0] + 1
    assert _uncovered(engine) == []
