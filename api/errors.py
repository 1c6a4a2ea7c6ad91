"""Map core-library errors to HTTP answers (as tipg's DEFAULT_STATUS_CODES)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, DBAPIError, OperationalError

from gisplan.accounts import AccountError
from gisplan.errors import DatabaseError, GisplanError
from gisplan.features import FeatureError, NotFound, VersionConflict

STATUS = [
    (NotFound, 404),
    (VersionConflict, 409),
    (FeatureError, 422),
    (AccountError, 400),
    (DatabaseError, 503),
    (GisplanError, 400),
]


def register(app: FastAPI) -> None:
    async def handler(request: Request, exc: GisplanError):
        for cls, status in STATUS:
            if isinstance(exc, cls):
                body = {"detail": str(exc)}
                if isinstance(exc, FeatureError):
                    body["field"] = exc.field
                if isinstance(exc, VersionConflict):
                    body["current_version"] = exc.current
                return JSONResponse(body, status_code=status)
        return JSONResponse({"detail": str(exc)}, status_code=500)

    app.add_exception_handler(GisplanError, handler)

    async def data_error(request: Request, exc: DBAPIError):
        """A value PostgreSQL refuses for its type (SQLSTATE class 22: an id beyond the integer
        range, a malformed date …) came from the request: 400, not a server error."""
        state = getattr(exc.orig, "sqlstate", None) or ""
        if not state.startswith("22"):
            raise exc
        message = str(exc.orig).strip().splitlines()[0] if exc.orig else "bad value"
        return JSONResponse({"detail": f"a value of the request does not fit the database: {message}"},
                            status_code=400)

    app.add_exception_handler(DataError, data_error)

    async def replica_lost(request: Request, exc: OperationalError):
        """The read replica went away during an anonymous read (issue 17): 503, and the router has
        marked it down, so the next request reads from the primary."""
        if getattr(request.state, "gisplan_database", None) != "replica":
            raise exc
        return JSONResponse({"detail": "the read replica is unreachable; try again"}, status_code=503,
                            headers={"Retry-After": "1"})

    app.add_exception_handler(OperationalError, replica_lost)
