"""Security headers on every response, and a per-request CSP nonce.

* ``Content-Security-Policy``: scripts only from gisplan's own origin or inline with this
  response's nonce (no ``'unsafe-inline'`` for scripts; styles may be inline: Leaflet and the
  residents' pages set them); images also from ``data:``/``blob:`` and the OpenStreetMap tile
  server when ``GISPLAN_OSM_BACKGROUND`` is on; ``frame-ancestors 'none'``, except the embeds
  (``/{code}/embed/{layer}``), which other sites put in an iframe on purpose.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``,
  ``X-Frame-Options: DENY`` (older browsers; not on the embeds).

The API documentation (``/docs``) is served from our own origin with the nonce, so it
gets the same policy as every page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from gisplan.csp import new_nonce

EMBED = re.compile(r"^/UA\d{17}/embed/[^/]+/?$")


def _tile_origin() -> str:
    from gisplan.settings import residents_settings

    s = residents_settings()
    if not s.osm_background:
        return ""
    parts = urlsplit(s.osm_tile_url.replace("{s}", "*"))
    return f" {parts.scheme}://{parts.netloc}"


def content_security_policy(nonce: str, embeddable: bool) -> str:
    ancestors = "*" if embeddable else "'none'"
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob:{_tile_origin()}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",  # MapLibre's workers (national map)
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ))


class SecurityHeadersMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = new_nonce()  # the context variable is inherited by the route (and its thread)
        path = scope.get("path", "")
        embeddable = bool(EMBED.match(path))
        headers = [(b"x-content-type-options", b"nosniff"),
                   (b"referrer-policy", b"strict-origin-when-cross-origin")]
        if not embeddable:
            headers.append((b"x-frame-options", b"DENY"))
        headers.append((b"content-security-policy", content_security_policy(nonce, embeddable).encode()))

        async def add_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, add_headers)
