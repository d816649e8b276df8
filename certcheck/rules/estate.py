"""Codes about a request's place in a run of many (``certcheck bulk``, ``validate_many``), not about its content.

No rule of the engine raises them: the source readers and the bulk runner do (``certcheck.sources``,
``certcheck.bulk``). They are declared here, with the rules, so the catalogue and docs/codes.md list them.
"""

from __future__ import annotations

from certcheck.codes import API_2025, CERTCHECK, declare
from certcheck.model import Severity

__all__ = ["DUPLICATE_IN_RUN", "SOURCE_UNMATCHED", "SOURCE_UNREADABLE", "WORKER_CRASHED"]

DUPLICATE_IN_RUN = declare(
    "name.duplicate_in_run",
    Severity.ERROR,
    "Two or more requests of one run use the same Name; certificate names must be unique, so the second upload "
    "would fail. Reported on every request that uses it.",
    f"{API_2025}: Name (unique per account)",
)
SOURCE_UNREADABLE = declare(
    "source.unreadable",
    Severity.ERROR,
    "A request's files (or its manifest line) could not be read; the request was not checked.",
    CERTCHECK,
)
SOURCE_UNMATCHED = declare(
    "source.unmatched",
    Severity.WARNING,
    "A certificate or key file in a scanned directory belongs to no request of a known layout (certbot, acme.sh, "
    "plain pair, SM pair); it was not checked.",
    CERTCHECK,
)
WORKER_CRASHED = declare(
    "bulk.worker_crashed",
    Severity.ERROR,
    "Checking this request crashed or killed the worker process (checked again alone, it crashed again); the "
    "request was not checked. Please report it with the input's shape.",
    CERTCHECK,
)
