"""Who may try the console's password how often, and how long a signed-in browser stays signed in.

- ``Throttle``: each client (remote address) has ``free`` wrong guesses; after that each attempt is
  answered only after a growing delay and opens a growing window in which further attempts get 429.
  All clients together have ``global_free`` wrong guesses per ``global_window`` (many addresses on one
  network cannot share the work). A right password resets its client.
- ``Sessions``: a signed-in browser is a seat kept here, not only in its cookie, so a logout or an
  expiry really ends it; each seat is keyed on a hash of the password it was opened with, so a new
  password ends every seat opened under the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

# A working day at the console is idle for at most a lunch break and lasts less than a day: a browser
# left open overnight on a shared office PC must not stay signed in.
IDLE_SECONDS = 8 * 3600
ABSOLUTE_SECONDS = 24 * 3600
MAX_CLIENTS = 10_000  # clients remembered by the throttle before the unlocked ones are forgotten


@dataclass(frozen=True)
class Limits:
    """The throttle's and the sessions' limits (the defaults for a county office; tests make them short)."""

    free: int = 5  # wrong passwords a client may type before it is slowed down
    delay: float = 1.0  # seconds the first slowed attempt waits (then 2, 3 … up to max_delay)
    max_delay: float = 5.0
    window: float = 60.0  # seconds of 429 after the first slowed attempt (doubling, up to max_window)
    max_window: float = 3600.0
    global_free: int = 50  # wrong passwords of all clients together within global_window
    global_window: float = 900.0
    idle: float = IDLE_SECONDS
    absolute: float = ABSOLUTE_SECONDS


@dataclass
class Gate:
    """May an attempt go on (``wait`` seconds before answering), or is it refused for ``retry`` s?"""

    allowed: bool
    wait: float = 0.0
    retry: float = 0.0
    failures: int = 0


@dataclass
class _Client:
    failures: int = 0
    until: float = 0.0


class Throttle:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.clients: dict[str, _Client] = {}
        self.failed: deque[float] = deque()  # when each recent wrong guess (of any client) came
        self.lock = threading.Lock()

    def gate(self, client: str) -> Gate:
        """Let an attempt of ``client`` go on, counting it as a failure until it proves right: guesses
        sent in parallel cannot slip past the count."""
        now, lim = time.monotonic(), self.limits
        with self.lock:
            while self.failed and self.failed[0] < now - lim.global_window:
                self.failed.popleft()
            if len(self.failed) >= lim.global_free:
                return Gate(False, retry=self.failed[0] + lim.global_window - now)
            if len(self.clients) > MAX_CLIENTS:  # many addresses guessing: forget those no longer locked
                self.clients = {k: v for k, v in self.clients.items() if v.until > now}
            state = self.clients.setdefault(client, _Client())
            if now < state.until:
                return Gate(False, retry=state.until - now, failures=state.failures)
            state.failures += 1
            self.failed.append(now)
            over = state.failures - lim.free
            if over <= 0:
                return Gate(True, failures=state.failures)
            state.until = now + min(lim.window * 2 ** (over - 1), lim.max_window)
            return Gate(True, wait=min(lim.delay * over, lim.max_delay), retry=state.until - now,
                        failures=state.failures)  # fmt: skip

    def succeeded(self, client: str) -> None:
        with self.lock:
            self.clients.pop(client, None)
            if self.failed:
                self.failed.pop()  # the attempt counted at the gate was no guess


@dataclass
class Seat:
    """A signed-in browser: its address, when it signed in and when it was last seen."""

    client: str
    since: float  # time.time(), shown to people
    seen: float
    key: str
    opened: float = field(default_factory=time.monotonic)
    last: float = field(default_factory=time.monotonic)


class Sessions:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.seats: dict[str, Seat] = {}
        self.salt = secrets.token_bytes(16)
        self.lock = threading.Lock()

    def key(self, password: str | None) -> str:
        return hmac.new(self.salt, (password or "").encode(), hashlib.sha256).hexdigest()

    def open(self, client: str, password: str | None) -> str:
        sid = secrets.token_urlsafe(24)
        now = time.time()
        with self.lock:
            self.seats[sid] = Seat(client, now, now, self.key(password))
        return sid

    def alive(self, sid: str | None, password: str | None) -> Seat | None:
        """The seat of ``sid`` when it is open, not idle too long, not too old, and opened under the
        current password (it is touched: its idle time starts again)."""
        if not sid:
            return None
        with self.lock:
            self._expire()
            seat = self.seats.get(sid)
            if seat is None or not hmac.compare_digest(seat.key, self.key(password)):
                self.seats.pop(sid, None)
                return None
            seat.last, seat.seen = time.monotonic(), time.time()
            return seat

    def close(self, sid: str | None) -> None:
        with self.lock:
            self.seats.pop(sid or "", None)

    def connected(self, password: str | None) -> list[Seat]:
        with self.lock:
            self._expire()
            key = self.key(password)
            return sorted((s for s in self.seats.values() if s.key == key), key=lambda s: s.since)

    def _expire(self) -> None:
        now, lim = time.monotonic(), self.limits
        for sid, seat in list(self.seats.items()):
            if now - seat.last > lim.idle or now - seat.opened > lim.absolute:
                del self.seats[sid]
