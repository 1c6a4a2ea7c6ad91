"""Benchmark: computed WMS layers (gaps, indicators) — what a GetMap tile would cost if the layer
were computed for every tile, against a tile drawn from the kept result.

On the three demo громади, for each gap and a few indicator layers, anonymously at ``/ows`` (every
громада with published inputs): the median time to compute the layer (the gap / metric SQL over the
pub views, per громада, as :func:`gisplan.publish.choropleth_data.compute` does) and the median of
a 256×256 EPSG:3857 GetMap over a demo громада drawn from the kept result, through the service
handler (no HTTP). The anchor is the same GetMap of the catalogue layer ``settlements`` straight
from PostGIS, in the same run. Ratio = (compute + tile) ÷ kept tile: how much slower every tile
would be without the cache.

Run ``.venv/bin/python bench/wms_choropleth.py``; it uses its own temporary cluster unless
GISPLAN_DATABASE_URL is set (then the demo must be loadable there). BENCH_REPEAT sets the repeats.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
LAYERS = ["gap.settlements_without_broadband", "gap.settlements_without_mobile", "gap.population_outside_sirens",
          "gap.population_beyond_shelters", "gap.beyond_cnap", "indicator.shelter_reach",
          "indicator.mobile_population_share.settlements", "indicator.wifi_zones"]
KHMILNYK_3857 = (3097000.0, 6352000.0, 3136000.0, 6378000.0)  # around Хмільник, web-mercator metres


def median_ms(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    from gisplan.boundaries import load_boundaries
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    cluster = None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    work = Path(tempfile.mkdtemp(prefix="gisplan-bench-choropleth-", dir="/tmp"))
    os.chmod(work, 0o755)
    if not url:
        cluster = Cluster(DatabaseSettings(home=work / "cluster", database_url=None))
        url = cluster.create_database("bench")
        os.environ["GISPLAN_DATABASE_URL"] = url
        clear_caches()
    try:
        engine = make_engine(url)
        if cluster is not None:
            upgrade(engine)
            data = path_settings().data_dir
            with engine.begin() as conn:
                load_codifier(conn, find_codifier(data))
            with engine.begin() as conn:
                load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
            from gisplan.demo import load_demo

            load_demo(engine, user="bench")
        run(engine)
    finally:
        if cluster is not None:
            cluster.destroy()


def run(engine) -> None:
    from gisplan import clock
    from gisplan.publish.choropleth_data import RESULTS, _targets, compute
    from gisplan.publish.choropleth_layers import choropleth_layers
    from gisplan.publish.sources import Scope
    from gisplan.publish.wms_service import Endpoint, handle

    scope = Scope()
    endpoint = Endpoint(scope, "http://bench/ows?", "http://bench", engine)

    def tile(layer: str) -> None:
        params = {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": layer, "STYLES": "",
                  "CRS": "EPSG:3857", "BBOX": ",".join(str(v) for v in KHMILNYK_3857), "WIDTH": "256",
                  "HEIGHT": "256", "FORMAT": "image/png", "TRANSPARENT": "TRUE"}
        r = handle(endpoint, params)
        assert r.media_type.startswith("image/"), r.body[:300]

    tile("settlements")  # warm Mapnik and the map pool
    anchor = median_ms(lambda: tile("settlements"))
    print(f"anchor: GetMap 256×256 of the catalogue layer settlements from PostGIS: {anchor:.1f} ms (median "
          f"of {REPEAT})")
    print(f"{'layer':48} {'hromady':>7} {'compute ms':>11} {'kept tile ms':>13} {'tile/anchor':>11} "
          f"{'uncached÷kept':>14}")
    for name in LAYERS:
        layer = choropleth_layers()[name]
        as_of = clock.today()
        with engine.connect() as conn:
            hromady, _ = _targets(conn, layer, scope, as_of)

        def fresh() -> None:
            with engine.connect() as conn:
                compute(conn, layer, hromady, as_of, anonymous=True)
                conn.rollback()

        fresh()
        computing = median_ms(fresh, max(3, REPEAT // 3))
        tile(name)
        before = RESULTS.computed
        kept = median_ms(lambda: tile(name))
        assert RESULTS.computed == before, "the kept result was recomputed"
        print(f"{name:48} {len(hromady):7d} {computing:11.1f} {kept:13.1f} {kept / anchor:11.2f} "
              f"{(computing + kept) / kept:14.1f}×")


if __name__ == "__main__":
    main()
