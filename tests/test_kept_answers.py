"""Kept anonymous answers are served before routing (api/kept_answers.py) — and only while the state
they were drawn from is unchanged in the database (issue 17)."""

from __future__ import annotations

from sqlalchemy import text

from api.kept_answers import REMEMBERED
from gisplan.datasets import set_published
from tests.conftest import KREMENCHUK, auth
from tests.test_response_cache import CAPS, getmap, items
from tests.test_tiles import UNPUBLISHED, world  # noqa: F401  (the demo and three test shelters)


def served_before_routing(client, path: str, **kw):
    before = REMEMBERED.served
    r = client.get(path, **kw)
    return r, REMEMBERED.served - before


def test_a_repeated_request_is_answered_before_routing(client, world):  # noqa: F811
    for path in (CAPS, getmap("shelters", *world["krem"]), items("shelters"), "/ogcapi/collections"):
        first, early = served_before_routing(client, path)
        assert first.status_code == 200
        again, early = served_before_routing(client, path)
        assert early == 1, path
        assert again.status_code == 200 and again.content == first.content
        for header in ("etag", "content-type", "cache-control", "x-content-type-options", "x-gisplan-database"):
            assert again.headers[header] == first.headers[header], (path, header)
        revalidated, early = served_before_routing(client, path, headers={"If-None-Match": first.headers["etag"]})
        assert early == 1 and revalidated.status_code == 304 and revalidated.content == b""
        assert revalidated.headers["etag"] == first.headers["etag"]


def test_an_edit_is_seen_by_the_next_request(client, engine, world):  # noqa: F811
    path = f"/{KREMENCHUK}/ogcapi/collections/shelters/items?limit=1000"
    client.get(path)
    _, early = served_before_routing(client, path)
    assert early == 1
    with engine.begin() as conn:
        conn.execute(text("UPDATE shelters SET name = 'Перейменоване до маршрутизації' WHERE id = :i"),
                     {"i": world["secret"]})
    edited, early = served_before_routing(client, path)
    assert early == 0 and "Перейменоване до маршрутизації" in edited.text  # drawn again by the route
    again, early = served_before_routing(client, path)
    assert early == 1 and again.content == edited.content


def test_a_withdrawal_is_seen_by_the_next_request(client, engine, world):  # noqa: F811
    path = f"/{UNPUBLISHED}/ogcapi/collections"
    with engine.begin() as conn:
        set_published(conn, "shelters", UNPUBLISHED, True, "kept-test")
    try:
        client.get(path)
        listed, early = served_before_routing(client, path)
        assert early == 1 and "shelters" in [c["id"] for c in listed.json()["collections"]]
    finally:
        with engine.begin() as conn:
            set_published(conn, "shelters", UNPUBLISHED, False, "kept-test")
    hidden, early = served_before_routing(client, path)
    assert early == 0 and "shelters" not in [c["id"] for c in hidden.json()["collections"]]


def test_signed_in_and_other_variants_go_to_the_route(client, make_user, world):  # noqa: F811
    _, _, token = make_user("planner", (KREMENCHUK,))
    path = f"/{KREMENCHUK}/ogcapi/collections/shelters/items"
    client.get(path)
    client.get(path)
    signed, early = served_before_routing(client, path, headers=auth(token))
    assert early == 0 and signed.headers["cache-control"].startswith("private")
    html, early = served_before_routing(client, path, headers={"Accept": "text/html"})
    assert early == 0 and html.headers["content-type"].startswith("text/html")
    head, early = served_before_routing(client, path.replace("/items", "/items?limit=3"))
    assert early == 0  # another query: not remembered yet


def test_text_answers_are_kept_with_their_gzip(client, world):  # noqa: F811
    import gzip

    for path in (CAPS, "/ogcapi/collections"):
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        # both routed and served early: every representation carries Vary and its own strong ETag
        for _ in range(2):
            assert "content-encoding" not in plain.headers and "Accept-Encoding" in plain.headers["vary"]
            assert packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
            assert packed.headers["etag"] == plain.headers["etag"][:-1] + '-gz"'
            assert packed.content == plain.content  # httpx decodes the gzip
            assert int(packed.headers["content-length"]) < len(plain.content) / 3
            plain, early_plain = served_before_routing(client, path, headers={"Accept-Encoding": "identity"})
            packed, early_packed = served_before_routing(client, path, headers={"Accept-Encoding": "gzip"})
            assert early_plain == early_packed == 1
        with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as raw:
            assert gzip.decompress(b"".join(raw.iter_raw())) == plain.content
        for etag in (plain.headers["etag"], packed.headers["etag"]):
            r = client.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
            assert r.status_code == 304 and r.headers["etag"] == etag


def test_images_are_not_gzipped(client, world):  # noqa: F811
    path = getmap("shelters", *world["krem"])
    client.get(path)
    png, early = served_before_routing(client, path, headers={"Accept-Encoding": "gzip"})
    assert early == 1 and png.headers["content-type"] == "image/png" and "content-encoding" not in png.headers
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_national_tiles_are_answered_before_routing(client, engine, world):  # noqa: F811
    from tests.test_tiles import tile_of

    for prefix in ("/tiles/shelters/{z}/{x}/{y}.mvt",
                   "/ogcapi/collections/shelters/tiles/WebMercatorQuad/{z}/{y}/{x}"):
        x, y = tile_of(*world["krem"], 12)
        path = prefix.format(z=12, x=x, y=y)
        first = client.get(path)
        assert first.status_code == 200 and first.headers["content-type"] == "application/vnd.mapbox-vector-tile"
        again, early = served_before_routing(client, path)
        assert early == 1 and again.content == first.content
        for header in ("etag", "cache-control", "content-type", "access-control-expose-headers"):
            assert again.headers[header] == first.headers[header], header
        revalidated, early = served_before_routing(client, path, headers={"If-None-Match": first.headers["etag"]})
        assert early == 1 and revalidated.status_code == 304
        empty = prefix.format(z=12, x=0, y=0)  # the Pacific: no dataset reaches it
        assert client.get(empty).status_code == 204
        nothing, early = served_before_routing(client, empty)
        assert early == 1 and nothing.status_code == 204 and nothing.content == b""
    # an edit in the tile: its state moved, so the route draws it again (the new name is in the tile)
    x, y = tile_of(*world["krem"], 12)
    path = f"/tiles/shelters/12/{x}/{y}.mvt"
    before = client.get(path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE shelters SET name = 'Тайл після редагування' WHERE id = :i"), {"i": world["secret"]})
    after, early = served_before_routing(client, path)
    assert early == 0 and after.headers["etag"] != before.headers["etag"]
    assert "Тайл після редагування".encode() in after.content


def test_a_map_is_kept_by_the_datasets_its_area_meets(client, engine, world):  # noqa: F811
    """A GetMap's state is the datasets whose box meets its area: an edit in another громада keeps the
    image's ETag; a feature moved into the area from there moves it (its dataset's box grows)."""
    path = getmap("shelters", *world["krem"])
    first = client.get(path)
    assert first.status_code == 200
    with engine.begin() as conn:  # an edit far away (Балаклійська, ~250 km)
        conn.execute(text("UPDATE shelters SET capacity = capacity + 1 WHERE code = 'tiles-bal'"))
    same, early = served_before_routing(client, path)
    assert early == 1 and same.headers["etag"] == first.headers["etag"] and same.content == first.content
    krem_lon, krem_lat = world["krem"]
    with engine.begin() as conn:  # the far shelter moved next to the Кременчук one: in the image now
        conn.execute(text("UPDATE shelters SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326) "
                          "WHERE code = 'tiles-bal'"), {"x": krem_lon + 0.01, "y": krem_lat + 0.01})
    try:
        moved, early = served_before_routing(client, path)
        assert early == 0 and moved.headers["etag"] != first.headers["etag"]
        assert moved.content != first.content  # drawn again, with the moved shelter's symbol
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE shelters SET geom = ST_SetSRID(ST_MakePoint(:x, :y), 4326) "
                              "WHERE code = 'tiles-bal'"), {"x": world["bal"][0], "y": world["bal"][1]})
