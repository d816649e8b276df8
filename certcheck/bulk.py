"""Many requests at once: ``validate_many`` over any ``concurrent.futures.Executor``, batched and streaming.

Three ways to run, one pipeline:

* in process (no executor, ``jobs`` None or 1): requests are checked one by one as they are pulled;
* a process pool (``jobs=N``): certcheck starts N worker processes and shuts them down at the end;
* any executor you pass: a ``ProcessPoolExecutor`` of your own, or a Dask cluster through
  ``distributed.Client(...).get_executor()`` (``pip install certcheck[dask]``).

Requests travel in batches (a task per batch, so Dask's 10-45 ms per task is paid once per hundreds of
requests), and at most ``window`` batches are in flight: the input is pulled lazily, reports are yielded as
soon as they can be, and memory stays flat however many requests flow through.

A request that crashes or kills its worker (a segfault in a C library, ``os._exit``, the OOM killer) loses no
other request: the batch it was in is checked again item by item, alone, in a fresh single-process pool; the
request that still kills its worker there gets a ``bulk.worker_crashed`` finding, the others their reports.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import dataclasses
import gc
import os
import pickle
import signal
import time
import warnings
from collections import deque
from collections.abc import Collection, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Protocol

from certcheck.model import UploadParams
from certcheck.profiles import Profile, get_profile
from certcheck.report import Location, Report
from certcheck.rules.bulk import WORKER_CRASHED
from certcheck.rules.name import DUPLICATE_IN_RUN
from certcheck.rules.source import SOURCE_UNMATCHED, SOURCE_UNREADABLE
from certcheck.sources import Entry
from certcheck.validate import DEFAULT_EXPIRY_WARNING_DAYS, _check_window, _utc, validate

__all__ = ["Checker", "Result", "iter_results", "validate_many"]

# Requests per task. A process pool pays ~0.3 ms per task, Dask 10-45 ms (and ~0.7 ms per item in transit):
# batches of these sizes keep that under a few percent of the work (0.15-3 ms per request; a standard request
# now costs ~0.2 ms, so 32 a task left the pool ~5% of it).
PROCESS_BATCH = 64
DASK_BATCH = 256


class Checker(Protocol):
    """What checks one request: ``certcheck.validate`` unless you pass your own (it must be picklable, i.e. a
    module-level function, to run in worker processes)."""

    def __call__(
        self, params: UploadParams, *, profile: str | Profile, at: datetime, expiry_warning_days: float
    ) -> Report: ...


@dataclass(frozen=True)
class Result:
    """One request's report and the seconds its check took in the worker (the queueing time excluded)."""

    report: Report
    seconds: float


@dataclass(frozen=True)
class _Options:
    profile: str | Profile
    at: datetime
    days: float
    check: Checker
    duplicates: frozenset[str]


# source, params, error, the error's code, locations
_Item = tuple[str | None, UploadParams | None, str | None, str, tuple[Location, ...]]


def validate_many(
    requests: Iterable[UploadParams | Entry],
    *,
    profile: str | Profile = "2025-11",
    at: datetime | None = None,
    expiry_warning_days: float = DEFAULT_EXPIRY_WARNING_DAYS,
    executor: cf.Executor | None = None,
    jobs: int | None = None,
    batch_size: int | None = None,
    ordered: bool = True,
    window: int | None = None,
    duplicate_names: Collection[str] = (),
    check: Checker | None = None,
) -> Generator[Report, None, None]:
    """Check many requests, lazily; yield one Report per request, in input order unless ``ordered=False``.

    ``requests`` holds ``UploadParams`` or ``certcheck.sources.Entry`` (a request with its ``source``, which
    the report then carries; an Entry that could not be read becomes a ``source.unreadable`` finding). One
    clock reading judges the whole run. ``executor``: any ``concurrent.futures.Executor`` (yours: not shut
    down); or ``jobs=N`` for a process pool of N workers started and stopped here; neither: in this process.
    ``batch_size``: requests per task (default by executor kind); ``window``: batches in flight (default 2 per
    worker + 2; 4 per worker + 2 on Dask). ``duplicate_names``: Names known to occur more than once in the run (see
    ``certcheck.sources.estate.duplicate_names``): each request using one gets ``name.duplicate_in_run``.

    Raises ValueError for a bad argument, before any request is pulled.
    """
    results = iter_results(
        requests,
        profile=profile,
        at=at,
        expiry_warning_days=expiry_warning_days,
        executor=executor,
        jobs=jobs,
        batch_size=batch_size,
        ordered=ordered,
        window=window,
        duplicate_names=duplicate_names,
        check=check,
    )
    return _reports(results)


def _reports(results: Generator[Result, None, None]) -> Generator[Report, None, None]:
    try:
        for result in results:
            yield result.report
    finally:
        results.close()


def iter_results(
    requests: Iterable[UploadParams | Entry],
    *,
    profile: str | Profile = "2025-11",
    at: datetime | None = None,
    expiry_warning_days: float = DEFAULT_EXPIRY_WARNING_DAYS,
    executor: cf.Executor | None = None,
    jobs: int | None = None,
    batch_size: int | None = None,
    ordered: bool = True,
    window: int | None = None,
    duplicate_names: Collection[str] = (),
    check: Checker | None = None,
) -> Generator[Result, None, None]:
    """``validate_many`` with each check's duration (``Result``): what ``certcheck bulk`` reports as slowest."""
    get_profile(profile)  # a bad profile is an argument error now, not a finding per request
    _check_window(expiry_warning_days)
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be at least 1, not {jobs}")
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if window is not None and window < 1:
        raise ValueError(f"window must be at least 1, not {window}")
    options = _Options(
        profile, _utc(at), expiry_warning_days, check or validate, frozenset(n for n in duplicate_names if n)
    )
    items = (_item(request) for request in requests)
    if executor is None and (jobs is None or jobs == 1):
        return _in_process(items, options)
    return _Runner(options, executor, jobs, batch_size, ordered, window).run(items)


def _item(request: UploadParams | Entry) -> _Item:
    if isinstance(request, UploadParams):
        return (None, request, None, "", ())
    if isinstance(request, Entry):
        return (request.source, request.params, request.error, request.code, request.locations)
    raise TypeError(f"validate_many takes UploadParams or certcheck.sources.Entry, not {type(request).__name__}")


def _in_process(items: Iterable[_Item], options: _Options) -> Generator[Result, None, None]:
    for item in items:
        yield _check_one(item, options)


# --- what a worker runs ---------------------------------------------------------------------------------------


def _check_one(item: _Item, options: _Options) -> Result:
    source, params, error, code, locations = item
    start = time.perf_counter()
    if params is None:
        declared = SOURCE_UNMATCHED if code == SOURCE_UNMATCHED.code else SOURCE_UNREADABLE
        report = Report((declared(None, error or "the request could not be read"),), None, None, None)
    else:
        try:
            report = options.check(params, profile=options.profile, at=options.at, expiry_warning_days=options.days)
        except Exception as exc:  # a custom checker, or validate's own safety net failing: one finding
            report = _crashed(f"checking this request raised {type(exc).__name__}; it was not checked.")
        if params.name is not None and params.name in options.duplicates:
            duplicate = DUPLICATE_IN_RUN(
                "Name",
                f"Name {params.name!r} is used by another request of this run: certificate names must be unique, "
                "so only one of them can be uploaded. Rename one (certcheck bulk derives names from "
                "directories: see README, 'Names in bulk runs').",
            )
            report = dataclasses.replace(report, findings=(*report.findings, duplicate))
    if source is not None or locations:
        report = dataclasses.replace(report, source=source, locations=locations or report.locations)
    return Result(report, time.perf_counter() - start)


def _crashed(message: str) -> Report:
    return Report((WORKER_CRASHED(None, message),), None, None, None)


def _check_batch(items: list[_Item], options: _Options) -> list[Result]:
    return [_check_one(item, options) for item in items]


def _check_blob(blob: bytes) -> bytes:
    """A batch as one pickled blob in, its results as one blob out: what Dask tasks carry. Dask then moves
    opaque bytes instead of walking (and, on the scheduler, unpickling) thousands of objects per task."""
    items, options = pickle.loads(blob)
    return pickle.dumps(_check_batch(items, options), protocol=pickle.HIGHEST_PROTOCOL)


class _Unblob(cf.Future):  # type: ignore[type-arg]
    """A future of a ``_check_blob`` task that gives the results themselves."""

    def __init__(self, inner: cf.Future[bytes]) -> None:
        super().__init__()
        self.inner = inner
        inner.add_done_callback(self._done)

    def _done(self, inner: cf.Future[bytes]) -> None:
        try:
            self.set_result(pickle.loads(inner.result()))
        except BaseException as exc:  # the task failed (KilledWorker, a lost connection): the batch is isolated
            self.set_exception(exc)

    def cancel(self) -> bool:
        self.inner.cancel()
        return super().cancel()


def _worker_init() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the parent stops the run and shuts the pool down;
    # workers must not die half-way through a batch, printing tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's whole heap (its requests, its modules). The cyclic collector would
    # walk those objects again and again, touching (so copying) their pages: frozen, it walks only what the
    # worker makes. ~20% of a worker's CPU per request (benchmarks/bench_bulk.py, jobs=2).
    gc.freeze()


# --- the parent's side ----------------------------------------------------------------------------------------


# Modules the checks import lazily (pyasn1 for SM2 keys: ~0.5 s): imported before workers start, so the first
# request of each worker is not charged for them (and "slowest" in the summary means the slowest request).
_WARM = ("certcheck.documents.sm2key", "certcheck._crypto.sm2key", "certcheck.sm2", "certcheck._crypto.sm2")


def _warm() -> None:
    import importlib

    for module in _WARM:
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def _process_pool(workers: int) -> cf.ProcessPoolExecutor:
    import multiprocessing
    import threading

    _warm()  # forked workers inherit what the parent imported

    # fork: workers start in milliseconds with certcheck already imported, and nothing of __main__ is re-run.
    # Forking a process that runs threads (a Dask client, a caller's) can deadlock a child, so then
    # forkserver, which forks from a clean single-threaded server that imported certcheck once.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        method = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["certcheck.bulk", *_WARM])
    return cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init)


def _is_dask(executor: cf.Executor) -> bool:
    return type(executor).__module__.startswith("distributed")


def _parallelism(executor: cf.Executor) -> int:
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int) and workers > 0:
        return workers
    if _is_dask(executor):
        try:
            return max(1, sum(executor._client.nthreads().values()))  # type: ignore[attr-defined]
        except Exception:  # a cluster that cannot say: assume a few
            return 4
    return 4


class _Runner:
    """Feeds batches to an executor, at most ``window`` in flight, and yields their results."""

    def __init__(
        self,
        options: _Options,
        executor: cf.Executor | None,
        jobs: int | None,
        batch_size: int | None,
        ordered: bool,
        window: int | None,
    ) -> None:
        self.options = options
        self.owned = executor is None
        self.jobs = jobs or os.cpu_count() or 1
        self.executor: cf.Executor = executor if executor is not None else _process_pool(self.jobs)
        self.dask = _is_dask(self.executor)
        self.batch_size = batch_size or (DASK_BATCH if self.dask else PROCESS_BATCH)
        # Enough batches in flight to keep every worker busy while results travel back: Dask's round trips are
        # longer (milliseconds through the scheduler), so it gets more.
        self.window = window or (4 if self.dask else 2) * _parallelism(self.executor) + 2
        self.ordered = ordered

    def run(self, items: Iterator[_Item]) -> Generator[Result, None, None]:
        batches = iter(lambda: list(islice(items, self.batch_size)), [])
        pending: deque[tuple[list[_Item], cf.Future[list[Result]]]] = deque()
        try:
            for batch in islice(batches, self.window):
                pending.append((batch, self._submit(batch)))
            while pending:
                if self.ordered:
                    batch, future = pending.popleft()
                    cf.wait([future])
                else:
                    done, _ = cf.wait([f for _, f in pending], return_when=cf.FIRST_COMPLETED)
                    index = next(i for i, (_, f) in enumerate(pending) if f in done)
                    batch, future = pending[index]
                    del pending[index]
                results = self._collect(batch, future)
                del future
                following = next(batches, None)
                if following is not None:
                    pending.append((following, self._submit(following)))
                yield from results
        finally:
            for _, future in pending:
                future.cancel()
            pending.clear()
            if self.owned:
                self.executor.shutdown(wait=True, cancel_futures=True)

    def _submit(self, batch: list[_Item]) -> cf.Future[list[Result]]:
        try:
            if self.dask:
                blob = pickle.dumps((batch, self.options), protocol=pickle.HIGHEST_PROTOCOL)
                return _Unblob(self.executor.submit(_check_blob, blob, pure=False))  # type: ignore[call-arg]
            return self.executor.submit(_check_batch, batch, self.options)
        except (cf.BrokenExecutor, RuntimeError):
            # The pool is broken (a worker died) or was shut down under us. Ours: start a new one. Yours: we
            # cannot repair it, so the rest of the run goes to a pool of our own.
            if not self.owned:
                warnings.warn(
                    "validate_many: the executor given is broken or shut down; going on in a process pool of "
                    f"{self.jobs} workers",
                    RuntimeWarning,
                    stacklevel=2,
                )
            else:
                self.executor.shutdown(wait=False, cancel_futures=True)
            self.owned = True
            self.dask = False
            self.executor = _process_pool(self.jobs)
            return self.executor.submit(_check_batch, batch, self.options)

    def _collect(self, batch: list[_Item], future: cf.Future[list[Result]]) -> list[Result]:
        try:
            results = future.result()
            if len(results) == len(batch):
                return results
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException:  # BrokenProcessPool, Dask's KilledWorker, a lost connection...: isolate
            pass
        return _isolate(batch, self.options)


def _isolate(batch: list[_Item], options: _Options) -> list[Result]:
    """Check a failed batch's requests one by one, each alone in a single-process pool: the request that still
    kills its worker is the culprit, and gets a finding; a fresh pool takes the next."""
    results: list[Result] = []
    pool: cf.ProcessPoolExecutor | None = None
    try:
        for item in batch:
            if pool is None:
                pool = _process_pool(1)
            try:
                results.extend(pool.submit(_check_batch, [item], options).result())
                continue
            except cf.BrokenExecutor:
                pool.shutdown(wait=False, cancel_futures=True)
                pool = None
            except Exception as exc:  # e.g. the result could not be pickled back
                crashed = _crashed(f"checking this request failed in its worker ({type(exc).__name__}).")
                results.append(Result(dataclasses.replace(crashed, source=item[0]), 0.0))
                continue
            message = "checking this request killed its worker process (checked again alone: killed it again)."
            results.append(Result(dataclasses.replace(_crashed(message), source=item[0]), 0.0))
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return results
