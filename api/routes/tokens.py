"""API bearer tokens: a user lists, creates and revokes their own; an admin sees and revokes all.

A token is shown once, when it is made; only its SHA-256 is stored. Expired tokens are listed (so
their owner sees why a script fails) and answer 401 when used.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field

from gisplan.accounts import issue_api_token, list_tokens, revoke_token_id

from ..deps import CurrentUser, ReadConn, WriteConn

router = APIRouter(tags=["auth"])


class NewToken(BaseModel):
    name: str | None = Field(default=None, max_length=200, description="what the token is for")
    expires_days: int | None = Field(default=None, ge=1, le=3650, description="none: until revoked")


TokenId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _require_admin(user) -> None:
    if not user.is_admin:
        raise HTTPException(403, f"{user.username} is not an admin")


@router.get("/api/auth/tokens", summary="My API tokens (never the tokens themselves)")
def my_tokens(user: CurrentUser, conn: ReadConn):
    return {"tokens": [t.as_json() for t in list_tokens(conn, user.username)]}


@router.post("/api/auth/tokens", status_code=201, summary="Make an API token for myself; shown once")
def make_token(body: NewToken, user: CurrentUser, conn: WriteConn):
    token, tid = issue_api_token(conn, user, body.name, body.expires_days)
    info = next(t for t in list_tokens(conn, user.username) if t.id == tid)
    return info.as_json() | {"token": token}


@router.delete("/api/auth/tokens/{token_id}", status_code=204,
               summary="Revoke an API token (mine; an admin: anyone's)")
def revoke_token(token_id: TokenId, user: CurrentUser, conn: WriteConn):
    if not revoke_token_id(conn, token_id, None if user.is_admin else user):
        raise HTTPException(404, f"no API token {token_id} of {user.username}")


@router.get("/api/admin/tokens", summary="Every user's API tokens (admins)")
def all_tokens(user: CurrentUser, conn: ReadConn):
    _require_admin(user)
    return {"tokens": [t.as_json() for t in list_tokens(conn)]}
