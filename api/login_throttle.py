"""Login throttling: after too many failed sign-ins for one user name, or from one client address,
further attempts are refused with 429 and ``Retry-After`` until a lockout has passed.

``GISPLAN_LOGIN_*`` settings. The failures are rows of the UNLOGGED table ``login_failure`` on the
primary database (``api/sql/login_*.sql``, one statement each), so with ``GISPLAN_WORKERS=N`` the
failures sent to any process count together and a lockout holds in all of them; times are the
database's clock. A database crash forgets them (UNLOGGED), as a restart did before. Attempts during
a lockout are refused before the password is checked, so guessing goes no faster by sending more.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Callable

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from .shared_limits import SHARED, Pruner, run


@dataclass
class LoginThrottle:
    """The app's throttle uses the database clock and the ``shared`` namespace; one given its own
    ``clock`` (tests move it) keeps its rows in a namespace of its own, as does one made without a
    namespace and a clock outside the app (a fresh, private count)."""

    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    window_seconds: float = 900.0
    lockout_seconds: float = 300.0
    clock: Callable[[], float] | None = None
    namespace: str | None = None
    engine: Engine | None = None
    _pruner: Pruner = field(default_factory=lambda: Pruner("login_prune.sql"), repr=False)

    def __post_init__(self) -> None:
        if self.namespace is None:
            self.namespace = f"own:{uuid.uuid4().hex}"

    @staticmethod
    def keys(username: str, address: str) -> tuple[str, str]:
        return "user:" + username.strip().lower(), "addr:" + address

    def _now(self) -> float | None:
        return self.clock() if self.clock is not None else None

    def _engine(self) -> Engine:
        if self.engine is None:
            from gisplan.db.engine import get_engine

            self.engine = get_engine()
        return self.engine

    def retry_after(self, username: str, address: str) -> int:
        """Seconds to wait before another attempt (0: go ahead)."""
        user_key, addr_key = self.keys(username, address)
        row = run(self._engine(), "login_retry_after.sql", {"namespace": self.namespace, "user_key": user_key,
                                                            "address_key": addr_key, "now": self._now()})
        left = row[0] if row is not None else None
        return math.ceil(left) if left is not None and left > 0 else 0

    def failed(self, username: str, address: str) -> None:
        user_key, addr_key = self.keys(username, address)
        now = self._now()
        run(self._engine(), "login_failed.sql", {
            "namespace": self.namespace, "user_key": user_key, "address_key": addr_key, "now": now,
            "user_limit": self.max_failures_per_user, "address_limit": self.max_failures_per_address,
            "window": float(self.window_seconds), "lockout": float(self.lockout_seconds)})
        self._pruner.maybe(self._engine(), {"namespace": self.namespace, "now": now})

    def succeeded(self, username: str) -> None:
        user_key = "user:" + username.strip().lower()
        run(self._engine(), "login_succeeded.sql", {"namespace": self.namespace, "user_key": user_key})


def throttle_of(request: Request) -> LoginThrottle:
    """The app's throttle, made from the settings on first use (shared by every worker process),
    on the app's primary database."""
    from gisplan.settings import server_settings

    state = request.app.state
    found = getattr(state, "login_throttle", None)
    if found is None:
        s = server_settings()
        found = state.login_throttle = LoginThrottle(
            s.login_max_failures, s.login_max_failures_per_address, s.login_window_seconds, s.login_lockout_seconds,
            namespace=SHARED)
    if found.engine is None and getattr(state, "engine", None) is not None:
        found.engine = state.engine
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def refuse_if_locked(request: Request, username: str) -> None:
    """429 with Retry-After while the user name or the client address is locked out."""
    wait = throttle_of(request).retry_after(username, client_address(request))
    if wait:
        raise HTTPException(429, f"too many failed sign-ins: try again in {wait} s / забагато невдалих "
                                 f"спроб входу: спробуйте через {wait} с", headers={"Retry-After": str(wait)})

