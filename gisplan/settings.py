"""Settings, read from the environment (prefix ``GISPLAN_``) and an optional ``.env`` file.

Split by concern as tipg does: the database, the HTTP server, and the paths of declarative files.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

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

    @field_validator("database_url")
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
    """Forget cached settings (tests change the environment)."""
    database_settings.cache_clear()
    server_settings.cache_clear()
    path_settings.cache_clear()
    wms_settings.cache_clear()
