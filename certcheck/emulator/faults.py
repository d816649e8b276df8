"""Injected faults, so a client's retry logic can be proven against every way a call can go wrong.

Each kind happens either BEFORE the action runs (nothing is stored) or AFTER it has committed (the certificate is
stored, but the client never learns its CertId: the hard case for an uploader, which must resend with the same
ClientToken or look the certificate up).

=====================  ==========================================================================================
``unavailable``        HTTP 503 ``ServiceUnavailable``; nothing stored
``unavailable-after``  the action commits, then HTTP 503 ``ServiceUnavailable`` is answered instead of its result
``drop``               the connection is closed without a response; nothing stored
``drop-after``         the action commits, then the connection is closed without a response
``slow``               the response is held ``slow_ms`` (longer than the client's read timeout), THEN the action
                       runs and commits: the client has usually given up and may be retrying meanwhile
``slow-after``         the action commits, then the response is held ``slow_ms``
=====================  ==========================================================================================
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["FAULT_KINDS", "FaultInjector", "FaultPlan"]

FAULT_KINDS = ("unavailable", "unavailable-after", "drop", "drop-after", "slow", "slow-after")


@dataclass(frozen=True)
class FaultPlan:
    kind: str

    @property
    def after(self) -> bool:
        """True when the fault strikes after the action has committed."""
        return self.kind.endswith("-after")

    @property
    def base(self) -> str:
        """``unavailable``, ``drop`` or ``slow``."""
        return self.kind.removesuffix("-after")


class FaultInjector:
    """Draws a fault (or none) for each accepted call. Thread-safe; settings can change while serving."""

    def __init__(
        self,
        rate: float = 0.0,
        kinds: Iterable[str] = FAULT_KINDS,
        *,
        slow_ms: int = 12_000,
        seed: int | None = None,
    ) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self.rate = 0.0
        self.kinds: tuple[str, ...] = FAULT_KINDS
        self.slow_ms = slow_ms
        self.configure(rate=rate, kinds=kinds, slow_ms=slow_ms)

    def configure(
        self, *, rate: float | None = None, kinds: Iterable[str] | None = None, slow_ms: int | None = None
    ) -> None:
        with self._lock:
            if rate is not None:
                if not 0.0 <= rate <= 1.0:
                    raise ValueError("fault rate must be between 0 and 1")
                self.rate = rate
            if kinds is not None:
                chosen = tuple(kinds)
                unknown = sorted(set(chosen) - set(FAULT_KINDS))
                if unknown or not chosen:
                    raise ValueError(
                        f"unknown fault kind(s) {', '.join(unknown) or '(none given)'}; "
                        f"choose from {', '.join(FAULT_KINDS)}"
                    )
                self.kinds = chosen
            if slow_ms is not None:
                if slow_ms < 0:
                    raise ValueError("slow_ms must be >= 0")
                self.slow_ms = slow_ms

    def draw(self) -> FaultPlan | None:
        with self._lock:
            if self.rate <= 0.0 or self._random.random() >= self.rate:
                return None
            return FaultPlan(self._random.choice(self.kinds))
