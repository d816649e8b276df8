"""Throttling and injected faults, through the official SDK: what a client's retry logic is proven against."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from alibabacloud_cas20200407 import models
from darabonba.policy.retry import RetryOptions

from certcheck.emulator import FAULT_KINDS, Call, Emulator, serve_in_thread
from tests.emulator_support import CREDENTIALS, client, raw_call, sdk_error, upload_request

SLOW_MS = 1500
READ_MS = 300  # the SDK's read timeout in these tests: well under SLOW_MS


def _max_in_window(calls: list[Call], window: float = 1.0) -> int:
    """The most calls of one key admitted within any closed interval of ``window`` seconds."""
    stamps = sorted(c.ts for c in calls)
    best, start = 0, 0
    for end, moment in enumerate(stamps):
        while stamps[start] < moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_calls_above_the_rate_get_throttling_user_with_retry_after() -> None:
    with serve_in_thread(CREDENTIALS, rate=2) as emu:
        sdk = client(emu)
        request = models.ListUserCertificateOrderRequest(order_type="UPLOAD")
        for _ in range(50):  # at most 2 in any second: one of these is throttled unless calls take 0.5 s each
            try:
                sdk.list_user_certificate_order(request)
            except Exception as exc:
                error = exc
                break
        else:
            pytest.fail("no call was throttled")
        assert type(error).__name__ == "ThrottlingException"
        assert error.code == "Throttling.User" and error.status_code == 400  # type: ignore[attr-defined]
        assert error.retry_after is not None and 0 < error.retry_after <= 1000  # type: ignore[attr-defined]
        assert emu.refusals["Throttling.User"] == 1
        assert _max_in_window(emu.calls()) <= 2


def test_the_sdks_own_retry_honours_retry_after_and_every_upload_lands() -> None:
    retry = RetryOptions({"retryable": True, "retryCondition": [{"maxAttempts": 10, "errorCode": ["Throttling.User"]}]})
    with serve_in_thread(CREDENTIALS, rate=5) as emu:
        sdk = client(emu, retry_options=retry)
        ids = [sdk.upload_user_certificate(upload_request(f"r_{i}")).body.cert_id for i in range(12)]
        assert len(set(ids)) == 12 and len(emu.certificates()) == 12
        assert emu.refusals["Throttling.User"] >= 1  # 12 calls at 5/s cannot all pass the first time
        assert _max_in_window(emu.calls()) <= 5


def test_no_one_second_window_exceeds_the_rate_under_concurrency(tmp_path: Path) -> None:
    """16 threads hammering raw signed calls: the access log (the file and the table) never shows more than
    ``rate`` admissions of one key within any one second."""
    log = tmp_path / "access.jsonl"
    with serve_in_thread(CREDENTIALS, rate=20, access_log=log) as emu:
        stop = time.monotonic() + 1.6

        def hammer() -> None:
            while time.monotonic() < stop:
                raw_call(emu, "ListUserCertificateOrder", {"OrderType": "UPLOAD"})

        threads = [threading.Thread(target=hammer) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        calls = emu.calls()
        assert emu.refusals["Throttling.User"] > 0
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["request_id"] for line in lines] == [c.request_id for c in calls]
    assert _max_in_window(calls) <= 20
    assert len(calls) >= 20  # the limit was reached, not just respected by an idle server


def _emu_with(kind: str) -> Emulator:
    return serve_in_thread(CREDENTIALS, rate=0, fault_rate=1.0, fault_kinds=[kind], slow_ms=SLOW_MS)


def _retry_clean(emu: Emulator, name: str) -> int:
    emu.faults.configure(rate=0.0)
    cert_id: int = client(emu).upload_user_certificate(upload_request(name, client_token=f"tok-{name}")).body.cert_id
    return cert_id


def test_unavailable_before_commit_is_a_503_and_stores_nothing() -> None:
    with _emu_with("unavailable") as emu:
        error = sdk_error(client(emu).upload_user_certificate, upload_request("u", client_token="tok-u"))
        assert (type(error).__name__, error.code, error.status_code) == ("ServerException", "ServiceUnavailable", 503)
        assert emu.certificates() == []
        assert [c.fault for c in emu.calls()] == ["unavailable"]
        assert _retry_clean(emu, "u") >= 1 and len(emu.certificates()) == 1


def test_unavailable_after_commit_stores_and_a_retry_with_the_token_finds_it() -> None:
    with _emu_with("unavailable-after") as emu:
        error = sdk_error(client(emu).upload_user_certificate, upload_request("ua", client_token="tok-ua"))
        assert (error.code, error.status_code) == ("ServiceUnavailable", 503)
        [stored] = emu.certificates()
        assert _retry_clean(emu, "ua") == stored.id and len(emu.certificates()) == 1


def test_a_dropped_connection_before_commit_stores_nothing() -> None:
    with _emu_with("drop") as emu:
        error = sdk_error(client(emu).upload_user_certificate, upload_request("d", client_token="tok-d"))
        assert type(error).__name__ == "UnretryableException"
        assert emu.certificates() == []
        assert _retry_clean(emu, "d") >= 1 and len(emu.certificates()) == 1


def test_a_dropped_connection_after_commit_is_the_lost_response_case() -> None:
    with _emu_with("drop-after") as emu:
        error = sdk_error(client(emu).upload_user_certificate, upload_request("da", client_token="tok-da"))
        assert type(error).__name__ == "UnretryableException"
        [stored] = emu.certificates()  # stored, yet the client never saw its CertId
        assert _retry_clean(emu, "da") == stored.id and len(emu.certificates()) == 1


def test_a_slow_response_after_commit_outlives_the_read_timeout() -> None:
    with _emu_with("slow-after") as emu:
        error = sdk_error(
            client(emu, read_ms=READ_MS).upload_user_certificate, upload_request("sa", client_token="tok-sa")
        )
        assert type(error).__name__ == "UnretryableException"
        [stored] = emu.certificates()
        assert _retry_clean(emu, "sa") == stored.id


def test_a_slow_call_commits_late_and_the_early_retry_with_the_same_token_wins() -> None:
    with _emu_with("slow") as emu:
        error = sdk_error(
            client(emu, read_ms=READ_MS).upload_user_certificate, upload_request("s", client_token="tok-s")
        )
        assert type(error).__name__ == "UnretryableException"
        assert emu.certificates() == []  # still held: the action has not run yet
        cert_id = _retry_clean(emu, "s")  # the client's retry lands first
        assert emu.wait_idle()  # the held call has run by now: same token, same content -> nothing new
        assert [c.id for c in emu.certificates()] == [cert_id]


def test_a_mix_of_faults_with_same_token_retries_lands_every_upload_exactly_once() -> None:
    with serve_in_thread(CREDENTIALS, rate=0, fault_rate=0.5, slow_ms=500, seed=7) as emu:
        sdk = client(emu, read_ms=200)
        for i in range(16):
            for _attempt in range(30):
                try:
                    sdk.upload_user_certificate(upload_request(f"mix_{i}", client_token=f"mix-{i}"))
                    break
                except Exception as exc:
                    assert getattr(exc, "code", None) != "NameRepeat"  # a retry is never a second upload
                    continue
            else:
                pytest.fail(f"mix_{i} never landed")
        seen = {c.fault for c in emu.calls() if c.fault}
        assert emu.wait_idle()  # held "slow" calls have finished
        names = [c.name for c in emu.certificates()]
        assert sorted(names) == sorted(f"mix_{i}" for i in range(16))
        assert len(seen) >= 4  # most kinds were exercised


def test_fault_settings_are_validated() -> None:
    with serve_in_thread(CREDENTIALS) as emu:
        for bad in ({"rate": 1.5}, {"kinds": ["explode"]}, {"kinds": []}, {"slow_ms": -1}):
            with pytest.raises(ValueError):
                emu.faults.configure(**bad)  # type: ignore[arg-type]
    assert set(FAULT_KINDS) == {"unavailable", "unavailable-after", "drop", "drop-after", "slow", "slow-after"}


def test_latency_is_added_to_every_call() -> None:
    with serve_in_thread(CREDENTIALS, rate=0, latency_ms=400) as emu:
        error = sdk_error(
            client(emu, read_ms=150).list_user_certificate_order, models.ListUserCertificateOrderRequest()
        )
        assert type(error).__name__ == "UnretryableException"  # the delay outlived a short read timeout
        assert client(emu, read_ms=5000).list_user_certificate_order(models.ListUserCertificateOrderRequest())
