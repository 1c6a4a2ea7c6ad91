"""CSRF protection of cookie sessions (double submit, bound to the session).

A page signed in with the ``gisplan_session`` cookie (httponly) also gets the ``gisplan_csrf``
cookie, readable by the page's script. Its value is an HMAC of the session token, so it cannot be
planted from elsewhere (a forged ``gisplan_csrf`` cookie does not match the session). A POST, PUT,
PATCH or DELETE authenticated by the session cookie must repeat it: the ``X-CSRF-Token`` header
(the workspace's fetch wrapper) or the ``csrf`` field of an HTML form. Another site can make the
browser send the cookies but cannot read them, so it cannot send the token.

Bearer-token requests (the API, scripts) and anonymous requests (residents' problem reports) are
not authenticated by an ambient cookie and need no token.
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import HTTPException, Request

CSRF_COOKIE = "gisplan_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token_for(session_token: str) -> str:
    """The CSRF token that belongs to a session token."""
    return hmac.new(session_token.encode(), b"gisplan-csrf", hashlib.sha256).hexdigest()


def check_csrf(request: Request, session_token: str, form_value: str | None = None) -> None:
    """403 unless an unsafe request repeats the session's CSRF token (header or form field)."""
    if request.method.upper() in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER) or form_value or ""
    if not hmac.compare_digest(sent.encode(), csrf_token_for(session_token).encode()):
        raise HTTPException(
            403, f"CSRF: a request signed in by the session cookie must send the {CSRF_HEADER} header "
                 f"(the value of the {CSRF_COOKIE} cookie) or the form field '{CSRF_FIELD}'; "
                 "sign in again if the page is old / захист від CSRF: оновіть сторінку або увійдіть знову")


def csrf_for_request(request: Request) -> str:
    """The token for forms of a page (empty when not signed in with a cookie)."""
    from .deps import SESSION_COOKIE

    session = request.cookies.get(SESSION_COOKIE)
    return csrf_token_for(session) if session else ""
