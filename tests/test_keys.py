"""Key loading details: labels that lie about their contents, legacy PEM encryption, SM2 included.

The `openssl` command line (3.0) makes the encrypted inputs and reads back what certcheck would send.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from certcheck import pem
from tests.conftest import SM2, STD, assert_has, codes, rsa_ok, sm, std
from tests.test_sm_requests import sm_request


def openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True, timeout=60).stdout


def _relabel(text: str, label: str) -> str:
    return pem.encode(label, pem.read("k", text).blocks[0].der)


@pytest.mark.parametrize(
    "source, wrong_label, right_label",
    [
        ("rsa-leaf.key", "EC PRIVATE KEY", "RSA PRIVATE KEY"),
        ("rsa-leaf.key", "PRIVATE KEY", "RSA PRIVATE KEY"),
        ("rsa-leaf.pk8.key", "RSA PRIVATE KEY", "PRIVATE KEY"),
        ("ec-p256-leaf.key", "PRIVATE KEY", "EC PRIVATE KEY"),
    ],
)
def test_a_label_that_lies_is_corrected_and_openssl_reads_the_result(
    source: str, wrong_label: str, right_label: str, tmp_path: Path
) -> None:
    cert = "ec-p256-fullchain.pem" if source.startswith("ec") else "rsa-fullchain.pem"
    report = rsa_ok(cert=std(cert), key=_relabel(std(source), wrong_label))
    assert report.ok and "key.normalized" in codes(report)
    assert report.request is not None
    sent = report.request.api_params()["Key"]
    assert sent.startswith(f"-----BEGIN {right_label}-----\n")
    path = tmp_path / "sent.key"
    path.write_text(sent)
    assert b"BEGIN PRIVATE KEY" in openssl("pkey", "-in", str(path))  # openssl reads it under its new label


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("legacy")
    out: dict[str, str] = {}
    made = {
        "sm2-aes": ["ec", "-in", str(SM2 / "sm2-sign.sec1.key"), "-aes256"],
        "sm2-des3": ["ec", "-in", str(SM2 / "sm2-sign.sec1.key"), "-des3"],
        "rsa-aria": ["rsa", "-in", str(STD / "rsa-leaf.key"), "-aria128", "-traditional"],
        "rsa-des3": ["rsa", "-in", str(STD / "rsa-leaf.key"), "-des3", "-traditional"],
    }
    for name, args in made.items():
        path = tmp / f"{name}.key"
        openssl(*args, "-passout", "pass:pw", "-out", str(path))
        out[name] = path.read_text()
    return out


def test_legacy_encrypted_sm2_key_decrypts(legacy: dict[str, str]) -> None:
    for name in ("sm2-aes", "sm2-des3"):
        assert "Proc-Type: 4,ENCRYPTED" in legacy[name] and "SM2 PRIVATE KEY" in legacy[name]
        report = sm_request(sign_private_key=legacy[name], key_password=b"pw")
        assert report.ok, [f.message for f in report.findings]
        assert report.request is not None
        assert report.request.api_params()["SignPrivateKey"] == _relabel(sm("sm2-sign.sec1.key"), "EC PRIVATE KEY")
        assert_has(sm_request(sign_private_key=legacy[name], key_password=b"nope"), "key.wrong_password")
        assert_has(sm_request(sign_private_key=legacy[name]), "key.encrypted")


def test_legacy_encryption_with_an_unsupported_cipher_says_so(legacy: dict[str, str]) -> None:
    report = rsa_ok(key=legacy["rsa-aria"], key_password=b"pw")
    assert_has(report, "key.decrypt_unsupported", "Key")
    assert "ARIA" in next(f.message for f in report.findings if f.code == "key.decrypt_unsupported")
    report = rsa_ok(key=legacy["rsa-des3"], key_password=b"pw")
    assert report.ok and report.request is not None
    assert report.request.api_params()["Key"] == std("rsa-leaf.key")
