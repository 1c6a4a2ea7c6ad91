"""One OGC API – Features endpoint: ``/ogcapi`` (every громада) or ``/{code}/ogcapi`` (one), with
what the caller may read (:class:`gisplan.publish.sources.Scope`), and the media types it speaks."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from ..sources import Scope

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
XML = "application/xml"
GPKG = "application/geopackage+sqlite3"


@dataclass(frozen=True)
class Endpoint:
    site: str                 # the site's origin, no trailing slash
    scope: Scope
    place: str | None = None  # the громада's name

    @property
    def base(self) -> str:
        code = self.scope.hromada
        return f"{self.site}/{code}/ogcapi" if code else f"{self.site}/ogcapi"

    def url(self, path: str = "", **query) -> str:
        q = {k: v for k, v in query.items() if v is not None}
        return f"{self.base}{path}" + (f"?{urlencode(q)}" if q else "")


def link(href: str, rel: str, type_: str, title: str, **extra) -> dict:
    return {"href": href, "rel": rel, "type": type_, "title": title, **extra}


def self_links(endpoint: Endpoint, path: str, json_type: str, title: str, json_first: bool = True) -> list[dict]:
    """``self`` and ``alternate`` links of a resource offered as JSON and HTML."""
    as_json = link(endpoint.url(path, f="json"), "self" if json_first else "alternate", json_type,
                   f"{title} (JSON)")
    as_html = link(endpoint.url(path, f="html"), "alternate" if json_first else "self", HTML,
                   f"{title} (HTML)")
    return [as_json, as_html]
