"""Sign in and out: a session cookie for pages, bearer tokens (``gisplan user token``) for the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from gisplan.accounts import authenticate, issue_token, revoke_token
from gisplan.settings import server_settings

from ..deps import SESSION_COOKIE, CurrentUser, WriteConn

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


@router.post("/api/auth/login", summary="Sign in; sets the session cookie")
def login(creds: Credentials, response: Response, conn: WriteConn):
    user = authenticate(conn, creds.username, creds.password)
    if user is None:
        raise HTTPException(401, "wrong user name or password")
    _start_session(conn, user, response)
    return _user_json(user)


@router.post("/api/auth/logout", status_code=204, summary="Sign out")
def logout(request: Request, response: Response, conn: WriteConn):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        revoke_token(conn, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/api/auth/me", summary="Who am I")
def me(user: CurrentUser):
    return _user_json(user)


@router.post("/login", include_in_schema=False)
def login_form(conn: WriteConn, username: Annotated[str, Form()], password: Annotated[str, Form()],
               next: Annotated[str, Form()] = "/"):
    user = authenticate(conn, username, password)
    if user is None:
        return RedirectResponse("/login?error=1", status_code=303)
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    _start_session(conn, user, response)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, conn: WriteConn):
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        revoke_token(conn, token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
