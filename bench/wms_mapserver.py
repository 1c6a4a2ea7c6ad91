"""Benchmark: gisplan's WMS (Mapnik in uvicorn) against MapServer 8 on the same tables.

The anchor is Debian's MapServer 8 (``mapserver-bin``, ``cgi-mapserver``) as 2 FastCGI processes
(spawn-fcgi) behind nginx, its mapfile generated here from ``layers/*.yaml`` for the same ``pub``
views with equivalent styles (same colours, sizes, symbols, first-match classes, labels in DejaVu
Sans at the same scales). gisplan runs as 2 single-process uvicorn servers; the same nginx fronts
both, handing each request to the least busy process. Both read one
temporary PostGIS cluster holding every громада boundary (``hromady``, published) and, when the
demo loader is present, the demo громади's layers.

``wrk`` sends seeded random GetMap requests (``bench/wms/wms_random.lua``, the same sequence to
both servers), alternating gisplan / MapServer / gisplan / MapServer for each workload:

* A: 256×256 PNG tiles in EPSG:3857 over Ukraine at zooms 7–12 (nothing cached);
* B: 800×600 PNG at zooms 7–10, the INSPIRE view-service quality figures (≤ 5 s, ≥ 20 requests/s).

Prints requests/s, p50 and p95 per run, and gisplan's throughput as a ratio of MapServer's. The
target for A is at least 1.3×. ``BENCH_SECONDS`` (default 15) sets the length of a run,
``BENCH_CONNECTIONS`` (default 4) the concurrent connections.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
SEED = 20250611
MAPSERV = "/usr/lib/cgi-bin/mapserv"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
WORKLOADS = {  # name: (width, height, min zoom, max zoom)
    "A": (256, 256, 7, 12),
    "B": (800, 600, 7, 10),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# ------------------------------------------------------------------ the anchor's mapfile
def _rgb(colour: str) -> str:
    return f"{int(colour[1:3], 16)} {int(colour[3:5], 16)} {int(colour[5:7], 16)}"


def _ms_string(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


SYMBOLS = """
  SYMBOL NAME "circle" TYPE ELLIPSE FILLED TRUE POINTS 1 1 END END
  SYMBOL NAME "square" TYPE VECTOR FILLED TRUE POINTS 0 0 0 1 1 1 1 0 0 0 END END
  SYMBOL NAME "triangle" TYPE VECTOR FILLED TRUE POINTS 0 1 0.5 0 1 1 0 1 END END
  SYMBOL NAME "star" TYPE VECTOR FILLED TRUE
    POINTS 0.5 0 0.618 0.33 0.97 0.345 0.69 0.56 0.79 0.905 0.5 0.7 0.21 0.905 0.31 0.56 0.03 0.345 0.382 0.33 0.5 0 END
  END
"""


def mapfile(sources, db: dict[str, str], tmp: Path) -> str:
    """A mapfile drawing ``sources`` as gisplan's Mapnik styles do (see gisplan.publish.mapnik_styles)."""
    from gisplan.publish.crs import SUPPORTED
    from gisplan.publish.mapnik_styles import LABEL_MAX_SCALE, categories

    (tmp / "fonts.txt").write_text(f"dejavu {FONT}\n")
    conn = " ".join(f"{k}={v}" for k, v in {"host": db["host"], "port": db["port"], "dbname": db["dbname"],
                                             "user": db["user"], "password": db["password"]}.items())
    out = [f"""MAP
  NAME "gisplan_anchor"
  EXTENT 2465800 5340000 4473000 6870000
  SIZE 256 256
  UNITS METERS
  MAXSIZE 4096
  FONTSET "{tmp / 'fonts.txt'}"
  PROJECTION "init=epsg:3857" END
  OUTPUTFORMAT NAME "png" DRIVER AGG/PNG MIMETYPE "image/png" IMAGEMODE RGBA EXTENSION "png"
    TRANSPARENT ON FORMATOPTION "GAMMA=0.75" END
  WEB METADATA
    "wms_title" "anchor" "wms_onlineresource" "http://127.0.0.1/?" "wms_enable_request" "*"
    "wms_srs" "{' '.join(SUPPORTED)}"
  END END
{SYMBOLS}"""]
    for source in sources:
        layer = source.layer
        label = layer.style.label_field if layer.style.label_field and source.has(layer.style.label_field) else None
        cats = categories(source)
        used = sorted({c.field for c in cats if c.field} | ({label} if label else set()))
        kinds = source.kinds()
        for kind in kinds:
            dimension = {"point": 0, "line": 1, "polygon": 2}[kind]
            name = layer.name if len(kinds) == 1 else f"{layer.name}_{kind}"
            cols = "".join(f', t."{c}"' for c in used)
            kind_filter = f" AND ST_Dimension({source.geometry_sql}) = {dimension}" if len(kinds) > 1 else ""
            sql = (f"geom FROM (SELECT t.id, {source.geometry_sql} AS geom{cols} FROM {source.relation} t "
                   f"WHERE {source.where}{kind_filter} AND {source.bbox_sql('!BOX!')}) AS sub "
                   f"USING UNIQUE id USING SRID=4326")
            ms_type = {"point": "POINT", "line": "LINE", "polygon": "POLYGON"}[kind]
            out.append(f"""  LAYER
    NAME "{name}"{f'''
    GROUP "{layer.name}"''' if len(kinds) > 1 else ""}
    TYPE {ms_type}
    STATUS ON
    CONNECTIONTYPE POSTGIS
    CONNECTION "{conn}"
    PROCESSING "CLOSE_CONNECTION=DEFER"
    DATA {_ms_string(sql)}
    EXTENT 21.15 42.18 41.18 53.38
    PROJECTION "init=epsg:4326" END
    METADATA "wms_title" "{name}" "wms_extent" "21.15 42.18 41.18 53.38" END""")
            if label:
                out.append(f'    LABELITEM "{label}"')
            for cat in cats:
                expr = ""
                if cat.field is not None:
                    v = cat.value
                    expr = (f'    EXPRESSION ([{cat.field}] = {v})\n' if isinstance(v, (int, float)) and
                            not isinstance(v, bool) else f'    EXPRESSION ("[{cat.field}]" = "{str(v).lower() if isinstance(v, bool) else v}")\n')
                look = cat.look
                if kind == "polygon":
                    styles = (f"      STYLE COLOR {_rgb(look.fill)} OPACITY {round(look.fill_opacity * 100)} END\n"
                              f"      STYLE OUTLINECOLOR {_rgb(look.stroke)} WIDTH {look.stroke_width:g} END\n")
                elif kind == "line":
                    styles = (f"      STYLE COLOR {_rgb(look.stroke)} WIDTH {look.stroke_width:g} "
                              f"LINECAP ROUND LINEJOIN ROUND END\n")
                else:
                    symbol = look.symbol if look.symbol in ("square", "triangle", "star") else "circle"
                    styles = (f'      STYLE SYMBOL "{symbol}" SIZE {look.size:g} COLOR {_rgb(look.fill)} '
                              f"OUTLINECOLOR {_rgb(look.stroke)} WIDTH 1 END\n")
                label_block = ""
                if label:
                    position = {"point": "POSITION UC OFFSET 0 -" + f"{look.size / 2 + 7:g}",
                                "line": "ANGLE FOLLOW", "polygon": "POSITION CC"}[kind]
                    label_block = (f'      LABEL TYPE TRUETYPE FONT "dejavu" SIZE {11 if kind == "polygon" else 10} '
                                   f"COLOR 26 26 26 OUTLINECOLOR 255 255 255 OUTLINEWIDTH 2 {position} "
                                   f"MAXSCALEDENOM {LABEL_MAX_SCALE[kind]} WRAP ' ' MAXLENGTH 14 END\n")
                out.append(f"    CLASS\n{expr}{styles}{label_block}    END")
            out.append("  END")
    out.append("END")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------ servers
class Servers:
    """gisplan (2 uvicorn processes) and MapServer (2 FastCGI processes), both behind one nginx
    that hands each request to the least busy process."""

    def __init__(self, url: str, tmp: Path):
        self.url, self.tmp = url, tmp
        self.procs: list[subprocess.Popen] = []
        self.gisplan_port = free_port()
        self.mapserver_port = free_port()
        self.nginx_conf = None

    def start(self, mapfile_text: str) -> tuple[str, str]:
        tmp = self.tmp
        env = {**os.environ, "GISPLAN_DATABASE_URL": self.url}
        sockets = [tmp / f"gisplan-{n}.sock" for n in (1, 2)]
        for sock in sockets:
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--uds", str(sock),
                 "--no-access-log", "--log-level", "warning"], cwd=ROOT, env=env, start_new_session=True))
        (tmp / "gisplan.map").write_text(mapfile_text)
        conf = (HERE / "wms" / "mapserver.conf.tmpl").read_text().format(
            mapfile=tmp / "gisplan.map", errorfile=tmp / "mapserver-errors.log")
        (tmp / "mapserver.conf").write_text(conf)
        socket_path = tmp / "mapserv.sock"
        conf_file = str(tmp / "mapserver.conf")  # MapServer 8.0 reads MAPSERVER_CONFIG_FILE, later ones MS_CONFIG_FILE
        ms_env = {"PATH": os.environ.get("PATH", ""), "MAPSERVER_CONFIG_FILE": conf_file,
                  "MS_CONFIG_FILE": conf_file, "PROJ_NETWORK": "OFF"}
        subprocess.run(["spawn-fcgi", "-F", "2", "-s", str(socket_path), "-M", "0666", "-P",
                        str(tmp / "mapserv.pid"), "--", MAPSERV], env=ms_env, check=True,
                       stdout=subprocess.DEVNULL)
        for d in ("body", "fastcgi", "proxy", "uwsgi", "scgi"):
            (tmp / d).mkdir(exist_ok=True)
        deadline = time.monotonic() + 60
        while not all(s.exists() for s in sockets):
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.2)
        nginx = (HERE / "wms" / "nginx.conf.tmpl").read_text().format(
            tmp=tmp, socket=socket_path, port=self.mapserver_port, gisplan_port=self.gisplan_port,
            gisplan_servers=" ".join(f"server unix:{s};" for s in sockets))
        self.nginx_conf = tmp / "nginx.conf"
        self.nginx_conf.write_text(nginx)
        subprocess.run(["nginx", "-c", str(self.nginx_conf), "-p", str(tmp)], check=True)
        ours = f"http://127.0.0.1:{self.gisplan_port}/ows?"
        anchor = f"http://127.0.0.1:{self.mapserver_port}/?"
        wait_http(ours + "SERVICE=WMS&REQUEST=GetCapabilities")
        wait_http(anchor + "SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
        return ours, anchor

    def stop(self) -> None:
        if self.nginx_conf is not None:
            subprocess.run(["nginx", "-c", str(self.nginx_conf), "-p", str(self.tmp), "-s", "stop"],
                           stderr=subprocess.DEVNULL)
        pidfile = self.tmp / "mapserv.pid"
        if pidfile.exists():
            for pid in pidfile.read_text().split():
                try:
                    os.kill(int(pid), signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in self.procs:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            p.wait(10)


# ------------------------------------------------------------------ wrk
RESULT = re.compile(r"RESULT requests=(\d+) errors=(\d+) seconds=([\d.]+) rps=([\d.]+) p50_ms=([\d.]+) p95_ms=([\d.]+)")


def run_wrk(base: str, workload: str, layers: str, seconds: int = SECONDS) -> dict:
    width, height, zmin, zmax = WORKLOADS[workload]
    host, _, path = base.partition("://")[2].partition("/")
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "--timeout", "30s",
         "-s", str(HERE / "wms" / "wms_random.lua"), f"http://{host}",
         "--", "/" + path, str(SEED), str(width), str(height), str(zmin), str(zmax), layers],
        capture_output=True, text=True, errors="replace", timeout=seconds + 120)
    m = RESULT.search(out.stdout)
    if out.returncode != 0 or not m or out.stderr.strip():
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    requests, errors = int(m[1]), int(m[2])
    if errors:
        raise RuntimeError(f"wrk: {errors} errors of {requests} requests\n{out.stdout}")
    return {"requests": requests, "rps": float(m[4]), "p50": float(m[5]), "p95": float(m[6])}


def main() -> None:
    for tool in ("wrk", "nginx", "spawn-fcgi", MAPSERV):
        if not shutil.which(tool) and not Path(tool).exists():
            sys.exit(f"missing {tool}: apt-get install mapserver-bin cgi-mapserver nginx wrk spawn-fcgi")
    from sqlalchemy.engine import make_url

    from gisplan.boundaries import load_boundaries
    from gisplan.catalog import catalog
    from gisplan.datasets import publish_layer
    from gisplan.db.cluster import Cluster
    from gisplan.db.engine import make_engine
    from gisplan.db.migrate import upgrade
    from gisplan.publish.sources import Scope, layer_source
    from gisplan.publish.wms_render import db_params
    from gisplan.settings import DatabaseSettings, clear_caches, path_settings
    from gisplan.territory import find_codifier, load_codifier

    tmp = Path(tempfile.mkdtemp(prefix="gisplan-bench-wms-", dir="/tmp"))
    os.chmod(tmp, 0o755)
    cluster = None
    url = os.environ.get("GISPLAN_DATABASE_URL")
    servers = None
    try:
        if not url:
            cluster = Cluster(DatabaseSettings(home=tmp / "cluster", database_url=None))
            url = cluster.create_database("bench")
            os.environ["GISPLAN_DATABASE_URL"] = url
            clear_caches()
        engine = make_engine(url)
        upgrade(engine)
        data = path_settings().data_dir
        with engine.begin() as conn:
            load_codifier(conn, find_codifier(data))
        with engine.begin() as conn:
            load_boundaries(conn, data / "boundaries" / "ua_hromadas_osm_simplified.geojson")
            publish_layer(conn, "hromady", user="bench")
        layers = ["hromady"]
        try:
            from gisplan.demo import load_demo

            load_demo(engine)
            layers = ["hromady", "settlements", "schools", "shelters", "health_facilities"]
        except ImportError:
            print("(no demo loader: boundaries only)")
        engine.dispose()
        sources = [layer_source(catalog().get(n), Scope()) for n in layers]
        servers = Servers(url, tmp)
        ours, anchor = servers.start(mapfile(sources, db_params(make_url(url)), tmp))
        names = ",".join(layers)
        print(f"layers: {names}; wrk: 2 threads, {CONNECTIONS} connections, {SECONDS} s per run; "
              f"both servers: 2 processes on {os.cpu_count()} cores")
        for workload in WORKLOADS:
            for base in (ours, anchor):  # warm up: connections, caches of the OS and PostgreSQL
                run_wrk(base, workload, names, seconds=3)
            runs = {"gisplan": [], "mapserver": []}
            for _ in range(2):  # A B A B
                runs["gisplan"].append(run_wrk(ours, workload, names))
                runs["mapserver"].append(run_wrk(anchor, workload, names))
            w, h, zmin, zmax = WORKLOADS[workload]
            print(f"\nworkload {workload}: {w}x{h} PNG, EPSG:3857, zooms {zmin}-{zmax}")
            print(f"  {'server':<10} {'run':>3} {'requests/s':>11} {'p50 ms':>8} {'p95 ms':>8}")
            for name, results in runs.items():
                for i, r in enumerate(results, 1):
                    print(f"  {name:<10} {i:>3} {r['rps']:>11.1f} {r['p50']:>8.1f} {r['p95']:>8.1f}")
            ours_rps = statistics.mean(r["rps"] for r in runs["gisplan"])
            anchor_rps = statistics.mean(r["rps"] for r in runs["mapserver"])
            print(f"  ratio gisplan / MapServer (requests/s): {ours_rps / anchor_rps:.2f}x"
                  + ("   (target ≥ 1.3x)" if workload == "A" else ""))
            if workload == "B":
                p95 = max(r["p95"] for r in runs["gisplan"])
                print(f"  INSPIRE quality (≤ 5 s, ≥ 20 requests/s): p95 {p95 / 1000:.2f} s, "
                      f"{ours_rps:.1f} requests/s → {'met' if p95 <= 5000 and ours_rps >= 20 else 'NOT met'}")
    finally:
        if servers is not None:
            servers.stop()
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
