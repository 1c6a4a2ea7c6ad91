"""Login throttling: after too many failed sign-ins for one user name, or from one client address,
further attempts are refused with 429 and ``Retry-After`` until a lockout has passed.

Counted in the process (``GISPLAN_LOGIN_*`` settings): a restart forgets. Attempts during a lockout
are refused before the password is checked, so guessing goes no faster by sending more.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Callable

from fastapi import HTTPException, Request


@dataclass
class LoginThrottle:
    max_failures_per_user: int = 5
    max_failures_per_address: int = 20
    window_seconds: float = 900.0
    lockout_seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    _locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(username: str, address: str) -> tuple[str, str]:
        return "user:" + username.strip().lower(), "addr:" + address

    def retry_after(self, username: str, address: str) -> int:
        """Seconds to wait before another attempt (0: go ahead)."""
        now = self.clock()
        with self._lock:
            until = max(self._locked_until.get(k, 0.0) for k in self.keys(username, address))
        return math.ceil(until - now) if until > now else 0

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        user_key, addr_key = self.keys(username, address)
        with self._lock:
            for key, limit in ((user_key, self.max_failures_per_user), (addr_key, self.max_failures_per_address)):
                times = self._failures[key]
                times.append(now)
                while times and times[0] <= now - self.window_seconds:
                    times.popleft()
                if len(times) >= limit:
                    self._locked_until[key] = now + self.lockout_seconds
                    times.clear()

    def succeeded(self, username: str) -> None:
        user_key = "user:" + username.strip().lower()
        with self._lock:
            self._failures.pop(user_key, None)
            self._locked_until.pop(user_key, None)


def throttle_of(request: Request) -> LoginThrottle:
    """The app's throttle, made from the settings on first use."""
    from gisplan.settings import server_settings

    state = request.app.state
    found = getattr(state, "login_throttle", None)
    if found is None:
        s = server_settings()
        found = state.login_throttle = LoginThrottle(
            s.login_max_failures, s.login_max_failures_per_address, s.login_window_seconds, s.login_lockout_seconds)
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def refuse_if_locked(request: Request, username: str) -> None:
    """429 with Retry-After while the user name or the client address is locked out."""
    wait = throttle_of(request).retry_after(username, client_address(request))
    if wait:
        raise HTTPException(429, f"too many failed sign-ins: try again in {wait} s / забагато невдалих "
                                 f"спроб входу: спробуйте через {wait} с", headers={"Retry-After": str(wait)})
