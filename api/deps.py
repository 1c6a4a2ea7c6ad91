"""Dependencies shared by the routers: database connections, the current user, paging, bbox."""

from __future__ import annotations

from typing import Annotated, Iterator

from fastapi import Depends, HTTPException, Query, Request
from sqlalchemy import Connection, Engine

from gisplan.accounts import User, user_for_token
from gisplan.db.engine import get_engine
from gisplan.settings import server_settings

SESSION_COOKIE = "gisplan_session"


def engine_dep(request: Request) -> Engine:
    return getattr(request.app.state, "engine", None) or get_engine()


def read_conn(engine: Annotated[Engine, Depends(engine_dep)]) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


def write_conn(engine: Annotated[Engine, Depends(engine_dep)]) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with engine.begin() as conn:
        yield conn


ReadConn = Annotated[Connection, Depends(read_conn)]
WriteConn = Annotated[Connection, Depends(write_conn)]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_user(request: Request, engine: Annotated[Engine, Depends(engine_dep)]) -> User | None:
    """The caller: a bearer token (API) or a session cookie (pages); None when anonymous."""
    token = _bearer(request)
    kind = "api"
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        kind = "session"
    if not token:
        return None
    with engine.begin() as conn:
        user = user_for_token(conn, token, kind)
    if user is None:
        raise HTTPException(401, "invalid or expired token", headers={"WWW-Authenticate": "Bearer"})
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
