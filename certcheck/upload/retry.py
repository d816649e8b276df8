"""Retries: exponential backoff with jitter, for retryable failures only, honouring the service's retry-after.

The request is sent again unchanged, so it carries the same ClientToken on every attempt: a call that reached
the service but whose answer was lost (a timeout, a dropped connection, a 503 after the commit) cannot create a
second certificate.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from certcheck.upload.pacing import Pacer
from certcheck.upload.protocol import UploadError

__all__ = ["Interrupted", "RetryPolicy", "call_with_retries"]

T = TypeVar("T")


class Interrupted(Exception):
    """The run was aborted while this call waited (for pacing or a backoff)."""


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` extra attempts at most; waits grow ``base * 2**n`` up to ``cap`` seconds, jittered."""

    retries: int = 6
    base: float = 0.25
    cap: float = 20.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.retries < 0 or self.base < 0 or self.cap < 0:
            raise ValueError("retries, base and cap must be >= 0")

    def delay(self, retry: int, error: UploadError) -> float:
        """The wait before retry number ``retry`` (1-based) after ``error``."""
        backoff = min(self.cap, self.base * 2 ** (retry - 1))
        wait = self.rng.uniform(backoff / 2, backoff)  # "equal jitter": never zero, never in lockstep
        if error.retry_after is not None and error.retry_after > 0:
            # The service said when: wait that long (capped: a confused server must not park a worker for hours),
            # plus a little spread so throttled workers do not all come back at the same instant.
            wait = min(error.retry_after, max(self.cap, 60.0)) + self.rng.uniform(0, 0.05)
        return wait


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    pacer: Pacer | None = None,
    abort: threading.Event | None = None,
    on_attempt: Callable[[int], None] | None = None,
) -> tuple[T, int]:
    """``call()`` until it succeeds, raises a non-retryable UploadError, or the retries run out.

    Returns (result, attempts). Raises the last UploadError with ``attempts`` set on it, or Interrupted.
    Every attempt waits for the pacer first: a retry is a call like any other.
    """
    attempt = 0
    while True:
        ticket = pacer.acquire(abort) if pacer is not None else None
        if pacer is not None and ticket is None:
            raise Interrupted
        attempt += 1
        if on_attempt is not None:
            on_attempt(attempt)
        try:
            return call(), attempt
        except UploadError as error:
            error.attempts = attempt
            if not error.retryable or attempt > policy.retries:
                raise
            wait = policy.delay(attempt, error)
        finally:
            if pacer is not None:  # the answer is back: its end time is what the pacer counts from
                pacer.release(ticket)
                pacer.release_extras()
        if abort is not None:
            if abort.wait(wait):
                raise Interrupted
        else:
            threading.Event().wait(wait)
