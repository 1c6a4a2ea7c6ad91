"""Issue 16: who may change what, and what never leaves to the public.

The role matrix walks ``app.routes`` (included routers flattened, as tests/test_urls.py does), so a
write route added later fails here until it is given a request below (or listed as public with a
reason). Every write route is sent a request that passes validation, with the ids of real demo
objects of Хмільницька: anonymous → 401, a viewer of the громада → 403, a planner of another
громада → 403, an executor of no project → 403. A 422 here would mean the rights check was never reached, so it fails the test.

The leak test plants secret values (non-public and sensitive shelter fields, a row marked not
public, a feature and an ISO title of an unpublished dataset) and greps every anonymous output
for them: JSON API, exports, open-data package, downloads, WMS, WFS, OGC API, CSW, Atom and the
residents' pages.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from gisplan import features as feats
from gisplan.datasets import set_published
from gisplan.demo import load_demo
from gisplan.program import load_demo_programs
from tests.conftest import BALAKLIIA, KHMILNYK, auth
from tests.test_urls import _flatten, _shape

WORKBOOK = Path(__file__).resolve().parents[1] / "gisplan" / "program" / "data" / "demo" / "khmilnyk.xlsx"
POINT = {"type": "Point", "coordinates": [27.8440, 49.5570]}  # in Хмільницька
BBOX_LONLAT = "27.843,49.556,27.845,49.558"
BBOX_LATLON = "49.556,27.843,49.558,27.845"

# routes that anyone may call, with the reason
PUBLIC_WRITES = {
    ("POST", "/api/auth/login"): "signing in",
    ("POST", "/api/auth/logout"): "signing out",
    ("POST", "/login"): "signing in from the form",
    ("POST", "/logout"): "signing out from a page",
    ("POST", "/csw"): "CSW queries with an XML body; reads only",
    ("POST", "/{}/csw"): "the same for one громада",
    ("POST", "/{}/shelters/reports"): "residents' problem reports, anonymous by design (rate-limited)",
}

# routes on the caller's own account: any signed-in user (viewers too), anonymous → 401
OWN_ACCOUNT_WRITES = {
    ("POST", "/api/auth/tokens"): "make an API token for myself (tests/test_security.py)",
    ("DELETE", "/api/auth/tokens/{}"): "revoke one of my API tokens (tests/test_security.py)",
}

# routes where the object is looked up before the rights check, so a random id answers 404
LOOKED_UP_FIRST = {
    ("POST", "/api/programs/imports/{}/review"):
        "the demo has no DOCX import; the import's program (and so its громада) is looked up first",
}

# the published part of Хмільницька's data that the leak test plants
PUBLIC_NAME = "zzpublic4711"
SECRETS = {
    "key_holder_phone": "zzphone4711",
    "owner_edrpou": "zzedrpou4711",
    "balance_holder": "zzbalance4711",
    "notes": "zznotes4711",
}
PRIVATE_ROW = "zzprivaterow4711"
UNPUBLISHED_FEATURE = "zzunpublished4711"
UNPUBLISHED_TITLE = "zzunpubtitle4711"
UNPUBLISHED_LAYER = "investment_objects"


@dataclass(frozen=True)
class World:
    program: int
    priority: int
    priority_code: str
    task: int
    project: int
    indicator: int
    shelter: str
    shelter_version: int
    tourist_object: str
    public_shelter: str
    private_shelter: str
    unpublished_feature: str
    viewer: str
    stranger: str
    planner: str
    executor: str = ""  # an executor assigned to no project (tests/test_security.py: one that is)


def _first(conn, sql: str, **params):
    row = conn.execute(text(sql), params).first()
    assert row is not None, f"the demo has no row for: {sql}"
    return row


@pytest.fixture(scope="module")
def world(engine, app, make_user) -> World:
    load_demo(engine, user="roles-test")
    with engine.begin() as conn:
        load_demo_programs(conn)
    _, _, viewer = make_user("viewer", (KHMILNYK,))
    _, _, stranger = make_user("planner", (BALAKLIIA,))
    _, _, planner = make_user("planner", (KHMILNYK,))
    _, _, executor = make_user("executor", ())
    with engine.begin() as conn:
        program = _first(conn, "SELECT id FROM program WHERE hromada = :h ORDER BY id", h=KHMILNYK).id
        prio = _first(conn, "SELECT id, code FROM program_priority WHERE program_id = :p ORDER BY seq", p=program)
        project = _first(conn, "SELECT id FROM program_project WHERE program_id = :p ORDER BY seq", p=program).id
        indicator = _first(conn, "SELECT id FROM program_indicator WHERE program_id = :p ORDER BY id", p=program).id
        # the demo has neither shelters nor tourist objects in Хмільницька: the matrix gets its own
        shelter = feats.create_feature(conn, "shelters", {"name": "Укриття для перевірки прав"}, POINT,
                                       "roles-test")
        tourist = feats.create_feature(conn, "tourist_objects", {"name": "Об’єкт для перевірки прав"}, POINT,
                                       "roles-test")
        public = feats.create_feature(conn, "shelters", {
            "name": PUBLIC_NAME, "kind": "simple", "capacity": 40, **SECRETS}, POINT, "roles-test")["id"]
        private = feats.create_feature(conn, "shelters", {"name": PRIVATE_ROW, "public": False},
                                       POINT, "roles-test")["id"]
        hidden = feats.create_feature(conn, UNPUBLISHED_LAYER, {"name": UNPUBLISHED_FEATURE},
                                      POINT, "roles-test")["id"]
        set_published(conn, "shelters", KHMILNYK, True, "roles-test")
        set_published(conn, UNPUBLISHED_LAYER, KHMILNYK, False, "roles-test")
    from fastapi.testclient import TestClient

    with TestClient(app) as c:  # Хмільницька's program lists no tasks: its planner adds one
        r = c.post(f"/api/programs/{program}/tasks", json={"priority": prio.code, "name": "Завдання для перевірки прав"},
                   headers=auth(planner))
        assert r.status_code == 201, r.text
    with engine.begin() as conn:
        task = _first(conn, "SELECT t.id FROM program_task t JOIN program_priority p ON p.id = t.priority_id "
                            "WHERE p.program_id = :p ORDER BY t.id DESC", p=program).id
    return World(program, prio.id, prio.code, task, project, indicator, shelter["id"],
                 shelter["properties"]["version"], tourist["id"], public, private, hidden,
                 viewer, stranger, planner, executor)


def _geojson_upload() -> dict:
    body = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"}, '
            f'"geometry": {{"type": "Point", "coordinates": {POINT["coordinates"]}}}}}]}}')
    return {"files": {"file": ("one.geojson", body.encode(), "application/geo+json")}}


def _workbook(**form) -> dict:
    return {"files": {"file": ("khmilnyk.xlsx", WORKBOOK.read_bytes(),
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
            "data": form}


def _requests(w: World) -> dict[tuple[str, str], tuple[str, dict]]:
    """(method, route shape) -> (url, request keywords): a request that passes validation."""
    p = f"/api/programs/{w.program}"
    proj = f"{p}/projects/{w.project}"
    ind = f"{p}/indicators/{w.indicator}"
    feat = f"/api/layers/shelters/features/{w.shelter}"
    link = {"json": {"layer": "shelters", "feature_id": w.shelter}}
    program_doc = {"title": "Програма", "hromada": KHMILNYK, "period_start": 2024, "period_end": 2026}
    table = {
        ("POST", "/api/layers/{}/features"):
            ("/api/layers/air_sensors/features", {"json": {"type": "Feature", "geometry": POINT, "properties": {}}}),
        ("PATCH", "/api/layers/{}/features/{}"):
            (feat, {"json": {"version": w.shelter_version, "properties": {"capacity": 1}}}),
        ("DELETE", "/api/layers/{}/features/{}"): (feat, {"params": {"version": w.shelter_version}}),
        ("POST", "/api/layers/{}/features/{}/restore"): (f"{feat}/restore", {"json": {"version": 1}}),
        ("POST", "/api/layers/{}/import"): ("/api/layers/air_sensors/import", _geojson_upload()),
        ("PUT", "/api/layers/{}/metadata"):
            ("/api/layers/shelters/metadata", {"params": {"hromada": KHMILNYK}, "json": {"title": "x"}}),
        ("POST", "/api/datasets/{}/{}/publish"): (f"/api/datasets/shelters/{KHMILNYK}/publish", {}),
        ("POST", "/api/datasets/{}/{}/withdraw"): (f"/api/datasets/shelters/{KHMILNYK}/withdraw", {}),
        ("POST", "/api/datasets/{}/{}/registration"):
            (f"/api/datasets/shelters/{KHMILNYK}/registration", {"json": {"status": "submitted"}}),
        ("PUT", "/api/hromady/{}/profile"): (f"/api/hromady/{KHMILNYK}/profile", {"json": {"email": "a@b.ua"}}),
        ("PATCH", "/api/hromady/{}/shelter-reports/{}"):
            (f"/api/hromady/{KHMILNYK}/shelter-reports/1", {"json": {"status": "resolved", "note": "x"}}),
        ("POST", "/api/hromady/{}/qr/{}/installed"):
            (f"/api/hromady/{KHMILNYK}/qr/{w.tourist_object}/installed", {"json": {"installed_at": "2025-05-01"}}),
        ("DELETE", "/api/hromady/{}/reports/{}"): (f"/api/hromady/{KHMILNYK}/reports/annual-2025.pdf", {}),
        ("POST", "/api/programs"): ("/api/programs", {"json": program_doc}),
        ("POST", "/api/programs/import"): ("/api/programs/import", _workbook(hromada=KHMILNYK)),
        ("POST", "/api/programs/imports/{}/review"):
            (f"/api/programs/imports/{10**6 + 7}/review", {"json": {"decisions": [{"indicator": "1"}]}}),
        ("PATCH", "/api/programs/{}"): (p, {"json": {"title": "x"}}),
        ("DELETE", "/api/programs/{}"): (p, {}),
        ("POST", "/api/programs/{}/submissions"): (f"{p}/submissions", {"json": {"year": 2025}}),
        ("POST", "/api/programs/{}/amendments"):
            (f"{p}/amendments", {"json": {"decision_number": "1", "decision_date": "2025-02-01",
                                          "program": program_doc}}),
        ("POST", "/api/programs/{}/amendments/import"):
            (f"{p}/amendments/import", _workbook(decision_number="1", decision_date="2025-02-01")),
        ("POST", "/api/programs/{}/priorities"): (f"{p}/priorities", {"json": {"name": "x"}}),
        ("PATCH", "/api/programs/{}/priorities/{}"): (f"{p}/priorities/{w.priority}", {"json": {"name": "x"}}),
        ("POST", "/api/programs/{}/tasks"): (f"{p}/tasks", {"json": {"priority": w.priority_code, "name": "x"}}),
        ("POST", "/api/programs/{}/tasks/{}/links"): (f"{p}/tasks/{w.task}/links", link),
        ("POST", "/api/programs/{}/projects"):
            (f"{p}/projects", {"json": {"name": "x", "priority": w.priority_code}}),
        ("PATCH", "/api/programs/{}/projects/{}"): (proj, {"json": {"name": "x"}}),
        ("DELETE", "/api/programs/{}/projects/{}"): (proj, {}),
        ("PUT", "/api/programs/{}/projects/{}/funding"): (f"{proj}/funding", {"json": []}),
        ("PUT", "/api/programs/{}/projects/{}/assignees"): (f"{proj}/assignees", {"json": {"usernames": []}}),
        ("POST", "/api/programs/{}/projects/{}/reports"):
            (f"{proj}/reports", {"json": {"year": 2025, "quarter": 1, "progress_pct": 10}}),
        ("POST", "/api/programs/{}/projects/{}/features"):
            (f"{proj}/features", {"json": {"layer": "air_sensors", "geometry": POINT, "properties": {}}}),
        ("POST", "/api/programs/{}/projects/{}/links"): (f"{proj}/links", link),
        ("DELETE", "/api/programs/{}/projects/{}/links/{}/{}"): (f"{proj}/links/shelters/{w.shelter}", {}),
        ("POST", "/api/programs/{}/indicators"): (f"{p}/indicators", {"json": {"name": "x"}}),
        ("PATCH", "/api/programs/{}/indicators/{}"): (ind, {"json": {"name": "x"}}),
        ("PUT", "/api/programs/{}/indicators/{}/targets"): (f"{ind}/targets", {"json": {"2025": 1}}),
        ("POST", "/api/programs/{}/indicators/{}/actuals"): (f"{ind}/actuals", {"json": {"year": 2025, "value": 1}}),
        ("POST", "/api/programs/{}/reports/{}/publish"):
            (f"{p}/reports/annual/publish", {"params": {"year": 2025, "format": "xlsx"}}),
    }
    return table


def _write_routes(app) -> set[tuple[str, str]]:
    return {(m, _shape(path)) for methods, path in _flatten(app.routes)
            for m in methods - {"GET", "HEAD", "OPTIONS"}}


def _placeholder_world() -> World:
    return World(1, 1, "1", 1, 1, 1, str(uuid.uuid4()), 1, str(uuid.uuid4()), str(uuid.uuid4()),
                 str(uuid.uuid4()), str(uuid.uuid4()), "", "", "")


WRITE_SHAPES = sorted(_requests(_placeholder_world()))


def test_every_write_route_is_in_the_matrix(app):
    covered = set(WRITE_SHAPES) | set(PUBLIC_WRITES) | set(OWN_ACCOUNT_WRITES)
    missing = _write_routes(app) - covered
    assert missing == set(), f"give these write routes a request in tests/test_roles.py: {sorted(missing)}"
    stale = covered - _write_routes(app)
    assert stale == set(), f"no longer routes of the app: {sorted(stale)}"


@pytest.mark.parametrize("who, expected", [("anonymous", 401), ("viewer", 403), ("stranger", 403),
                                           ("executor", 403)])
@pytest.mark.parametrize("method, shape", WRITE_SHAPES)
def test_write_route_refuses(client, world, method, shape, who, expected):
    url, kw = _requests(world)[(method, shape)]
    headers = {} if who == "anonymous" else auth(getattr(world, who))
    r = client.request(method, url, headers=headers, **kw)
    allowed = {expected}
    if who != "anonymous" and (method, shape) in LOOKED_UP_FIRST:
        allowed.add(404)
    assert r.status_code in allowed, f"{who} {method} {url}: {r.status_code} {r.text[:300]}"
    if r.status_code == 401:
        assert r.headers.get("www-authenticate") == "Bearer"


@pytest.mark.parametrize("method, shape", sorted(OWN_ACCOUNT_WRITES))
def test_own_account_write_needs_a_user(client, method, shape):
    r = client.request(method, shape.replace("{}", "1"), json={"name": "x"} if method == "POST" else None)
    assert r.status_code == 401 and r.headers.get("www-authenticate") == "Bearer", r.text


def test_refused_writes_changed_nothing(client, world):
    """After the whole matrix, the feature the refused PATCH/DELETE aimed at is as it was."""
    r = client.get(f"/api/layers/shelters/features/{world.shelter}", headers=auth(world.planner))
    assert r.status_code == 200
    assert r.json()["properties"]["version"] == world.shelter_version


# ---------------------------------------------------------------- nothing private in anonymous outputs
def _wms(path: str, layers: str = "shelters", **extra) -> str:
    params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetFeatureInfo", "LAYERS": layers, "QUERY_LAYERS": layers,
              "STYLES": "", "CRS": "EPSG:4326", "BBOX": BBOX_LATLON, "WIDTH": 101, "HEIGHT": 101,
              "I": 50, "J": 50, "FEATURE_COUNT": 50, **extra}
    return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


def _wfs(path: str, typename: str, **extra) -> str:
    params = {"SERVICE": "WFS", "VERSION": "2.0.0", "REQUEST": "GetFeature", "TYPENAMES": typename,
              "BBOX": f"{BBOX_LATLON},urn:ogc:def:crs:EPSG::4326", **extra}
    return path + "?" + "&".join(f"{k}={v}" for k, v in params.items())


H = KHMILNYK
TILE = "16/37836/22351"  # the zoom-16 tile holding POINT
CSW = ("?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecords&typeNames=csw:Record&resultType=results"
       "&elementSetName=full&maxRecords=200")
# (url, does the planted public shelter show in it?)  {public}/{private}/{hidden}: planted ids
PUBLIC_OUTPUTS = [
    (f"/api/layers/shelters/features?hromada={H}&bbox={BBOX_LONLAT}&limit=1000", True),
    ("/api/layers/shelters/features/{public}", True),
    ("/api/layers/shelters/features/{private}", False),
    (f"/api/layers/{UNPUBLISHED_LAYER}/features?hromada={H}&bbox={BBOX_LONLAT}", False),
    (f"/api/layers/{UNPUBLISHED_LAYER}/features/{{hidden}}", False),
    (f"/api/layers/shelters/export?format=geojson&hromada={H}&bbox={BBOX_LONLAT}", True),
    (f"/api/layers/shelters/export?format=csv&hromada={H}&bbox={BBOX_LONLAT}", True),
    (f"/api/layers/shelters/export?format=kml&hromada={H}&bbox={BBOX_LONLAT}", True),
    (f"/api/layers/shelters/export?format=gpkg&hromada={H}&bbox={BBOX_LONLAT}", True),
    (f"/api/layers/{UNPUBLISHED_LAYER}/export?format=geojson&hromada={H}", False),
    ("/api/datasets", False),
    (f"/api/datasets/shelters/{H}/opendata.zip", True),
    (f"/api/datasets/{UNPUBLISHED_LAYER}/{H}/opendata.zip", False),
    (f"/api/layers/{UNPUBLISHED_LAYER}/metadata?hromada={H}", False),
    (f"/{H}/downloads/shelters.geojson", True),
    (f"/{H}/downloads/shelters.gpkg", True),
    (f"/{H}/downloads/{UNPUBLISHED_LAYER}.geojson", False),
    (_wms(f"/{H}/ows", INFO_FORMAT="application/json"), True),
    (_wms(f"/{H}/ows", INFO_FORMAT="text/html"), True),
    (_wms("/ows", f"shelters,{UNPUBLISHED_LAYER}", INFO_FORMAT="text/xml"), True),
    (_wms(f"/{H}/ows", UNPUBLISHED_LAYER, INFO_FORMAT="application/json"), False),
    (f"/{H}/ows?SERVICE=WMS&REQUEST=GetCapabilities", False),
    (_wfs(f"/{H}/ows", "shelters"), True),
    (_wfs("/ows", "shelters", OUTPUTFORMAT="application/geo%2Bjson"), True),
    (_wfs(f"/{H}/ows", UNPUBLISHED_LAYER), False),
    (f"/{H}/ows?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities", False),
    (f"/ogcapi/collections/shelters/items?bbox={BBOX_LONLAT}&limit=1000", True),
    (f"/{H}/ogcapi/collections/shelters/items?bbox={BBOX_LONLAT}&limit=1000&f=html", True),
    ("/ogcapi/collections/shelters/items/{private}", False),
    (f"/ogcapi/collections/{UNPUBLISHED_LAYER}/items?bbox={BBOX_LONLAT}", False),
    (f"/{H}/ogcapi/collections", False),
    (f"/csw{CSW}", False),
    (f"/{H}/csw{CSW}&outputSchema=http://www.isotc211.org/2005/gmd", False),
    ("/atom/service.xml", False),
    (f"/atom/{H}/shelters.xml", False),
    (f"/atom/{H}/{UNPUBLISHED_LAYER}.xml", False),
    (f"/tiles/shelters/{TILE}.mvt", True),
    (f"/{H}/tiles/shelters/{TILE}.mvt", True),
    (f"/tiles/{UNPUBLISHED_LAYER}/{TILE}.mvt", False),
    (f"/{H}/tiles/{UNPUBLISHED_LAYER}/{TILE}.mvt", False),
    (f"/{H}/", False),
    (f"/{H}/shelters", False),
    (f"/{H}/embed/shelters", False),
    (f"/{H}/tourism", False),
]
NEVER = (*SECRETS.values(), PRIVATE_ROW, UNPUBLISHED_FEATURE, UNPUBLISHED_TITLE)


def _text_of(body: bytes) -> str:
    """The response as text; archives (open-data package, KMZ) with every member read."""
    if body[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return body.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def planted_title(world, app):
    """The unpublished dataset gets an ISO title that must never be shown."""
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        r = c.put(f"/api/layers/{UNPUBLISHED_LAYER}/metadata", params={"hromada": KHMILNYK},
                  json={"title": UNPUBLISHED_TITLE}, headers=auth(world.planner))
        assert r.status_code == 200, r.text
        assert UNPUBLISHED_TITLE in c.get(f"/api/layers/{UNPUBLISHED_LAYER}/metadata",
                                          params={"hromada": KHMILNYK}, headers=auth(world.planner)).text
    return UNPUBLISHED_TITLE


@pytest.mark.parametrize("template, shows_public", PUBLIC_OUTPUTS)
def test_no_private_value_in_anonymous_output(client, world, planted_title, template, shows_public):
    url = template.format(public=world.public_shelter, private=world.private_shelter,
                          hidden=world.unpublished_feature)
    r = client.get(url)
    assert r.status_code < 500, f"{url}: {r.status_code}"
    body = _text_of(r.content)
    leaked = [s for s in NEVER if s in body]
    assert leaked == [], f"{url} shows {leaked}"
    if shows_public:  # the request did reach the planted shelter: the grep above means something
        assert r.status_code == 200 and PUBLIC_NAME in body, f"{url}: {r.status_code} {body[:300]}"


def test_signed_in_reader_does_see_the_planted_values(client, world, planted_title):
    """The control: the same values are there for a reader of the громада."""
    r = client.get(f"/api/layers/shelters/features/{world.public_shelter}", headers=auth(world.viewer))
    assert r.status_code == 200
    assert r.json()["properties"]["key_holder_phone"] == SECRETS["key_holder_phone"]
    r = client.get(f"/api/layers/{UNPUBLISHED_LAYER}/features/{world.unpublished_feature}",
                   headers=auth(world.viewer))
    assert r.status_code == 200 and r.json()["properties"]["name"] == UNPUBLISHED_FEATURE
