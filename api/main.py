"""The FastAPI application: thin routers over the ``gisplan`` core library."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

import gisplan
from gisplan.settings import path_settings, server_settings

from . import errors
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


def create_app(engine: Engine | None = None) -> FastAPI:
    """Build the app; ``engine`` overrides the database of the settings (tests)."""
    app = FastAPI(
        title="gisplan",
        version=gisplan.__version__,
        description="Геопросторове планування програм інформатизації громад / "
                    "GIS for the informatization programs of Ukrainian communities",
    )
    app.state.engine = engine
    s = server_settings()
    app.add_middleware(CORSMiddleware, allow_origins=s.cors_origins, allow_methods=["GET"],
                       allow_headers=["*"])
    errors.register(app)
    for module in (health, layers, datasets, territory, auth, pages, programs, transfer, ows, indicators, metadata_routes, csw_routes,
                   public_pages, ogcapi_routes, gaps_routes, qr_routes, downloads_routes, atom_routes,
                   workspace_routes, reports_routes, tiles_routes):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(path_settings().web_dir / "static")), name="static")
    return app
