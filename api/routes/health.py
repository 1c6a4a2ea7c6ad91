import os

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..deps import db_router, primary_engine

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Liveness and database check")
def healthz(request: Request):
    """``{"status": "ok", "database": "ok", "replica": "none|up|down", "pid": …}``, or 503 with the
    reason when the primary database is down. ``pid`` names the worker process that answered
    (``GISPLAN_WORKERS``); a replica that is down only sends anonymous reads to the primary."""
    try:
        with primary_engine(request).connect() as conn:
            conn.execute(text("SELECT postgis_lib_version()"))
    except Exception as exc:  # any failure to reach PostGIS is "down"
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        return JSONResponse({"status": "degraded", "database": "down", "detail": reason, "pid": os.getpid()},
                            status_code=503)
    return {"status": "ok", "database": "ok", "replica": db_router(request).status(), "pid": os.getpid()}
