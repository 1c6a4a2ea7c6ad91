"""The FastAPI application: thin routers over the ``gisplan`` core library."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import gisplan
from gisplan.default_secrets import refuse_default_secrets
from gisplan.settings import database_settings, path_settings, server_settings

from . import errors
from .database_header import DatabaseHeaderMiddleware
from .routes import auth, datasets, health, indicators, layers, pages, programs, ows, territory, transfer
from .routes import metadata as metadata_routes
from .routes import csw as csw_routes
from .routes import public_pages
from .routes import qr as qr_routes
from .routes import workspace as workspace_routes
from .routes import ogcapi as ogcapi_routes
from .routes import gaps as gaps_routes
from .routes import atom as atom_routes
from .routes import downloads as downloads_routes
from .routes import reports as reports_routes
from .routes import tiles as tiles_routes
from .routes import ogcapi_tiles as ogcapi_tiles_routes
from .routes import national_map as national_map_routes
from .routes import api_docs as api_docs_routes
from .routes import tokens as tokens_routes
from .routes import audit as audit_routes
from .audit_middleware import AuditMiddleware
from .cors_policy import PublicServicesCORS
from .kept_answers import KeptAnswersMiddleware
from .private_cache import PrivateResponsesMiddleware
from .rate_limit import RateLimitMiddleware
from .security_headers import SecurityHeadersMiddleware


def create_app(engine: Engine | None = None, replica_engine: Engine | None = None) -> FastAPI:
    """Build the app; ``engine`` overrides the database of the settings (tests), ``replica_engine``
    its streaming replica for anonymous reads (else ``GISPLAN_DATABASE_REPLICA_URL``)."""
    app = FastAPI(
        title="gisplan",
        version=gisplan.__version__,
        description="Геопросторове планування програм інформатизації громад / "
                    "GIS for the informatization programs of Ukrainian communities",
        docs_url=None, redoc_url=None,  # served from our own origin by api/routes/api_docs.py
    )
    app.state.engine = engine
    app.state.replica_engine = replica_engine
    s = server_settings()
    refuse_default_secrets(s.mode, database_settings().database_url)  # GISPLAN_MODE=production
    # issue 16: CORS for the public services only, rate limits of anonymous callers, security headers
    app.add_middleware(KeptAnswersMiddleware)  # innermost: kept anonymous answers before routing (issue 17)
    app.add_middleware(PublicServicesCORS, origins=s.cors_origins)
    app.add_middleware(RateLimitMiddleware, per_minute=s.rate_limit_per_minute)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(PrivateResponsesMiddleware)  # signed-in answers: Cache-Control private, Vary
    app.add_middleware(DatabaseHeaderMiddleware, worker_header=s.workers > 1)
    app.add_middleware(AuditMiddleware)  # every change by a signed-in user: who, what, when
    errors.register(app)
    for module in (health, layers, datasets, territory, auth, pages, programs, transfer, ows, indicators, metadata_routes, csw_routes,
                   public_pages, ogcapi_routes, gaps_routes, qr_routes, downloads_routes, atom_routes,
                   workspace_routes, reports_routes, tiles_routes, tokens_routes, audit_routes,
                   ogcapi_tiles_routes, national_map_routes, api_docs_routes):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(path_settings().web_dir / "static")), name="static")
    return app
