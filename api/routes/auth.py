"""Sign in and out: a session cookie for pages, bearer tokens (``gisplan user token``) for the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from gisplan.accounts import authenticate, issue_token, revoke_token, user_for_token
from gisplan.audit import record
from gisplan.settings import server_settings

from ..csrf import CSRF_COOKIE, check_csrf, csrf_token_for
from ..deps import SESSION_COOKIE, CurrentUser, WriteConn
from ..login_throttle import client_address, refuse_if_locked, throttle_of

router = APIRouter(tags=["auth"])


class Credentials(BaseModel):
    username: str
    password: str


def _user_json(user) -> dict:
    return {"username": user.username, "role": user.role, "hromady": sorted(user.hromady),
            "full_name": user.full_name}


def _start_session(conn, user, response: Response) -> None:
    s = server_settings()
    token = issue_token(conn, user, "session", hours=s.session_hours)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=s.cookie_secure,
                        max_age=s.session_hours * 3600, path="/")
    # readable by the page's script, which repeats it in the X-CSRF-Token header (api/csrf.py)
    response.set_cookie(CSRF_COOKIE, csrf_token_for(token), httponly=False, samesite="lax",
                        secure=s.cookie_secure, max_age=s.session_hours * 3600, path="/")


def _end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


def _sign_in(request: Request, conn, username: str, password: str):
    """The user, or None after a failure (counted by the throttle); 429 while locked out."""
    address = client_address(request)
    try:
        refuse_if_locked(request, username)
    except HTTPException:
        _record_sign_in(request, username, "sign-in locked out", False, 429)
        raise
    user = authenticate(conn, username, password)
    throttle = throttle_of(request)
    if user is None:
        throttle.failed(username, address)
        _record_sign_in(request, username, "sign-in", False, 401)
    else:
        throttle.succeeded(username)
        _record_sign_in(request, username, "sign-in", True, 200)
    return user


def _record_sign_in(request: Request, username: str, action: str, ok: bool, status: int) -> None:
    """In its own transaction: a failed sign-in is kept although the request answers an error."""
    from gisplan.db.engine import get_engine

    with (getattr(request.app.state, "engine", None) or get_engine()).begin() as conn:
        record(conn, action, username=username[:200], ok=ok, status=status, client=client_address(request))


def _record_sign_out(request: Request, conn, token: str) -> None:
    user = user_for_token(conn, token, "session")
    if user is not None:
        record(conn, "sign-out", username=user.username, status=204, client=client_address(request))


@router.post("/api/auth/login", summary="Sign in; sets the session cookie",
             responses={429: {"description": "too many failed sign-ins; see Retry-After"}})
def login(creds: Credentials, request: Request, response: Response, conn: WriteConn):
    user = _sign_in(request, conn, creds.username, creds.password)
    if user is None:
        raise HTTPException(401, "wrong user name or password")
    _start_session(conn, user, response)
    return _user_json(user)


@router.post("/api/auth/logout", status_code=204, summary="Sign out")
def logout(request: Request, response: Response, conn: WriteConn):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(request, token)
        _record_sign_out(request, conn, token)
        revoke_token(conn, token)
    _end_session(response)


@router.get("/api/auth/me", summary="Who am I")
def me(user: CurrentUser):
    return _user_json(user)


@router.post("/login", include_in_schema=False)
def login_form(request: Request, conn: WriteConn, username: Annotated[str, Form()],
               password: Annotated[str, Form()], next: Annotated[str, Form()] = "/"):
    try:
        user = _sign_in(request, conn, username, password)
    except HTTPException as exc:
        if exc.status_code != 429:
            raise
        return RedirectResponse("/login?error=2", status_code=303, headers=exc.headers)  # locked out
    if user is None:
        return RedirectResponse("/login?error=1", status_code=303)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    _start_session(conn, user, response)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, conn: WriteConn, csrf: Annotated[str, Form()] = ""):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        check_csrf(request, token, csrf)
        _record_sign_out(request, conn, token)
        revoke_token(conn, token)
    response = RedirectResponse("/", status_code=303)
    _end_session(response)
    return response
