"""Issue 16, no lost updates beyond features (tests/test_concurrency.py): every change to a program or
its parts bumps one edit version, and a dataset's metadata fields carry theirs; a change sent with a
stale ``If-Match`` gets 409 with the current version and changes nothing."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from tests.conftest import KREMENCHUK, auth


@pytest.fixture()
def program(client, make_user):
    _, _, token = make_user("planner", (KREMENCHUK,))
    r = client.post("/api/programs", headers=auth(token), json={
        "title": "Програма для перевірки блокування", "hromada": KREMENCHUK, "period_start": 2025, "period_end": 2027})
    assert r.status_code == 201, r.text
    return r.json()["id"], token


def _etag(client, pid, token) -> str:
    r = client.get(f"/api/programs/{pid}", headers=auth(token))
    assert r.status_code == 200
    return r.headers["etag"]


def test_stale_if_match_gets_409_and_changes_nothing(client, program):
    pid, token = program
    read = _etag(client, pid, token)
    assert read == f'"program-{pid}-1"'
    first = client.patch(f"/api/programs/{pid}", json={"title": "Перша зміна"},
                         headers={**auth(token), "If-Match": read})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] == f'"program-{pid}-2"' == _etag(client, pid, token)
    stale = client.patch(f"/api/programs/{pid}", json={"title": "Друга зміна з застарілої сторінки"},
                         headers={**auth(token), "If-Match": read})
    assert stale.status_code == 409, stale.text
    assert stale.json()["current_version"] == 2
    body = client.get(f"/api/programs/{pid}", headers=auth(token)).json()
    assert body["title"] == "Перша зміна"  # the first change is kept, the stale one is not applied
    assert _etag(client, pid, token) == f'"program-{pid}-2"'  # the refused change did not bump it


def test_parts_of_the_program_share_the_version(client, program):
    pid, token = program
    read = _etag(client, pid, token)
    added = client.post(f"/api/programs/{pid}/priorities", json={"name": "Цифрові послуги"},
                        headers={**auth(token), "If-Match": read})
    assert added.status_code == 201, added.text
    # the passport form read before the priority was added is now stale
    stale = client.patch(f"/api/programs/{pid}", json={"title": "x"}, headers={**auth(token), "If-Match": read})
    assert stale.status_code == 409
    # without If-Match a change is accepted (clients that do not read first), and still bumps the version
    assert client.patch(f"/api/programs/{pid}", json={"title": "y"}, headers=auth(token)).status_code == 200
    assert _etag(client, pid, token) == f'"program-{pid}-3"'


def test_bad_or_foreign_if_match(client, program):
    pid, token = program
    bad = client.patch(f"/api/programs/{pid}", json={"title": "x"}, headers={**auth(token), "If-Match": "abc"})
    assert bad.status_code == 422 and "If-Match" in bad.text
    foreign = client.patch(f"/api/programs/{pid}", json={"title": "x"},
                           headers={**auth(token), "If-Match": f'"program-{pid + 1000}-1"'})
    assert foreign.status_code == 409


def test_concurrent_edits_with_one_version_end_in_one_200_and_one_409(app, program):
    pid, token = program
    with TestClient(app) as c:
        read = _etag(c, pid, token)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def edit(title: str) -> None:
        with TestClient(app) as c:
            barrier.wait()
            results.append(c.patch(f"/api/programs/{pid}", json={"title": title},
                                   headers={**auth(token), "If-Match": read}).status_code)

    threads = [threading.Thread(target=edit, args=(t,)) for t in ("Зміна А", "Зміна Б")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [200, 409], results


def test_metadata_fields_refuse_a_stale_save(client, make_user, engine):
    from gisplan.demo import load_demo

    load_demo(engine)
    _, _, token = make_user("planner", (KREMENCHUK,))
    url = f"/api/layers/shelters/metadata?hromada={KREMENCHUK}"
    read = client.get(url, headers=auth(token))
    assert read.status_code == 200
    tag = read.headers["etag"]
    first = client.put(url, json={"title": "Укриття Кременчука (перша правка)"}, headers={**auth(token), "If-Match": tag})
    assert first.status_code == 200, first.text
    assert first.headers["etag"] != tag
    stale = client.put(url, json={"title": "Стара сторінка"}, headers={**auth(token), "If-Match": tag})
    assert stale.status_code == 409, stale.text
    assert stale.json()["current_version"] == int(first.headers["etag"].strip('"').split("-")[1])
    assert client.get(url, headers=auth(token)).json()["stored"]["title"] == "Укриття Кременчука (перша правка)"
    again = client.put(url, json={"title": "Друга правка"}, headers={**auth(token), "If-Match": first.headers["etag"]})
    assert again.status_code == 200, again.text
    assert client.put(url, json={"title": "x"}, headers={**auth(token), "If-Match": "nonsense"}).status_code == 422
