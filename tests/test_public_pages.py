"""Residents' pages (issue 12) through the app: the громада list, the shelter page with its data
date and source, problem reports with their limit, the tourist map, object pages, QR links, the
folium embed with local assets only. Browser behaviour is in tests/test_browser_residents.py."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from gisplan.demo import BALAKLIIA, KHMILNYK, KREMENCHUK, load_demo
from gisplan.residents.problem_reports import reports_of
from gisplan.residents.i18n import missing_keys
from gisplan.residents.shelters import nearest_shelters
from gisplan.settings import residents_settings

OTHER_ORIGIN = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine)
    return engine


def _qr_object(engine):
    with engine.connect() as conn:
        return conn.execute(text(
            "SELECT id::text, hromada, qr_code, name FROM pub.tourist_objects "
            "WHERE qr_code IS NOT NULL AND hromada = :h ORDER BY qr_code LIMIT 1"), {"h": KREMENCHUK}).one()


def test_catalogues_have_the_same_keys():
    assert missing_keys() == {}


def test_home_links_hromady_with_public_maps(demo, client):
    r = client.get("/")
    assert r.status_code == 200
    for code in (BALAKLIIA, KHMILNYK, KREMENCHUK):
        assert f'href="/{code}/"' in r.text


def test_hromada_page(demo, client):
    r = client.get(f"/{BALAKLIIA}/")
    assert r.status_code == 200
    assert '<html lang="uk">' in r.text
    assert f'href="/{BALAKLIIA}/shelters"' in r.text and f'href="/{BALAKLIIA}/tourism"' in r.text
    en = client.get(f"/{BALAKLIIA}/?lang=en")
    assert '<html lang="en">' in en.text and "Public maps of the community" not in r.text
    assert client.get("/UA00000000000000000/").status_code == 404


def test_shelter_page_lists_every_public_shelter_with_date_and_source(demo, client):
    with demo.connect() as conn:
        names = conn.execute(text("SELECT id::text FROM pub.shelters WHERE hromada = :h"),
                             {"h": BALAKLIIA}).scalars().all()
    assert names, "the demo publishes Балаклійська's shelters"
    r = client.get(f"/{BALAKLIIA}/shelters", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    listed = set(re.findall(r'<li id="s-([0-9a-f-]{36})"', r.text))
    assert listed == set(names)
    # the February 2022 snapshot says so, with its source
    assert "25 лютого 2022" in r.text and "HalfdanJ/ua-shelter-map" in r.text
    assert 'id="stale"' in r.text
    en = client.get(f"/{BALAKLIIA}/shelters?lang=en")
    assert "February 25, 2022" in en.text and "Data as of" in en.text
    # no asset from another origin; Leaflet and GeographicLib are gisplan's own
    assert not OTHER_ORIGIN.search(r.text.split("<footer>")[0])
    assert "geodesic.Geodesic" in r.text or "Geodesic" in r.text
    for asset in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css"):
        assert client.get(asset).status_code == 200


def test_nearest_query_orders_by_geodesic_distance(demo):
    with demo.connect() as conn:
        rows = nearest_shelters(conn, BALAKLIIA, 36.8375, 49.4561, n=5)
    assert len(rows) == 5
    assert [r["metres"] for r in rows] == sorted(r["metres"] for r in rows)
    assert all(0 <= r["azimuth"] <= 360 for r in rows)


def test_problem_report_is_stored_and_rate_limited(demo, client, monkeypatch):
    with demo.connect() as conn:
        shelter = conn.execute(text("SELECT id::text FROM pub.shelters WHERE hromada = :h LIMIT 1"),
                               {"h": BALAKLIIA}).scalar_one()
        before = len(reports_of(conn, BALAKLIIA))
    monkeypatch.setenv("GISPLAN_REPORT_LIMIT", "2")
    residents_settings.cache_clear()
    try:
        form = {"shelter_id": shelter, "problem": "locked", "comment": "двері зачинені"}
        r = client.post(f"/{BALAKLIIA}/shelters/reports", data=form, follow_redirects=False)
        assert r.status_code == 303 and "report=sent" in r.headers["location"]
        assert client.post(f"/{BALAKLIIA}/shelters/reports", data=form | {"problem": "full"},
                           follow_redirects=False).status_code == 303
        third = client.post(f"/{BALAKLIIA}/shelters/reports", data=form)
        assert third.status_code == 429
        bad = client.post(f"/{BALAKLIIA}/shelters/reports", data=form | {"problem": "noisy"})
        assert bad.status_code == 422
        # a shelter of another громада is not accepted for this one
        with demo.connect() as conn:
            foreign = conn.execute(text("SELECT id::text FROM pub.shelters WHERE hromada = :h LIMIT 1"),
                                   {"h": KREMENCHUK}).scalar_one()
        assert client.post(f"/{BALAKLIIA}/shelters/reports",
                           data=form | {"shelter_id": foreign}).status_code == 404
    finally:
        residents_settings.cache_clear()
    with demo.connect() as conn:
        reports = reports_of(conn, BALAKLIIA)
    assert len(reports) == before + 2
    assert {r["problem"] for r in reports[:2]} == {"locked", "full"}
    assert "client_key" not in reports[0]


def test_planners_read_the_reports(demo, client, make_user):
    with demo.connect() as conn:
        shelter = conn.execute(text("SELECT id::text FROM pub.shelters WHERE hromada = :h LIMIT 1"),
                               {"h": KREMENCHUK}).scalar_one()
    form = {"shelter_id": shelter, "problem": "wrong_place", "comment": "вхід з двору"}
    assert client.post(f"/{KREMENCHUK}/shelters/reports", data=form,
                       follow_redirects=False).status_code == 303
    url = f"/api/hromady/{KREMENCHUK}/shelter-reports"
    assert client.get(url).status_code == 401
    _, _, outsider = make_user("planner", (KHMILNYK,))
    assert client.get(url, headers={"Authorization": f"Bearer {outsider}"}).status_code == 403
    _, _, planner = make_user("planner", (KREMENCHUK,))
    body = client.get(url, headers={"Authorization": f"Bearer {planner}"}).json()
    assert body["count"] >= 1
    newest = body["reports"][0]
    assert (newest["shelter_id"], newest["problem"], newest["comment"]) == (shelter, "wrong_place",
                                                                             "вхід з двору")
    assert "client_key" not in newest
    assert newest["status"] == "new" and newest["handled_by"] is None

    # triage: the громада's planner sets the status and a note; others may not
    triage = f"{url}/{newest['id']}"
    change = {"status": "resolved", "note": "позначку на карті виправлено"}
    assert client.patch(triage, json=change).status_code == 401
    assert client.patch(triage, json=change, headers={"Authorization": f"Bearer {outsider}"}).status_code == 403
    bad = client.patch(triage, json={"status": "done"}, headers={"Authorization": f"Bearer {planner}"})
    assert bad.status_code == 422 and "status" in bad.text
    elsewhere = client.patch(f"/api/hromady/{KREMENCHUK}/shelter-reports/{2**62}", json=change,
                             headers={"Authorization": f"Bearer {planner}"})
    assert elsewhere.status_code == 404
    done = client.patch(triage, json=change, headers={"Authorization": f"Bearer {planner}"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved" and done.json()["handled_at"] and "client_key" not in done.json()
    again = client.get(url, headers={"Authorization": f"Bearer {planner}"}).json()["reports"][0]
    assert (again["status"], again["note"]) == ("resolved", "позначку на карті виправлено")
    assert again["handled_by"] == done.json()["handled_by"] != None  # noqa: E711


def test_tourism_page_and_object_page(demo, client):
    r = client.get(f"/{KREMENCHUK}/tourism")
    assert r.status_code == 200
    with demo.connect() as conn:
        ids = conn.execute(text("SELECT id::text FROM pub.tourist_objects WHERE hromada = :h"),
                           {"h": KREMENCHUK}).scalars().all()
    assert ids
    for i in ids:
        assert f'/{KREMENCHUK}/objects/{i}"' in r.text
    obj = _qr_object(demo)
    page = client.get(f"/{KREMENCHUK}/objects/{obj.id}")
    assert page.status_code == 200 and obj.name in page.text
    en = client.get(f"/{KREMENCHUK}/objects/{obj.id}?lang=en")
    assert "Category" in en.text and "nature site" in en.text
    assert client.get(f"/{BALAKLIIA}/objects/{obj.id}").status_code == 404  # another громада's
    assert client.get(f"/{KREMENCHUK}/objects/not-a-uuid").status_code == 404


def test_qr_link_redirects_to_the_object(demo, client, monkeypatch):
    obj = _qr_object(demo)
    r = client.get(f"/q/{obj.qr_code}", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == f"/{KREMENCHUK}/objects/{obj.id}"
    assert client.get("/q/no-such-code").status_code == 404
    from gisplan.settings import server_settings
    monkeypatch.setenv("GISPLAN_PUBLIC_URL", "https://gis.example.ua")
    server_settings.cache_clear()
    try:
        r = client.get(f"/q/{obj.qr_code}", follow_redirects=False)
        assert r.headers["location"] == f"https://gis.example.ua/{KREMENCHUK}/objects/{obj.id}"
    finally:
        server_settings.cache_clear()


def test_embed_is_self_contained(demo, client):
    r = client.get(f"/{BALAKLIIA}/embed/shelters")
    assert r.status_code == 200
    assert '<html lang="uk">' in r.text
    assert "/static/vendor/leaflet/leaflet.js" in r.text
    assert not OTHER_ORIGIN.search(r.text), "folium's CDN links must be replaced by local assets"
    assert "cdn.jsdelivr" not in r.text and "bootstrapcdn" not in r.text
    assert "user-scalable=no" not in r.text  # residents may zoom the page (WCAG 1.4.4)
    assert client.get(f"/{BALAKLIIA}/embed/no_such_layer").status_code == 404


def test_service_worker_scope(client):
    r = client.get("/sw.js")
    assert r.status_code == 200 and r.headers["service-worker-allowed"] == "/"
    assert "javascript" in r.headers["content-type"]
