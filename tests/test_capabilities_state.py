"""A WMS capabilities document is kept under the catalogue version (api/routes/ows.py): it must depend
on nothing else — a feature edit leaves its bytes as they were (its updateSequence is the catalogue
version), and a boundary edit, which moves its box, moves the version (issue 17)."""

from __future__ import annotations

import re

from sqlalchemy import text

from gisplan.publish.catalogue_version import catalogue_version
from gisplan.publish.response_cache import shared_cache
from tests.conftest import KREMENCHUK
from tests.test_tiles import world  # noqa: F401  (the demo and three test shelters)

CAPS = f"/{KREMENCHUK}/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"


def west_bound(document: str) -> float:
    return float(re.search(r"<westBoundLongitude>([-\d.]+)</westBoundLongitude>", document)[1])


def test_a_feature_edit_leaves_the_document_as_it_was(client, engine, world):  # noqa: F811
    first = client.get(CAPS)
    with engine.connect() as conn:
        version = catalogue_version(conn)
    assert f'updateSequence="{version}"' in first.text
    with engine.begin() as conn:
        conn.execute(text("UPDATE shelters SET capacity = capacity + 1 WHERE id = :i"), {"i": world["secret"]})
    shared_cache().clear()  # drawn afresh: the same bytes under the same ETag
    again = client.get(CAPS)
    assert again.headers["etag"] == first.headers["etag"] and again.content == first.content


def test_a_boundary_edit_moves_the_box_and_the_etag(client, engine, world):  # noqa: F811
    first = client.get(CAPS)
    with engine.begin() as conn:
        conn.execute(text("UPDATE hromady SET geom = ST_Translate(geom, 0.5, 0) WHERE hromada = :h"),
                     {"h": KREMENCHUK})
    try:
        moved = client.get(CAPS)
        assert moved.headers["etag"] != first.headers["etag"]
        assert abs(west_bound(moved.text) - west_bound(first.text) - 0.5) < 1e-6
        assert int(re.search(r'updateSequence="(\d+)"', moved.text)[1]) > \
            int(re.search(r'updateSequence="(\d+)"', first.text)[1])
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE hromady SET geom = ST_Translate(geom, -0.5, 0) WHERE hromada = :h"),
                         {"h": KREMENCHUK})
