"""HTTP through the app: health, catalogue, features, role checks on writes, optimistic locking."""

from sqlalchemy import create_engine

from gisplan.datasets import set_published
from tests.conftest import BALAKLIIA, KHMILNYK, auth

BALAKLIIA_POINT = {"type": "Point", "coordinates": [36.8395, 49.4627]}


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert {k: body[k] for k in ("status", "database", "replica")} == {"status": "ok", "database": "ok",
                                                                       "replica": "none"}
    assert body["pid"] > 0  # the worker that answered (GISPLAN_WORKERS)


def test_healthz_503_when_database_down():
    from fastapi.testclient import TestClient

    from api.main import create_app

    dead = create_engine("postgresql+psycopg://nobody:x@127.0.0.1:9/none", connect_args={"connect_timeout": 2})
    with TestClient(create_app(dead)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503
    assert r.json()["database"] == "down"


def test_catalogue(client):
    body = client.get("/api/layers").json()
    names = [layer["name"] for layer in body["layers"]]
    assert len(names) == 18 and "shelters" in names
    shelters = client.get("/api/layers/shelters").json()
    assert shelters["title"]["uk"].startswith("Укриття")
    assert shelters["fields"]["kind"]["values"]["anti_radiation"]["uk"] == "протирадіаційне укриття"
    assert shelters["fields"]["key_holder_phone"]["public"] is False
    assert client.get("/api/layers/nonexistent").status_code == 404


def test_features_paging_and_filters(client, engine):
    with engine.begin() as conn:
        set_published(conn, "hromady", BALAKLIIA, True, "t")
        set_published(conn, "hromady", KHMILNYK, True, "t")
    r = client.get("/api/layers/hromady/features", params={"limit": 1})
    body = r.json()
    assert r.status_code == 200
    assert body["type"] == "FeatureCollection"
    assert body["numberReturned"] == 1 and body["numberMatched"] >= 2
    assert any(link["rel"] == "next" for link in body["links"])
    one = client.get("/api/layers/hromady/features", params={"hromada": KHMILNYK}).json()
    assert one["numberMatched"] == 1
    props = one["features"][0]["properties"]
    assert props["name"] == "Хмільницька" and props["population"] == 42994
    assert "updated_by" not in props  # anonymous: the pub view
    assert one["features"][0]["geometry"]["type"] == "MultiPolygon"
    # bbox around Балаклія: Балаклійська, not Хмільницька
    box = client.get("/api/layers/hromady/features",
                     params={"bbox": "36.80,49.40,36.90,49.50", "limit": 50}).json()
    codes = {f["properties"]["hromada"] for f in box["features"]}
    assert BALAKLIIA in codes and KHMILNYK not in codes
    assert client.get("/api/layers/hromady/features", params={"bbox": "1,2,3"}).status_code == 400
    assert client.get("/api/layers/hromady/features", params={"limit": 10**6}).status_code == 400
    assert client.get("/api/layers/hromady/features", params={"hromada": "UA123"}).status_code == 422


def test_write_requires_a_planner_of_that_hromada(client, make_user):
    new = {"type": "Feature", "geometry": BALAKLIIA_POINT, "properties": {"name": "Точка доступу", "access": "open"}}
    assert client.post("/api/layers/wifi_zones/features", json=new).status_code == 401
    _, _, viewer = make_user("viewer", (BALAKLIIA,))
    assert client.post("/api/layers/wifi_zones/features", json=new, headers=auth(viewer)).status_code == 403
    _, _, other = make_user("planner", (KHMILNYK,))
    r = client.post("/api/layers/wifi_zones/features", json=new, headers=auth(other))
    assert r.status_code == 403, r.text  # the point lies in Балаклійська
    _, _, planner = make_user("planner", (BALAKLIIA,))
    r = client.post("/api/layers/wifi_zones/features", json=new, headers=auth(planner))
    assert r.status_code == 201, r.text
    feature = r.json()
    assert feature["properties"]["hromada"] == BALAKLIIA
    fid = feature["id"]
    # someone else's planner may not change it either
    patch = {"version": 1, "properties": {"name": "Інша назва"}}
    assert client.patch(f"/api/layers/wifi_zones/features/{fid}", json=patch, headers=auth(other)).status_code == 403
    r = client.patch(f"/api/layers/wifi_zones/features/{fid}", json=patch, headers=auth(planner))
    assert r.status_code == 200 and r.json()["properties"]["version"] == 2
    stale = client.patch(f"/api/layers/wifi_zones/features/{fid}", json=patch, headers=auth(planner))
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    hist = client.get(f"/api/layers/wifi_zones/features/{fid}/history", headers=auth(planner)).json()
    assert [v["version"] for v in hist["versions"]] == [1]
    assert client.delete(f"/api/layers/wifi_zones/features/{fid}", params={"version": 1},
                         headers=auth(planner)).status_code == 409
    assert client.delete(f"/api/layers/wifi_zones/features/{fid}", params={"version": 2},
                         headers=auth(planner)).status_code == 204
    assert client.get(f"/api/layers/wifi_zones/features/{fid}", headers=auth(planner)).status_code == 404


def test_bad_input_names_the_field(client, make_user):
    _, _, planner = make_user("planner", (BALAKLIIA,))
    h = auth(planner)
    bad_enum = {"geometry": BALAKLIIA_POINT, "properties": {"name": "Wi-Fi", "access": "closed-ish"}}
    r = client.post("/api/layers/wifi_zones/features", json=bad_enum, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "access", r.text
    assert r.json()["detail"].startswith("access: Input should be 'open' or 'restricted'")
    missing = {"geometry": BALAKLIIA_POINT, "properties": {}}
    r = client.post("/api/layers/wifi_zones/features", json=missing, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "name"
    wrong_type = {"geometry": {"type": "LineString", "coordinates": [[36.8, 49.4], [36.9, 49.5]]}, "properties": {"name": "x", "access": "open"}}
    r = client.post("/api/layers/wifi_zones/features", json=wrong_type, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "geometry" and "expected Point" in r.json()["detail"]
    swapped = {"geometry": {"type": "Point", "coordinates": [49.46, 136.84]}, "properties": {"name": "x", "access": "open"}}
    r = client.post("/api/layers/wifi_zones/features", json=swapped, headers=h)
    assert r.status_code == 422 and "lon first" in r.json()["detail"]
    bowtie = {"type": "Polygon", "coordinates": [[[36.8, 49.4], [36.9, 49.5], [36.9, 49.4], [36.8, 49.5], [36.8, 49.4]]]}
    r = client.post("/api/layers/investment_objects/features", json={"geometry": bowtie, "properties": {"name": "x"}}, headers=h)
    assert r.status_code == 422 and "Self-intersection" in r.json()["detail"]
    outside = {"geometry": {"type": "Point", "coordinates": [10.0, 50.0]}, "properties": {"name": "x", "access": "open"}}
    r = client.post("/api/layers/wifi_zones/features", json=outside, headers=h)
    assert r.status_code == 422 and r.json()["field"] == "hromada"


def test_cookie_session(client, make_user):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    assert client.post("/api/auth/login", json={"username": name, "password": "wrong"}).status_code == 401
    r = client.post("/api/auth/login", json={"username": name, "password": password})
    assert r.status_code == 200 and r.json()["hromady"] == [BALAKLIIA]
    assert "gisplan_session" in client.cookies
    assert client.get("/api/auth/me").json()["username"] == name
    assert client.post("/api/auth/logout").status_code == 403  # no CSRF token (tests/test_security.py)
    csrf = {"X-CSRF-Token": client.cookies["gisplan_csrf"]}
    assert client.post("/api/auth/logout", headers=csrf).status_code == 204
    client.cookies.clear()
    assert client.get("/api/auth/me").status_code == 401


def test_login_form_and_pages(client, make_user):
    name, password, _ = make_user("planner", (BALAKLIIA,))
    page = client.get("/login")
    assert page.status_code == 200 and "Увійти" in page.text
    r = client.post("/login", data={"username": name, "password": password, "next": "/"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and name in home.text and "Громади" in home.text
    assert "OpenStreetMap" in home.text  # attribution of the shipped data
    bad = client.post("/login", data={"username": name, "password": "nope"}, follow_redirects=False)
    assert bad.headers["location"].startswith("/login?error=1")


def test_publish_requires_planner(client, make_user):
    _, _, other = make_user("planner", (KHMILNYK,))
    _, _, planner = make_user("planner", (BALAKLIIA,))
    url = f"/api/datasets/shelters/{BALAKLIIA}/publish"
    assert client.post(url).status_code == 401
    assert client.post(url, headers=auth(other)).status_code == 403
    r = client.post(url, headers=auth(planner))
    assert r.status_code == 200 and r.json()["published"] is True
    listed = client.get("/api/datasets", params={"hromada": BALAKLIIA}).json()["datasets"]
    assert {"layer": "shelters", "published": True}.items() <= next(
        d for d in listed if d["layer"] == "shelters").items()
    assert client.post(f"/api/datasets/shelters/{BALAKLIIA}/withdraw", headers=auth(planner)).json()["published"] is False


def test_territory(client):
    r = client.get("/api/hromady", params={"q": "Хмільницька"}).json()
    assert [h["code"] for h in r["hromady"]] == [KHMILNYK]
    unit = client.get(f"/api/territory/{KHMILNYK}").json()
    assert unit["level_name"] == "hromada"
    assert len([c for c in unit["children"] if c["level"] == 4]) == 42
    assert [p["level"] for p in unit["parents"]] == [2, 1]


def test_openapi(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/layers/{layer}/features" in spec["paths"]
