"""certcheck.validate_many over executors: order, streaming, batching, crashes, a killed worker, Dask."""

from __future__ import annotations

import concurrent.futures as cf
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

import certcheck
from certcheck import UploadParams
from certcheck.bulk import iter_results
from certcheck.sources import Entry
from tests import bulk_helpers
from tests.conftest import AT, std

CHAIN, KEY = std("rsa-fullchain.pem"), std("rsa-leaf.key")
EC_CHAIN, EC_KEY = std("ec-p256-fullchain.pem"), std("ec-p256-leaf.key")


def _request(i: int) -> UploadParams:
    # Alternate RSA, EC and a broken request so order mix-ups show as wrong verdicts too.
    if i % 3 == 0:
        return UploadParams(name=f"n{i}", cert=CHAIN, key=KEY)
    if i % 3 == 1:
        return UploadParams(name=f"n{i}", cert=EC_CHAIN, key=EC_KEY)
    return UploadParams(name=f"n{i}", cert=CHAIN, key=EC_KEY)  # key mismatch


def _names(reports: list[certcheck.Report]) -> list[str]:
    return [r.request.get("Name") or "" for r in reports if r.request is not None]


def test_sequential_signature_still_works() -> None:
    reports = list(certcheck.validate_many([_request(0), _request(2)], at=AT))
    assert [r.ok for r in reports] == [True, False]
    from certcheck.validate import validate_many as old_place

    assert [r.ok for r in old_place(iter([_request(1)]), at=AT, expiry_warning_days=10)] == [True]


@pytest.mark.parametrize("kwargs", [{}, {"jobs": 2, "batch_size": 4}, {"jobs": 2, "batch_size": 1, "window": 2}])
def test_reports_come_back_in_input_order(kwargs: dict[str, int]) -> None:
    requests = [_request(i) for i in range(60)]
    reports = list(certcheck.validate_many(iter(requests), at=AT, **kwargs))
    assert _names(reports) == [f"n{i}" for i in range(60)]
    assert [r.ok for r in reports] == [i % 3 != 2 for i in range(60)]
    expected = [certcheck.validate(r, at=AT).findings for r in requests]
    assert [r.findings for r in reports] == expected


def test_unordered_yields_every_report_once() -> None:
    reports = list(
        certcheck.validate_many((_request(i) for i in range(40)), at=AT, jobs=2, batch_size=3, ordered=False)
    )
    assert sorted(_names(reports), key=lambda n: int(n[1:])) == [f"n{i}" for i in range(40)]


def test_an_executor_of_your_own_is_used_and_left_running() -> None:
    with cf.ThreadPoolExecutor(2) as pool:
        reports = list(certcheck.validate_many((_request(i) for i in range(10)), at=AT, executor=pool, batch_size=3))
        assert _names(reports) == [f"n{i}" for i in range(10)]
        assert pool.submit(lambda: 7).result() == 7  # not shut down by validate_many


def test_entries_carry_their_source_and_unreadable_ones_become_findings() -> None:
    entries = [
        Entry("live/a", _request(0)),
        Entry("live/b", None, "Cert: cannot read 'live/b/fullchain.pem': Permission denied"),
        Entry("live/c/stray.pem", None, "belongs to no request", code="source.unmatched"),
    ]
    for kwargs in ({}, {"jobs": 2}):
        reports = list(certcheck.validate_many(entries, at=AT, **kwargs))  # type: ignore[arg-type]
        assert [r.source for r in reports] == ["live/a", "live/b", "live/c/stray.pem"]
        assert reports[0].ok
        assert [f.code for f in reports[1].findings] == ["source.unreadable"] and not reports[1].ok
        assert [f.code for f in reports[2].findings] == ["source.unmatched"] and reports[2].ok  # a warning


def test_duplicate_names_are_an_error_on_every_request_using_them() -> None:
    requests = [UploadParams(name=n, cert=CHAIN, key=KEY) for n in ("a", "b", "a", "c")]
    reports = list(certcheck.validate_many(requests, at=AT, duplicate_names={"a"}, jobs=2, batch_size=1))
    flagged = ["name.duplicate_in_run" in [f.code for f in r.findings] for r in reports]
    assert flagged == [True, False, True, False]
    assert [r.ok for r in reports] == [False, True, False, True]


class _Counting:
    """A generator of distinct requests that counts how many were pulled."""

    def __init__(self, total: int) -> None:
        self.pulled = 0
        self.total = total

    def __iter__(self) -> Iterator[UploadParams]:
        for i in range(self.total):
            self.pulled += 1
            yield _request(i)


@pytest.mark.parametrize("kwargs", [{}, {"jobs": 2, "batch_size": 8, "window": 3}])
def test_input_is_pulled_lazily_within_a_bounded_window(kwargs: dict[str, int]) -> None:
    source = _Counting(100_000)
    reports = certcheck.validate_many(iter(source), at=AT, **kwargs)
    first = list(itertools.islice(reports, 20))
    assert len(first) == 20
    # In process: exactly what was consumed. In a pool: at most the window of batches ahead (plus the batch
    # taken to replace the one just consumed).
    bound = 20 if not kwargs else 20 + (kwargs["window"] + 1) * kwargs["batch_size"]
    assert source.pulled <= bound
    reports.close()  # type: ignore[attr-defined]
    assert source.pulled < 100_000


def test_a_request_that_kills_its_worker_gets_a_finding_and_no_other_is_lost() -> None:
    names = [f"n{i}" for i in range(30)]
    names[7] = "boom"
    names[21] = "raise"
    requests = [UploadParams(name=n, cert=CHAIN, key=KEY) for n in names]
    entries = [Entry(f"src/{n}", r) for n, r in zip(names, requests, strict=False)]
    results = list(iter_results(entries, at=AT, jobs=2, batch_size=4, check=bulk_helpers.crashing))
    reports = [r.report for r in results]
    assert [r.source for r in reports] == [f"src/{n}" for n in names]
    crashed = [r.source for r in reports if "bulk.worker_crashed" in [f.code for f in r.findings]]
    assert crashed == ["src/boom", "src/raise"]
    assert all(r.ok for r in reports if r.source not in crashed)
    raised = reports[21].findings[0].message
    assert "RuntimeError" in raised and "PRIVATE" not in raised  # the exception's text may quote a key


def test_a_worker_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    requests = [UploadParams(name=f"n{i}", cert=CHAIN, key=KEY) for i in range(24)]
    requests[10] = UploadParams(name="victim", cert=CHAIN, key=KEY, resource_group_id=str(marker))
    reports = list(certcheck.validate_many(requests, at=AT, jobs=2, batch_size=3, check=bulk_helpers.killed_once))
    assert marker.exists()  # the worker was killed
    assert len(reports) == 24
    assert [r.request.get("Name") if r.request else None for r in reports][10] == "victim"
    assert not any("bulk.worker_crashed" in [f.code for f in r.findings] for r in reports)
    assert all(r.request is not None for r in reports)


def test_a_broken_pool_of_your_own_is_replaced() -> None:
    pool = cf.ProcessPoolExecutor(1)
    try:
        assert pool.submit(pow, 2, 3).result() == 8
        with pytest.raises(cf.process.BrokenProcessPool):
            pool.submit(
                bulk_helpers.crashing, UploadParams(name="boom"), profile="2025-11", at=AT, expiry_warning_days=1
            ).result()
        with pytest.warns(RuntimeWarning, match="broken"):
            reports = list(certcheck.validate_many([_request(i) for i in range(6)], at=AT, executor=pool, batch_size=2))
        assert _names(reports) == [f"n{i}" for i in range(6)]
    finally:
        pool.shutdown()


def test_bad_arguments_fail_before_anything_is_pulled() -> None:
    source = _Counting(10)
    for kwargs in ({"jobs": 0}, {"batch_size": 0}, {"window": 0}, {"profile": "1999"}, {"expiry_warning_days": -1}):
        with pytest.raises(ValueError):
            certcheck.validate_many(iter(source), **kwargs)  # type: ignore[arg-type]
    assert source.pulled == 0
    with pytest.raises(TypeError):
        list(certcheck.validate_many(["not a request"]))  # type: ignore[list-item]


def test_report_carries_certificate_facts_that_survive_pickling() -> None:
    import pickle

    report = certcheck.validate(_request(0), at=AT)
    facts = report.certificates
    assert [f.leaf for f in facts] == [True, False]
    assert facts[0].algorithm == "RSA" and facts[0].key_size == 2048 and facts[0].field == "Cert"
    assert facts[0].not_after.year == 2035 and facts[0].not_after.tzinfo is not None
    assert pickle.loads(pickle.dumps(report)) == report
    assert "certificates" not in report.as_dict()  # the check JSON shape is unchanged


@pytest.mark.slow
def test_dask_executor_on_a_local_cluster() -> None:
    import distributed

    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        requests = [Entry(f"s{i}", _request(i)) for i in range(50)]
        reports = list(certcheck.validate_many(requests, at=AT, executor=executor, batch_size=7))
        assert [r.source for r in reports] == [f"s{i}" for i in range(50)]
        assert [r.ok for r in reports] == [i % 3 != 2 for i in range(50)]


def _worker_state() -> tuple[int, bool]:
    import gc
    import signal

    return gc.get_freeze_count(), signal.getsignal(signal.SIGINT) is signal.SIG_IGN


def test_pool_workers_ignore_ctrl_c_and_freeze_what_they_inherit() -> None:
    """A forked worker's collector must not walk (and so copy) the parent's heap: it freezes it at start."""
    from certcheck import bulk

    pool = bulk._process_pool(1)
    try:
        frozen, ignores_sigint = pool.submit(_worker_state).result(timeout=60)
    finally:
        pool.shutdown()
    assert frozen > 1000 and ignores_sigint
