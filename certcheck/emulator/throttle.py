"""Per-access-key rate limit: a sliding one-second window, so NO one-second window holds more than ``rate``
accepted calls (a token bucket would allow a burst of ``rate`` at a window's end plus ``rate`` at the next start)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

__all__ = ["SlidingWindow"]

WINDOW = 1.0


class SlidingWindow:
    """``rate`` calls per second per key; ``rate`` 0 means unlimited. Thread-safe."""

    def __init__(self, rate: float) -> None:
        if rate < 0 or math.isnan(rate):
            raise ValueError("rate must be >= 0")
        self.rate = rate
        # A fractional rate (2.5/s) is enforced as whole calls per window: floor, at least one.
        self._capacity = max(1, math.floor(rate)) if rate else 0
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, key: str, now: float | None = None) -> tuple[bool, float, float]:
        """(admitted, retry_after_seconds, the moment of admission, wall clock).

        The moment is read inside the lock and is the one the access log records, so the log itself proves the
        limit: no closed one-second interval of logged moments holds more than ``rate`` calls per key.
        """
        with self._lock:
            moment = time.time() if now is None else now
            if not self._capacity:
                return True, 0.0, moment
            calls = self._calls.setdefault(key, deque())
            while calls and calls[0] < moment - WINDOW:  # strict: calls exactly 1 s apart share a window
                calls.popleft()
            if len(calls) >= self._capacity:
                return False, max(0.001, calls[0] + WINDOW - moment), moment
            calls.append(moment)
            return True, 0.0, moment
