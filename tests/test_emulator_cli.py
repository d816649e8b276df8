"""`certcheck emulator serve` as a process: credentials from the environment, the listening line, clean stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from certcheck.cli import main
from tests.emulator_support import KEY_ID, PROXY_VARS, SECRET, client, upload_request


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARS and not k.startswith("ALIBABA_CLOUD_")}
    env.update(extra)
    return env


CERTCHECK = str(Path(sys.executable).with_name("certcheck"))
CREDS = {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": SECRET}


class _Endpoint:
    def __init__(self, url: str) -> None:
        self.url = url
        hostport = url.removeprefix("http://")
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self.endpoint = hostport


def _start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [CERTCHECK, "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env if env is not None else _env(**CREDS),
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], _Endpoint, Path]]:
    log = tmp_path / "access.jsonl"
    proc = _start("--access-log", str(log), "--db", str(tmp_path / "cas.db"))
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        yield proc, _Endpoint(line.split()[-1]), log
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_missing_credentials_refuse_to_start_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.run(
        [CERTCHECK, "emulator", "serve", "--port", "0"],
        env=_env(ALIBABA_CLOUD_ACCESS_KEY_ID=KEY_ID),  # the secret is missing
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_port_0_prints_the_listening_line_and_sigterm_stops_it(
    served: tuple[subprocess.Popen[str], _Endpoint, Path],
) -> None:
    proc, endpoint, log = served
    body = client(endpoint).upload_user_certificate(upload_request("cli_1")).body  # type: ignore[arg-type]
    assert body.cert_id >= 1
    assert body.request_id in log.read_text()  # the access log is written as calls are accepted
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_sigint_stops_it_too_and_the_db_keeps_state(
    served: tuple[subprocess.Popen[str], _Endpoint, Path], tmp_path: Path
) -> None:
    proc, endpoint, _ = served
    client(endpoint).upload_user_certificate(upload_request("kept_by_db"))  # type: ignore[arg-type]
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=15)
    assert proc.returncode == 0
    again = _start("--db", str(tmp_path / "cas.db"))
    try:
        assert again.stdout is not None
        restarted = _Endpoint(again.stdout.readline().split()[-1])
        error = pytest.importorskip("Tea.exceptions").TeaException
        with pytest.raises(error) as info:
            client(restarted).upload_user_certificate(upload_request("kept_by_db"))  # type: ignore[arg-type]
        assert info.value.code == "NameRepeat"
    finally:
        again.terminate()
        again.communicate(timeout=15)
    assert again.returncode == 0


@pytest.mark.parametrize(
    "flags",
    [["--fault-rate", "1.5"], ["--rate", "-1"], ["--faults", "explode"], ["--port", "70000"], ["--latency-ms", "x"]],
)
def test_bad_flags_exit_2(
    flags: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDS.items():
        monkeypatch.setenv(name, value)
    assert main(["emulator", "serve", *flags]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_port_in_use_exits_2(served: tuple[subprocess.Popen[str], _Endpoint, Path]) -> None:
    _, endpoint, _ = served
    proc = subprocess.run(
        [CERTCHECK, "emulator", "serve", "--port", str(endpoint.port)],
        env=_env(**CREDS),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "cannot start" in proc.stderr and "Traceback" not in proc.stderr


def test_import_certcheck_and_check_do_not_load_the_emulator_or_the_sdk() -> None:
    code = (
        "import sys, certcheck, certcheck.cli as cli; cli.build_parser();"
        "cli.main(['check', '--name', 'x', '--format', 'json']);"
        "bad = [m for m in sys.modules if m.startswith(('certcheck.emulator', 'alibabacloud', 'Tea', 'sqlite3'))];"
        "print(bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


@pytest.mark.parametrize("flag", ["--db", "--access-log"])
def test_an_unusable_db_or_log_file_exits_2(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in CREDS.items():
        monkeypatch.setenv(name, value)
    not_a_db = tmp_path / "text.db"
    not_a_db.write_text("this is not SQLite\n" * 100)
    target = not_a_db if flag == "--db" else tmp_path / "missing-dir" / "log.jsonl"
    assert main(["emulator", "serve", flag, str(target)]) == 2
    err = capsys.readouterr().err
    assert "cannot start" in err and "Traceback" not in err
