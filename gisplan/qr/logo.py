"""The громада's logo for plates, from its profile's ``logo_url`` when that is a ``data:`` URI.

Logos given as web addresses are not fetched (plates are made offline and the server makes no
outgoing requests); the command line takes a file instead (``--logo``)."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import Connection

from ..errors import GisplanError

MAX_LOGO_BYTES = 2 * 1024 * 1024


def logo_from_uri(uri: str | None) -> bytes | None:
    if not uri or not uri.startswith("data:"):
        return None
    head, _, payload = uri.partition(",")
    if not head.startswith("data:image/") or not head.endswith(";base64"):
        raise GisplanError("logo_url: a data: URI of an image in base64 is expected (data:image/png;base64,…)")
    try:
        data = base64.b64decode(payload, validate=True)
    except binascii.Error as exc:
        raise GisplanError("logo_url: the data: URI is not valid base64") from exc
    if len(data) > MAX_LOGO_BYTES:
        raise GisplanError(f"logo_url: the logo is over {MAX_LOGO_BYTES // 1024 // 1024} MB")
    return data


def hromada_logo(conn: Connection, hromada: str) -> bytes | None:
    from ..registration.profile import get_profile

    profile = get_profile(conn, hromada) or {}
    return logo_from_uri(profile.get("logo_url"))


def hromada_name(conn: Connection, hromada: str) -> str:
    from ..registration.profile import get_profile

    profile = get_profile(conn, hromada)
    if profile is None:
        raise GisplanError(f"hromada: {hromada!r} is not a громада of the codifier")
    return profile["name"]
