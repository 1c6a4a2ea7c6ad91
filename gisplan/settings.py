"""Settings, read from the environment (prefix ``GISPLAN_``) and an optional ``.env`` file.

Split by concern as tipg does: the database, the HTTP server, and the paths of declarative files.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .paths import project_root, resource_dir

_COMMON = dict(env_prefix="GISPLAN_", env_file=".env", extra="ignore")


def default_home() -> Path:
    """Where the private cluster and other local state live when ``GISPLAN_HOME`` is not set.

    As an ordinary user: ``.gisplan`` in the checkout (or ``~/.local/share/gisplan``).
    As root the cluster runs as an unprivileged user who cannot enter ``/root`` (mode 0700), so the
    state goes to ``/var/lib/gisplan/<checkout name>-<hash>``: one cluster per checkout.
    """
    root = project_root()
    if os.geteuid() == 0:
        anchor = str(root or Path.cwd())
        digest = hashlib.sha1(anchor.encode()).hexdigest()[:8]
        name = (root.name if root else "gisplan") + "-" + digest
        return Path("/var/lib/gisplan") / name
    if root is not None:
        return root / ".gisplan"
    return Path.home() / ".local" / "share" / "gisplan"


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(**_COMMON)

    database_url: str | None = Field(
        default=None,
        description="An external PostGIS (postgresql://…). Unset: gisplan runs its own cluster.",
    )
    home: Path = Field(default_factory=default_home, description="Local state: the private cluster.")
    pg_bindir: Path | None = Field(default=None, description="PostgreSQL server binaries.")
    db_os_user: str = Field(default="gisplan", description="OS user of the private cluster as root.")
    db_name: str = "gisplan"
    db_start_timeout: int = 60
    database_replica_url: str | None = Field(
        default=None, description="A streaming replica of the database: anonymous reads go there (issue 17).")
    database_replica_check_seconds: float = Field(
        default=1.0, ge=0, description="How often a replica found down (or up) is probed again.")

    @field_validator("database_url", "database_replica_url")
    @classmethod
    def _driver(cls, v: str | None) -> str | None:
        """Accept the URL forms people paste (postgres://, postgresql://) and use psycopg 3."""
        if not v:
            return None
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
            if v.startswith(prefix):
                return "postgresql+psycopg://" + v[len(prefix):]
        return v


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(**_COMMON)

    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = Field(
        default=None, description="External origin used in QR links and metadata, e.g. https://gis.example.ua"
    )
    session_hours: int = 12
    cookie_secure: bool = False
    cors_origins: list[str] = ["*"]
    max_page_size: int = 10_000
    default_page_size: int = 100
    max_upload_mb: int = Field(default=200, ge=1, description="Largest file accepted by POST /api/layers/{layer}/import")
    workers: int = Field(default=1, ge=1, le=64, description="Worker processes of `gisplan serve` on its one port "
                                                             "(issue 17); each answer then names its process "
                                                             "in X-Gisplan-Worker")
    # issue 16, hardening: login throttling and the deployment mode (see api/login_throttle.py,
    # gisplan/default_secrets.py)
    login_max_failures: int = Field(default=5, ge=1, description="Failed sign-ins per user name before a lockout")
    login_max_failures_per_address: int = Field(default=20, ge=1, description="… per client address")
    login_window_seconds: float = Field(default=900, gt=0, description="Failures older than this are forgotten")
    login_lockout_seconds: float = Field(default=300, gt=0, description="How long a lockout lasts (Retry-After)")
    rate_limit_per_minute: int = Field(
        default=1200, ge=0, description="Anonymous requests a minute per client address (0: no limit)")
    mode: Literal["development", "production"] = Field(
        default="development", description="production: refuse to start with known default secrets")

    @field_validator("max_page_size")
    @classmethod
    def _positive(cls, v: int) -> int:
        if v < 1:
            raise ValueError("must be at least 1")
        return v


class PathSettings(BaseSettings):
    model_config = SettingsConfigDict(**_COMMON)

    layers_dir: Path = Field(default_factory=lambda: resource_dir("layers"))
    web_dir: Path = Field(default_factory=lambda: resource_dir("web"))
    data_dir: Path = Field(default_factory=lambda: resource_dir("data"))


class WmsSettings(BaseSettings):
    """The view service (WMS): ``GISPLAN_WMS_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_WMS_"})

    inspire_extended_capabilities: bool = Field(
        default=False, description="INSPIRE scenario 1: inspire_vs:ExtendedCapabilities with the "
                                   "service's metadata URL (off: WMS elements only, scenario 3)")
    inspire_language: str = Field(
        default="eng", description="Language named in the INSPIRE block; its schema allows EU "
                                   "languages only (no ukr), LANGUAGE=eng answers in English")
    service_metadata_uuid: str | None = Field(
        default=None, description="UUID of the service's ISO record (default: derived from its URL)")
    max_width: int = Field(default=4096, ge=1)
    max_height: int = Field(default=4096, ge=1)
    render_concurrency: int = Field(
        default=4, ge=1, le=64, description="GetMap images drawn at once; more requests wait their turn. "
                                            "Mapnik's PostGIS pool gets ten connections per slot")
    title_uk: str = "Геопросторові дані територіальних громад"
    title_en: str = "Geospatial data of territorial communities"
    abstract_uk: str = ("Сервіс перегляду (WMS) наборів геопросторових даних громад: укриття, "
                        "заклади освіти та охорони здоров'я, ЦНАП, зв'язок, туризм, межі.")
    abstract_en: str = ("View service (WMS) of the communities' geospatial data sets: shelters, "
                        "schools and health care, administrative service centres, "
                        "connectivity, tourism, boundaries.")
    keywords: list[str] = ["НІГД", "громада", "геопросторові дані", "infoMapAccessService"]
    contact_organization: str = "gisplan"
    contact_person: str | None = None
    contact_email: str | None = None
    fees: str = "немає / none"
    access_constraints: str = "немає / none"


class MetadataSettings(BaseSettings):
    """ISO records, registration with the national geoportal, open data: ``GISPLAN_METADATA_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_METADATA_"})

    licence_title: str = Field(
        default="Creative Commons Attribution 4.0 International (CC BY 4.0)",
        description="Licence of the published data (п. 45 Порядку НІГД: free, unrestricted reuse)")
    licence_id: str = Field(default="cc-by", description="The licence's id on data.gov.ua (CKAN)")
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/deed.uk"
    use_limitation: str = ("Вільне використання та поширення з посиланням на джерело "
                           "(п. 45 Порядку функціонування НІГД, постанова КМУ № 532) / "
                           "Free reuse and redistribution with attribution")
    access_note: str = "Обмеження публічного доступу відсутні / No limitations to public access"
    conformity_title: str = ("Технічні вимоги до метаданих для наборів геопросторових даних і "
                             "геоінформаційних сервісів (наказ Мінагрополітики № 347, z0021-22)")
    conformity_date: str = "2021-11-10"
    registration_template: Path | None = Field(
        default=None, description="Jinja text file of the application to the national geoportal "
                                  "(default: gisplan/registration/templates/application_uk.txt)")
    registration_working_days: int = Field(
        default=10, ge=1, description="Working days to file after producing or updating data")


@lru_cache
def metadata_settings() -> MetadataSettings:
    return MetadataSettings()


@lru_cache
def database_settings() -> DatabaseSettings:
    return DatabaseSettings()


@lru_cache
def server_settings() -> ServerSettings:
    return ServerSettings()


@lru_cache
def path_settings() -> PathSettings:
    return PathSettings()


@lru_cache
def wms_settings() -> WmsSettings:
    return WmsSettings()


def clear_caches() -> None:
    """Forget cached settings (tests change the environment): every cached ``*_settings`` of this
    module, including those defined below (report settings are read afresh each time)."""
    for getter in (database_settings, server_settings, path_settings, wms_settings, metadata_settings,
                   residents_settings, raster_settings, ogcapi_settings, download_settings, tile_settings,
                   response_cache_settings):
        getter.cache_clear()


class ResidentsSettings(BaseSettings):
    """The residents' public maps (issue 12): shelters, tourism, embeds."""

    model_config = SettingsConfigDict(**_COMMON)

    osm_background: bool = Field(
        default=False,
        description="Show an online OpenStreetMap background (requests leave gisplan's origin).",
    )
    osm_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    osm_attribution: str = "© OpenStreetMap contributors (ODbL)"
    shelter_stale_days: int = Field(
        default=365, ge=1, description="Shelter data verified longer ago than this is flagged as old."
    )
    nearest_count: int = Field(default=3, ge=1, le=20, description="Shelters highlighted as nearest.")
    report_limit: int = Field(default=5, ge=1, description="Problem reports per client address …")
    report_window_minutes: int = Field(default=60, ge=1, description="… within this many minutes.")


@lru_cache
def residents_settings() -> ResidentsSettings:
    return ResidentsSettings()


class RasterSettings(BaseSettings):
    """Rasters and the population surface (issue 8): ``GISPLAN_RASTER_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_RASTER_"})

    dir: Path | None = Field(default=None, description="Where registered COGs are kept "
                                                       "(default: $GISPLAN_HOME/rasters)")
    surface_cell_m: float = Field(default=250.0, gt=0, description="Cell size of the estimated "
                                                                   "population surface, metres (EPSG:3035)")

    def directory(self) -> Path:
        return self.dir or (database_settings().home / "rasters")


@lru_cache
def raster_settings() -> RasterSettings:
    return RasterSettings()


class OgcapiSettings(BaseSettings):
    """OGC API – Features at ``/ogcapi`` and ``/{code}/ogcapi`` (issue 10): ``GISPLAN_OGCAPI_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_OGCAPI_"})

    default_limit: int = Field(default=10, ge=1, description="Items per page when `limit` is not given")
    max_limit: int = Field(default=10_000, ge=1, description="The largest `limit` a client may ask for")
    title_uk: str = "Сервіс завантаження OGC API – Features"
    title_en: str = "OGC API – Features download service"

    @field_validator("max_limit")
    @classmethod
    def _default_within_max(cls, v: int, info) -> int:
        default = info.data.get("default_limit")
        if default is not None and default > v:
            raise ValueError(f"default_limit {default} is above max_limit {v}")
        return v


@lru_cache
def ogcapi_settings() -> OgcapiSettings:
    return OgcapiSettings()


class DownloadSettings(BaseSettings):
    """Per-dataset download files and the Atom feed (issue 10): ``GISPLAN_DOWNLOADS_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_DOWNLOADS_"})

    dir: Path | None = Field(default=None, description="Cache of the generated GeoJSON and GeoPackage "
                                                       "files (default: $GISPLAN_HOME/downloads)")
    feed_title_uk: str = "Завантаження наборів геопросторових даних громад"
    feed_title_en: str = "Downloads of the communities' geospatial data sets"
    author_name: str = "gisplan"
    author_email: str | None = None

    def directory(self) -> Path:
        return self.dir or (database_settings().home / "downloads")


@lru_cache
def download_settings() -> DownloadSettings:
    return DownloadSettings()


class ReportSettings(BaseSettings):
    """Monitoring reports (issue 15): ``GISPLAN_REPORT_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_REPORT_"})

    templates_dir: Path | None = Field(
        default=None, description="A folder of replacement report templates (quarterly.xlsx, annual.docx, "
                                  "annual.html …); a file missing there falls back to the built-in one")
    map_width: int = Field(default=1200, ge=200, le=4000, description="Map images in reports, pixels")
    map_height: int = Field(default=900, ge=200, le=4000)
    max_maps: int = Field(default=8, ge=0, description="At most this many indicator maps per report")


def report_settings() -> ReportSettings:
    return ReportSettings()  # not cached: tests point GISPLAN_REPORT_TEMPLATES_DIR elsewhere


class TileSettings(BaseSettings):
    """Vector tiles at ``/tiles`` and ``/{code}/tiles`` (issue 17): ``GISPLAN_TILES_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_TILES_"})

    min_zoom: int = Field(default=0, ge=0, le=24, description="The lowest zoom level served")
    max_zoom: int = Field(default=20, ge=0, le=24, description="The highest zoom level served")
    extent: int = Field(default=4096, ge=256, le=65536, description="Grid cells across a tile")
    buffer: int = Field(default=64, ge=0, le=1024, description="Cells drawn beyond each tile edge")
    simplify_cells: float = Field(default=1.0, ge=0, le=16,
                                  description="Simplification tolerance, in cells of the tile grid")
    cache_mb: float = Field(default=64.0, ge=0, description="Bound of the in-process tile cache, MB "
                                                            "(0 switches it off)")
    cache_control: str = Field(default="public, max-age=60, must-revalidate",
                               description="Cache-Control of anonymous tiles and TileJSON")
    shared_cache_mb: float = Field(default=256.0, ge=0, description="Bound of the tile files shared by the "
                                                                    "worker processes, MB (0 switches it off)")
    cache_dir: Path | None = Field(default=None, description="Where the shared tile files are kept "
                                                            "(default: $GISPLAN_HOME/cache/tiles)")

    def cache_directory(self) -> Path:
        return self.cache_dir or (database_settings().home / "cache" / "tiles")

    @field_validator("max_zoom")
    @classmethod
    def _max_not_below_min(cls, v: int, info) -> int:
        low = info.data.get("min_zoom")
        if low is not None and low > v:
            raise ValueError(f"min_zoom {low} is above max_zoom {v}")
        return v


@lru_cache  # read on every tile: parsing the environment costs ~0.8 ms
def tile_settings() -> TileSettings:
    return TileSettings()


class ResponseCacheSettings(BaseSettings):
    """Anonymous WMS answers (GetCapabilities, GetMap) and OGC API – Features pages kept by the state
    of the datasets they are drawn from, with ETag / 304 (issue 17): ``GISPLAN_RESPONSE_CACHE_*``."""

    model_config = SettingsConfigDict(**{**_COMMON, "env_prefix": "GISPLAN_RESPONSE_CACHE_"})

    mb: float = Field(default=64.0, ge=0, description="Bound of the in-process cache of answers, MB "
                                                      "(0 keeps none; ETag and 304 still answered)")
    control: str = Field(default="public, no-cache",
                         description="Cache-Control of those anonymous answers (no-cache: clients revalidate "
                                     "by ETag, answered 304 while the data is unchanged)")
    early: bool = Field(default=True, description="Answer a remembered anonymous request before routing when "
                                                  "its state is unchanged (api/kept_answers.py; off: every "
                                                  "request is routed — a benchmark's anchor)")


@lru_cache
def response_cache_settings() -> ResponseCacheSettings:
    return ResponseCacheSettings()
