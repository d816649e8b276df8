"""The pipeline: parse -> rules -> report (with the normalized request)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from certcheck._debug import log_crash
from certcheck.codes import RULE_CRASHED
from certcheck.documents import parse
from certcheck.model import UploadParams
from certcheck.profiles import Profile, get_profile
from certcheck.report import Report, bound_findings, certificate_facts
from certcheck.request import build_request
from certcheck.rules import Context, run_rules

__all__ = ["DEFAULT_EXPIRY_WARNING_DAYS", "MAX_WARNING_DAYS", "validate", "validate_many"]

DEFAULT_EXPIRY_WARNING_DAYS = 30
MAX_WARNING_DAYS = 36500  # a century: beyond that the window means nothing (and timedelta overflows)


def validate(
    params: UploadParams,
    *,
    profile: str | Profile = "2025-11",
    at: datetime | None = None,
    expiry_warning_days: float = DEFAULT_EXPIRY_WARNING_DAYS,
) -> Report:
    """Check one upload request. Never raises on bad content: every problem is a finding in the report.

    ``at`` is the time validity is judged at (default: now; naive datetimes are taken as UTC).
    Raises ValueError only for a bad argument (unknown profile, a window outside 0..36500 days, a time that
    cannot be expressed in UTC).
    """
    chosen = get_profile(profile)
    moment = _utc(at)
    _check_window(expiry_warning_days)
    try:
        docs = parse(params)  # contains a crash in one field to that field; this is the last resort
    except Exception as exc:  # a parser bug must not take the caller down
        log_crash("parsing", exc)
        crash = RULE_CRASHED(None, f"parsing crashed ({type(exc).__name__}); the request was not checked.")
        return Report((crash,), None, None, None)
    ctx = Context(docs, chosen, moment, timedelta(days=expiry_warning_days))
    findings = run_rules(ctx)
    try:
        request = build_request(docs, moment)
        algorithm = docs.algorithm
    except Exception as exc:  # likewise for the request builder
        log_crash("building the request", exc)
        findings.append(RULE_CRASHED(None, f"building the request crashed ({type(exc).__name__})."))
        request, algorithm = None, None
    shown_algorithm = algorithm.value if algorithm is not None and algorithm.accepted else None
    kind = docs.kind.value if docs.kind is not None else None
    try:
        facts = certificate_facts(docs)
    except Exception:  # facts only feed estate reports: never worth a crash
        facts = ()
    return Report(bound_findings(findings), kind, shown_algorithm, request, certificates=facts)


def validate_many(
    requests: Iterable[UploadParams],
    *,
    profile: str | Profile = "2025-11",
    at: datetime | None = None,
    expiry_warning_days: float = DEFAULT_EXPIRY_WARNING_DAYS,
    **options: Any,
) -> Iterator[Report]:
    """Check many requests, lazily, with one clock reading: see ``certcheck.bulk.validate_many`` (executors,
    process pools, Dask, batching, ordering)."""
    from certcheck.bulk import validate_many as run_many

    return run_many(requests, profile=profile, at=at, expiry_warning_days=expiry_warning_days, **options)


def _utc(at: datetime | None) -> datetime:
    if at is None:
        return datetime.now(timezone.utc)
    if at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    try:
        return at.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError(f"time {at.isoformat()} cannot be expressed in UTC") from None


def _check_window(days: float) -> None:
    if not (math.isfinite(days) and 0 <= days <= MAX_WARNING_DAYS):
        raise ValueError(f"expiry_warning_days must be between 0 and {MAX_WARNING_DAYS}, not {days!r}")
