from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from ..deps import engine_dep

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Liveness and database check")
def healthz(request: Request):
    """``{"status": "ok", "database": "ok"}``, or 503 with the reason when the database is down."""
    try:
        with engine_dep(request).connect() as conn:
            conn.execute(text("SELECT postgis_lib_version()"))
    except Exception as exc:  # any failure to reach PostGIS is "down"
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else type(exc).__name__
        return JSONResponse({"status": "degraded", "database": "down", "detail": reason}, status_code=503)
    return {"status": "ok", "database": "ok"}
