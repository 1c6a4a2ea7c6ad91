"""Responses to a signed-in caller are never shared by a cache.

A request that carries credentials (a bearer token or the session cookie) may see the full tables
of its громади, so its response must not be stored by a proxy and handed to someone else, nor a
public response be served to it: ``Cache-Control`` gets ``private`` (``public`` is replaced; no
header becomes ``private, no-cache`` so the browser revalidates by ETag), and ``Vary`` names
``Authorization`` and ``Cookie``. Anonymous responses keep the headers their routes chose.
"""

from __future__ import annotations

from .deps import SESSION_COOKIE

VARY = ("Authorization", "Cookie")


def _has_credentials(headers: dict[bytes, bytes]) -> bool:
    if headers.get(b"authorization", b"").lower().startswith(b"bearer "):
        return True
    cookie = headers.get(b"cookie", b"").decode("latin-1")
    return any(part.strip().startswith(SESSION_COOKIE + "=") for part in cookie.split(";"))


def private_cache_control(value: str | None) -> str:
    if not value:
        return "private, no-cache"
    parts = [p.strip() for p in value.split(",") if p.strip()]
    if any(p.lower() == "no-store" for p in parts) and any(p.lower() == "private" for p in parts):
        return value
    parts = [p for p in parts if p.lower() not in ("public", "private") and not p.lower().startswith("s-maxage")]
    return ", ".join(["private", *parts])


def merged_vary(value: str | None) -> str:
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    if "*" in names:
        return "*"
    for name in VARY:
        if name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return ", ".join(names)


class PrivateResponsesMiddleware:
    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not _has_credentials(dict(scope.get("headers", []))):
            await self.app(scope, receive, send)
            return

        async def mark_private(message):
            if message["type"] == "http.response.start":
                kept, cache, vary = [], None, None
                for k, v in message.get("headers", []):
                    name = k.lower()
                    if name == b"cache-control":
                        cache = v.decode("latin-1")
                    elif name == b"vary":
                        vary = v.decode("latin-1") if vary is None else f"{vary}, {v.decode('latin-1')}"
                    else:
                        kept.append((k, v))
                kept.append((b"cache-control", private_cache_control(cache).encode("latin-1")))
                kept.append((b"vary", merged_vary(vary).encode("latin-1")))
                message["headers"] = kept
            await send(message)

        await self.app(scope, receive, mark_private)
