"""A one-line progress display for long runs (``upload``, ``bulk``): count, rate, ETA, on a terminal only.

It writes to standard error and only when that is a TTY, so piped or redirected output never holds progress
lines. Result lines printed while it is shown go through ``Progress.print`` so the bar is redrawn below them.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from typing import TextIO

__all__ = ["Progress"]

BAR_WIDTH = 24
REDRAW_EVERY = 0.1  # seconds


class Progress:
    """``total`` may be None (unknown: no bar, no ETA). Thread-safe. Use as a context manager or call close()."""

    def __init__(
        self,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        label: str = "",
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            isatty = getattr(self.stream, "isatty", None)
            enabled = bool(isatty and isatty())
        self.enabled = enabled
        self.total = total
        self.label = label
        self.done = 0
        self.counts: Counter[str] = Counter()
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._shown = False
        self._lock = threading.Lock()

    def advance(self, outcome: str | None = None, n: int = 1) -> None:
        with self._lock:
            self.done += n
            if outcome:
                self.counts[outcome] += n
            now = time.monotonic()
            if self.enabled and (now - self._last_draw >= REDRAW_EVERY or self.done == self.total):
                self._draw(now)

    def print(self, text: str, stream: TextIO | None = None) -> None:
        """Print a line (to stdout by default) without tearing the bar."""
        out = stream if stream is not None else sys.stdout
        with self._lock:
            if self._shown:
                self._erase()
            out.write(text if text.endswith("\n") else text + "\n")
            out.flush()
            if self.enabled and self.done:
                self._draw(time.monotonic())

    def line(self) -> str:
        """The progress text as it would be drawn now (no terminal codes)."""
        elapsed = max(time.monotonic() - self._start, 1e-9)
        rate = self.done / elapsed
        parts = []
        if self.label:
            parts.append(self.label)
        if self.total:
            filled = min(BAR_WIDTH, BAR_WIDTH * self.done // self.total)
            parts.append("[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]")
            parts.append(f"{self.done}/{self.total} {100 * self.done // self.total}%")
        else:
            parts.append(str(self.done))
        parts.append(f"{rate:.1f}/s")
        if self.total and rate > 0 and self.done < self.total:
            parts.append(f"ETA {_clock((self.total - self.done) / rate)}")
        else:
            parts.append(f"{_clock(elapsed)} elapsed")
        if self.counts:
            parts.append(" ".join(f"{k} {v}" for k, v in sorted(self.counts.items())))
        return "  ".join(parts)

    def _draw(self, now: float) -> None:
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()
        self._last_draw = now
        self._shown = True

    def _erase(self) -> None:
        self.stream.write("\r\x1b[K")
        self.stream.flush()
        self._shown = False

    def close(self) -> None:
        with self._lock:
            if self._shown:
                self._erase()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
