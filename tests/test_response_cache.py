"""Anonymous WMS GetCapabilities / GetMap and OGC API – Features collections and items pages: a strong
ETag from the state of the datasets they are drawn from, 304 on If-None-Match, the answer kept in
the process; an edit moves the ETags (and drops the kept answers) of what it touches and nothing
else; signed-in answers and exception reports are never kept (issue 17, item 2)."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import text

from gisplan.datasets import set_published
from gisplan.publish.response_cache import shared_cache
from tests.conftest import KREMENCHUK, auth
from tests.test_tiles import UNPUBLISHED, world  # noqa: F401  (the module's data: the demo and three test shelters)

CAPS = "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"


def getmap(layer: str, lon: float, lat: float) -> str:
    x, y = lon * 20037508.34 / 180, math.log(math.tan((90 + lat) * math.pi / 360)) * 6378137
    return (f"/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:3857"
            f"&BBOX={x - 5000:.0f},{y - 5000:.0f},{x + 5000:.0f},{y + 5000:.0f}&WIDTH=256&HEIGHT=256&FORMAT=image/png")


def items(layer: str) -> str:
    return f"/ogcapi/collections/{layer}/items?limit=100"


def etag(client, path: str) -> str:
    r = client.get(path)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["cache-control"] == "public, no-cache"
    return r.headers["etag"]


def test_etag_304_and_the_kept_answer(client, world):  # noqa: F811
    for path in (CAPS, getmap("shelters", *world["krem"]), items("shelters"), "/ogcapi/collections"):
        first = client.get(path)
        tag = first.headers["etag"]
        assert first.status_code == 200 and tag.startswith('"r-')
        hits = shared_cache().hits
        again = client.get(path)
        assert again.status_code == 200 and again.headers["etag"] == tag and again.content == first.content
        assert shared_cache().hits == hits + 1, path  # the kept bytes, not drawn again
        revalidated = client.get(path, headers={"If-None-Match": tag})
        assert revalidated.status_code == 304 and revalidated.content == b"" and revalidated.headers["etag"] == tag
        assert client.get(path, headers={"If-None-Match": '"r-other"'}).status_code == 200


def test_an_edit_moves_what_it_touches_only(client, engine, world):  # noqa: F811
    touched = [getmap("shelters", *world["krem"]), items("shelters"), f"/{KREMENCHUK}/ogcapi/collections/shelters/items",
               f"/{KREMENCHUK}/ogcapi/collections"]
    # capabilities are built from the catalogue, not the features: an edit keeps their ETag (a publication
    # moves it: next test); so is the national collection list (its extents are громада boundaries:
    # tests/test_collections_state.py)
    untouched = [getmap("schools", *world["krem"]), items("schools"), f"/{KREMENCHUK}/ogcapi/collections/schools/items",
                 CAPS, f"/{KREMENCHUK}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities", "/ogcapi/collections"]
    before = {p: etag(client, p) for p in touched + untouched}
    with engine.begin() as conn:
        conn.execute(text("UPDATE shelters SET name = 'Укриття змінене кешем' WHERE id = :i"), {"i": world["secret"]})
    after = {p: etag(client, p) for p in touched + untouched}
    for p in touched:
        assert after[p] != before[p], p
    for p in untouched:
        assert after[p] == before[p], p
    edited = client.get(f"/{KREMENCHUK}/ogcapi/collections/shelters/items", params={"limit": 1000}).text
    assert "Укриття змінене кешем" in edited  # served at once, not a kept older page


def test_a_publication_moves_the_etags_and_the_answer(client, engine, world):  # noqa: F811
    path = f"/{UNPUBLISHED}/ogcapi/collections"
    hidden = etag(client, path)
    assert "shelters" not in [c["id"] for c in client.get(path).json()["collections"]]
    caps = etag(client, CAPS)
    with engine.begin() as conn:
        set_published(conn, "shelters", UNPUBLISHED, True, "cache-test")
    try:
        assert etag(client, path) != hidden and etag(client, CAPS) != caps
        assert "shelters" in [c["id"] for c in client.get(path).json()["collections"]]
    finally:
        with engine.begin() as conn:
            set_published(conn, "shelters", UNPUBLISHED, False, "cache-test")
    assert "shelters" not in [c["id"] for c in client.get(path).json()["collections"]]


def test_signed_in_answers_and_exception_reports_are_not_kept(client, make_user, world):  # noqa: F811
    _, _, token = make_user("planner", (KREMENCHUK,))
    signed = client.get(f"/{KREMENCHUK}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities", headers=auth(token))
    assert signed.status_code == 200 and not signed.headers.get("etag", "").startswith('"r-')
    assert signed.headers["cache-control"].startswith("private")
    full = client.get(f"/{KREMENCHUK}/ogcapi/collections/shelters/items", headers=auth(token))
    assert full.status_code == 200 and not full.headers.get("etag", "").startswith('"r-')
    broken = client.get("/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=shelters&STYLES=&CRS=EPSG:3857"
                        "&BBOX=1,1,0,0&WIDTH=256&HEIGHT=256&FORMAT=image/png")
    assert b"ServiceException" in broken.content and "etag" not in broken.headers


@pytest.mark.parametrize("path", [items("shelters") + "&f=html", "/ogcapi/collections?f=html"])
def test_html_pages_are_not_kept(client, world, path):  # noqa: F811
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "etag" not in r.headers
