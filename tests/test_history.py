"""Time model: stable ids, versions on every change, every previous version kept, dataset counters."""

import datetime as dt

from sqlalchemy import select, text

from gisplan import features as feats
from gisplan.db.models import dataset
from tests.conftest import BALAKLIIA

POINT = {"type": "Point", "coordinates": [36.8395, 49.4627]}  # Балаклія


def _count(conn, layer, hromada):
    return conn.execute(select(dataset.c.change_count).where(
        dataset.c.layer == layer, dataset.c.hromada == hromada)).scalar_one_or_none() or 0


def test_versions_and_history(engine):
    with engine.begin() as conn:
        before = _count(conn, "wifi_zones", BALAKLIIA)
        f = feats.create_feature(conn, "wifi_zones", {"name": "Парк", "access": "open"}, POINT, "olena")
        fid = f["id"]
        assert f["properties"]["version"] == 1
        assert f["properties"]["hromada"] == BALAKLIIA  # found by location
        assert f["properties"]["updated_by"] == "olena"

    with engine.begin() as conn:
        f2 = feats.update_feature(conn, "wifi_zones", fid, 1, {"name": "Центральний парк"}, None, "taras")
        assert f2["id"] == fid
        assert f2["properties"]["version"] == 2
        assert f2["properties"]["updated_by"] == "taras"
        assert f2["properties"]["created_at"] == f["properties"]["created_at"]

    with engine.begin() as conn:  # the same values again: no new version
        f3 = feats.update_feature(conn, "wifi_zones", fid, 2, {"name": "Центральний парк"}, None, "taras")
        assert f3["properties"]["version"] == 2

    with engine.begin() as conn:
        moved = {"type": "Point", "coordinates": [36.85, 49.47]}
        feats.update_feature(conn, "wifi_zones", fid, 2, {}, moved, "olena")

    with engine.begin() as conn:
        feats.delete_feature(conn, "wifi_zones", fid, 3, "admin")

    with engine.connect() as conn:
        hist = feats.history(conn, "wifi_zones", fid)
        assert [(h["version"], h["operation"], h["changed_by"]) for h in hist] == [
            (1, "UPDATE", "taras"), (2, "UPDATE", "olena"), (3, "DELETE", "admin")]
        assert hist[0]["name"] == "Парк"
        assert hist[1]["geometry"]["coordinates"] == [36.8395, 49.4627]
        assert hist[2]["geometry"]["coordinates"] == [36.85, 49.47]
        assert _count(conn, "wifi_zones", BALAKLIIA) == before + 4  # insert, 2 updates, delete


def test_stale_version_is_refused(engine):
    with engine.begin() as conn:
        fid = feats.create_feature(conn, "air_sensors", {"name": "S1"}, POINT, "a")["id"]
        feats.update_feature(conn, "air_sensors", fid, 1, {"name": "S1a"}, None, "a")
    with engine.begin() as conn:
        try:
            feats.update_feature(conn, "air_sensors", fid, 1, {"name": "lost update"}, None, "b")
        except feats.VersionConflict as exc:
            assert exc.current == 2
        else:
            raise AssertionError("a stale version was accepted")
    with engine.connect() as conn:
        assert feats.get_feature(conn, "air_sensors", fid, public=False)["properties"]["name"] == "S1a"


def test_as_of_date(engine):
    with engine.begin() as conn:
        old = feats.create_feature(conn, "alert_sirens", {"name": "стара", "audible_radius_m": 500,
                                   "installed_at": dt.date(2015, 1, 1), "removed_at": dt.date(2023, 6, 1)},
                                   POINT, "a")["id"]
        new = feats.create_feature(conn, "alert_sirens", {"name": "нова", "audible_radius_m": 700,
                                   "installed_at": dt.date(2024, 3, 1)}, POINT, "a")["id"]
        always = feats.create_feature(conn, "alert_sirens", {"name": "завжди", "audible_radius_m": 300},
                                      POINT, "a")["id"]

        def ids(day):
            page = feats.list_features(conn, "alert_sirens", public=False, hromada=BALAKLIIA,
                                       as_of=day, limit=1000)
            return {f["id"] for f in page.features} & {old, new, always}

        assert ids(dt.date(2022, 12, 31)) == {old, always}
        assert ids(dt.date(2023, 6, 1)) == {always}  # removed by that date
        assert ids(dt.date(2024, 12, 31)) == {new, always}
        conn.rollback()


def test_id_cannot_be_changed_by_sql(engine):
    with engine.begin() as conn:
        fid = feats.create_feature(conn, "it_hubs", {"name": "Хаб", "seats": 10}, POINT, "a")["id"]
        conn.execute(text("UPDATE it_hubs SET id = gen_random_uuid(), seats = 12 WHERE id = :id"), {"id": fid})
        row = conn.execute(text("SELECT id::text, version, seats, updated_by FROM it_hubs WHERE id = :id"),
                           {"id": fid}).one()
        assert (row.id, row.version, row.seats) == (fid, 2, 12)
        assert row.updated_by  # the database role when no application user is tagged
        conn.rollback()


def test_restore_versions_and_deleted_features(engine, client, make_user):
    from tests.conftest import auth

    _, _, token = make_user("planner", (BALAKLIIA,))
    h = auth(token)
    new = {"geometry": POINT, "properties": {"name": "Перша назва", "seats": 5}}
    fid = client.post("/api/layers/it_hubs/features", json=new, headers=h).json()["id"]
    client.patch(f"/api/layers/it_hubs/features/{fid}", json={"version": 1, "properties": {"name": "Друга", "seats": 9}}, headers=h)
    # restore version 1 while the feature exists: needs the current version
    r = client.post(f"/api/layers/it_hubs/features/{fid}/restore", json={"version": 1}, headers=h)
    assert r.status_code == 409
    r = client.post(f"/api/layers/it_hubs/features/{fid}/restore", json={"version": 1, "current_version": 2}, headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["properties"]["name"], r.json()["properties"]["seats"], r.json()["properties"]["version"]) == ("Перша назва", 5, 3)
    # delete, then bring it back: same id, history continues
    assert client.delete(f"/api/layers/it_hubs/features/{fid}", params={"version": 3}, headers=h).status_code == 204
    r = client.post(f"/api/layers/it_hubs/features/{fid}/restore", json={"version": 2}, headers=h)
    assert r.status_code == 200, r.text
    props = r.json()["properties"]
    assert (r.json()["id"], props["name"], props["version"]) == (fid, "Друга", 4)
    versions = client.get(f"/api/layers/it_hubs/features/{fid}/history", headers=h).json()["versions"]
    assert [(v["version"], v["operation"]) for v in versions] == [(1, "UPDATE"), (2, "UPDATE"), (3, "DELETE")]
    assert client.post(f"/api/layers/it_hubs/features/{fid}/restore", json={"version": 9, "current_version": 4},
                       headers=h).status_code == 404
