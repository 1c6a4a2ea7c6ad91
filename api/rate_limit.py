"""Rate limits of anonymous requests, per client address (a token bucket).

``GISPLAN_RATE_LIMIT_PER_MINUTE`` requests a minute per address, in bursts of up to as many; beyond
that 429 with ``Retry-After``. ``0`` switches the limit off (the load benchmark does). Signed-in
callers (bearer token or session cookie), ``/static`` and ``/healthz`` are not limited. Counted in
the process, so with several workers each keeps its own count.
"""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Callable

EXEMPT = ("/static/", "/healthz")


class TokenBuckets:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic, max_addresses: int = 100_000):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.max_addresses = max_addresses
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, address: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(address, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                if len(self._buckets) >= self.max_addresses and address not in self._buckets:
                    self._buckets.clear()  # bounded memory: forget everyone rather than grow
                self._buckets[address] = (tokens - 1, now)
                return 0.0
            self._buckets[address] = (tokens, now)
            return (1 - tokens) / self.rate


def _signed_in(scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return True
        if name == b"cookie" and b"gisplan_session=" in value:
            return True
    return False


class RateLimitMiddleware:
    def __init__(self, app, per_minute: int) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute) if per_minute > 0 else None

    async def __call__(self, scope, receive, send):
        app = scope.get("app")  # tests install their own buckets as app.state.rate_limit
        buckets = (getattr(app.state, "rate_limit", None) if app is not None else None) or self.buckets
        if (buckets is None or scope["type"] != "http" or scope.get("path", "").startswith(EXEMPT)
                or _signed_in(scope)):
            await self.app(scope, receive, send)
            return
        address = scope["client"][0] if scope.get("client") else "unknown"
        wait = buckets.take(address)
        if not wait:
            await self.app(scope, receive, send)
            return
        retry = str(max(1, math.ceil(wait)))
        body = json.dumps({"detail": f"too many requests from {address}: try again in {retry} s / "
                                     f"забагато запитів: спробуйте через {retry} с"}).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", retry.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
