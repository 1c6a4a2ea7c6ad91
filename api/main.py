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
    for module in (health, layers, datasets, territory, auth, pages, programs, transfer, ows, indicators):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(path_settings().web_dir / "static")), name="static")
    return app
