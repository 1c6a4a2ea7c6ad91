"""The ``gisplan`` command line. Every failure is one line on stderr that says what to do."""

from __future__ import annotations

import getpass
import socket
import sys
from pathlib import Path
from typing import Optional

import typer

from .errors import GisplanError

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, help="gisplan: GIS for informatization programs of громади")
db_app = typer.Typer(no_args_is_help=True, help="The database: the private cluster or GISPLAN_DATABASE_URL")
catalog_app = typer.Typer(no_args_is_help=True, help="The layer catalogue (layers/*.yaml)")
territory_app = typer.Typer(no_args_is_help=True, help="КАТОТТГ codifier and громада boundaries")
user_app = typer.Typer(no_args_is_help=True, help="Accounts and API tokens")
dataset_app = typer.Typer(no_args_is_help=True, help="Datasets (a layer within a громада): publication")
app.add_typer(db_app, name="db")
app.add_typer(catalog_app, name="catalog")
app.add_typer(territory_app, name="territory")
app.add_typer(user_app, name="user")
demo_app = typer.Typer(no_args_is_help=True, help="The demo громади: real data and labelled samples")
app.add_typer(dataset_app, name="dataset")
app.add_typer(demo_app, name="demo")
from .program.cli import program_app  # noqa: E402
app.add_typer(program_app, name="program")
from .ingest.cli import layer_app  # noqa: E402
app.add_typer(layer_app, name="layer")
from .indicators.cli import indicators_app  # noqa: E402
app.add_typer(indicators_app, name="indicators")
from .qr.cli import qr_app  # noqa: E402
app.add_typer(qr_app, name="qr")
from .gaps.cli import gaps_app, raster_app  # noqa: E402
app.add_typer(gaps_app, name="gaps")
app.add_typer(raster_app, name="raster")
from .reports.cli import report_app  # noqa: E402
app.add_typer(report_app, name="report")


def _echo(msg: str) -> None:
    typer.echo(msg)


# ------------------------------------------------------------------------- db
def _cluster():
    from .db.cluster import Cluster
    from .settings import database_settings

    return Cluster(database_settings())


def _external() -> str | None:
    from .settings import database_settings

    return database_settings().database_url


@db_app.command("start")
def db_start() -> None:
    """Start the private cluster (create it first if needed), or check the external database."""
    from .db.engine import check_database, get_engine, safe_url

    if _external():
        versions = check_database(get_engine())
        _echo(f"external database {safe_url(_external())}: PostGIS {versions['postgis']} (nothing to start)")
        return
    cluster = _cluster()
    info = cluster.start()
    versions = check_database(get_engine())
    _echo(f"database running on 127.0.0.1:{info.port} ({cluster.datadir}), PostGIS {versions['postgis']}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the private cluster."""
    if _external():
        _echo("GISPLAN_DATABASE_URL is set: gisplan does not stop an external database")
        return
    _cluster().stop()
    _echo("database stopped")


@db_app.command("status")
def db_status() -> None:
    """Is the database reachable, with which PostGIS, at which migration?"""
    from .db.engine import check_database, get_engine, safe_url
    from .db.migrate import current_revision, head_revision

    if not _external():
        cluster = _cluster()
        if not cluster.initialized():
            raise GisplanError(f"no private cluster in {cluster.home}: run `gisplan db start`")
        if not cluster.running():
            raise GisplanError(f"the database in {cluster.datadir} is stopped: run `gisplan db start`")
    engine = get_engine()
    versions = check_database(engine)
    cur, head = current_revision(engine), head_revision()
    state = "up to date" if cur == head else f"at {cur or 'nothing'}, head is {head}: run `gisplan db upgrade`"
    _echo(f"{safe_url(str(engine.url.render_as_string(hide_password=False)))}: PostgreSQL "
          f"{versions['postgres'] // 10000}, PostGIS {versions['postgis']}, schema {state}")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL (with its password: keep it private)."""
    from .db.engine import database_url

    _echo(database_url())


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations and rebuild triggers and pub views from the catalogue."""
    from .db.engine import get_engine
    from .db.migrate import upgrade

    rev = upgrade(get_engine(), revision)
    _echo(f"schema at {rev}")


@db_app.command("revision")
def db_revision(message: str = typer.Option(..., "-m", "--message")) -> None:
    """Write a new migration from the difference between layers/*.yaml and the database."""
    from .db.engine import get_engine
    from .db.migrate import revision

    revision(get_engine(), message)


@db_app.command("backup")
def db_backup(out: Path = typer.Option(..., "--out", help="the backup file (pg_dump custom format)")) -> None:
    """Back up the whole database with pg_dump (custom format)."""
    from .backup import backup
    from .db.engine import database_url

    result = backup(database_url(), out)
    _echo(f"database {result.database} backed up to {result.path} ({result.size / 1024**2:.1f} MB)")


@db_app.command("restore")
def db_restore(file: Path = typer.Argument(..., help="a file made by `gisplan db backup`")) -> None:
    """Replace the database's contents with a backup (pg_restore, one transaction)."""
    from .backup import restore
    from .db.engine import database_url

    name = restore(database_url(), file)
    _echo(f"database {name} restored from {file}")


@app.command("backup")
def backup_all(out: Path = typer.Option(..., "--out", help="the backup file (a tar: database, rasters, settings)")) -> None:
    """Back up everything: the database (pg_dump custom format), the raster files and the settings."""
    from .backup_bundle import backup_bundle
    from .db.engine import database_url

    r = backup_bundle(database_url(), out)
    _echo(f"database {r.database} and {r.rasters} raster file(s) backed up to {r.path} ({r.size / 1024**2:.1f} MB)")


@app.command("restore")
def restore_all(file: Path = typer.Argument(..., help="a file made by `gisplan backup`")) -> None:
    """Restore a `gisplan backup`: database (one transaction), raster files, and a settings comparison."""
    from .backup_bundle import restore_bundle
    from .db.engine import database_url
    from .settings import raster_settings

    r = restore_bundle(database_url(), file, raster_settings().directory())
    _echo(f"database {r.database} and {r.rasters} raster file(s) restored from {file}")
    if r.settings_differ:
        _echo("settings that differ from the backup's (not changed): " + ", ".join(r.settings_differ))


# -------------------------------------------------------------------- catalog
@catalog_app.command("check")
def catalog_check(directory: Optional[Path] = typer.Argument(None, help="default: GISPLAN_LAYERS_DIR")) -> None:
    """Validate every layer file; the first error names the file and the key."""
    from .catalog import load_catalog
    from .settings import path_settings

    cat = load_catalog(directory or path_settings().layers_dir)
    _echo(f"{len(cat)} layers OK: {', '.join(cat.names())}")


@catalog_app.command("list")
def catalog_list() -> None:
    from .catalog import catalog

    for layer in catalog():
        _echo(f"{layer.name:22} {layer.geometry.type:16} {len(layer.fields):3} fields  {layer.title.uk}")


# ------------------------------------------------------------------ territory
@territory_app.command("load")
def territory_load(
    codifier: Optional[Path] = typer.Option(None, help="КАТОТТГ CSV; default: the shipped edition"),
    boundaries: Optional[Path] = typer.Option(None, help="громада boundaries GeoJSON; default: shipped OSM"),
    publish: bool = typer.Option(False, "--publish", help="also publish every громада's boundary dataset"),
) -> None:
    """Load the КАТОТТГ codifier and all громада boundaries (idempotent)."""
    from .boundaries import load_boundaries
    from .db.engine import get_engine
    from .settings import path_settings
    from .territory import find_codifier, load_codifier

    from .db.migrate import require_current_schema

    data = path_settings().data_dir
    codifier = codifier or find_codifier(data)
    engine = get_engine()
    require_current_schema(engine)
    with engine.begin() as conn:
        rep = load_codifier(conn, codifier)
    _echo(f"codifier {codifier.name} (edition {rep.edition}): read {rep.read}, loaded {rep.loaded} "
          f"(new {rep.inserted}, changed {rep.updated}, unchanged {rep.unchanged}), rejected {rep.rejected}")
    for r in rep.rejections[:20]:
        _echo(f"  rejected row {r[0]} {r[1]}: {r[2]}")
    boundaries = boundaries or data / "boundaries" / "ua_hromadas_osm_simplified.geojson"
    with engine.begin() as conn:
        brep = load_boundaries(conn, boundaries)
    _echo(f"boundaries {brep.summary()}")
    for r in brep.rejections[:20]:
        _echo(f"  rejected row {r[0]} {r[1]}: {r[2]}")
    if publish:
        from .datasets import publish_layer

        with engine.begin() as conn:
            n = publish_layer(conn, "hromady", user="cli")
        _echo(f"published the boundary datasets of {n} громади")


# ---------------------------------------------------------------------- users
def _audit(conn, action: str, target: str, **detail) -> None:
    """Account changes made on the command line go to the audit log as user 'cli'."""
    from .audit import record

    record(conn, action, username="cli", target=target, detail=detail or None)


@user_app.command("add")
def user_add(
    username: str,
    role: str = typer.Option("planner", help="admin, planner, viewer or executor (of the projects it is assigned to)"),
    hromada: list[str] = typer.Option([], help="КАТОТТГ code of a громада (repeat for several)"),
    password: Optional[str] = typer.Option(None, help="default: asked for, or GISPLAN_NEW_PASSWORD"),
    full_name: Optional[str] = None,
) -> None:
    """Create an account."""
    import os

    from .accounts import add_user
    from .db.engine import get_engine

    password = password or os.environ.get("GISPLAN_NEW_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise GisplanError("password: give --password or GISPLAN_NEW_PASSWORD (no terminal to ask on)")
        password = getpass.getpass("password: ")
    with get_engine().begin() as conn:
        user = add_user(conn, username, password, role, hromada, full_name)
        _audit(conn, "user add", f"user/{username}", role=role, hromady=sorted(hromada))
    _echo(f"user {user.username} ({user.role}{', ' + ', '.join(sorted(user.hromady)) if user.hromady else ''})")


@user_app.command("token")
def user_token(username: str, name: str = typer.Option("cli", help="what the token is for"),
               expires_days: Optional[int] = typer.Option(None, help="valid this many days (default: until revoked)")
               ) -> None:
    """Issue an API bearer token (printed once)."""
    from .accounts import get_user, issue_api_token
    from .db.engine import get_engine

    with get_engine().begin() as conn:
        user = get_user(conn, username)
        if user is None:
            raise GisplanError(f"no user {username!r}: create it with `gisplan user add`")
        token, tid = issue_api_token(conn, user, name=name, expires_days=expires_days)
        _audit(conn, "user token", f"user/{username}", token_id=tid, name=name, expires_days=expires_days)
        _echo(token)


@user_app.command("tokens")
def user_tokens(username: Optional[str] = typer.Argument(None, help="one user's (default: everyone's)")) -> None:
    """List API tokens: id, user, name, created, expires, last used (never the tokens themselves)."""
    from .accounts import list_tokens
    from .db.engine import get_engine

    day = lambda v: v.strftime("%Y-%m-%d %H:%M") if v else "-"  # noqa: E731
    with get_engine().connect() as conn:
        for t in list_tokens(conn, username):
            state = "expired" if t.expired else "active"
            _echo(f"{t.id:6} {t.username:20} {t.name or '-':16} created {day(t.created_at)}  "
                  f"expires {day(t.expires_at)}  used {day(t.last_used_at)}  {state}")


@user_app.command("revoke")
def user_revoke(token_id: int = typer.Argument(..., help="the id shown by `gisplan user tokens`")) -> None:
    """Revoke an API token: it answers 401 from now on."""
    from .accounts import revoke_token_id
    from .db.engine import get_engine

    with get_engine().begin() as conn:
        if not revoke_token_id(conn, token_id):
            raise GisplanError(f"no API token {token_id}: see `gisplan user tokens`")
        _audit(conn, "user revoke", f"token/{token_id}")
    _echo(f"revoked token {token_id}")


@user_app.command("password")
def user_password(username: str,
                  password: Optional[str] = typer.Option(None, help="default: asked for, or GISPLAN_NEW_PASSWORD")) -> None:
    """Set a user's password."""
    import os

    from .accounts import set_password
    from .db.engine import get_engine

    password = password or os.environ.get("GISPLAN_NEW_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise GisplanError("password: give --password or GISPLAN_NEW_PASSWORD (no terminal to ask on)")
        password = getpass.getpass("password: ")
    with get_engine().begin() as conn:
        set_password(conn, username, password)
        _audit(conn, "user password", f"user/{username}")
    _echo(f"password of {username} changed")


@user_app.command("list")
def user_list() -> None:
    from .accounts import list_users
    from .db.engine import get_engine

    with get_engine().connect() as conn:
        for u in list_users(conn):
            _echo(f"{u.username:20} {u.role:8} {' '.join(sorted(u.hromady))}")


# ------------------------------------------------------------------- datasets
@dataset_app.command("publish")
def dataset_publish(layer: str, hromada: str, withdraw: bool = typer.Option(False, "--withdraw")) -> None:
    """Publish a dataset (or withdraw it with --withdraw)."""
    from .datasets import set_published
    from .db.engine import get_engine

    with get_engine().begin() as conn:
        d = set_published(conn, layer, hromada, not withdraw, user="cli")
    _echo(f"{layer}/{hromada}: {'published' if d['published'] else 'withdrawn'}")


@dataset_app.command("list")
def dataset_list(hromada: Optional[str] = None) -> None:
    from .datasets import list_datasets
    from .db.engine import get_engine

    with get_engine().connect() as conn:
        for d in list_datasets(conn, hromada):
            _echo(f"{d['layer']:22} {d['hromada']} {'published' if d['published'] else '-':10} "
                  f"changes {d['change_count']}")


@dataset_app.command("extents")
def dataset_extents(layer: Optional[str] = typer.Option(None, "--layer", help="one layer (default: all)")) -> None:
    """Shrink the datasets' boxes (which vector tiles find them by) back to their features after
    deletions or moves; writes to each layer wait while its boxes are computed."""
    from .catalog import catalog
    from .db.engine import get_engine
    from .publish.tiles.extents import recompute, recompute_all

    with get_engine().begin() as conn:
        changed = {layer: recompute(conn, catalog().get(layer))} if layer else recompute_all(conn)
    for name, n in changed.items():
        _echo(f"{name:22} boxes changed {n}")


# ----------------------------------------------------------------------- demo
@demo_app.command("load")
def demo_load(
    national: bool = typer.Option(False, "--national", help="instead: a deterministic synthetic set over "
                                  "every other громада (benchmarks; gisplan.synthetic)"),
) -> None:
    """Load the demo громади (idempotent); prints how every row of every source was accounted for."""
    from .db.engine import get_engine
    from .db.migrate import require_current_schema
    from .demo import load_demo

    require_current_schema(get_engine())
    if national:
        from .synthetic.national import load_national

        for layer, n in load_national(get_engine()).items():
            _echo(f"{layer}: {n} synthetic rows (source synthetic-national)")
        return
    for rep in load_demo(get_engine()):
        _echo(rep.summary())
        review = rep.rejections[: getattr(rep, "to_review", rep.rejected)]  # expected ones are not listed
        for r in review[:10]:
            _echo(f"  rejected row {r[0]} {r[1]}: {r[2]}")
        if len(review) > 10:
            _echo(f"  … {len(review) - 10} more to review in import_log {rep.import_log_id}")
    from .program import load_demo_programs

    with get_engine().begin() as conn:
        for rep in load_demo_programs(conn):
            _echo(rep.summary())


# ---------------------------------------------------------------------- serve
@app.command("serve")
def serve(host: Optional[str] = None, port: Optional[int] = None, reload: bool = False) -> None:
    """Serve the web app and the API (GISPLAN_HOST / GISPLAN_PORT; GISPLAN_WORKERS processes)."""
    import uvicorn

    from .settings import server_settings

    s = server_settings()
    host, port = host or s.host, port or s.port
    _refuse_default_secrets(s.mode)
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise GisplanError(f"cannot listen on {host}:{port} ({exc.strerror}): is another server running there? "
                               f"choose another with --port or GISPLAN_PORT") from None
    if s.workers > 1 and reload:
        raise GisplanError("--reload runs one process: unset GISPLAN_WORKERS or drop --reload")
    # N worker processes share the port; nothing one needs is kept in another (sessions in the
    # database, tiles in files under GISPLAN_HOME, every cached answer keyed by change counters)
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, reload=reload,
                workers=s.workers if s.workers > 1 else None)


def _refuse_default_secrets(mode: str) -> None:
    """GISPLAN_MODE=production: no known default database or admin password (gisplan/default_secrets.py)."""
    from .default_secrets import refuse_default_secrets
    from .settings import database_settings

    if mode != "production":
        return
    engine = None
    try:
        from .db.engine import get_engine

        engine = get_engine()
        with engine.connect():
            pass
    except Exception:  # the database is checked again when the app starts; the settings are checked now
        engine = None
    refuse_default_secrets(mode, database_settings().database_url, engine)


def main() -> None:
    try:
        app(standalone_mode=False)
    except GisplanError as exc:
        typer.echo(f"gisplan: error: {exc}", err=True)
        raise SystemExit(exc.exit_code)
    except ModuleNotFoundError as exc:
        typer.echo(f"gisplan: error: missing Python package {exc.name!r}: run `make run` "
                   f"(or `.venv/bin/pip install -e .`)", err=True)
        raise SystemExit(1)
    except KeyError as exc:  # unknown layer names and the like
        typer.echo(f"gisplan: error: {exc.args[0] if exc.args else exc}", err=True)
        raise SystemExit(1)
    except (typer.Abort, KeyboardInterrupt):
        raise SystemExit(130)
    except Exception as exc:  # click usage errors carry their own exit codes
        if isinstance(exc, _click_types("ClickException")):
            exc.show()
            raise SystemExit(exc.exit_code)
        if isinstance(exc, _click_types("Exit")):
            raise SystemExit(exc.exit_code)
        raise


def _click_types(name: str) -> tuple[type, ...]:
    """click's exception class ``name`` and its copy in the click that typer ≥ 0.2x carries
    (``typer._click``): typer raises the latter, so checking click's alone let a usage error
    (a missing option, an unknown command) end in a traceback."""
    import importlib

    found = []
    for module in ("click.exceptions", "typer._click.exceptions", "typer.exceptions"):
        try:
            cls = getattr(importlib.import_module(module), name, None)
        except ImportError:
            continue
        if isinstance(cls, type):
            found.append(cls)
    return tuple(found)


if __name__ == "__main__":
    main()
