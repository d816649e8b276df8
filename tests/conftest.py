"""Shared helpers: paths to the committed fixtures and a pinned clock."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import settings

import certcheck
from certcheck import Report, UploadParams

# The emulator's fixtures (a running emulator, proxy variables cleared for the official SDK).
pytest_plugins = ("tests.emulator_support",)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
STD = FIXTURES / "std"
SM2 = FIXTURES / "sm2"
BROKEN = FIXTURES / "broken"
# CI must be reproducible: there, property tests replay a fixed sequence of examples; local runs explore.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

CORPUS = FIXTURES / "corpus" / "sm2"  # copied from shared/corpus/sm2 (see its README)

# The clock every test pins: fixtures/README.md describes each certificate relative to it.
AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def read(path: Path | str) -> str:
    return Path(path).read_text()


def std(name: str) -> str:
    return read(STD / name)


def sm(name: str) -> str:
    return read(SM2 / name)


def check(**fields: object) -> Report:
    """Validate a request given as UploadParams keyword arguments, at the pinned clock."""
    options = {k: fields.pop(k) for k in ("profile", "expiry_warning_days") if k in fields}
    params = UploadParams(**fields)  # type: ignore[arg-type]
    return certcheck.validate(params, at=AT, **options)  # type: ignore[arg-type]


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


def rsa_ok(**extra: object) -> Report:
    """The known-good RSA request, with some fields changed."""
    base: dict[str, object] = {"name": "demo_example_com", "cert": std("rsa-fullchain.pem"), "key": std("rsa-leaf.key")}
    base.update(extra)
    return check(**base)


def assert_has(report: Report, code: str, field: str | None = None) -> None:
    hits = [f for f in report.findings if f.code == code and (field is None or f.field == field)]
    assert hits, f"expected {code} on {field}; got {[(f.code, f.field) for f in report.findings]}"


def assert_lacks(report: Report, *unwanted: str) -> None:
    present = [f.code for f in report.findings if f.code in unwanted]
    assert not present, f"unexpected {present}; all: {codes(report)}"


def only_info(report: Report, allowed: Iterable[str] = ()) -> None:
    extra = [f.code for f in report.findings if f.severity.value != "info" and f.code not in allowed]
    assert not extra, f"expected no errors/warnings, got {extra}: {[f.message for f in report.findings]}"


@pytest.fixture
def at() -> datetime:
    return AT


@pytest.fixture
def sm2_leaf() -> str:
    return read(CORPUS / "tongsuo" / "server_sign.crt")


@pytest.fixture
def sm2_key() -> str:
    return read(CORPUS / "tongsuo" / "server_sign.key")


def secret_fragments(key_pem: str) -> list[str]:
    """Strings that would betray a private key if they appeared in output: its secret numbers in decimal, hex
    and base64 (at every byte alignment), and the base64 of its encoding's private part."""

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = serialization.load_pem_private_key(key_pem.encode(), None, unsafe_skip_rsa_key_validation=True)
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        secrets = [numbers.d, numbers.p, numbers.q, numbers.dmp1, numbers.dmq1]
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        secrets = [key.private_numbers().private_value]
    else:
        raise TypeError(type(key))
    return scalar_fragments(secrets)


def scalar_fragments(secrets: list[int]) -> list[str]:
    import base64

    out: list[str] = []
    for value in secrets:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        out += [str(value)[:30], f"{value:x}"[:24], f"{value:X}"[:24]]
        for shift in range(3):
            b64 = base64.b64encode(raw[shift:]).decode()
            out.append(b64[4:24])
    return out
