"""Registration with the national geoportal and open data (issue 11): status per dataset (not
submitted → submitted → registered → changed, with the 10-working-day deadline), the registration
package listing every published demo dataset with URLs that answer, and the open-data export with
the Lviv shelter dictionary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from gisplan.db.models import dataset
from gisplan.demo import load_demo
from gisplan.registration.status import add_working_days
from gisplan.settings import clear_caches
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK, auth

BASE = "http://testserver"


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine, user="registration-test")
    with engine.connect() as conn:
        return conn.execute(select(dataset).where(dataset.c.hromada.in_((BALAKLIIA, KHMILNYK, KREMENCHUK)),
                                                  dataset.c.published)).all()


def _local(url: str) -> str:
    assert url.startswith(BASE), url
    return url[len(BASE):]


def _status(client, code: str, layer: str) -> dict:
    body = client.get(f"/api/hromady/{code}/registration").json()
    return next(d for d in body["datasets"] if d["layer"] == layer)


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 20)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 23)
    assert add_working_days(friday, 10) == dt.date(2026, 12, 4)
    assert add_working_days(dt.date(2026, 11, 23), 10) == dt.date(2026, 12, 7)


def test_status_follows_submission_registration_and_changes(client, demo, make_user):
    _, _, token = make_user("planner", (KHMILNYK,))
    _, _, other = make_user("planner", (BALAKLIIA,))
    first = _status(client, KHMILNYK, "schools")
    assert first["status"] == "not_submitted" and first["label"]["uk"] == "не подано"
    since = dt.date.fromisoformat(first["since"])
    assert first["deadline"] == add_working_days(since, 10).isoformat()

    url = f"/api/datasets/schools/{KHMILNYK}/registration"
    assert client.post(url, json={"status": "submitted"}).status_code == 401
    assert client.post(url, json={"status": "submitted"}, headers=auth(other)).status_code == 403
    assert client.post(url, json={"status": "approved"}, headers=auth(token)).status_code == 422
    r = client.post(url, json={"status": "submitted", "reference": "НІГД-2026-0001"}, headers=auth(token))
    assert r.status_code == 200 and r.json()["status"] == "submitted" and r.json()["deadline"] is None
    r = client.post(url, json={"status": "registered"}, headers=auth(token))
    assert r.json()["status"] == "registered" and r.json()["registered_at"]

    resp = client.post("/api/layers/schools/features", headers=auth(token), json={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [27.62, 49.56]},
        "properties": {"hromada": KHMILNYK, "name": "Школа для перевірки реєстрації", "kind": "general_secondary"}})
    assert resp.status_code in (200, 201), resp.text
    changed = _status(client, KHMILNYK, "schools")
    assert changed["status"] == "changed" and changed["label"]["uk"] == "змінено після реєстрації"
    assert changed["change_count"] == changed["registered_change_count"] + 1
    assert changed["deadline"] == add_working_days(dt.date.today(), 10).isoformat()
    summary = client.get(f"/api/hromady/{KHMILNYK}/registration").json()["summary"]
    assert summary["counts"]["changed"] >= 1
    assert summary["total"] == sum(summary["counts"].values()) == sum(1 for r in demo if r.hromada == KHMILNYK)


def test_unpublished_dataset_cannot_be_registered(client, demo, make_user):
    _, _, token = make_user("planner", (KHMILNYK,))
    r = client.post(f"/api/datasets/shelters/{KHMILNYK}/registration", json={"status": "submitted"},
                    headers=auth(token))
    assert r.status_code == 422 and "not published" in r.json()["detail"]


def test_package_lists_every_published_dataset_with_urls_that_answer(client, demo):
    resp = client.get(f"/api/hromady/{BALAKLIIA}/registration/package.zip")
    assert resp.status_code == 200 and resp.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(resp.content))
    rows = list(csv.DictReader(io.StringIO(z.read("datasets.csv").decode("utf-8-sig"))))
    published = {str(r.metadata_uuid): r.layer for r in demo if r.hromada == BALAKLIIA}
    assert {r["metadata_uuid"]: r["layer"] for r in rows} == published
    for r in rows:
        assert f"metadata/{r['metadata_uuid']}.xml" in z.namelist()
        for key in ("metadata_url", "wms_url"):
            assert client.get(_local(r[key])).status_code == 200, r[key]
    one = next(r for r in rows if r["layer"] == "shelters")
    for key in ("download_url", "opendata_url"):
        assert client.get(_local(one[key])).status_code == 200, one[key]
    data = json.loads(z.read("datasets.json"))
    kinds = [s["kind"] for s in data["services"]]
    assert kinds[:1] == ["wms"] and "csw" in kinds  # the app serves /{code}/csw: it has a record too
    for s in data["services"]:
        assert client.get(_local(s["metadata_url"])).status_code == 200, s
        assert f"metadata/{s['uuid']}.xml" in z.namelist()
    text = z.read("application.txt").decode()
    assert "недоступна в автономному режимі" in text
    assert "Балаклійська територіальна громада" in text and text.count("Метадані (ISO 19139)") == len(rows)


def test_application_template_can_be_replaced(client, demo, tmp_path, monkeypatch):
    template = tmp_path / "my_form.txt"
    template.write_text("Форма громади {{ hromada }}: {{ datasets | length }} наборів\n", encoding="utf-8")
    monkeypatch.setenv("GISPLAN_METADATA_REGISTRATION_TEMPLATE", str(template))
    clear_caches()
    try:
        z = zipfile.ZipFile(io.BytesIO(client.get(f"/api/hromady/{KREMENCHUK}/registration/package.zip").content))
        n = sum(1 for r in demo if r.hromada == KREMENCHUK)
        assert z.read("application.txt").decode() == f"Форма громади {KREMENCHUK}: {n} наборів\n"
    finally:
        monkeypatch.delenv("GISPLAN_METADATA_REGISTRATION_TEMPLATE")
        clear_caches()


def test_opendata_export_of_shelters(client, demo, make_user):
    _, _, token = make_user("planner", (BALAKLIIA,))
    added = client.post("/api/layers/shelters/features", headers=auth(token), json={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [36.54, 49.45]},
        "properties": {"hromada": BALAKLIIA, "code": "ПРУ-0042", "name": "Укриття відкритих даних",
                       "kind": "anti_radiation", "key_holder_phone": "+380 50 000 00 00"}})
    assert added.status_code in (200, 201), added.text
    resp = client.get(f"/api/datasets/shelters/{BALAKLIIA}/opendata.zip")
    assert resp.status_code == 200
    z = zipfile.ZipFile(io.BytesIO(resp.content))
    assert {"shelters.csv", "shelters.json", "shelters.geojson", "shelters_lviv.csv", "metadata.xml",
            "package.json"} == set(z.namelist())
    public = client.get(f"/api/layers/shelters/features?hromada={BALAKLIIA}&limit=1").json()["numberMatched"]
    assert public > 0
    geo = json.loads(z.read("shelters.geojson"))
    assert len(geo["features"]) == public == len(json.loads(z.read("shelters.json")))
    lviv = list(csv.DictReader(io.StringIO(z.read("shelters_lviv.csv").decode("utf-8-sig"))))
    assert len(lviv) == public
    assert list(lviv[0])[:7] == ["shelterId", "shelterType", "atuCode", "adressPostCode", "adressAdminUnitL1",
                                 "adressAdminUnitL2", "adressAdminUnitL3"]
    mine = next(r for r in lviv if r["shelterId"] == "ПРУ-0042")
    assert mine["shelterType"] == "протирадіаційне укриття" and mine["name"] == "Укриття відкритих даних"
    assert float(mine["longitude"]) == pytest.approx(36.54) and float(mine["latitude"]) == pytest.approx(49.45)
    kinds = {r["shelterType"] for r in lviv} - {""}
    assert kinds <= {"сховище", "протирадіаційне укриття", "швидкоспоруджувана захисна споруда",
                               "споруда подвійного призначення", "найпростіше укриття"}
    assert all(r["atuCode"].startswith("UA") and r["adressAdminUnitL1"] == "Україна" for r in lviv)
    assert {r["adressAdminUnitL2"] for r in lviv} == {"Харківська область"}
    assert {r["adressAdminUnitL3"] for r in lviv} == {"Ізюмський район"}
    for name in z.namelist():
        body = z.read(name).decode("utf-8-sig")
        assert "key_holder_phone" not in body and "+380 50 000 00 00" not in body, name
    pkg = json.loads(z.read("package.json"))
    assert pkg["license_id"] == "cc-by" and pkg["language"] == "uk"
    assert {r["name"] for r in pkg["resources"]} == set(z.namelist()) - {"package.json"}
    assert {"key": "katottg", "value": BALAKLIIA} in pkg["extras"]


def test_opendata_of_unpublished_dataset_is_404(client, demo):
    assert client.get(f"/api/datasets/shelters/{KHMILNYK}/opendata.zip").status_code == 404


def test_geoportal_indicator_reads_the_registration_status(client, engine, demo, make_user):
    """GEOPORTAL_REGISTERED: share of published datasets registered and unchanged; a stored value is
    recomputed when a registration is recorded, and a data change takes the dataset out again."""
    from zoneinfo import ZoneInfo

    from gisplan.indicators.engine import evaluate_metric
    from gisplan.indicators.registry import registry

    metric = registry().get("GEOPORTAL_REGISTERED")
    today = dt.datetime.now(ZoneInfo("Europe/Kyiv")).date()

    def value():
        with engine.begin() as conn:
            return evaluate_metric(conn, metric, KREMENCHUK, today)

    before = value()
    published = sum(1 for r in demo if r.hromada == KREMENCHUK)
    assert before.denominator == published and before.reason is None
    assert "shelters" in before.details["not_submitted"]
    assert not value().recomputed  # nothing changed: the stored value is reused

    _, _, token = make_user("planner", (KREMENCHUK,))
    url = f"/api/datasets/shelters/{KREMENCHUK}/registration"
    assert client.post(url, json={"status": "submitted"}, headers=auth(token)).status_code == 200
    submitted = value()
    assert submitted.recomputed and "shelters" in submitted.details["submitted"]
    assert submitted.numerator == before.numerator
    assert client.post(url, json={"status": "registered"}, headers=auth(token)).status_code == 200
    registered = value()
    assert registered.recomputed and registered.numerator == before.numerator + 1
    assert registered.value == pytest.approx(100.0 * registered.numerator / published)
    assert "shelters" in registered.details["registered"]

    resp = client.post("/api/layers/shelters/features", headers=auth(token), json={
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [33.42, 49.07]},
        "properties": {"hromada": KREMENCHUK, "name": "Укриття для перевірки показника", "kind": "simple"}})
    assert resp.status_code in (200, 201), resp.text
    changed = value()
    assert changed.numerator == before.numerator and "shelters" in changed.details["changed"]
    assert _status(client, KREMENCHUK, "shelters")["status"] == "changed"


def test_geoportal_indicator_without_published_data_gives_a_reason(engine, demo):
    from gisplan.indicators.engine import evaluate_metric
    from gisplan.indicators.registry import registry

    with engine.begin() as conn:
        v = evaluate_metric(conn, registry().get("GEOPORTAL_REGISTERED"), KHMILNYK, dt.date(2000, 1, 1))
    assert v.value is None and v.reason == "no_published"
    assert "2000-01-01" in v.public()["reason"]["uk"]
