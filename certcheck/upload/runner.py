"""The upload runner: validate, pace, retry, resolve name conflicts, journal; results as they complete.

``upload_many(items, adapter, ...)`` validates every request first (one with a finding at or above ``fail_on``
is ``invalid`` and not sent), then sends the others from ``concurrency`` worker threads through one shared
``Pacer``. Each result is an ``UploadOutcome``: ``uploaded``, ``skipped`` (already there: found by the adapter,
done in an earlier run per the journal, or the same request twice in this run), ``failed`` or ``invalid``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from certcheck.model import KEY_FIELDS, Finding, Severity, UploadParams, shown
from certcheck.profiles import Profile, get_profile
from certcheck.request import UploadRequest
from certcheck.sources import Entry
from certcheck.upload.journal import Journal
from certcheck.upload.pacing import Pacer
from certcheck.upload.protocol import Adapter, Finder, UploadError, UploadResult
from certcheck.upload.retry import Interrupted, RetryPolicy, call_with_retries

__all__ = [
    "CONFLICT_POLICIES",
    "OUTCOMES",
    "RunControl",
    "UploadOutcome",
    "suffixed_name",
    "upload_many",
    "upload_one",
]

OUTCOMES = ("uploaded", "skipped", "failed", "invalid")
CONFLICT_POLICIES = ("fail", "suffix", "skip-if-same")
OnConflict = Literal["fail", "suffix", "skip-if-same"]
Item = UploadParams | UploadRequest | Entry

T = TypeVar("T")

MAX_SUFFIX = 20  # name_2 .. name_20: beyond that the names are not "taken by accident"
# Failures that will be the same for every request: after one, the run stops taking new requests.
STOP_CODES = frozenset(
    {
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        "InvalidAccessKeyId.NotFound",
        "InvalidAccessKeyId.Inactive",
        "InvalidAccessKeyId",
        "InvalidSecurityToken.Expired",
        "InvalidSecurityToken.Malformed",
        "CredentialsNotFound",
    }
)


@dataclass(frozen=True)
class UploadOutcome:
    """One request's result. Holds no key material (errors are screened for it)."""

    source: str
    outcome: str  # uploaded | skipped | failed | invalid
    name: str | None  # the Name used (the suffix policy may have changed it)
    requested_name: str | None = None
    cert_id: int | None = None
    request_id: str | None = None
    resource_id: str | None = None
    attempts: int = 0
    error_code: str | None = None
    error_message: str | None = None
    client_token: str | None = None
    note: str | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome in ("uploaded", "skipped")

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "name": _shown(self.name),
            "outcome": self.outcome,
            "cert_id": self.cert_id,
            "attempts": self.attempts,
            "error": None if self.error_code is None else {"code": self.error_code, "message": self.error_message},
            "request_id": self.request_id,
            "resource_id": self.resource_id,
            "client_token": self.client_token,
        }
        if self.requested_name != self.name:
            data["requested_name"] = _shown(self.requested_name)
        if self.note:
            data["note"] = self.note
        if self.findings:
            data["findings"] = [f.as_dict() for f in self.findings]
        return data


@dataclass
class RunControl:
    """Stops a run from outside (Ctrl-C) or inside (a failure every request would share).

    ``stop()``: take no new requests, let the ones in flight finish. ``abort()``: also give up waits for pacing
    and backoff (those requests end ``failed`` with code ``Interrupted``; the journal keeps them re-sendable).
    """

    stopping: threading.Event = field(default_factory=threading.Event)
    aborting: threading.Event = field(default_factory=threading.Event)
    reason: str | None = None
    not_started: int = 0
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def stop(self, reason: str) -> None:
        with self._lock:
            if self.reason is None:
                self.reason = reason
        self.stopping.set()

    def abort(self, reason: str = "interrupted") -> None:
        self.stop(reason)
        self.aborting.set()

    def _count_call(self, _attempt: int) -> None:
        with self._lock:
            self.calls += 1


def suffixed_name(name: str, n: int, limit: int) -> str:
    """``name_n``, the base cut so the whole stays within ``limit`` characters."""
    suffix = f"_{n}"
    return name[: max(0, limit - len(suffix))] + suffix


def upload_many(
    items: Iterable[Item],
    adapter: Adapter,
    *,
    rate: float | None = 100.0,
    concurrency: int = 8,
    retries: int = 6,
    on_conflict: OnConflict = "fail",
    journal: Journal | None = None,
    profile: str | Profile = "2025-11",
    at: datetime | None = None,
    fail_on: Severity = Severity.ERROR,
    control: RunControl | None = None,
    retry_policy: RetryPolicy | None = None,
    pacer: Pacer | None = None,
) -> Iterator[UploadOutcome]:
    """Upload ``items`` (UploadParams, sources.Entry, or already validated UploadRequests); yield each outcome
    as it completes. ``rate`` calls per second at most over all workers (None or 0: unlimited)."""
    if on_conflict not in CONFLICT_POLICIES:
        raise ValueError(f"on_conflict must be one of {', '.join(CONFLICT_POLICIES)}")
    if on_conflict == "skip-if-same" and not isinstance(adapter, Finder):
        raise ValueError("on_conflict='skip-if-same' needs an adapter that can find(); this one cannot")
    if concurrency < 1:
        raise ValueError("concurrency must be >= 1")
    run = _Run(
        adapter,
        pacer if pacer is not None else Pacer(rate),
        retry_policy if retry_policy is not None else RetryPolicy(retries=retries),
        on_conflict,
        journal,
        get_profile(profile),
        control if control is not None else RunControl(),
    )
    if hasattr(adapter, "pace"):  # an adapter whose method makes more than one call paces the extra ones
        adapter.pace = run.pace_extra
    return run.run(items, at, fail_on, concurrency)


def upload_one(item: Item, adapter: Adapter, **options: Any) -> UploadOutcome:
    """One request, with the same validation, retries and policies as ``upload_many``."""
    options.setdefault("concurrency", 1)
    for outcome in upload_many([item], adapter, **options):
        return outcome
    raise RuntimeError("the run was stopped before the request started")


@dataclass
class _Job:
    source: str
    request: UploadRequest


class _Run:
    def __init__(
        self,
        adapter: Adapter,
        pacer: Pacer,
        policy: RetryPolicy,
        on_conflict: OnConflict,
        journal: Journal | None,
        profile: Profile,
        control: RunControl,
    ) -> None:
        self.adapter = adapter
        self.pacer = pacer
        self.policy = policy
        self.on_conflict = on_conflict
        self.journal = journal
        self.profile = profile
        self.control = control
        self._network_failures = 0
        self._lock = threading.Lock()

    # ----- the loop: read and validate in this thread, send from the workers

    def run(
        self, items: Iterable[Item], at: datetime | None, fail_on: Severity, concurrency: int
    ) -> Iterator[UploadOutcome]:
        from certcheck.validate import _utc

        moment = _utc(at)
        seen: dict[str, str] = {}
        source_numbers = iter(range(1, 1 << 62))
        pending: set[Future[UploadOutcome | None]] = set()
        iterator = iter(items)
        exhausted = False
        with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="certcheck-upload") as pool:
            try:
                while True:
                    # Keep the workers busy, with a small queue, and no more: a stop leaves little unstarted.
                    while not exhausted and not self.control.stopping.is_set() and len(pending) < 2 * concurrency:
                        try:
                            item = next(iterator)
                        except StopIteration:
                            exhausted = True
                            break
                        prepared = self._prepare(item, next(source_numbers), moment, fail_on, seen)
                        if isinstance(prepared, UploadOutcome):
                            yield prepared
                        else:
                            pending.add(pool.submit(self._process, prepared))
                    if not pending:
                        break
                    done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                    for future in done:
                        outcome = future.result()
                        if outcome is not None:
                            yield outcome
            finally:
                if pending:  # the consumer stopped iterating (or something raised): start nothing new
                    self.control.stop(self.control.reason or "the caller stopped reading results")
                    for future in pending:
                        future.cancel()

    def _prepare(
        self, item: Item, number: int, moment: datetime, fail_on: Severity, seen: dict[str, str]
    ) -> UploadOutcome | _Job:
        from certcheck.validate import validate

        source = f"#{number}"
        if isinstance(item, Entry):
            source = item.source
            if item.params is None:
                return UploadOutcome(source, "failed", None, error_code="BadInput", error_message=item.error)
            item = item.params
        if isinstance(item, UploadParams):
            report = validate(item, profile=self.profile, at=moment)
            name = _shown(item.name)
            if report.request is None or report.fails(fail_on):
                findings = tuple(f for f in report.findings if f.severity.rank >= fail_on.rank)
                token = report.request.client_token if report.request is not None else None
                worst = findings[0] if findings else None
                outcome = UploadOutcome(
                    source,
                    "invalid",
                    name,
                    name,
                    client_token=token,
                    error_code=worst.code if worst else "request.unbuildable",
                    error_message=worst.message if worst else "no request could be built",
                    findings=findings,
                )
                if self.journal is not None and token is not None:
                    entry = self.journal.get(token)
                    if entry is None or not entry.done:
                        self.journal.finish(
                            token,
                            source,
                            name,
                            "invalid",
                            error_code=outcome.error_code,
                            error_message=outcome.error_message,
                        )
                return outcome
            request = report.request
        else:
            request = item
        token = request.client_token
        first = seen.get(token)
        if first is not None:
            return UploadOutcome(
                source,
                "skipped",
                _shown(request.get("Name")),
                _shown(request.get("Name")),
                client_token=token,
                note=f"the same request as {first}: sent once",
            )
        seen[token] = source
        return _Job(source, request)

    # ----- one request, in a worker

    def _process(self, job: _Job) -> UploadOutcome | None:
        if self.control.stopping.is_set():
            with self.control._lock:
                self.control.not_started += 1
            return None
        try:
            outcome = self._send(job)
        except Interrupted:
            outcome = self._outcome(
                job, "failed", error_code="Interrupted", error_message="the run was interrupted; run again to finish"
            )
        except Exception as exc:  # a bug must cost one request, never the run; the type only (no key)
            outcome = self._outcome(
                job, "failed", error_code="InternalError", error_message=f"{type(exc).__name__} while uploading"
            )
        self._watch(outcome)
        return outcome

    def _send(self, job: _Job) -> UploadOutcome:
        request = job.request
        token = request.client_token
        name = request.get("Name")
        journal = self.journal
        recovering = False
        if journal is not None:
            entry = journal.get(token)
            if entry is not None and entry.done:
                return UploadOutcome(
                    job.source,
                    "skipped",
                    entry.sent_name or name,
                    _shown(name),
                    cert_id=entry.cert_id,
                    request_id=entry.request_id,
                    resource_id=entry.resource_id,
                    client_token=token,
                    note=f"{entry.state} in an earlier run (journal)",
                )
            if entry is not None and entry.state == "sending" and entry.sent_name:
                # In flight when an earlier run stopped: send exactly that call again (same Name, same token).
                resent = request.with_name(entry.sent_name) if entry.sent_name != name else request
                if resent.client_token == entry.sent_token:
                    request, recovering = resent, True

        if self.on_conflict == "skip-if-same":
            try:
                found, _ = self._retrying(functools.partial(self._find, job.request))
            except UploadError as error:
                return self._finish_error(job, error, error.attempts, name)
            if found is not None:
                if journal is not None:
                    journal.finish(
                        token,
                        job.source,
                        name,
                        "skipped",
                        cert_id=found.cert_id,
                        request_id=found.request_id,
                        resource_id=found.resource_id,
                        attempts=0,
                    )
                return self._outcome(
                    job, "skipped", found, note="the same certificate is already uploaded", attempts=0, used=name
                )

        attempts_total = 0
        suffix_n = _suffix_number(request.get("Name"), name)
        while True:
            used = request.get("Name")
            if journal is not None:
                journal.begin(token, job.source, name, used, request.client_token)
            try:
                result, attempts = self._retrying(functools.partial(self.adapter.upload, request))
            except UploadError as error:
                attempts_total += error.attempts
                if error.name_taken and recovering and isinstance(self.adapter, Finder):
                    # A service that does not honour the token refuses our own earlier upload by its name:
                    # look the certificate up instead of failing (or uploading it again).
                    try:
                        found, _ = self._retrying(functools.partial(self._find, request))
                    except UploadError:
                        found = None
                    if found is not None:
                        return self._finish(job, "uploaded", found, attempts_total, used, "recovered: found")
                if error.name_taken and self.on_conflict == "suffix" and name and suffix_n < MAX_SUFFIX:
                    suffix_n += 1
                    request = job.request.with_name(suffixed_name(name, suffix_n, self.profile.name_max_chars))
                    recovering = False
                    continue
                return self._finish_error(job, error, attempts_total, used)
            attempts_total += attempts
            note = "recovered: sent again with its ClientToken" if recovering else None
            if used != name:
                note = f"the name {_shown(name)!r} is taken; uploaded as {_shown(used)!r}"
            return self._finish(job, "uploaded", result, attempts_total, used, note)

    def _find(self, request: UploadRequest) -> UploadResult | None:
        assert isinstance(self.adapter, Finder)
        return self.adapter.find(request)

    def _retrying(self, call: Callable[[], T]) -> tuple[T, int]:
        return call_with_retries(call, self.policy, self.pacer, self.control.aborting, self.control._count_call)

    def pace_extra(self) -> None:
        """For adapters: wait for the pacer before each call beyond the first of one method."""
        if not self.pacer.acquire_extra(self.control.aborting):
            raise Interrupted
        self.control._count_call(0)

    # ----- outcomes

    def _finish(
        self, job: _Job, state: str, result: UploadResult, attempts: int, used: str | None, note: str | None
    ) -> UploadOutcome:
        if self.journal is not None:
            self.journal.finish(
                job.request.client_token,
                job.source,
                job.request.get("Name"),
                state,
                cert_id=result.cert_id,
                request_id=result.request_id,
                resource_id=result.resource_id,
                attempts=attempts,
                sent_name=used,
            )
        return self._outcome(job, state, result, attempts=attempts, used=used, note=note)

    def _finish_error(self, job: _Job, error: UploadError, attempts: int, used: str | None) -> UploadOutcome:
        message = safe_message(error.message, job.request)
        if self.journal is not None:
            self.journal.finish(
                job.request.client_token,
                job.source,
                job.request.get("Name"),
                "failed",
                attempts=attempts,
                error_code=error.code,
                error_message=message,
                sent_name=used,
                request_id=error.request_id,
            )
        return self._outcome(
            job,
            "failed",
            None,
            attempts=attempts,
            used=used,
            error_code=error.code,
            error_message=message,
            request_id=error.request_id,
        )

    def _outcome(
        self,
        job: _Job,
        state: str,
        result: UploadResult | None = None,
        *,
        attempts: int = 0,
        used: str | None = None,
        note: str | None = None,
        error_code: str | None = None,
        error_message: str | None = None,
        request_id: str | None = None,
    ) -> UploadOutcome:
        name = job.request.get("Name")
        return UploadOutcome(
            job.source,
            state,
            _shown(used if used is not None else name),
            _shown(name),
            cert_id=result.cert_id if result else None,
            request_id=result.request_id if result else request_id,
            resource_id=result.resource_id if result else None,
            attempts=attempts,
            error_code=error_code,
            error_message=error_message,
            client_token=job.request.client_token,
            note=note,
        )

    def _watch(self, outcome: UploadOutcome) -> None:
        """Stop early on failures every request would share (bad credentials, an endpoint that never answers)."""
        code = outcome.error_code
        if outcome.outcome != "failed" or code is None:
            with self._lock:
                self._network_failures = 0
            return
        if code in STOP_CODES:
            self.control.stop(f"{code}: every request would fail the same way ({outcome.error_message})")
            return
        if code in NETWORK_CODES:
            with self._lock:
                self._network_failures += 1
                count = self._network_failures
            if count >= NETWORK_STOP_AFTER:
                self.control.stop(f"{count} requests in a row could not reach the service ({code})")


NETWORK_CODES = frozenset({"ConnectionRefused", "ConnectionError", "Timeout", "NameResolutionFailed"})
NETWORK_STOP_AFTER = 8


def _suffix_number(used: str | None, name: str | None) -> int:
    if used is None or name is None or used == name or "_" not in used:
        return 1
    tail = used.rsplit("_", 1)[1]
    return int(tail) if tail.isdigit() else 1


def _shown(name: str | None) -> str | None:
    return None if name is None else shown("Name", name)


def safe_message(message: str | None, request: UploadRequest) -> str | None:
    """The message, unless it quotes the request's private key (raw, percent-encoded, or as DER hex): then a
    notice instead. The last line of defence: adapters should never put key material in messages at all."""
    if not message:
        return message
    if "PRIVATE KEY" in message.upper() or _quotes_key(message, request):
        return "(the service's message was withheld: it quoted private key material)"
    return message


def _quotes_key(message: str, request: UploadRequest) -> bool:
    import base64
    import binascii

    lowered = message.lower()
    for name, value in request.fields:
        if name not in KEY_FIELDS:
            continue
        lines = [line.strip() for line in value.splitlines() if line.strip() and not line.startswith("-----")]
        for line in lines:
            for start in range(0, max(1, len(line) - 15), 16):
                piece = line[start : start + 16]
                if len(piece) < 16:
                    continue
                if (
                    piece in message
                    or quote(piece, safe="") in message
                    or quote(quote(piece, safe=""), safe="") in message
                ):
                    return True
        try:
            der_hex = base64.b64decode("".join(lines)).hex()
        except (binascii.Error, ValueError):
            continue
        if any(der_hex[i : i + 32] in lowered for i in range(0, max(1, len(der_hex) - 31), 16)):
            return True
    return False
