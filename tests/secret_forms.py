"""Private keys in every form a person may paste them, and the fragments that would betray one in output."""

from __future__ import annotations

import base64
import json
import re

from certcheck import pem
from tests.conftest import SM2, STD, scalar_fragments, secret_fragments

# Keys of every structure the detector must know: PKCS#1 RSA, PKCS#8 RSA/EC, SEC1 EC and SM2, encrypted PKCS#8.
KEY_FILES = {
    "rsa-pkcs1": STD / "rsa-leaf.key",
    "rsa-pkcs8": STD / "rsa-leaf.pk8.key",
    "ec-sec1": STD / "ec-p256-leaf.key",
    "ec-pkcs8": STD / "ec-p256-leaf.pk8.key",
    "sm2-sec1": SM2 / "sm2-sign.sec1.key",
    "rsa-encrypted-pkcs8": STD / "rsa-leaf.enc.pk8.key",
}
FORMS = ("armored", "base64-lines", "base64-one-line", "escaped-newlines", "hex", "colon-hex", "truncated-base64")


def key_pem(kind: str) -> str:
    return KEY_FILES[kind].read_text()


def key_der(kind: str) -> bytes:
    return pem.read("k", key_pem(kind)).blocks[0].der


def in_form(kind: str, form: str) -> str:
    """The key as text in one of the ways people paste it."""
    text, der = key_pem(kind), key_der(kind)
    body = "".join(line for line in text.splitlines() if line and not line.startswith("-----"))
    if form == "armored":
        return text
    if form == "base64-lines":
        return "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    if form == "base64-one-line":
        return body
    if form == "escaped-newlines":  # the PEM as it appears inside a JSON string, copied with its quotes removed
        return json.dumps(text)[1:-1]
    if form == "hex":
        return der.hex()
    if form == "colon-hex":  # openssl's and many GUIs' way of showing bytes
        return ":".join(f"{b:02X}" for b in der)
    if form == "truncated-base64":  # a paste cut short: only the first two thirds arrived
        return body[: len(body) * 2 // 3]
    raise ValueError(form)


def fragments(kind: str) -> list[str]:
    """Strings that would betray this key's secret numbers (decimal, hex, colon hex, base64 at each alignment)."""
    if kind.startswith("sm2"):
        d = int.from_bytes(key_der(kind)[7:39], "big")
        found = scalar_fragments([d])
        raw = d.to_bytes(32, "big")
    elif kind == "rsa-encrypted-pkcs8":  # the ciphertext is what would leak: its base64 and hex
        der = key_der(kind)
        tail = der[-48:]
        return [base64.b64encode(tail[s:]).decode()[4:24] for s in range(3)] + [
            tail.hex()[:24],
            tail.hex().upper()[:24],
        ]
    else:
        found = secret_fragments(key_pem(kind))
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa

        key = serialization.load_pem_private_key(key_pem(kind).encode(), None, unsafe_skip_rsa_key_validation=True)
        if isinstance(key, rsa.RSAPrivateKey):
            value = key.private_numbers().d
        else:
            assert isinstance(key, ec.EllipticCurvePrivateKey)
            value = key.private_numbers().private_value
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    found.append(":".join(f"{b:02X}" for b in raw[:12]))
    return found


def leaked(text: str, kind: str) -> list[str]:
    """The fragments found in ``text``, also once line breaks (real or escaped) and hex separators are gone."""
    compact = re.sub(r"\\[nrt]|[\s:]+", "", text)
    return [f for f in fragments(kind) if f in text or f in compact]
