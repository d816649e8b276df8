"""Codes about running a request in a bulk run (``certcheck.bulk``): raised by the runner, not by a rule."""

from __future__ import annotations

from certcheck.codes import CERTCHECK, declare
from certcheck.model import Severity

__all__ = ["WORKER_CRASHED"]

WORKER_CRASHED = declare(
    "bulk.worker_crashed",
    Severity.ERROR,
    "Checking this request crashed or killed the worker process (checked again alone, it crashed again); the "
    "request was not checked.",
    CERTCHECK,
    trigger="A request whose check segfaults or exhausts memory in a worker process, or a custom checker that raises.",
    fix="Check the request alone with `certcheck check` and report the input's shape; the other requests of the "
    "run are not affected.",
    example="checking this request raised RuntimeError; it was not checked.",
)
