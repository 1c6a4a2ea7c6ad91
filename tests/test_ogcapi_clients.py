"""Real clients against OGC API – Features on a live server (loopback): OWSLib's
``owslib.ogcapi.features.Features`` and GDAL's OAPIF driver (``ogrinfo``, ``ogr2ogr``) read every
published demo layer with the feature counts of the ``pub`` views."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tests.live_server import live_server
from tests.conftest import KHMILNYK
from tests.test_ogcapi import SECRET_PHONE, pub_count, world  # noqa: F401  (the module's data fixture)

GDAL = pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="gdal-bin (Makefile TEST_APT_PACKAGES)")


@pytest.fixture(scope="module")
def server(app, world):  # noqa: F811

    with live_server(app) as url:
        yield url


def _published_layers(engine, hromada: str | None) -> list[str]:
    from sqlalchemy import text

    from gisplan.catalog import catalog

    sql = "SELECT DISTINCT layer FROM dataset WHERE published" + (" AND hromada = :h" if hromada else "")
    with engine.connect() as conn:
        found = set(conn.execute(text(sql), {"h": hromada}).scalars())
    return [name for name in catalog().names() if name in found]


@pytest.mark.parametrize("hromada", [KHMILNYK, None])
def test_owslib_reads_every_published_layer(server, engine, hromada):
    from owslib.ogcapi.features import Features

    url = f"{server}/{hromada}/ogcapi" if hromada else f"{server}/ogcapi"
    api = Features(url)
    assert api.conformance()["conformsTo"]
    assert api.api()["openapi"].startswith("3.0")
    listed = [c["id"] for c in api.collections()["collections"]]
    ids = [i for i in listed if not i.startswith("gap.")]
    assert ids == _published_layers(engine, hromada)
    gap_ids = listed[len(ids):]  # the computed gap layers follow (tests/test_gap_publication.py)
    assert gap_ids and all(i.startswith("gap.") for i in gap_ids)
    assert api.collection_items(gap_ids[0], limit=5)["type"] == "FeatureCollection"
    for layer in ids:
        seen: list[str] = []
        page = api.collection_items(layer, limit=500)
        while True:
            seen += [f["id"] for f in page["features"]]
            nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
            if not nxt:
                break
            after = nxt[0].split("after=")[1].split("&")[0]
            page = api.collection_items(layer, limit=500, after=after)
        assert len(seen) == len(set(seen)) == pub_count(engine, layer, hromada), layer
    some = next(layer for layer in ids if pub_count(engine, layer, hromada))
    first = api.collection_items(some, limit=1)["features"][0]
    one = api.collection_item(some, first["id"])
    assert one["type"] == "Feature" and one["properties"] == first["properties"]


def _ogr_counts(path) -> dict[str, int]:
    import pyogrio

    return {name: pyogrio.read_info(path, layer=name)["features"] for name, _ in pyogrio.list_layers(path)}


@GDAL
def test_gdal_lists_and_copies_every_published_layer(server, engine, tmp_path):
    url = f"OAPIF:{server}/{KHMILNYK}/ogcapi"
    info = subprocess.run(["ogrinfo", "-ro", "-q", url], capture_output=True, text=True, timeout=120)
    assert info.returncode == 0, info.stderr
    layers = _published_layers(engine, KHMILNYK)
    for layer in layers:
        assert f": {layer} " in info.stdout or f": {layer}\n" in info.stdout or layer in info.stdout
    out = tmp_path / "khmilnyk.gpkg"
    copy = subprocess.run(["ogr2ogr", "-f", "GPKG", str(out), url], capture_output=True, text=True, timeout=600)
    assert copy.returncode == 0, copy.stderr
    counts = _ogr_counts(out)
    gap_layers = {c for c in counts if c.startswith("gap.")}  # computed gap collections, read-only
    assert gap_layers and set(counts) == set(layers) | gap_layers
    for layer in layers:
        assert counts[layer] == pub_count(engine, layer, KHMILNYK), layer


@GDAL
def test_gdal_national_layer_with_filter_and_crs(server, engine, tmp_path):
    url = f"OAPIF:{server}/ogcapi"
    out = tmp_path / "shelters.geojson"
    copy = subprocess.run(["ogr2ogr", "-f", "GeoJSON", str(out), url, "shelters"],
                          capture_output=True, text=True, timeout=300)
    assert copy.returncode == 0, copy.stderr
    doc = json.loads(out.read_text())
    assert len(doc["features"]) == pub_count(engine, "shelters")
    assert SECRET_PHONE not in out.read_text()
    summary = subprocess.run(["ogrinfo", "-ro", "-so", url, "shelters"], capture_output=True, text=True, timeout=300)
    assert summary.returncode == 0, summary.stderr
    assert f"Feature Count: {pub_count(engine, 'shelters')}" in summary.stdout
    # GDAL 3.6 types fields from the first page: with the default page size the first shelters may
    # all lack a capacity, and the field would be read as text
    where = subprocess.run(["ogrinfo", "-ro", "-q", "-oo", "PAGE_SIZE=1000", "-where", "capacity >= 50", url,
                            "shelters"],
                           capture_output=True, text=True, timeout=300)
    assert where.returncode == 0, where.stderr
    assert where.stdout.count("OGRFeature(shelters)") == pub_count(engine, "shelters", where="t.capacity >= 50")
