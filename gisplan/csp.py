"""The Content-Security-Policy nonce of the response being built.

The web app (api/security_headers.py) draws a fresh nonce per request and announces it in the
``Content-Security-Policy`` header (``script-src 'self' 'nonce-…'``); templates that inline a script
(the residents' pages, on purpose, for first-load speed) write ``<script nonce="{{ csp_nonce() }}">``.
A script injected into a page has no nonce, so the browser does not run it. Kept in a context
variable so that every template environment (the app's, OGC API's, folium's) can read it.
"""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

_nonce: ContextVar[str] = ContextVar("gisplan_csp_nonce", default="")


def new_nonce() -> str:
    value = secrets.token_urlsafe(18)
    _nonce.set(value)
    return value


def csp_nonce() -> str:
    """The nonce of the current response ('' outside a request)."""
    return _nonce.get()


_SCRIPT_TAG = re.compile(r"<script(?![^>]*\bnonce=)(?=[\s>])", re.IGNORECASE)


def add_nonce(page: str, nonce: str | None = None) -> str:
    """Give every ``<script>`` tag of a page we generated ourselves (folium's) the nonce."""
    value = nonce if nonce is not None else csp_nonce()
    return _SCRIPT_TAG.sub(f'<script nonce="{value}"', page) if value else page
