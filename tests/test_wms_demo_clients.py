"""Every published demo layer of a громада, listed and drawn by real clients in every offered CRS:
OWSLib's WebMapService (1.3.0 and 1.1.1) and GDAL (gdalinfo, gdal_translate), on a live server.

The extent of each request is the layer's own features in that громада (from PostGIS), reprojected
into the CRS, so an image without a single drawn pixel means the layer was not drawn there."""

from __future__ import annotations

import io
import subprocess

import pytest
from PIL import Image
from sqlalchemy import text

from gisplan.catalog import catalog
from gisplan.demo import load_demo
from tests.conftest import BALAKLIIA
from tests.live_server import live_server


@pytest.fixture(scope="module")
def demo(engine):
    load_demo(engine)


@pytest.fixture(scope="module")
def server(app, demo):
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def extents(engine, demo) -> dict[str, tuple[float, float, float, float]]:
    """lon/lat extent of each published layer's public features in the громада, 5 % margin."""
    out = {}
    with engine.connect() as conn:
        published = conn.execute(text(
            "SELECT layer FROM dataset WHERE hromada = :h AND published ORDER BY layer"), {"h": BALAKLIIA}).scalars()
        for layer in published:
            spec = catalog().get(layer)
            geoms = ["geom", *spec.extra_geometries]
            expr = f"ST_Extent(coalesce({', '.join(geoms)}))" if len(geoms) > 1 else "ST_Extent(geom)"
            box = conn.execute(text(f'SELECT {expr} FROM pub."{layer}" WHERE hromada = :h'),
                               {"h": BALAKLIIA}).scalar()
            if box is None:
                continue
            (x0, y0), (x1, y1) = [map(float, p.split()) for p in box[4:-1].split(",")]
            mx, my = max((x1 - x0) * 0.05, 0.01), max((y1 - y0) * 0.05, 0.01)
            out[layer] = (x0 - mx, y0 - my, x1 + mx, y1 + my)
    assert len(out) >= 5, f"the demo громада publishes layers with features: {sorted(out)}"
    return out


def _bbox(code: str, lonlat: tuple[float, float, float, float], version: str, owslib: bool = False
          ) -> tuple[float, ...]:
    """The extent in ``code`` in the axis order of ``version``. OWSLib swaps the axes itself for
    the CRSs it knows to be lat/lon (EPSG:4326) but not for УСК-2000, so it gets x/y for those."""
    from owslib.crs import Crs

    from gisplan.publish.crs import service_crs, transformer

    xy = transformer("EPSG:4326", code).transform_bounds(*lonlat, densify_pts=21)
    if version != "1.3.0" or (owslib and Crs(code).axisorder == "yx"):
        return xy
    return service_crs(code).from_xy(xy, version)


def _drawn_pixels(data: bytes) -> int:
    assert data.startswith(b"\x89PNG"), data[:300]
    image = Image.open(io.BytesIO(data))
    assert image.mode in ("RGBA", "LA", "P"), f"a transparent map was asked for, got mode {image.mode}"
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.width * alpha.height - alpha.histogram()[0]


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_owslib_lists_and_draws_every_published_layer_in_every_crs(server, extents, version):
    from owslib.wms import WebMapService

    from gisplan.publish.crs import SUPPORTED

    service = WebMapService(f"{server}/{BALAKLIIA}/ows", version=version)
    assert set(extents) <= set(service.contents), set(extents) - set(service.contents)
    blank = []
    for layer, lonlat in extents.items():
        assert set(SUPPORTED) <= set(service[layer].crsOptions), layer
        for code in SUPPORTED:
            image = service.getmap(layers=[layer], styles=[""], srs=code, bbox=_bbox(code, lonlat, version, owslib=True),
                                   size=(128, 128), format="image/png", transparent=True)
            if _drawn_pixels(image.read()) == 0:
                blank.append(f"{layer} {code}")
    assert not blank, f"{version}: nothing drawn for {blank}"


@pytest.mark.parametrize("code", ["EPSG:4326", "EPSG:3857", "EPSG:5561", "EPSG:5564", "EPSG:6384"])
def test_gdal_lists_and_draws_every_published_layer(server, extents, tmp_path, code):
    url = f"{server}/{BALAKLIIA}/ows"
    info = subprocess.run(["gdalinfo", f"WMS:{url}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"],
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    listed = {line.split("LAYERS=")[1].split("&")[0] for line in info.stdout.splitlines() if "LAYERS=" in line}
    assert set(extents) <= listed, set(extents) - listed
    blank = []
    for layer, lonlat in extents.items():
        bbox = ",".join(repr(v) for v in _bbox(code, lonlat, "1.3.0"))
        source = (f"WMS:{url}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&CRS={code}"
                  f"&BBOX={bbox}&FORMAT=image/png&TRANSPARENT=TRUE")
        out = tmp_path / f"{layer}.png"
        run = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", source, str(out)],
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, f"{layer}: {run.stderr}"
        if _drawn_pixels(out.read_bytes()) == 0:
            blank.append(layer)
    assert not blank, f"GDAL {code}: nothing drawn for {blank}"
