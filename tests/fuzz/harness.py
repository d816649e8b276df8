"""One fuzz input -> certcheck, with the properties every input must keep. Shared by the atheris fuzzer
(``tests/fuzz/fuzz.py``, ``make fuzz``), the regression replay and the hypothesis properties (``make test``).

An input is ``target byte + body``. Targets: 0 PEM scanning alone, 1 a standard request (Cert, Key), 2 an SM
request (four fields), 3 a request JSON object. Multi-field bodies are split by 2-byte big-endian lengths, so a
crashing input saved by the fuzzer replays exactly here, without atheris.

Properties (``check_report``): nothing raises out of ``validate`` or any renderer; no ``rule.crashed`` finding
(a crash inside certcheck, caught); no output of any format, no repr, no finding message holds private key
material; output is bounded by a constant plus twice the input.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import certcheck
from certcheck import UploadParams, pem
from certcheck.redaction import contains_private_key
from certcheck.render import FORMATS, render
from certcheck.report import Report

AT = datetime(2026, 6, 1, tzinfo=timezone.utc)
TARGETS = ("pem", "standard", "sm", "json")
OUTPUT_SLACK = 100_000  # findings, labels and JSON around the normalized request


class PropertyViolation(AssertionError):
    """An input broke one of certcheck's promises (the fuzzer saves it as a crash)."""


def split(body: bytes, parts: int) -> list[bytes]:
    """``parts`` fields from a body: each but the last is prefixed by its 2-byte length."""
    out = []
    for _ in range(parts - 1):
        size = int.from_bytes(body[:2], "big")
        out.append(body[2 : 2 + size])
        body = body[2 + size :]
    out.append(body)
    return out


def join(fields: list[bytes]) -> bytes:
    """The inverse of ``split`` (for seeding the corpus)."""
    return b"".join(len(f).to_bytes(2, "big") + f for f in fields[:-1]) + fields[-1]


def one_input(data: bytes) -> None:
    if not data:
        return
    target, body = TARGETS[data[0] % len(TARGETS)], data[1:]
    if target == "pem":
        for value in (body, body.decode("latin-1")):
            armor = pem.read("Cert", value)
            for block in armor.blocks:
                repr(block)
        return
    if target == "standard":
        cert, key = split(body, 2)
        params = UploadParams(name="fuzz", cert=cert, key=key, key_password=b"correct horse")
    elif target == "sm":
        sign_cert, sign_key, enc_cert, enc_key = split(body, 4)
        params = UploadParams(
            name="fuzz",
            sign_cert=sign_cert,
            sign_private_key=sign_key,
            encrypt_cert=enc_cert,
            encrypt_private_key=enc_key,
            key_password=b"1234",
        )
    else:
        request = _json_request(body)
        if request is None:
            return
        try:
            params = UploadParams.from_api(request)
        except (ValueError, TypeError) as exc:  # refused: the message must still be safe
            if contains_private_key(str(exc)):
                raise PropertyViolation("an exception message quotes key material") from None
            return
    check_report(certcheck.validate(params, at=AT), len(data))


def _json_request(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    # @path would read the fuzzing machine's files: keep the text, drop the indirection.
    return {k: (v[1:] if isinstance(v, str) and v.startswith("@") else v) for k, v in data.items()}


def check_report(report: Report, input_size: int) -> None:
    crashed = [f.message for f in report.findings if f.code == "rule.crashed"]
    if crashed:
        raise PropertyViolation(f"rule.crashed: {crashed[0]}")
    for fmt in FORMATS:
        out = render(fmt, report)
        if len(out) > OUTPUT_SLACK + 2 * input_size:
            raise PropertyViolation(f"{fmt} output of {len(out):,} characters for a {input_size:,}-byte input")
    shown = [repr(report), *(f.message for f in report.findings)]
    if report.request is not None:
        redacted = report.request.redacted()
        shown += [str(v) for k, v in redacted.items() if k not in ("Cert", "SignCert", "EncryptCert")]
    for text in shown:
        if contains_private_key(text):
            raise PropertyViolation("key material in output")
