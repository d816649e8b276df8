"""The upload runner, pacing, retries, conflict policies and the journal, with the dry-run adapter and a small
scripted adapter (the official SDK against the emulator is in test_upload_aliyun.py)."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from certcheck import Tag, UploadParams
from certcheck.request import UploadRequest
from certcheck.sources import Entry
from certcheck.upload import (
    Journal,
    JournalError,
    Pacer,
    RetryPolicy,
    RunControl,
    UploadError,
    UploadResult,
    available_adapters,
    load_adapter,
    upload_many,
    upload_one,
)
from certcheck.upload.dryrun import DryRunAdapter
from certcheck.upload.runner import safe_message, suffixed_name
from tests.conftest import STD, read
from tests.upload_support import KEY_PEM, assert_no_secret, make_requests

FAST = RetryPolicy(retries=6, base=0.001, cap=0.01)


class ScriptedAdapter:
    """Records every call. ``errors[name]`` lists errors raised by successive uploads of that Name; ``taken``
    names are refused as the service refuses a taken name; uploads are idempotent by ClientToken."""

    def __init__(
        self,
        errors: dict[str, list[UploadError]] | None = None,
        taken: set[str] | frozenset[str] = frozenset(),
        delay: float = 0.0,
    ) -> None:
        self.errors = {k: list(v) for k, v in (errors or {}).items()}
        self.taken = set(taken)
        self.delay = delay
        self.calls: list[tuple[str, str | None, str]] = []
        self.by_token: dict[str, UploadResult] = {}
        self.by_cert: dict[str, UploadResult] = {}
        self.lock = threading.Lock()
        self.closed = False

    def upload(self, request: UploadRequest) -> UploadResult:
        name, token = request.get("Name"), request.client_token
        with self.lock:
            self.calls.append(("upload", name, token))
            script = self.errors.get(name or "")
            error = script.pop(0) if script else None
        if self.delay:
            time.sleep(self.delay)
        if error is not None:
            raise error
        with self.lock:
            if token in self.by_token:
                return self.by_token[token]
            if name in self.taken:
                raise UploadError("NameRepeat", "名称重复，请重新输入。", http_status=400)
            result = UploadResult(1000 + len(self.by_token), f"req-{len(self.calls)}", None)
            self.by_token[token] = result
            if name:
                self.taken.add(name)
            self.by_cert[request.get("Cert") or ""] = result
            return result

    def find(self, request: UploadRequest) -> UploadResult | None:
        with self.lock:
            self.calls.append(("find", request.get("Name"), request.client_token))
            return self.by_cert.get(request.get("Cert") or "")

    def close(self) -> None:
        self.closed = True

    def uploads(self) -> list[tuple[str, str | None, str]]:
        return [c for c in self.calls if c[0] == "upload"]


def run_all(items: list[UploadParams] | list[object], adapter: object, **options: object) -> list:  # type: ignore[type-arg]
    options.setdefault("rate", 0)
    options.setdefault("retry_policy", FAST)
    return list(upload_many(items, adapter, **options))  # type: ignore[arg-type]


def throttled() -> UploadError:
    return UploadError(
        "Throttling.User",
        "Request was denied due to user flow control.",
        http_status=400,
        retryable=True,
        retry_after=0.001,
    )


# ----- the adapter protocol and registry


def test_builtin_adapters_are_registered() -> None:
    adapters = available_adapters()
    assert {"aliyun", "dry-run"} <= set(adapters)
    assert adapters["dry-run"].target == "certcheck.upload.dryrun:DryRunAdapter"
    assert isinstance(load_adapter("dry-run"), DryRunAdapter)


def test_unknown_adapter_is_a_lookup_error() -> None:
    with pytest.raises(LookupError, match="unknown adapter 'nope'"):
        load_adapter("nope")


def test_sdk_params_keep_the_tags_api_params_flatten() -> None:
    (params,) = make_requests(1, "tags", tags=[Tag("env", "prod"), Tag("团队", "证书 & 密钥")])
    report = upload_request(params)
    sdk = report.sdk_params()
    assert sdk["Tags"] == [{"Key": "env", "Value": "prod"}, {"Key": "团队", "Value": "证书 & 密钥"}]
    assert sdk["ClientToken"] == report.client_token
    flat = report.api_params()
    assert flat["Tags.2.Key"] == "团队" and "Tags" not in flat
    assert {k: v for k, v in sdk.items() if k != "Tags"} == {k: v for k, v in flat.items() if not k.startswith("Tags.")}


def upload_request(params: UploadParams) -> UploadRequest:
    import certcheck

    report = certcheck.validate(params)
    assert report.request is not None and report.ok, report.findings
    return report.request


def test_leaf_facts_come_with_the_request() -> None:
    (params,) = make_requests(1, "leaf")
    request = upload_request(params)
    assert request.leaf is not None and request.leaf.field == "Cert"
    assert request.leaf.common_name and request.leaf.common_name.startswith("leaf-")
    from cryptography import x509

    cert = x509.load_pem_x509_certificate((params.cert or "").encode())  # type: ignore[union-attr]
    assert request.leaf.serial == cert.serial_number
    renamed = request.with_name("other_name")
    assert renamed.get("Name") == "other_name" and renamed.client_token != request.client_token
    assert renamed.leaf == request.leaf and renamed.get("Cert") == request.get("Cert")


def test_upload_error_recognises_a_taken_name_by_code_or_message() -> None:
    assert UploadError("NameRepeat", "x").name_taken
    assert UploadError("InvalidParameter", "名称重复，请重新输入。").name_taken
    assert UploadError("Whatever", "The certificate name already exists.").name_taken
    assert not UploadError("Throttling.User", "flow control").name_taken


# ----- the runner


def test_every_request_is_uploaded_once_and_results_stream() -> None:
    adapter = ScriptedAdapter()
    requests = make_requests(30, "many")
    outcomes = run_all(requests, adapter, concurrency=4)
    assert sorted(o.outcome for o in outcomes) == ["uploaded"] * 30
    assert len(adapter.uploads()) == 30
    assert len({o.cert_id for o in outcomes}) == 30
    assert {o.name for o in outcomes} == {p.name for p in requests}


def test_invalid_requests_are_reported_not_sent_and_the_run_goes_on() -> None:
    adapter = ScriptedAdapter()
    good = make_requests(2, "good")
    bad = UploadParams(name="bad_pair", cert=read(STD / "rsa-fullchain.pem"), key=read(STD / "rsa-other.key"))
    unreadable = Entry("m.jsonl:3", None, "line 3: not valid JSON")
    outcomes = {o.source: o for o in run_all([good[0], bad, unreadable, good[1]], adapter)}
    assert outcomes["#2"].outcome == "invalid" and outcomes["#2"].error_code == "pair.key_mismatch"
    assert outcomes["m.jsonl:3"].outcome == "failed" and "not valid JSON" in (outcomes["m.jsonl:3"].error_message or "")
    assert [o.outcome for s, o in sorted(outcomes.items()) if s in ("#1", "#4")] == ["uploaded", "uploaded"]
    assert len(adapter.uploads()) == 2


def test_fail_on_warning_holds_back_requests_with_warnings() -> None:
    (params,) = make_requests(1, "warn")  # self-issued leaf: chain.self_signed_leaf is a warning
    from certcheck import Severity

    (outcome,) = run_all([params], ScriptedAdapter(), fail_on=Severity.WARNING)
    assert outcome.outcome == "invalid" and outcome.findings and outcome.findings[0].severity is Severity.WARNING


def test_retryable_failures_are_retried_with_the_same_client_token() -> None:
    (params,) = make_requests(1, "retry")
    unavailable = UploadError("ServiceUnavailable", "try later", http_status=503, retryable=True)
    adapter = ScriptedAdapter(errors={params.name or "": [throttled(), unavailable, throttled()]})
    outcome = upload_one(params, adapter, rate=0, retry_policy=FAST)
    assert outcome.outcome == "uploaded" and outcome.attempts == 4
    tokens = {token for _, _, token in adapter.uploads()}
    assert len(adapter.uploads()) == 4 and tokens == {outcome.client_token}


def test_non_retryable_failures_are_not_retried() -> None:
    (params,) = make_requests(1, "final")
    adapter = ScriptedAdapter(errors={params.name or "": [UploadError("SignatureDoesNotMatch", "bad secret")]})
    outcome = upload_one(params, adapter, rate=0, retry_policy=FAST)
    assert outcome.outcome == "failed" and outcome.attempts == 1 and outcome.error_code == "SignatureDoesNotMatch"
    assert len(adapter.uploads()) == 1


def test_retries_run_out() -> None:
    (params,) = make_requests(1, "exhaust")
    adapter = ScriptedAdapter(errors={params.name or "": [throttled() for _ in range(10)]})
    outcome = upload_one(params, adapter, rate=0, retry_policy=RetryPolicy(retries=3, base=0.001, cap=0.01))
    assert outcome.outcome == "failed" and outcome.attempts == 4 and outcome.error_code == "Throttling.User"


def test_backoff_grows_with_jitter_and_honours_retry_after() -> None:
    import random

    policy = RetryPolicy(retries=6, base=0.5, cap=8.0, rng=random.Random(7))
    plain = UploadError("ServiceUnavailable", "", retryable=True)
    waits = [policy.delay(n, plain) for n in range(1, 7)]
    for n, wait in enumerate(waits, 1):
        ceiling = min(8.0, 0.5 * 2 ** (n - 1))
        assert ceiling / 2 <= wait <= ceiling
    assert len(set(waits)) == len(waits)
    told = UploadError("Throttling.User", "", retryable=True, retry_after=3.0)
    assert all(policy.delay(1, told) >= 3.0 for _ in range(20))


def test_an_adapter_crash_costs_one_request_and_no_secret() -> None:
    class Exploding(ScriptedAdapter):
        def upload(self, request: UploadRequest) -> UploadResult:
            raise RuntimeError(f"boom {request.get('Key')}")

    requests = make_requests(3, "boom")
    outcomes = run_all(requests, Exploding())
    assert [o.outcome for o in outcomes] == ["failed"] * 3
    assert all(o.error_code == "InternalError" for o in outcomes)
    assert_no_secret(*outcomes, *(json.dumps(o.as_dict()) for o in outcomes))


def test_an_error_message_quoting_the_key_is_withheld() -> None:
    (params,) = make_requests(1, "quote")
    request = upload_request(params)
    key = request.get("Key") or ""
    body = [line for line in key.splitlines() if not line.startswith("-----")]
    from urllib.parse import quote

    for leak in (
        body[1],
        quote(body[1], safe=""),
        f"sign string: ...{body[2][10:40]}...",
        bytes.fromhex("00").hex() + __import__("base64").b64decode("".join(body)).hex()[40:120],
    ):
        assert safe_message(f"SignatureDoesNotMatch: {leak}", request) != f"SignatureDoesNotMatch: {leak}"
    assert safe_message("Specified signature does not match our calculation.", request) == (
        "Specified signature does not match our calculation."
    )
    (params2,) = make_requests(1, "quote2")
    adapter = ScriptedAdapter(errors={params2.name or "": [UploadError("SignatureDoesNotMatch", f"string: {key}")]})
    outcome = upload_one(params2, adapter, rate=0, retry_policy=FAST)
    assert outcome.outcome == "failed" and "withheld" in (outcome.error_message or "")
    assert_no_secret(outcome, json.dumps(outcome.as_dict()))


def test_the_same_request_twice_in_one_run_is_sent_once() -> None:
    adapter = ScriptedAdapter()
    (params,) = make_requests(1, "twice")
    outcomes = run_all([params, params], adapter)
    assert sorted(o.outcome for o in outcomes) == ["skipped", "uploaded"]
    assert len(adapter.uploads()) == 1


def test_a_failure_every_request_would_share_stops_the_run() -> None:
    requests = make_requests(40, "stop")
    errors = {
        p.name or "": [UploadError("InvalidAccessKeyId.NotFound", "Specified access key is not found.")]
        for p in requests
    }
    adapter = ScriptedAdapter(errors=errors)
    control = RunControl()
    outcomes = run_all(requests, adapter, concurrency=2, control=control)
    assert control.reason and "InvalidAccessKeyId.NotFound" in control.reason
    assert len(outcomes) < 10 and len(adapter.uploads()) < 10


# ----- on-conflict policies


def test_on_conflict_fail_reports_the_services_message() -> None:
    (params,) = make_requests(1, "taken")
    outcome = upload_one(params, ScriptedAdapter(taken={params.name or ""}), rate=0, retry_policy=FAST)
    assert outcome.outcome == "failed" and outcome.error_code == "NameRepeat"
    assert outcome.error_message == "名称重复，请重新输入。"


def test_on_conflict_suffix_finds_a_free_name_and_reports_it() -> None:
    (params,) = make_requests(1, "sfx")
    name = params.name or ""
    adapter = ScriptedAdapter(taken={name, f"{name}_2", f"{name}_3"})
    outcome = upload_one(params, adapter, rate=0, retry_policy=FAST, on_conflict="suffix")
    assert outcome.outcome == "uploaded" and outcome.name == f"{name}_4" and outcome.requested_name == name
    assert [c[1] for c in adapter.uploads()] == [name, f"{name}_2", f"{name}_3", f"{name}_4"]
    assert outcome.note and f"{name}_4" in outcome.note


def test_suffix_keeps_the_name_within_the_profile_limit() -> None:
    (params,) = make_requests(1, "x")
    long_name = "n" * 64
    params = params.replace(name=long_name)
    adapter = ScriptedAdapter(taken={long_name})
    outcome = upload_one(params, adapter, rate=0, retry_policy=FAST, on_conflict="suffix")
    assert outcome.name == "n" * 62 + "_2" and len(outcome.name or "") == 64
    assert suffixed_name("é" * 200, 12, 128) == "é" * 125 + "_12"


def test_skip_if_same_sends_nothing_when_the_certificate_is_there() -> None:
    adapter = ScriptedAdapter()
    requests = make_requests(3, "same")
    first = {o.name: o.cert_id for o in run_all(requests, adapter, on_conflict="skip-if-same")}
    adapter.calls.clear()
    again = run_all(requests, adapter, on_conflict="skip-if-same")
    assert [o.outcome for o in again] == ["skipped"] * 3
    assert {o.name: o.cert_id for o in again} == first
    assert adapter.uploads() == []


def test_skip_if_same_needs_an_adapter_that_can_find() -> None:
    class Blind:
        def upload(self, request: UploadRequest) -> UploadResult:
            return UploadResult(1, "r")

        def close(self) -> None:
            pass

    with pytest.raises(ValueError, match="find"):
        run_all(make_requests(1, "blind"), Blind(), on_conflict="skip-if-same")


# ----- pacing


def paced_calls(pacer: Pacer, workers: int, calls: int, hang: set[int] = frozenset()) -> list[float]:  # type: ignore[assignment]
    """Workers making calls through the pacer; the 'server' counts each call at a random moment between its start
    and its answer, as a real one does. Returns the moments the server counted."""
    import random

    counted: list[float] = []
    lock = threading.Lock()
    numbers = iter(range(workers * calls))

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(calls):
            with lock:
                number = next(numbers)
            ticket = pacer.acquire()
            time.sleep(rng.uniform(0, 0.004))
            with lock:
                counted.append(time.monotonic())
            time.sleep(rng.uniform(0, 0.004))
            if number not in hang:
                pacer.release(ticket)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(counted)


def test_pacer_never_exceeds_the_rate_in_any_window_as_the_server_counts() -> None:
    # 250 calls/s in 0.2 s windows (50 per window) from 16 threads. With a margin longer than the test, no
    # fallback applies: the bound is exact, whatever the thread scheduling.
    pacer = Pacer(250, window=0.2, margin=60)
    counted = paced_calls(pacer, workers=16, calls=25)
    assert pacer.calls == 400 and len(counted) == 400
    assert max_in_window(counted, 0.2) <= 50
    assert counted[-1] - counted[0] >= (400 - 50) / 250 * 0.99  # and the rate holds overall


def test_a_call_never_answered_holds_the_others_back_only_for_the_margin() -> None:
    pacer = Pacer(200, window=0.1, margin=0.3)
    started = time.monotonic()
    counted = paced_calls(pacer, workers=4, calls=20, hang={0})
    assert len(counted) == 80 and time.monotonic() - started < 30


def max_in_window(moments: list[float], window: float) -> int:
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moments[start] < moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_unlimited_rate_does_not_wait() -> None:
    pacer = Pacer(0)
    started = time.monotonic()
    assert all(pacer.acquire() == 0 for _ in range(10000))
    assert pacer.calls == 10000 and time.monotonic() - started < 5


def test_abort_wakes_a_waiting_worker() -> None:
    pacer = Pacer(1)
    abort = threading.Event()
    pacer.acquire()  # never released: the next call waits for the window
    threading.Timer(0.2, abort.set).start()
    assert pacer.acquire(abort) is None


# ----- the journal


def test_a_journaled_run_run_again_sends_nothing(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    requests = make_requests(10, "jrnl")
    adapter = ScriptedAdapter()
    with Journal(path, adapter="scripted") as journal:
        first = {o.name: o.cert_id for o in run_all(requests, adapter, journal=journal)}
    adapter.calls.clear()
    with Journal(path, adapter="scripted") as journal:
        again = run_all(requests, adapter, journal=journal)
        entries = list(journal.entries())
    assert adapter.calls == []
    assert [o.outcome for o in again] == ["skipped"] * 10
    assert {o.name: o.cert_id for o in again} == first
    assert len(entries) == 10 and {e.state for e in entries} == {"uploaded"}
    assert {e.cert_id for e in entries} == set(first.values())


def test_a_request_in_flight_when_killed_is_resent_with_its_token(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    (params,) = make_requests(1, "flight")
    request = upload_request(params)
    name = request.get("Name") or ""
    suffixed = request.with_name(f"{name}_2")
    with Journal(path, adapter="scripted") as journal:  # what a run killed mid-call leaves behind
        journal.begin(request.client_token, "#1", name, f"{name}_2", suffixed.client_token)
    adapter = ScriptedAdapter(taken={name})
    with Journal(path, adapter="scripted") as journal:
        outcome = upload_one(params, adapter, rate=0, retry_policy=FAST, journal=journal, on_conflict="suffix")
        entry = journal.get(request.client_token)
    assert outcome.outcome == "uploaded" and outcome.name == f"{name}_2"
    assert adapter.uploads() == [("upload", f"{name}_2", suffixed.client_token)]
    assert entry is not None and entry.state == "uploaded" and entry.cert_id == outcome.cert_id


def test_journal_refuses_another_adapter_and_non_journals(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal(path, adapter="dry-run").close()
    with pytest.raises(JournalError, match="dry-run"):
        Journal(path, adapter="aliyun")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(JournalError, match="not a certcheck journal"):
        Journal(other)
    text = tmp_path / "text.txt"
    text.write_text("hello, not a database at all" * 100)
    with pytest.raises(JournalError):
        Journal(text)
    with pytest.raises(JournalError, match="no such journal"):
        Journal(tmp_path / "missing.sqlite", create=False)


def test_failed_requests_are_tried_again_in_the_next_run(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    (params,) = make_requests(1, "again")
    adapter = ScriptedAdapter(errors={params.name or "": [UploadError("Forbidden", "not now")]})
    with Journal(path, adapter="s") as journal:
        assert upload_one(params, adapter, rate=0, journal=journal).outcome == "failed"
        assert upload_one(params, adapter, rate=0, journal=journal).outcome == "uploaded"
        entry = journal.get(upload_request(params).client_token)
    assert entry is not None and entry.state == "uploaded" and entry.attempts == 2


def test_the_journal_holds_no_key_material(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    requests = make_requests(5, "jsecret")
    bad = requests[0].replace(name="bad_" + "x" * 80)  # invalid: recorded, not sent
    errors = {requests[1].name or "": [UploadError("Oops", "quoted: " + KEY_PEM)]}
    with Journal(path, adapter="s") as journal:
        run_all([*requests, bad], ScriptedAdapter(errors=errors), journal=journal)
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert_no_secret(raw)
    with Journal(path) as journal:
        states = sorted(e.state for e in journal.entries())
    assert states == ["failed", "invalid", "uploaded", "uploaded", "uploaded", "uploaded"]


# ----- stopping


def test_stop_takes_no_new_requests_and_lets_in_flight_ones_finish() -> None:
    adapter = ScriptedAdapter(delay=0.05)
    control = RunControl()
    seen = []
    for outcome in upload_many(make_requests(50, "ctrlc"), adapter, rate=0, concurrency=4, control=control):
        seen.append(outcome)
        if len(seen) == 3:
            control.stop("interrupted")
    assert all(o.outcome == "uploaded" for o in seen)
    sent = {c[2] for c in adapter.uploads()}
    assert {o.client_token for o in seen} == sent  # every request started was finished and reported
    assert len(seen) < 20


def test_abort_gives_up_waiting(tmp_path: Path) -> None:
    (params,) = make_requests(1, "abort")
    slow_retry = UploadError("Throttling.User", "", retryable=True, retry_after=30.0)
    adapter = ScriptedAdapter(errors={params.name or "": [slow_retry]})
    control = RunControl()
    threading.Timer(0.3, control.abort).start()
    started = time.monotonic()
    with Journal(tmp_path / "j.sqlite", adapter="s") as journal:
        (outcome,) = run_all([params], adapter, control=control, retry_policy=RetryPolicy(), journal=journal)
        entry = journal.get(outcome.client_token or "")
    assert time.monotonic() - started < 20
    assert outcome.outcome == "failed" and outcome.error_code == "Interrupted"
    # the call may have reached the service: the journal keeps it in flight, to be re-sent with its token
    assert entry is not None and entry.state == "sending" and entry.sent_token == outcome.client_token


# ----- the dry-run adapter


def test_dry_run_records_redacted_requests_and_is_idempotent() -> None:
    adapter = DryRunAdapter(endpoint="ignored")
    requests = make_requests(3, "dry")
    outcomes = run_all(requests, adapter)
    assert [o.outcome for o in outcomes] == ["uploaded"] * 3
    assert len(adapter.sent) == 3 and all(s["Key"].startswith("<redacted sha256:") for s in adapter.sent)
    assert_no_secret(adapter.sent, adapter, *outcomes)
    again = run_all(requests, adapter)
    assert sorted(o.cert_id or 0 for o in again) == sorted(o.cert_id or 0 for o in outcomes)
    assert len(adapter.sent) == 3
    renamed = [requests[0].replace(cert=make_requests(1, "other")[0].cert)]
    (clash,) = run_all(renamed, adapter)
    assert clash.outcome == "failed" and clash.error_code == "NameRepeat"


@pytest.fixture
def many() -> Iterator[list[UploadParams]]:
    yield make_requests(5, "fixture")


def test_upload_one_validates_first(many: list[UploadParams]) -> None:
    outcome = upload_one(many[0].replace(key=read(STD / "rsa-leaf.key")), DryRunAdapter(), rate=0)
    assert outcome.outcome == "invalid" and outcome.error_code == "pair.key_mismatch"
