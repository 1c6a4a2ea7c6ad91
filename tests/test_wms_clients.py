"""Real clients against the view service on a live server (loopback): OWSLib's WebMapService
(1.3.0 and 1.1.1) lists and draws the layers in every offered CRS, and GDAL (gdalinfo,
gdal_translate) reads the capabilities and a GetMap."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from PIL import Image

from tests.live_server import live_server
from tests.test_wms import KYIV_LONLAT, world  # noqa: F401  (the module's data fixture)

HALF = 1000.0  # metres around the Kyiv IT hub


@pytest.fixture(scope="module")
def server(app):
    with live_server(app) as url:
        yield url


def _box_around_kyiv(code: str) -> tuple[float, float, float, float]:
    """x,y bounds of about 2 km around the Kyiv point in ``code``."""
    from gisplan.publish.crs import service_crs, transformer

    x, y = transformer("EPSG:4326", code).transform(*KYIV_LONLAT)
    d = HALF / 111_320 if service_crs(code).geographic else HALF
    if code == "EPSG:3857":
        d = HALF / 0.637  # web-mercator metres at 50.45° N
    return (x - d, y - d, x + d, y + d)


def _marker_in_centre(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data)).convert("RGBA")
    w, h = image.size
    return any(image.getpixel((x, y))[3] > 200 for x in range(w // 2 - 2, w // 2 + 3)
               for y in range(h // 2 - 2, h // 2 + 3))


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_owslib_lists_and_draws_in_every_crs(server, world, version):  # noqa: F811
    from owslib.crs import Crs
    from owslib.wms import WebMapService

    from gisplan.publish.crs import SUPPORTED, service_crs

    service = WebMapService(f"{server}/{world['code']}/ows", version=version)
    assert {"it_hubs", "shelters"} <= set(service.contents)
    layer = service["it_hubs"]
    assert layer.title and layer.styles["default"]["legend"]
    assert set(SUPPORTED) <= set(layer.crsOptions)
    for code in SUPPORTED:
        xy = _box_around_kyiv(code)
        if version == "1.3.0" and Crs(code).axisorder == "xy":
            bbox = service_crs(code).from_xy(xy, version)  # OWSLib does not know UCS-2000's axis order
        else:
            bbox = xy
        image = service.getmap(layers=["it_hubs", "shelters"], styles=["", ""], srs=code, bbox=bbox,
                               size=(64, 64), format="image/png", transparent=True)
        data = image.read()
        assert data.startswith(b"\x89PNG"), data[:300]
        assert _marker_in_centre(data), f"{version} {code}: the Kyiv hub is not in the middle"


@pytest.mark.skipif(shutil.which("gdal_translate") is None, reason="gdal-bin (Makefile TEST_APT_PACKAGES)")
@pytest.mark.parametrize("code", ["EPSG:4326", "EPSG:3857", "EPSG:5564"])
def test_gdal_reads_capabilities_and_a_getmap(server, world, tmp_path, code):  # noqa: F811
    from gisplan.publish.crs import service_crs

    url = f"{server}/{world['code']}/ows"
    info = subprocess.run(["gdalinfo", f"WMS:{url}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"],
                          capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    assert "LAYERS=it_hubs" in info.stdout and "LAYERS=shelters" in info.stdout
    bbox = ",".join(repr(v) for v in service_crs(code).from_xy(_box_around_kyiv(code), "1.3.0"))
    source = (f"WMS:{url}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=it_hubs&CRS={code}"
              f"&BBOX={bbox}&FORMAT=image/png&TRANSPARENT=TRUE")
    out = tmp_path / "map.png"
    run = subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "1024", "1024", source, str(out)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert _marker_in_centre(out.read_bytes()), f"GDAL {code}: the Kyiv hub is not in the middle"
