"""Pacing: one limiter shared by every worker, so ``rate`` calls per second is never exceeded in ANY one-second
window, whatever the concurrency.

A classic token bucket is not enough: full at the end of one second and refilled during the next, it lets
``2 * rate`` calls through a one-second window that straddles the two. Here every call reserves a moment:
calls are spaced ``1/rate`` apart, and a call may not start until the call ``capacity`` places before it is more
than ``window + margin`` seconds old. The margin absorbs the jitter between the moment a worker starts a call and
the moment the server counts it (thread wake-up, connection set-up), so the server's own count stays within its
limit too: the price is a throughput of about ``rate / (1 + margin)``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["DEFAULT_MARGIN", "Pacer"]

DEFAULT_MARGIN = 0.05


class Pacer:
    """``rate`` calls per second at most (0 or None: unlimited). Thread-safe; reservations are served in order."""

    def __init__(
        self,
        rate: float | None,
        *,
        window: float = 1.0,
        margin: float = DEFAULT_MARGIN,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate is not None and (math.isnan(rate) or rate < 0):
            raise ValueError("rate must be a number >= 0")
        if window <= 0 or margin < 0:
            raise ValueError("window must be > 0 and margin >= 0")
        self.rate = rate or 0.0
        self.window = window
        self.margin = margin
        # A fractional rate (2.5/s) allows whole calls per window: floor, at least one.
        self.capacity = max(1, math.floor(self.rate * window)) if self.rate else 0
        self.interval = 1.0 / self.rate if self.rate else 0.0
        self._clock = clock
        self._lock = threading.Lock()
        self._recent: deque[float] = deque(maxlen=self.capacity or 1)  # the last `capacity` reserved moments
        self._next = -math.inf
        self.calls = 0

    def reserve(self) -> float:
        """Reserve the next free moment; return how long to wait for it (seconds, >= 0)."""
        with self._lock:
            self.calls += 1
            if not self.capacity:
                return 0.0
            now = self._clock()
            moment = max(now, self._next)
            if len(self._recent) == self.capacity:
                moment = max(moment, self._recent[0] + self.window + self.margin)
            self._recent.append(moment)
            self._next = moment + self.interval
            return moment - now

    def acquire(self, abort: threading.Event | None = None) -> bool:
        """Wait for a moment to call. False when ``abort`` was set while waiting (the reservation is lost)."""
        delay = self.reserve()
        if delay <= 0:
            return not (abort is not None and abort.is_set())
        if abort is None:
            time.sleep(delay)
            return True
        return not abort.wait(delay)
