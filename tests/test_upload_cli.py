"""``certcheck upload`` / ``journal`` / ``adapters`` through the command line (dry-run adapter; the official SDK
adapter's command-line runs are in test_upload_aliyun.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from certcheck.cli import main
from tests.conftest import FIXTURES, ROOT
from tests.upload_support import assert_no_secret, make_requests, write_manifest


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def jsonl(out: str) -> tuple[list[dict[str, object]], dict[str, object]]:
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    summary = rows.pop()
    assert set(summary) == {"summary"}
    return rows, summary["summary"]  # type: ignore[return-value]


def test_all_good_exits_0_with_one_line_each_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(4, "cli_ok"))
    status, out, err = run_cli(capsys, "upload", "--dry-run", "--manifest", str(manifest), "--rate", "0")
    assert status == 0, out + err
    lines = out.splitlines()
    assert len(lines) == 5 and all(line.startswith("uploaded") for line in lines[:4])
    assert "CertId 1000000" in lines[0] and f"{manifest}:" in lines[0] and "attempts 1" in lines[0]
    assert lines[4].startswith("4 request(s): 4 uploaded, 0 skipped, 0 failed, 0 invalid")
    assert "\r" not in err and "ETA" not in err  # no progress when not on a terminal


def test_bad_lines_and_invalid_requests_exit_1_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = make_requests(3, "cli_mixed")
    invalid = good[0].replace(name="x" * 80)
    manifest = write_manifest(
        tmp_path / "m.jsonl",
        [good[0], invalid, good[1]],
        [
            "",
            "# a comment",
            "{not json",
            '{"Name": "n", "Bogus": 1}',
            json.dumps({"Name": good[2].name, "Cert": "@cert.pem", "Key": "@key.pem"}),
        ],
    )
    (tmp_path / "cert.pem").write_text(str(good[2].cert))
    (tmp_path / "key.pem").write_text(str(good[2].key))
    status, out, err = run_cli(capsys, "upload", "--dry-run", "--manifest", str(manifest), "--format", "jsonl")
    assert status == 1, err
    rows, summary = jsonl(out)
    by_line = {str(r["source"]).rsplit(":", 1)[1]: r for r in rows}
    assert by_line["1"]["outcome"] == "uploaded" and by_line["3"]["outcome"] == "uploaded"
    assert by_line["2"]["outcome"] == "invalid" and by_line["2"]["error"]["code"] == "name.too_long"  # type: ignore[index]
    assert by_line["6"]["outcome"] == "failed" and "not valid JSON" in by_line["6"]["error"]["message"]  # type: ignore[index]
    assert by_line["7"]["outcome"] == "failed" and "Bogus" in by_line["7"]["error"]["message"]  # type: ignore[index]
    assert by_line["8"]["outcome"] == "uploaded"  # @path relative to the manifest
    assert summary["uploaded"] == 3 and summary["invalid"] == 1 and summary["failed"] == 2
    assert_no_secret(out, err)


def test_request_flags_like_check(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(
        capsys,
        "upload",
        "--dry-run",
        "--request",
        str(FIXTURES / "requests" / "good-rsa.json"),
        "--name",
        "renamed_by_flag",
        "--format",
        "json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["summary"]["uploaded"] == 1
    (result,) = data["results"]
    assert result["name"] == "renamed_by_flag" and result["outcome"] == "uploaded" and result["cert_id"]
    assert_no_secret(out)


def test_journal_and_rerun_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(3, "cli_j"))
    journal = tmp_path / "run.journal"
    args = ["upload", "--dry-run", "--manifest", str(manifest), "--journal", str(journal), "--format", "jsonl"]
    assert run_cli(capsys, *args)[0] == 0
    status, out, _ = run_cli(capsys, *args)
    rows, summary = jsonl(out)
    assert status == 0 and summary["skipped"] == 3 and summary["calls"] == 0
    assert all("earlier run" in str(r["note"]) for r in rows)
    status, out, _ = run_cli(capsys, "journal", str(journal))
    assert status == 0 and out.count("uploaded ") == 3 and "3 request(s)" in out and "adapter dry-run" in out
    status, out, _ = run_cli(capsys, "journal", str(journal), "--format", "jsonl")
    entries = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and len(entries) == 3 and all(e["state"] == "uploaded" and e["cert_id"] for e in entries)


def test_journal_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(capsys, "journal", str(tmp_path / "missing"))
    assert status == 2 and "no such journal" in err
    (tmp_path / "junk").write_text("junk" * 1000)
    status, _, err = run_cli(capsys, "journal", str(tmp_path / "junk"))
    assert status == 2 and "not a certcheck journal" in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "upload", "--dry-run")[0] == 2
    status, _, err = run_cli(capsys, "upload", "--adapter", "nope", "--manifest", str(FIXTURES / "manifest.json"))
    assert status == 2 and "unknown adapter 'nope'" in err
    status, _, err = run_cli(capsys, "upload", "--dry-run", "--manifest", str(tmp_path / "missing.jsonl"))
    assert status == 2 and "missing.jsonl" in err
    assert run_cli(capsys, "upload", "--dry-run", "--rate", "-1", "--manifest", "x")[0] == 2
    assert run_cli(capsys, "upload", "--dry-run", "--concurrency", "0", "--manifest", "x")[0] == 2
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(1, "cli_j"))
    journal = tmp_path / "j"
    journal.write_text("not sqlite" * 100)
    status, _, err = run_cli(capsys, "upload", "--dry-run", "--manifest", str(manifest), "--journal", str(journal))
    assert status == 2 and "--journal" in err


def test_adapters_lists_the_built_ins(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "adapters", "--format", "json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert status == 0 and {"aliyun", "dry-run"} <= set(rows)
    assert rows["dry-run"]["status"] == "available"
    assert rows["aliyun"]["target"] == "certcheck.upload.aliyun:AliyunAdapter"
    status, out, _ = run_cli(capsys, "adapters")
    assert status == 0 and "dry-run" in out and "aliyun" in out


def test_progress_is_drawn_on_a_terminal_only() -> None:
    import io

    from certcheck.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    lines = []
    for stream in (tty, pipe):
        progress = Progress(10, stream=stream)
        for _ in range(4):
            progress.advance("uploaded")
        lines.append(progress.line())
        progress.close()
    assert pipe.getvalue() == ""
    drawn = tty.getvalue()
    assert drawn.startswith("\r[##") and "1/10" in drawn and "ETA" in drawn  # the first draw is immediate
    assert drawn.endswith("\r\x1b[K")  # erased when closed
    assert "4/10 40%" in lines[0] and "/s" in lines[0] and "ETA" in lines[0] and "uploaded 4" in lines[0]


CLI = "import sys; from certcheck.cli import main; sys.exit(main())"


def cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    return subprocess.Popen(
        [sys.executable, "-c", CLI, *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[call-overload]
    )


def test_ctrl_c_finishes_in_flight_requests_and_prints_the_summary(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "m.jsonl", make_requests(200, "cli_int"))
    proc = cli("upload", "--dry-run", "--manifest", str(manifest), "--rate", "20", "--format", "jsonl")
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert json.loads(first)["outcome"] == "uploaded"
    proc.send_signal(signal.SIGINT)
    # not communicate(): it reads the pipe itself and would lose what readline() already buffered
    rest = proc.stdout.read()
    err = proc.stderr.read() if proc.stderr is not None else ""
    proc.wait(timeout=60)
    rows, summary = jsonl(first + rest)
    assert proc.returncode == 1, err
    assert 1 <= len(rows) < 200 and all(r["outcome"] == "uploaded" for r in rows)
    assert "interrupted" in str(summary["stopped"])
    assert summary["uploaded"] == len(rows)


def test_check_and_import_do_not_load_upload_code_or_the_sdk() -> None:
    probe = (
        "import sys, certcheck, certcheck.cli\n"
        "status = certcheck.cli.main(['check', '--request', 'fixtures/requests/good-rsa.json'])\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('certcheck.upload', 'certcheck.emulator',"
        " 'alibabacloud', 'Tea', 'darabonba', 'sqlite3')))\n"
        "print(status, bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.rsplit("\n", 2)[-2].endswith("0 []"), out
