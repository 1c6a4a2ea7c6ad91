"""Dependencies shared by the routers: database connections, the current user, paging, bbox."""

from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, HTTPException, Query, Request
from sqlalchemy import Connection, Engine

from gisplan.accounts import User, user_for_token
from gisplan.db.engine import get_engine
from gisplan.db.replica import PRIMARY, ReplicaRouter, make_replica_engine
from gisplan.settings import database_settings, server_settings

from .audit_middleware import note_user
from .csrf import check_csrf

SESSION_COOKIE = "gisplan_session"


def primary_engine(request: Request) -> Engine:
    """The primary database: writes, version checks, sign-in and every signed-in user's request."""
    return getattr(request.app.state, "engine", None) or get_engine()


def db_router(request: Request) -> ReplicaRouter:
    """The app's :class:`ReplicaRouter`, made on first use (the replica: ``app.state.replica_engine``
    given by tests, else ``GISPLAN_DATABASE_REPLICA_URL`` when the app runs on the settings' database)."""
    state = request.app.state
    found = getattr(state, "db_router", None)
    if found is None:
        replica = getattr(state, "replica_engine", None)
        settings = database_settings()
        if replica is None and getattr(state, "engine", None) is None and settings.database_replica_url:
            replica = make_replica_engine(settings.database_replica_url)
        found = state.db_router = ReplicaRouter(primary_engine(request), replica,
                                                settings.database_replica_check_seconds)
    return found


def anonymous_read(request: Request) -> bool:
    """No credentials and a reading method: the request may be answered from the replica."""
    return request.method in ("GET", "HEAD") and _bearer(request) is None \
        and not request.cookies.get(SESSION_COOKIE)


def engine_dep(request: Request) -> Engine:
    """The database of this request: the replica for an anonymous read (when one is configured and
    up), the primary otherwise; the choice is named in the ``X-Gisplan-Database`` response header."""
    if anonymous_read(request):
        engine, name = db_router(request).engine_for_anonymous_read()
    else:
        engine, name = primary_engine(request), PRIMARY
    request.state.gisplan_database = name
    return engine


def read_conn(engine: Annotated[Engine, Depends(engine_dep)]) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


def write_conn(engine: Annotated[Engine, Depends(primary_engine)]) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, rolled back on error.

    Scoped to the function (WriteConn below): the commit ends before the response is sent, so a
    client that reads right after an answered write sees it (FastAPI's default "request" scope would
    commit after the response — a sign-in's redirect could then arrive before its session exists)."""
    with engine.begin() as conn:
        yield conn


ReadConn = Annotated[Connection, Depends(read_conn)]
WriteConn = Annotated[Connection, Depends(write_conn, scope="function")]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_user(request: Request, engine: Annotated[Engine, Depends(primary_engine)]) -> User | None:
    """The caller: a bearer token (API) or a session cookie (pages); None when anonymous.

    A write signed in by the cookie must carry the session's CSRF token (api/csrf.py)."""
    token = _bearer(request)
    kind = "api"
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        kind = "session"
    if not token:
        return None
    if kind == "session":
        check_csrf(request, token)
    with engine.begin() as conn:
        user = user_for_token(conn, token, kind)
    if user is None:
        raise HTTPException(401, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"})
    note_user(request.scope, user)  # who, for the audit log of changes (api/audit_middleware.py)
    return user


def required_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise HTTPException(401, "sign in or send a bearer token", headers={"WWW-Authenticate": "Bearer"})
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(required_user)]


def require_writer(user: User, hromada: str) -> None:
    """403 unless the user is a planner of ``hromada`` (or an admin)."""
    if not user.can_write(hromada):
        raise HTTPException(403, f"{user.username} is not a planner of громада {hromada}")


def paging(
    limit: Annotated[int | None, Query(ge=1, description="page size")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> tuple[int, int]:
    s = server_settings()
    limit = limit or s.default_page_size
    if limit > s.max_page_size:
        raise HTTPException(400, f"limit: at most {s.max_page_size}")
    return limit, offset


Paging = Annotated[tuple[int, int], Depends(paging)]


def bbox_param(
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat (EPSG:4326)")] = None,
) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    try:
        parts = tuple(float(x) for x in bbox.split(","))
    except ValueError:
        raise HTTPException(400, "bbox: four numbers minLon,minLat,maxLon,maxLat") from None
    if len(parts) != 4:
        raise HTTPException(400, "bbox: four numbers minLon,minLat,maxLon,maxLat")
    minx, miny, maxx, maxy = parts
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise HTTPException(400, "bbox: expected minLon ≤ maxLon and minLat ≤ maxLat in degrees, lon first")
    return parts  # type: ignore[return-value]


BBox = Annotated[tuple[float, float, float, float] | None, Depends(bbox_param)]


def layer_dep(layer: str):
    """The catalogue entry of the ``layer`` path parameter; 404 for an unknown layer."""
    from gisplan.catalog import LayerSpec, catalog

    cat = catalog()
    if layer not in cat:
        raise HTTPException(404, f"unknown layer {layer!r}; layers: {', '.join(cat.names())}")
    spec: LayerSpec = cat.get(layer)
    return spec
