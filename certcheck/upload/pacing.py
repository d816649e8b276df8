"""Pacing: one limiter shared by every worker, so ``rate`` calls per second is never exceeded in ANY one-second
window, whatever the concurrency, and as the *server* counts them, not just as the client starts them.

A classic token bucket is not enough: full at the end of one second and refilled during the next, it lets
``2 * rate`` calls through a one-second window that straddles the two. Spacing calls ``1/rate`` apart is not
enough either: the server counts a call when it arrives, somewhere between the moment the client starts it and
the moment the answer comes back, and on a busy machine threads start late and catch up, so arrivals bunch.

So every call is a ticket: ``acquire()`` returns when the call may start, ``release(ticket)`` when its answer came
back. A call may start only when (1) it is ``1/rate`` after the previous start, and (2) the call ``capacity``
places before it *ended* more than ``window`` seconds ago. Since the server admitted that call before it ended,
and admits this one after it starts, no window of the server's clock can hold ``capacity + 1`` of them. The cost
is the latency of one call per ``capacity`` calls (~1% at 10 ms). A call that is still unanswered ``margin``
seconds after it started counts as arrived then (so one hung call cannot stop everyone for its whole timeout).
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["DEFAULT_MARGIN", "Pacer"]

DEFAULT_MARGIN = 0.25
_EPSILON = 0.001  # the server's window is closed at both ends: stay strictly outside it
_SLICE = 0.05  # how often a waiting worker looks at the abort flag


class Pacer:
    """``rate`` calls per second at most (0 or None: unlimited). Thread-safe: workers start in turn."""

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
        self._gate = threading.Lock()  # one worker at a time waits for the next start
        self._cond = threading.Condition()
        self._recent: deque[list[float]] = deque()  # [start, end or nan] of the last `capacity` calls
        self._open: dict[int, list[float]] = {}  # ticket -> its entry, until released
        self._floor = -math.inf  # the latest bound of the calls older than `_recent`
        self._last_start = -math.inf
        self._tickets = itertools.count(1)
        self._local = threading.local()
        self.calls = 0

    def acquire(self, abort: threading.Event | None = None) -> int | None:
        """Wait until a call may start; return its ticket (give it to ``release``), or None if ``abort`` was set."""
        if not self.capacity:
            with self._cond:
                self.calls += 1
            return 0
        with self._gate, self._cond:
            while True:
                if abort is not None and abort.is_set():
                    return None
                now = self._clock()
                moment = self._earliest(now)
                if moment <= now:
                    return self._start(now)
                # Woken early by a release (an end time arrived) or to look at the abort flag.
                self._cond.wait(min(moment - now, _SLICE))

    def acquire_extra(self, abort: threading.Event | None = None) -> bool:
        """For a call made inside another paced call (an adapter method that makes several): its ticket is
        released by ``release_extras()`` in the same thread, when the outer call ends."""
        ticket = self.acquire(abort)
        if ticket is None:
            return False
        extras: list[int] = self._local.__dict__.setdefault("extras", [])
        extras.append(ticket)
        return True

    def release_extras(self) -> None:
        extras: list[int] = self._local.__dict__.setdefault("extras", [])
        while extras:
            self.release(extras.pop())

    def release(self, ticket: int | None) -> None:
        """The call's answer came back (or it failed): its end time bounds when the server counted it."""
        if not ticket:
            return
        with self._cond:
            entry = self._open.pop(ticket, None)
            if entry is not None:
                entry[1] = self._clock()
                self._cond.notify_all()

    def _bound(self, entry: list[float], now: float) -> float:
        """The latest moment the server can have counted this call."""
        start, end = entry
        if not math.isnan(end):
            return end
        if now - start >= self.margin:  # still unanswered: take it as arrived `margin` after its start
            return start + self.margin
        return math.inf  # wait for its answer (or for `margin` to pass)

    def _earliest(self, now: float) -> float:
        moment = self._last_start + self.interval
        if len(self._recent) >= self.capacity:
            oldest = self._recent[0]
            bound = self._bound(oldest, now)
            if math.isinf(bound):
                return max(moment, oldest[0] + self.margin)
            moment = max(moment, max(self._floor, bound) + self.window + _EPSILON)
        return moment

    def _start(self, now: float) -> int:
        ticket = next(self._tickets)
        entry = [now, math.nan]
        self._recent.append(entry)
        self._open[ticket] = entry
        if len(self._recent) > self.capacity:
            old = self._recent.popleft()
            self._floor = max(self._floor, old[0] + self.margin if math.isnan(old[1]) else old[1])
        self._last_start = now
        self.calls += 1
        return ticket
