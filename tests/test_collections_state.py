"""The anonymous OGC API collection list is kept by what it is drawn from (issue 17): the catalogue
version (publications, withdrawals, record UUIDs, territory) and the change counters of the boundary
layer (its extents are громада boxes); a громада's list also by its own published datasets (it links
their download files). An edit that changes the document moves its ETag; a feature edit of a listed
layer does not change the national list, and keeps its ETag and its kept answer.

Also: the list is drawn as before with fewer reads — one row per layer (``collection_extents.sql``)
instead of one per published dataset, and the gap collections with their boxes in one statement
(``gap_list.sql``) whose boxes are those of ``hromada_extent`` per громада, combined.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gisplan.datasets import set_published
from gisplan.publish.gap_publication import products
from gisplan.publish.metadata.records import hromada_extent
from gisplan.publish.ogcapi import documents
from gisplan.publish.ogcapi import gap_collections as gaps
from gisplan.publish.ogcapi.collections import listed, served
from gisplan.publish.ogcapi.collections_state import state_token
from gisplan.publish.ogcapi.endpoint import Endpoint
from gisplan.publish.response_cache import shared_cache
from gisplan.publish.sources import Scope
from tests.conftest import BALAKLIIA, KHMILNYK, KREMENCHUK

NATIONAL = "/ogcapi/collections"
DEMO = (BALAKLIIA, KHMILNYK, KREMENCHUK)


@pytest.fixture(scope="module")
def demo(engine):
    from gisplan.demo import load_demo

    load_demo(engine, user="collections-state-test")
    return DEMO


def fetch(client, path: str, tag: str | None = None):
    r = client.get(path, headers={"If-None-Match": tag} if tag else {})
    assert r.status_code in (200, 304), r.text[:300]
    return r


def tag_and_doc(client, path: str) -> tuple[str, bytes]:
    r = fetch(client, path)
    assert r.status_code == 200 and r.headers["etag"].startswith('"r-')
    return r.headers["etag"], r.content


def drawn_afresh(client, path: str) -> tuple[str, bytes]:
    """The answer with no kept copy in the process: drawn from the database now."""
    shared_cache().clear()
    return tag_and_doc(client, path)


def box_of(doc: dict, collection: str) -> list[float]:
    found = next(c for c in doc["collections"] if c["id"] == collection)
    return found["extent"]["spatial"]["bbox"][0]


# ------------------------------------------------------------------ drawn as before
@pytest.mark.parametrize("code", [None, KREMENCHUK])
def test_the_list_reads_one_row_per_layer_and_draws_the_same_document(engine, demo, code):
    endpoint = Endpoint("http://example.test", Scope(code))
    with engine.connect() as conn:
        per_dataset = served(conn, endpoint)
        per_layer = listed(conn, endpoint)
    assert [i.layer.name for i in per_layer] == [i.layer.name for i in per_dataset]
    assert [i.box() for i in per_layer] == [i.box() for i in per_dataset]
    assert documents.collections_list(endpoint, per_layer) == documents.collections_list(endpoint, per_dataset)
    if code is None:
        assert all(not i.datasets for i in per_layer)  # no dataset row read for the national list
        assert sum(len(i.datasets) for i in per_dataset) > len(per_layer)


@pytest.mark.parametrize("code", [None, KREMENCHUK, KHMILNYK])
def test_gap_boxes_in_one_statement_are_the_per_hromada_boxes(engine, demo, code):
    endpoint = Endpoint("http://example.test", Scope(code))
    with engine.connect() as conn:
        expected = products(conn, Scope(code))
        assert expected, "the demo publishes every gap's inputs somewhere"
        # the old way: hromada_extent once per громада of each gap layer, combined
        per_hromada = {}
        for p in expected:
            boxes = [hromada_extent(conn, h) for h in p.hromady]
            per_hromada[p.name] = (min(b[0] for b in boxes), min(b[1] for b in boxes),
                                   max(b[2] for b in boxes), max(b[3] for b in boxes))
        assert gaps.extents(conn, expected) == per_hromada
        listed_docs = gaps.list_documents(conn, endpoint)
        single = [gaps.collection_document(conn, endpoint, p, True, with_hromady=code is not None) for p in expected]
    assert [d["id"] for d in listed_docs] == [p.name for p in expected]
    assert [d["x-gisplan"]["hromadyCount"] for d in listed_docs] == [len(p.hromady) for p in expected]
    assert [tuple(d["extent"]["spatial"]["bbox"][0]) for d in listed_docs] == [per_hromada[p.name] for p in expected]
    assert listed_docs == single  # each collection's own document says the same
    if code is not None:
        assert [d["x-gisplan"]["hromady"] for d in listed_docs] == [[code]] * len(expected)


# ------------------------------------------------------------------ ETags
def test_a_feature_edit_keeps_the_national_list_and_moves_only_its_hromada_list(client, engine, demo):
    with engine.connect() as conn:
        fid, where = conn.execute(text(
            "SELECT s.id, s.hromada FROM shelters s JOIN dataset d ON d.layer = 'shelters' AND d.hromada = s.hromada "
            "AND d.published WHERE s.hromada = ANY(:demo) ORDER BY s.id LIMIT 1"), {"demo": list(DEMO)}).one()
        national_token = state_token(conn, None)
    other = next(h for h in DEMO if h != where)
    paths = (NATIONAL, f"/{where}/ogcapi/collections", f"/{other}/ogcapi/collections")
    before = {p: tag_and_doc(client, p) for p in paths}
    for p in paths:  # kept (answered before routing the second time): the same tag
        assert fetch(client, p).headers["etag"] == before[p][0]
        assert fetch(client, p, before[p][0]).status_code == 304
    with engine.begin() as conn:
        conn.execute(text("UPDATE shelters SET name = name || ' (змінено)' WHERE id = :i"), {"i": fid})
    with engine.connect() as conn:
        assert state_token(conn, None) == national_token  # the edit is not in the national state
    assert fetch(client, NATIONAL, before[NATIONAL][0]).status_code == 304
    assert fetch(client, NATIONAL).content == before[NATIONAL][1]
    assert fetch(client, f"/{other}/ogcapi/collections", before[paths[2]][0]).status_code == 304
    # the edited громада's list links the shelters' download files (their length follows the edit)
    assert fetch(client, f"/{where}/ogcapi/collections").headers["etag"] != before[paths[1]][0]
    # and keeping the ETag was right: the national list drawn afresh is the same document
    assert drawn_afresh(client, NATIONAL) == before[NATIONAL]


def test_a_boundary_edit_moves_the_national_list_and_its_extents(client, engine, demo):
    tag, body = tag_and_doc(client, NATIONAL)
    north = box_of(client.get(NATIONAL).json(), "shelters")[3]
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version FROM catalogue_version WHERE id")).scalar()
    # Кременчуцька's boundary 2° north: past the other demo громади (north edge 49.65°)
    with engine.begin() as conn:
        conn.execute(text("UPDATE hromady SET geom = ST_Translate(geom, 0, 2) WHERE hromada = :h"), {"h": KREMENCHUK})
    try:
        with engine.connect() as conn:  # a boundary edit moves the catalogue version too (its trigger)
            assert conn.execute(text("SELECT version FROM catalogue_version WHERE id")).scalar() > version
        moved = fetch(client, NATIONAL, tag)
        assert moved.status_code == 200 and moved.headers["etag"] != tag and moved.content != body
        assert box_of(moved.json(), "shelters")[3] > north + 1
        assert drawn_afresh(client, NATIONAL)[0] == moved.headers["etag"]
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE hromady SET geom = ST_Translate(geom, 0, -2) WHERE hromada = :h"),
                         {"h": KREMENCHUK})
    back = fetch(client, NATIONAL)
    assert back.headers["etag"] not in (tag, moved.headers["etag"])  # counters only grow: a new tag
    assert box_of(back.json(), "shelters")[3] == pytest.approx(north)


def test_a_publication_and_a_withdrawal_move_the_national_list(client, engine, demo):
    with engine.connect() as conn:
        assert conn.execute(text("SELECT published FROM dataset WHERE layer = 'shelters' AND hromada = :h"),
                            {"h": KREMENCHUK}).scalar() is True
    tag, body = tag_and_doc(client, NATIONAL)
    with engine.begin() as conn:
        set_published(conn, "shelters", KREMENCHUK, False, "collections-state-test")
    try:
        withdrawn = fetch(client, NATIONAL, tag)
        assert withdrawn.status_code == 200 and withdrawn.headers["etag"] != tag
        # the gap layers computed from shelters no longer count Кременчуцька
        assert withdrawn.content != body
    finally:
        with engine.begin() as conn:
            set_published(conn, "shelters", KREMENCHUK, True, "collections-state-test")
    again = fetch(client, NATIONAL, withdrawn.headers["etag"])
    assert again.status_code == 200 and again.headers["etag"] not in (tag, withdrawn.headers["etag"])
    assert again.json() == client.get(NATIONAL).json()
