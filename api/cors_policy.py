"""CORS: the OGC services may be used from web pages of other sites; the planner API may not.

Paths of the public services (WMS/WFS ``/ows``, ``/ogcapi``, ``/csw``, ``/tiles``, downloads, Atom,
ISO metadata and the open-data packages), with or without the громада's code in front, answer
cross-origin GET/HEAD (and CSW's POST) for the origins of ``GISPLAN_CORS_ORIGINS`` (default any),
without credentials. Every other path (the JSON API of the planners, pages, sign-in) sends no CORS
headers, so a browser keeps other sites from reading it; a preflight there gets no permission.
"""

from __future__ import annotations

import re

from starlette.middleware.cors import CORSMiddleware

PUBLIC_SERVICES = re.compile(
    r"^(/UA\d{17})?/(ows|ogcapi|csw|tiles|downloads|wfs)(/|$)"
    r"|^/(atom|metadata)/"
    r"|^/api/layers/[^/]+/metadata$"
    r"|^/api/datasets/[^/]+/[^/]+/opendata\.zip$"
)


def is_public_service(path: str) -> bool:
    return bool(PUBLIC_SERVICES.match(path))


class PublicServicesCORS:
    """Sends requests for the public services through Starlette's CORS middleware, others not."""

    def __init__(self, app, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=origins, allow_methods=["GET", "HEAD", "POST"],
                                   allow_headers=["*"], allow_credentials=False, max_age=3600)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and is_public_service(scope.get("path", "")):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
