"""`certcheck bulk`: formats, exit codes, summary, Ctrl-C, Dask, and the estate report in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from certcheck.cli import main
from tests.conftest import FIXTURES, STD, secret_fragments

ESTATE = FIXTURES / "estate"
AT = "2026-06-01T00:00:00Z"
CERTCHECK = [str(Path(sys.executable).parent / "certcheck")]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["bulk", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_jsonl_is_one_check_object_per_request_in_input_order(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, str(ESTATE), "--format", "jsonl", "--at", AT, "--jobs", "2")
    assert status == 1
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == 11  # 10 requests and the stray old-api.crt
    for obj in objects:
        assert set(obj) == {"ok", "kind", "algorithm", "findings", "request", "source"}
    sources = [o["source"] for o in objects]
    assert sources == sorted(sources)  # directories are walked in sorted order
    by_source = {Path(o["source"]).name: o for o in objects}
    assert (
        by_source["shop.example.com"]["ok"] and by_source["shop.example.com"]["request"]["Name"] == "shop_example_com"
    )
    assert [f["code"] for f in by_source["blog.example.net"]["findings"]] == ["pair.key_mismatch"]
    assert by_source["gov-portal"]["kind"] == "sm" and by_source["gov-portal"]["algorithm"] == "SM2"
    dupes = [o["source"] for o in objects if "name.duplicate_in_run" in [f["code"] for f in o["findings"]]]
    assert [Path(s).name for s in dupes] == ["example.com", "example.com"]  # acme.sh's and certbot's
    assert by_source["old-api.crt"]["findings"][0]["code"] == "source.unmatched"
    assert "10 requests: 5 passed, 5 failed" in err  # the summary goes to stderr, stdout stays JSONL
    assert "PRIVATE KEY-----" not in out and "<redacted sha256:" in out


def test_json_is_an_array_and_text_has_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, str(ESTATE / "acme.sh"), "--format", "json", "--at", AT, "--jobs", "1")
    assert status == 0 and [Path(o["source"]).name for o in json.loads(out)] == [
        "example.com",
        "shop.example.com",
        "shop.example.com_ecc",
    ]
    status, out, _ = _run(capsys, str(ESTATE / "acme.sh"), "--at", AT)
    assert status == 0
    assert re.search(r"^\S*/shop\.example\.com: OK  standard request, RSA$", out, re.M)
    assert "request: Name=shop_example_com, Cert=2 certificate(s), Key=<redacted sha256:" in out
    assert "3 requests: 3 passed, 0 failed" in out and "slowest: " in out
    # acme.sh's example.com alone has no duplicate: the Name is unique in this run
    assert "name.duplicate_in_run" not in out
    status, out, _ = _run(capsys, str(ESTATE / "letsencrypt"), "--at", AT)
    assert status == 1
    assert re.search(r"^findings by code:\n +pair\.key_mismatch +1$", out, re.M)


def test_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = ESTATE / "acme.sh" / "shop.example.com"
    assert _run(capsys, str(good), "--at", AT)[0] == 0
    assert _run(capsys, str(ESTATE / "plain" / "legacy-app"), "--at", AT)[0] == 1
    assert _run(capsys, str(ESTATE / "plain" / "legacy-app"), "--at", AT, "--fail-on", "never")[0] == 0
    # a stray file is a warning: fails only with --fail-on warning
    assert _run(capsys, str(ESTATE / "plain" / "api.internal"), "--at", AT)[0] == 0
    assert _run(capsys, str(ESTATE / "plain" / "api.internal"), "--at", AT, "--fail-on", "warning")[0] == 1
    status, _, err = _run(capsys, str(tmp_path / "missing"))
    assert status == 2 and "no such file" in err
    assert _run(capsys, str(good), "--format", "yaml")[0] == 2
    assert _run(capsys, str(good), "--jobs", "0")[0] == 2
    assert _run(capsys, str(good), "--at", "yesterday")[0] == 2
    status, _, err = _run(capsys, str(good), "--key-password-env", "CERTCHECK_NO_SUCH_VARIABLE")
    assert status == 2 and "not set" in err
    status, _, err = _run(capsys, str(good), "--scheduler", "tcp://127.0.0.1:1")
    assert status == 2 and "cannot connect" in err


def test_key_password_env_decrypts_keys_in_a_tree(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d = tmp_path / "site"
    d.mkdir()
    (d / "site.crt").write_text((STD / "rsa-fullchain.pem").read_text())
    (d / "site.key").write_text((STD / "rsa-leaf.enc.pk8.key").read_text())
    assert "key.encrypted" in _run(capsys, str(tmp_path), "--at", AT)[1]
    monkeypatch.setenv("SITE_PASS", "correct horse")
    status, out, _ = _run(capsys, str(tmp_path), "--at", AT, "--key-password-env", "SITE_PASS", "--format", "jsonl")
    assert status == 0 and json.loads(out)["ok"]


def test_no_progress_bar_when_not_a_terminal(tmp_path: Path) -> None:
    done = subprocess.run(
        [*CERTCHECK, "bulk", str(ESTATE / "acme.sh"), "--at", AT, "--format", "jsonl"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert "\r" not in done.stderr and "ETA" not in done.stderr
    assert len(done.stdout.splitlines()) == 3


def test_ctrl_c_stops_cleanly_and_prints_the_summary_so_far(tmp_path: Path) -> None:
    # A manifest long enough to be interrupted: the same good request, many times (names differ).
    chain, key = str(STD / "rsa-fullchain.pem"), str(STD / "rsa-leaf.key")
    manifest = tmp_path / "many.jsonl"
    with manifest.open("w") as handle:
        for i in range(40_000):
            handle.write(json.dumps({"Name": f"n{i}", "Cert": f"@{chain}", "Key": f"@{key}"}) + "\n")
    process = subprocess.Popen(
        [*CERTCHECK, "bulk", str(manifest), "--at", AT, "--format", "jsonl", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # the run is under way
    assert json.loads(first)["ok"]
    process.send_signal(signal.SIGINT)
    assert process.stderr is not None
    out = process.stdout.read()  # the same buffered reader as readline(): nothing is lost between them
    err = process.stderr.read()
    assert process.wait(timeout=120) == 130
    assert "interrupted:" in err and "of 40000 checked" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    lines = [first, *out.splitlines()]
    assert 1 <= len(lines) < 40_000
    assert all(json.loads(line)["ok"] for line in lines)  # nothing half-written
    time.sleep(0.5)
    children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert children == []  # the workers are gone with it


@pytest.mark.slow
def test_scheduler_runs_on_a_dask_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    import distributed

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        status, out, err = _run(
            capsys, str(ESTATE), "--scheduler", cluster.scheduler_address, "--format", "jsonl", "--at", AT
        )
    assert status == 1, err
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == 11 and sum(o["ok"] for o in objects) == 6  # 5 passed requests and the stray file


# --- the estate report -------------------------------------------------------------------------------------------


def _estate_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    report = tmp_path / "estate.html"
    status, _, _ = _run(capsys, str(ESTATE), "--at", AT, "--html", str(report), "--jobs", "2")
    assert status == 1
    return report.read_text()


def test_html_report_structure_and_no_key_material(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _estate_html(tmp_path, capsys)
    assert text.startswith("<!DOCTYPE html>")
    # self-contained: nothing fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//[^"']*\.(js|css|woff2?)""", text)
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert "default-src 'none'" in text
    for section in ("tiles", "timeline", "algorithms", "findings", "requests"):
        assert f'id="{section}"' in text
    assert text.count("<tr class=") == 11  # one row per request and the stray file
    assert 'class="today"' in text and 'class="window"' in text
    assert text.count('class="bar ') >= 10  # leaves and chain certificates in the timeline (and the legend)
    # findings link to their documentation
    assert re.search(r'<a href="[^"]*codes\.md#[^"]*pair\.key_mismatch[^"]*"', text)
    assert ">RSA 2048<" in text and ">EC P-384<" in text and ">SM2<" in text and ">RSA 1024<" in text
    # no private key, in any form
    assert "PRIVATE KEY" not in text
    for key in ("rsa-leaf.key", "rsa-other.key", "ec-p384-leaf.key", "rsa1024-leaf.key"):
        for fragment in secret_fragments((STD / key).read_text()):
            assert fragment not in text


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        for directory in os.environ.get("PATH", "").split(os.pathsep):
            if os.access(os.path.join(directory, name), os.X_OK):
                return os.path.join(directory, name)
    raise AssertionError("chromium is not installed: `make test` installs it (apt-get install chromium)")


def _chromium_args(profile: Path) -> list[str]:
    return [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


@pytest.mark.slow
def test_html_report_renders_in_headless_chromium(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = _estate_html(tmp_path, capsys)
    page = tmp_path / "estate.html"
    shot = tmp_path / "estate.png"
    args = _chromium_args(tmp_path / "profile")
    subprocess.run(
        [*args, f"--screenshot={shot}", "--window-size=1280,1500", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a real page, not a blank one
    # The DOM after the inline script ran: it marked itself ready, sorted by verdict (failures first) and
    # counted the rows; the SVG timeline is in the document.
    dom = subprocess.run(
        [*args, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    assert 'data-ready="1"' in dom
    assert "11 of 11 shown" in dom
    verdicts = re.findall(r'<tr class="(fail|warn|ok)">', dom)
    assert len(verdicts) == 11 and verdicts == sorted(verdicts, key=["fail", "warn", "ok"].index)
    assert '<th data-col="0" data-type="n" class="asc">' in dom
    assert "<svg" in dom and text.count("<tr class=") == 11


def test_policy_flags_and_formats_that_point_at_files(capsys: pytest.CaptureFixture[str]) -> None:
    live = str(ESTATE / "letsencrypt")
    status, out, _ = _run(capsys, live, "--at", AT, "--format", "github")
    assert status == 1
    # each finding points at the file its field came from
    assert re.search(
        r"^::error file=\S*/live/blog\.example\.net/privkey\.pem,line=1,title=pair\.key_mismatch::", out, re.M
    )
    assert re.search(
        r"^::error file=\S*/live/old\.example\.com/fullchain\.pem,line=1,title=validity\.expired::", out, re.M
    )
    # --ignore drops a code everywhere (the exit status too); an unknown code is a usage error
    status, out, err = _run(
        capsys, live, "--at", AT, "--format", "jsonl", "--ignore", "pair.key_mismatch", "--ignore", "validity.expired"
    )
    assert status == 0 and "pair.key_mismatch" not in out and "4 requests: 4 passed, 0 failed" in err
    assert _run(capsys, live, "--ignore", "pair.no_such_code")[0] == 2
    status, out, _ = _run(capsys, live, "--at", AT, "--format", "sarif")
    assert status == 1 and json.loads(out)["runs"][0]["results"]


def test_progress_bar_on_a_terminal_only() -> None:
    import pty

    master, slave = pty.openpty()
    try:
        done = subprocess.run(
            [*CERTCHECK, "bulk", str(ESTATE), "--at", AT, "--format", "jsonl", "--jobs", "1"],
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=120,
        )
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert done.returncode == 1 and len(done.stdout.splitlines()) == 11  # stdout (a pipe) is untouched
    text = seen.decode()
    assert "11/11 100%" in text and "/s" in text and "ETA" in text  # drawn on the terminal...
    assert "\r\x1b[K" in text and "10 requests: 5 passed, 5 failed" in text  # ...cleared, then the summary


def test_upload_takes_the_same_sources(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        ["upload", "--dry-run", "--format", "jsonl", "--at", AT, str(ESTATE / "acme.sh"), str(ESTATE / "plain")]
    )
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    by_source = {Path(r["source"]).name: r for r in rows if "source" in r}  # (the last line: a summary)
    assert set(by_source) == {"example.com", "shop.example.com", "shop.example.com_ecc", "api.internal", "legacy-app"}
    assert by_source["shop.example.com_ecc"]["outcome"] == "uploaded"
    assert by_source["shop.example.com_ecc"]["name"] == "shop_example_com_ecc"  # the Name bulk derives
    assert by_source["legacy-app"]["outcome"] == "invalid"
    assert status == 1
    assert "not uploaded: " in err and "old-api.crt" in err  # the stray file is told, not uploaded
    assert main(["upload", "--dry-run", str(ESTATE / "no-such-dir")]) == 2
