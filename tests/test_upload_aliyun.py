"""The ``aliyun`` adapter: the official SDK (alibabacloud-cas20200407) against the emulator over real loopback
HTTP, real ACS3 signatures, real faults. No mock of the SDK anywhere. (Proxy variables are cleared by the
emulator_support plugin: the SDK honours HTTP_PROXY even for 127.0.0.1.)"""

from __future__ import annotations

import dataclasses
import http.server
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import certcheck
from certcheck import Tag, UploadParams
from certcheck.emulator import FAULT_KINDS, Emulator, serve_in_thread
from certcheck.request import UploadRequest
from certcheck.upload import (
    Journal,
    RetryPolicy,
    RunControl,
    UploadError,
    load_adapter,
    upload_many,
    upload_one,
)
from certcheck.upload.aliyun import AliyunAdapter, parse_endpoint
from tests.conftest import ROOT
from tests.emulator_support import CREDENTIALS, KEY_ID, SECRET
from tests.upload_support import assert_no_secret, make_requests, write_manifest

pytest.importorskip("alibabacloud_cas20200407", reason="the official SDK is part of the dev extra")

FAST = RetryPolicy(retries=6, base=0.01, cap=0.2)
CLI = "import sys; from certcheck.cli import main; sys.exit(main())"


def credential(key_id: str = KEY_ID, secret: str = SECRET) -> Any:
    """A credentials client of the SDK's own library. (In-process tests cannot use the environment: the
    library reads it once, at import; the command-line tests below use the environment chain itself.)"""
    from alibabacloud_credentials.client import Client
    from alibabacloud_credentials.models import Config

    return Client(Config(type="access_key", access_key_id=key_id, access_key_secret=secret))


def adapter(emu: Emulator, **options: Any) -> AliyunAdapter:
    options.setdefault("credential", credential())
    return AliyunAdapter(emu.url, **options)


def validated(params: UploadParams) -> UploadRequest:
    report = certcheck.validate(params)
    assert report.request is not None and report.ok, report.findings
    return report.request


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with serve_in_thread(CREDENTIALS, rate=0) as running:
        yield running


def uploads(emu: Emulator) -> list[Any]:
    return [c for c in emu.calls() if c.action == "UploadUserCertificate"]


# ----- endpoint and construction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, ("cas.aliyuncs.com", "https")),
        ("cas.aliyuncs.com", ("cas.aliyuncs.com", "https")),
        ("127.0.0.1:8080", ("127.0.0.1:8080", "https")),
        ("http://127.0.0.1:8080", ("127.0.0.1:8080", "http")),
        ("HTTP://localhost:9/", ("localhost:9", "http")),
        ("https://cas.cn-hangzhou.aliyuncs.com", ("cas.cn-hangzhou.aliyuncs.com", "https")),
        ("http://[::1]:8080", ("[::1]:8080", "http")),
    ],
)
def test_endpoint_forms(text: str | None, expected: tuple[str, str]) -> None:
    assert parse_endpoint(text) == expected


@pytest.mark.parametrize("text", ["ftp://host", "http://host/path", "host:99999", "http://", "http://u:p@host"])
def test_bad_endpoints_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="--endpoint"):
        parse_endpoint(text)


def test_the_adapter_is_found_by_name_and_shows_no_secret(emu: Emulator) -> None:
    built = load_adapter("aliyun", endpoint=emu.url, credential=credential())
    assert isinstance(built, AliyunAdapter)
    assert repr(built) == f"AliyunAdapter(endpoint='{emu.endpoint}', protocol='http')"
    assert SECRET not in repr(built) and SECRET not in str(vars(built))


# ----- the protocol against the emulator


def test_success_with_non_ascii_names_and_tags(emu: Emulator) -> None:
    (params,) = make_requests(1, "证书", tags=[Tag("团队", "证书 & 密钥 = ok+/%"), Tag("env", "")])
    outcome = upload_one(params, adapter(emu), rate=0, retry_policy=FAST)
    assert outcome.outcome == "uploaded", outcome
    (stored,) = emu.certificates()
    assert stored.id == outcome.cert_id and stored.name == params.name
    assert stored.tags == (("团队", "证书 & 密钥 = ok+/%"), ("env", ""))
    assert stored.client_token == outcome.client_token
    assert outcome.resource_id == stored.resource_id and outcome.request_id == uploads(emu)[0].request_id


def test_a_taken_name_fails_with_the_services_message(emu: Emulator) -> None:
    first, second = make_requests(2, "taken")
    second = second.replace(name=first.name)
    sdk = adapter(emu)
    assert upload_one(first, sdk, rate=0).outcome == "uploaded"
    outcome = upload_one(second, sdk, rate=0, retry_policy=FAST)
    assert outcome.outcome == "failed" and outcome.error_code == "NameRepeat" and outcome.attempts == 1
    assert outcome.error_message and outcome.error_message.startswith("名称重复，请重新输入。")
    assert len(emu.certificates()) == 1


def test_a_taken_name_with_the_suffix_policy(emu: Emulator) -> None:
    first, second, third = make_requests(3, "sfx")
    sdk = adapter(emu)
    for params in (first, second.replace(name=f"{first.name}_2")):
        assert upload_one(params, sdk, rate=0).outcome == "uploaded"
    outcome = upload_one(third.replace(name=first.name), sdk, rate=0, on_conflict="suffix")
    assert outcome.outcome == "uploaded" and outcome.name == f"{first.name}_3" and outcome.attempts == 3
    assert sorted(c.name for c in emu.certificates()) == [first.name, f"{first.name}_2", f"{first.name}_3"]


def test_the_same_client_token_twice_is_one_certificate(emu: Emulator) -> None:
    (params,) = make_requests(1, "token")
    request = validated(params)
    sdk = adapter(emu)
    first, second = sdk.upload(request), sdk.upload(request)
    assert first.cert_id == second.cert_id and first.request_id != second.request_id
    assert len(emu.certificates()) == 1 and len(uploads(emu)) == 2


def test_the_same_token_with_other_content_is_refused(emu: Emulator) -> None:
    one, two = (validated(p) for p in make_requests(2, "mismatch"))
    sdk = adapter(emu)
    sdk.upload(one)
    forged = dataclasses.replace(two)
    forged.__dict__["client_token"] = one.client_token  # the cached token: same token, other content
    with pytest.raises(UploadError) as info:
        sdk.upload(forged)
    error = info.value
    assert error.code == "IdempotentParameterMismatch" and error.http_status == 400
    assert not error.retryable and not error.name_taken
    assert len(emu.certificates()) == 1
    assert_no_secret(error, str(error), error.message)


@pytest.mark.parametrize(
    ("key_id", "secret", "code"),
    [(KEY_ID, "wrong-secret-value", "SignatureDoesNotMatch"), ("LTAI-unknown", SECRET, "InvalidAccessKeyId.NotFound")],
)
def test_wrong_credentials_fail_once_clearly_and_stop_the_run(
    emu: Emulator, key_id: str, secret: str, code: str
) -> None:
    control = RunControl()
    requests = make_requests(20, "auth")
    sdk = adapter(emu, credential=credential(key_id, secret))
    outcomes = list(upload_many(requests, sdk, rate=0, concurrency=2, retry_policy=FAST, control=control))
    assert outcomes and all(o.outcome == "failed" and o.error_code == code and o.attempts == 1 for o in outcomes)
    assert len(outcomes) < 20 and control.reason and code in control.reason  # stopped, not 20 refusals
    assert emu.certificates() == [] and emu.refusals[code] == len(outcomes)
    for o in outcomes:
        assert_no_secret(o, json.dumps(o.as_dict()))
        assert secret not in repr(o) and SECRET not in json.dumps(o.as_dict())


def test_throttling_is_retried_after_the_wait_the_service_asks(emu: Emulator) -> None:
    emu.throttle.__init__(5)  # type: ignore[misc]  # 5 calls per second per key
    requests = make_requests(12, "throttle")
    outcomes = list(upload_many(requests, adapter(emu), rate=0, concurrency=6, retry_policy=RetryPolicy(retries=20)))
    assert [o.outcome for o in outcomes] == ["uploaded"] * 12
    assert emu.refusals["Throttling.User"] > 0 and sum(o.attempts for o in outcomes) > 12
    assert len(emu.certificates()) == 12


def test_a_throttled_call_is_a_retryable_error_with_retry_after(emu: Emulator) -> None:
    emu.throttle.__init__(1)  # type: ignore[misc]
    sdk = adapter(emu)
    first, second = (validated(p) for p in make_requests(2, "thr"))
    sdk.upload(first)
    with pytest.raises(UploadError) as info:
        sdk.upload(second)
    error = info.value
    assert error.code == "Throttling.User" and error.http_status == 400 and error.retryable
    assert error.retry_after is not None and 0 < error.retry_after <= 1.0


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_every_injected_fault_is_survived_and_nothing_is_stored_twice(kind: str) -> None:
    with serve_in_thread(CREDENTIALS, rate=0, fault_rate=0.5, fault_kinds=[kind], slow_ms=1200, seed=11) as emu:
        requests = make_requests(8, f"fault_{kind.replace('-', '_')}")
        sdk = adapter(emu, read_timeout=0.4, connect_timeout=2)
        policy = RetryPolicy(retries=12, base=0.02, cap=0.3)
        outcomes = list(upload_many(requests, sdk, rate=0, concurrency=4, retry_policy=policy))
        emu.wait(1300)  # let slow responses still held by the server finish (and commit)
        stored = emu.certificates()
        faults = Counter(c.fault for c in emu.calls())
    assert [o.outcome for o in outcomes] == ["uploaded"] * 8, [(o.error_code, o.error_message) for o in outcomes]
    assert faults[kind] > 0  # the fault really happened
    assert sorted(c.name for c in stored) == sorted(p.name or "" for p in requests)  # each exactly once
    assert {o.cert_id for o in outcomes} == {c.id for c in stored}
    for o in outcomes:
        assert_no_secret(o, json.dumps(o.as_dict()))


def test_skip_if_same_finds_the_certificate_and_sends_nothing(emu: Emulator) -> None:
    requests = make_requests(4, "same")
    sdk = adapter(emu)
    first = {o.name: o.cert_id for o in upload_many(requests, sdk, rate=0)}
    before = len(uploads(emu))
    again = list(upload_many(requests, sdk, rate=0, on_conflict="skip-if-same"))
    assert [o.outcome for o in again] == ["skipped"] * 4
    assert {o.name: o.cert_id for o in again} == first
    assert len(uploads(emu)) == before
    actions = Counter(c.action for c in emu.calls())
    assert actions["ListUserCertificateOrder"] >= 4 and actions["GetUserCertificateDetail"] >= 4


def test_find_compares_the_certificate_not_just_the_name(emu: Emulator) -> None:
    (params,) = make_requests(1, "look")
    sdk = adapter(emu)
    request = validated(params)
    assert sdk.find(request) is None
    result = sdk.upload(request)
    found = sdk.find(request)
    assert found is not None and found.cert_id == result.cert_id
    # same Name and common name, another certificate: not found (a new upload would follow)
    (other,) = make_requests(1, "look")
    lookalike = validated(other.replace(name=params.name))
    assert lookalike.leaf is not None and request.leaf is not None
    assert sdk.find(lookalike) is None
    assert sdk.find(request.with_name("renamed")) is not None  # the same certificate under any name


def test_an_unreachable_endpoint_is_retryable_and_quotes_no_key() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sdk = AliyunAdapter(f"http://127.0.0.1:{port}", credential=credential(), connect_timeout=1)
    (params,) = make_requests(1, "refused")
    request = validated(params)
    with pytest.raises(UploadError) as info:
        sdk.upload(request)
    error = info.value
    assert error.code == "ConnectionRefused" and error.retryable
    assert_no_secret(error, str(error), error.message, error.__context__ if not error.__suppress_context__ else "")
    assert error.__cause__ is None and error.__suppress_context__
    outcome = upload_one(params, sdk, rate=0, retry_policy=RetryPolicy(retries=2, base=0.01, cap=0.02))
    assert outcome.outcome == "failed" and outcome.attempts == 3 and outcome.error_code == "ConnectionRefused"
    assert_no_secret(outcome, json.dumps(outcome.as_dict()))


def test_a_non_json_answer_is_a_retryable_bad_response() -> None:
    class Html(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html><body>502 Bad Gateway</body></html>"
            self.send_response(502)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Html)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sdk = AliyunAdapter(f"http://127.0.0.1:{server.server_address[1]}", credential=credential())
        with pytest.raises(UploadError) as info:
            sdk.upload(validated(make_requests(1, "html")[0]))
    finally:
        server.shutdown()
        server.server_close()
    assert info.value.code == "BadResponse" and info.value.retryable
    assert_no_secret(info.value, str(info.value))


# ----- the command line, with credentials from the SDK's standard chain (the environment)


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and not k.startswith("ALIBABA_CLOUD")}
    env.update(HOME=str(home), ALIBABA_CLOUD_ECS_METADATA_DISABLED="true", **extra)
    return env


def creds_env(home: Path) -> dict[str, str]:
    return cli_env(home, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET=SECRET)


def run_cli(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_cli_uploads_then_skips_the_same_certificates(emu: Emulator, tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(5, "cli_sdk", tags=[Tag("env", "测试")]))
    args = ["upload", "--adapter", "aliyun", "--endpoint", emu.url, "--manifest", str(manifest), "--format", "jsonl"]
    done = run_cli(creds_env(tmp_path), *args)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert rows[-1]["summary"]["uploaded"] == 5
    again = run_cli(creds_env(tmp_path), *args, "--on-conflict", "skip-if-same")
    assert again.returncode == 0, again.stderr
    rows2 = [json.loads(line) for line in again.stdout.splitlines()]
    assert rows2[-1]["summary"]["skipped"] == 5
    assert {r["name"]: r["cert_id"] for r in rows[:-1]} == {r["name"]: r["cert_id"] for r in rows2[:-1]}
    assert len(emu.certificates()) == 5
    for text in (done.stdout, done.stderr, again.stdout, again.stderr):
        assert SECRET not in text
        assert_no_secret(text)


def test_cli_without_credentials_cannot_run(emu: Emulator, tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(1, "cli_nocred"))
    done = run_cli(cli_env(tmp_path), "upload", "--endpoint", emu.url, "--manifest", str(manifest))
    assert done.returncode == 2
    assert "no usable Alibaba Cloud credentials" in done.stderr and "ALIBABA_CLOUD_ACCESS_KEY_ID" in done.stderr
    assert emu.calls() == []


def test_cli_with_a_wrong_secret_exits_1_and_never_shows_it(emu: Emulator, tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(3, "cli_wrong"))
    env = cli_env(tmp_path, ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET="the-wrong-secret")
    done = run_cli(env, "upload", "--endpoint", emu.url, "--manifest", str(manifest), "--concurrency", "1")
    assert done.returncode == 1
    assert "SignatureDoesNotMatch" in done.stdout and "stopped early" in done.stdout
    assert "the-wrong-secret" not in done.stdout + done.stderr and SECRET not in done.stdout + done.stderr


def max_in_window(moments: list[float], window: float = 1.0) -> int:
    moments = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(moments):
        while moments[start] < moment - window:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.slow
def test_pacing_500_uploads_at_rate_100_with_16_workers(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(500, "pace"))
    # The emulator does not throttle here (rate 0), so its log shows exactly what the client sent, when.
    with serve_in_thread(CREDENTIALS, rate=0) as emu:
        started = time.monotonic()
        done = run_cli(
            creds_env(tmp_path),
            "upload",
            "--endpoint",
            emu.url,
            "--manifest",
            str(manifest),
            "--rate",
            "100",
            "--concurrency",
            "16",
            "--format",
            "jsonl",
        )
        elapsed = time.monotonic() - started
        moments = [c.ts for c in emu.calls()]
        throttled = emu.refusals["Throttling.User"]
        stored = len(emu.certificates())
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    summary = json.loads(done.stdout.splitlines()[-1])["summary"]
    assert summary["uploaded"] == 500 and stored == 500
    assert max_in_window(moments) <= 100  # the emulator's own log: no one-second window above the rate
    assert elapsed >= 4.0 and summary["seconds"] >= 4.0
    assert throttled == 0 and summary["calls"] == 500  # one call each: nothing refused, nothing retried


def crash_and_resume(tmp_path: Path, fault_rate: float, kills: int, seed: int) -> dict[str, Any]:
    """Upload 300 requests with a journal; SIGKILL the uploader at random moments ``kills`` times, then run it
    to the end. Returns what the emulator and the journal hold."""
    rng = random.Random(seed)
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(300, f"crash{seed}"))
    journal = tmp_path / "upload.journal"
    db = tmp_path / "emulator.sqlite"
    args = [
        "upload",
        "--manifest",
        str(manifest),
        "--journal",
        str(journal),
        "--rate",
        "100",
        "--concurrency",
        "8",
        "--format",
        "jsonl",
        "--read-timeout",
        "0.5",
        "--retries",
        "12",
    ]
    with serve_in_thread(CREDENTIALS, rate=100, db=db, fault_rate=fault_rate, slow_ms=800, seed=seed) as emu:
        env = creds_env(tmp_path)
        killed = 0
        at_kill: list[int] = []
        for _ in range(kills):
            proc = subprocess.Popen(
                [sys.executable, "-c", CLI, *args, "--endpoint", emu.url],
                cwd=ROOT,
                env=env,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            # A random moment of the upload: when the emulator holds a random number of new certificates
            # (so the kill lands mid-run however slow the machine), give or take a few milliseconds.
            target = len(emu.certificates()) + rng.randint(1, 60)
            deadline = time.monotonic() + 120
            while len(emu.certificates()) < target and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.05))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed += 1
            proc.communicate()
            at_kill.append(len(emu.certificates()))
        finals = []
        for _ in range(4):  # a final run may leave a request failed after all its retries: run again
            done = run_cli(env, *args, "--endpoint", emu.url)
            finals.append(done.returncode)
            if done.returncode == 0:
                break
        emu.wait(900)
        stored = emu.certificates()
        faults = Counter(c.fault for c in emu.calls() if c.fault)
        upload_calls = len(uploads(emu))
    with Journal(journal) as j:
        entries = list(j.entries())
    return {
        "stored": stored,
        "entries": entries,
        "finals": finals,
        "killed": killed,
        "faults": faults,
        "at_kill": at_kill,
        "upload_calls": upload_calls,
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


def check_exactly_once(result: dict[str, Any]) -> None:
    stored, entries = result["stored"], result["entries"]
    assert result["finals"][-1] == 0, result["stdout"][-3000:] + result["stderr"]
    names = Counter(c.name for c in stored)
    assert len(stored) == 300 and max(names.values()) == 1, names.most_common(3)  # every one, none twice
    tokens = Counter(c.client_token for c in stored)
    assert max(tokens.values()) == 1
    assert len(entries) == 300 and {e.state for e in entries} == {"uploaded"}
    assert {e.sent_name: e.cert_id for e in entries} == {c.name: c.id for c in stored}  # the journal agrees
    raw = b"".join(p.read_bytes() for p in Path(result["journal_dir"]).glob("upload.journal*"))
    assert_no_secret(raw)


@pytest.mark.slow
def test_sigkill_at_random_moments_then_resume_uploads_each_exactly_once(tmp_path: Path) -> None:
    result = crash_and_resume(tmp_path, fault_rate=0.0, kills=3, seed=1)
    result["journal_dir"] = tmp_path
    assert result["killed"] == 3
    assert all(0 < n < 300 for n in result["at_kill"]), result["at_kill"]  # each kill in the middle of the run
    check_exactly_once(result)
    # Finished requests were skipped, not re-sent: at most the ones in flight at each kill went out twice
    # (with their ClientToken, so the service kept one certificate).
    assert result["upload_calls"] <= 300 + 8 * result["killed"], result["upload_calls"]


@pytest.mark.slow
def test_sigkill_with_30_percent_faults_still_exactly_once(tmp_path: Path) -> None:
    result = crash_and_resume(tmp_path, fault_rate=0.3, kills=3, seed=2)
    result["journal_dir"] = tmp_path
    assert result["killed"] == 3 and all(0 < n < 300 for n in result["at_kill"]), result["at_kill"]
    assert sum(result["faults"].values()) > 50 and set(result["faults"]) == set(FAULT_KINDS)
    check_exactly_once(result)
