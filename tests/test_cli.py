"""The `certcheck check` contract: flags, --request JSON, exit codes, JSON shape, no tracebacks, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from certcheck.cli import main
from tests.conftest import STD, secret_fragments, std

AT = ["--at", "2026-06-01T00:00:00Z"]
GOOD = ["--name", "demo_example_com", "--cert", str(STD / "rsa-fullchain.pem"), "--key", str(STD / "rsa-leaf.key")]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _ = run([*args, "--format", "json", *AT], capsys)
    return code, json.loads(out)


def test_good_request_exits_0_with_the_documented_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, data = run_json(GOOD, capsys)
    assert code == 0
    assert set(data) == {"ok", "kind", "algorithm", "findings", "request"}
    assert data["ok"] is True and data["kind"] == "standard" and data["algorithm"] == "RSA"
    for finding in data["findings"]:
        assert set(finding) == {"code", "severity", "field", "message"}
        assert finding["severity"] in ("error", "warning", "info")
    request = data["request"]
    assert request["Name"] == "demo_example_com"
    assert request["Cert"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert request["Key"].startswith("<redacted sha256:") and request["Key"].endswith(">")


def test_findings_exit_1_and_fail_on_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    bad = [*GOOD[:4], "--key", str(STD / "rsa-other.key")]
    code, data = run_json(bad, capsys)
    assert code == 1 and data["ok"] is False
    assert {"code": "pair.key_mismatch", "severity": "error", "field": "Key"}.items() <= data["findings"][
        0
    ].items() or any(f["code"] == "pair.key_mismatch" for f in data["findings"])
    assert run_json([*bad, "--fail-on", "never"], capsys)[0] == 0
    warn_only = [*GOOD[:2], "--cert", str(STD / "rsa-chain-reversed.pem"), *GOOD[4:]]
    assert run_json(warn_only, capsys)[0] == 0
    assert run_json([*warn_only, "--fail-on", "warning"], capsys)[0] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["--cert", "/nonexistent/file.pem"],
        ["--format", "yaml"],
        ["--profile", "2019-01"],
        ["--at", "yesterday"],
        ["--key-password-env", "CERTCHECK_TEST_UNSET_VARIABLE"],
        ["--request", "/nonexistent.json"],
        ["--no-such-flag"],
    ],
)
def test_could_not_run_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*GOOD, *args], capsys)
    assert code == 2
    assert "Traceback" not in out + err
    assert err.strip()


def test_request_json_with_at_paths_and_flag_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = {
        "Name": "from_json",
        "Cert": f"@{os.path.relpath(STD / 'rsa-fullchain.pem', tmp_path)}",
        "Key": std("rsa-leaf.key"),  # inline PEM
        "Tags": [{"Key": "env", "Value": "prod"}],
    }
    path = tmp_path / "req.json"
    path.write_text(json.dumps(request))
    code, data = run_json(["--request", str(path)], capsys)
    assert code == 0, data
    assert data["request"]["Name"] == "from_json"
    assert data["request"]["Tags"] == [{"Key": "env", "Value": "prod"}]
    code, data = run_json(["--request", str(path), "--name", "flag_wins", "--tag", "team=web"], capsys)
    assert data["request"]["Name"] == "flag_wins"
    assert data["request"]["Tags"] == [{"Key": "team", "Value": "web"}]


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"Nmae": "typo"}', '{"Tags": "x"}', '{"Name": 5}'])
def test_bad_request_files_exit_2(content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "req.json"
    path.write_text(content)
    code, _out, err = run(["--request", str(path)], capsys)
    assert code == 2 and "Traceback" not in err


def test_standard_input(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((STD / "rsa-fullchain.pem").read_bytes())))
    code, data = run_json([*GOOD[:2], "--cert", "-", *GOOD[4:]], capsys)
    assert code == 0 and data["ok"]


def test_key_password_from_environment(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CC_PASS", "correct horse")
    args = [*GOOD[:4], "--key", str(STD / "rsa-leaf.enc.pk8.key"), "--key-password-env", "CC_PASS"]
    code, data = run_json(args, capsys)
    assert code == 0 and data["ok"]
    assert data["request"]["Key"].startswith("<redacted")
    code, data = run_json(args[:-2], capsys)
    assert code == 1 and any(f["code"] == "key.encrypted" for f in data["findings"])


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("key", ["rsa-leaf.key", "rsa-leaf.pk8.key", "ec-p256-leaf.key", "rsa-other.key"])
def test_no_key_material_in_any_output(fmt: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    _code, out, err = run([*GOOD[:4], "--key", str(STD / key), "--format", fmt, *AT], capsys)
    fragments = secret_fragments(std(key))
    assert fragments
    for fragment in fragments:
        assert fragment not in out + err


def test_text_output_is_readable_and_uncoloured_when_piped(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*GOOD[:4], "--key", str(STD / "rsa-other.key"), *AT], capsys)
    assert code == 1
    assert out.startswith("FAIL")
    assert "pair.key_mismatch" in out and "\x1b[" not in out


def test_binary_and_huge_files_are_findings_not_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 64)
    huge = tmp_path / "huge.pem"
    huge.write_text(std("rsa-leaf.pem") * 6000)  # ~10 MB
    for path, code_name in ((blob, "pem.binary"), (huge, "pem.too_large")):
        code, data = run_json([*GOOD[:2], "--cert", str(path), *GOOD[4:]], capsys)
        assert code == 1
        assert any(f["code"] == code_name for f in data["findings"])


def test_console_script_end_to_end() -> None:
    exe = Path(sys.executable).with_name("certcheck")
    result = subprocess.run(
        [str(exe), "check", *GOOD, *AT, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_rules_listing_matches_docs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "markdown"]) == 0
    out, _ = capsys.readouterr()
    docs = (Path(__file__).parent.parent / "docs" / "codes.md").read_text()
    assert out == docs, "docs/codes.md is stale: run `certcheck rules --format markdown > docs/codes.md`"


def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    _, out, _ = run([*GOOD[:4], "--key", str(STD / "rsa-other.key"), *AT], capsys)
    assert "\x1b[31" in out
    monkeypatch.setenv("NO_COLOR", "")  # set but empty: colour stays on (no-color.org)
    _, out, _ = run([*GOOD[:4], "--key", str(STD / "rsa-other.key"), *AT], capsys)
    assert "\x1b[31" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run([*GOOD[:4], "--key", str(STD / "rsa-other.key"), *AT], capsys)
    assert "\x1b[" not in out


@pytest.mark.parametrize("fmt", ["text", "json"])
@pytest.mark.parametrize("flag", ["--name", "--resource-group-id", "--tag"])
def test_a_key_pasted_into_a_text_parameter_is_redacted(
    fmt: str, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = std("rsa-leaf.key")
    value = f"k={key}" if flag == "--tag" else key
    code, out, err = run([*GOOD, flag, value, "--format", fmt, *AT], capsys)
    assert code == 1 and "fields.private_key_in_text" in out
    for fragment in secret_fragments(key):
        assert fragment not in out + err


def test_unencodable_text_is_escaped_not_an_internal_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*GOOD[2:], "--name", "caf\udce9", *AT], capsys)
    assert code == 1 and "internal error" not in err
    assert "name.control_characters" in out


def test_control_characters_in_certificate_names_are_escaped(capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import datetime, timedelta, timezone

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.derive_private_key(99, ec.SECP256R1())
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    evil = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "evil\n  error   fake.finding  \x1b[32mOK")])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ca")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(evil)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(5)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cert_path, key_path = Path(tmp, "c.pem"), Path(tmp, "k.pem")
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        _, out, _ = run(["--name", "x", "--cert", str(cert_path), "--key", str(key_path), *AT], capsys)
    assert "\x1b" not in out and "fake.finding" in out
    assert not any(line.lstrip().startswith("error   fake.finding") for line in out.splitlines())


def test_at_paths_only_in_pem_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    request = {"Name": "@home", "Cert": f"@{STD / 'rsa-fullchain.pem'}", "Key": f"@{STD / 'rsa-leaf.key'}"}
    path = tmp_path / "r.json"
    path.write_text(json.dumps(request))
    _code, data = run_json(["--request", str(path)], capsys)
    assert data["request"]["Name"] == "@home"
    assert any(f["code"] == "name.characters" for f in data["findings"])


@pytest.mark.parametrize(
    "args",
    [
        ["--expiry-warning-days", "1e10"],
        ["--expiry-warning-days", "nan"],
        ["--expiry-warning-days", "-1"],
        ["--at", "0001-01-01T00:00:00+01:00"],
    ],
)
def test_out_of_range_options_are_usage_errors(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*GOOD, *args], capsys)
    assert code == 2 and "internal error" not in err


def test_deeply_nested_request_json_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000)
    code, _, err = run(["--request", str(path)], capsys)
    assert code == 2 and "internal error" not in err


def test_a_clean_check_loads_and_compiles_only_what_it_needs() -> None:
    """Start-up (benchmarks/bench_startup.py): canonical PEM files take pem's fast path, and nothing of a clean
    request is long enough for the private-key detector, so a fresh `certcheck check` compiles none of the
    general PEM path's patterns (~0.3 ms) nor the detector's (~0.4 ms); files named by flags are read without
    importing certcheck.sources (its Entry dataclass and manifests: ~0.6 ms)."""
    code = (
        "import sys; from certcheck import cli, pem, redaction;"
        "status = cli.main(['check', '--no-config', *sys.argv[1:]]);"
        "print(status, sorted(vars(pem._RE)), sorted(vars(redaction._RE)), 'certcheck.sources' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, *GOOD, *AT], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "0 [] [] False", done.stdout + done.stderr
