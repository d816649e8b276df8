"""Shared by the upload tests: many small distinct valid requests (fast to make), and a secret scanner.

Every request is an EC P-256 self-issued leaf with its own common name and serial; all share ONE private key, so
the secret scanner knows exactly which strings must never appear anywhere.
"""

from __future__ import annotations

import base64
import datetime
import itertools
import json
import threading
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from certcheck import Tag, UploadParams

_KEY = ec.generate_private_key(ec.SECP256R1())
KEY_PEM = _KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
_KEY_DER = _KEY.private_bytes(
    serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
_SCALAR = _KEY.private_numbers().private_value
# What must never be seen: each PEM body line, the DER in hex (in 32-character pieces), the scalar in hex and
# decimal. The normalized request carries the key as certcheck re-encodes it, so both forms are covered.
SECRET_NEEDLES: list[str] = sorted(
    {
        *(line for line in KEY_PEM.splitlines() if line and not line.startswith("-----")),
        *(_KEY_DER.hex()[i : i + 32] for i in range(0, len(_KEY_DER.hex()) - 31, 32)),
        f"{_SCALAR:064x}",
        str(_SCALAR),
        base64.b64encode(_KEY_DER).decode()[40:80],
    }
)


def _normalized_key_lines() -> set[str]:
    """The key as the normalized request carries it (certcheck may re-encode it): its lines are secret too."""
    import certcheck

    report = certcheck.validate(UploadParams(name="probe", cert=make_cert("probe.example.test"), key=KEY_PEM))
    assert report.request is not None
    key = report.request.get("Key") or ""
    return {line for line in key.splitlines() if line and not line.startswith("-----")}


_counter = itertools.count(1)
_lock = threading.Lock()
_NOW = datetime.datetime.now(datetime.timezone.utc)


def make_cert(common_name: str) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(_KEY.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_NOW - datetime.timedelta(days=1))
        .not_valid_after(_NOW + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
        .sign(_KEY, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


SECRET_NEEDLES = sorted({*SECRET_NEEDLES, *_normalized_key_lines()})


def make_requests(count: int, prefix: str = "req", *, tags: Iterable[Tag] = ()) -> list[UploadParams]:
    """``count`` distinct valid requests named ``{prefix}_{n}``, each with its own certificate."""
    out = []
    for _ in range(count):
        with _lock:
            n = next(_counter)
        out.append(
            UploadParams(
                name=f"{prefix}_{n}",
                cert=make_cert(f"{_host(prefix)}-{n}.example.test"),
                key=KEY_PEM,
                tags=tuple(tags),
            )
        )
    return out


def _host(prefix: str) -> str:
    label = prefix.replace("_", "-")
    return label if label.isascii() else "xn--" + label.encode("punycode").decode()


def write_manifest(path: Path, requests: Iterable[UploadParams], extra_lines: Iterable[str] = ()) -> Path:
    """A JSONL manifest of the requests (PEM inline), plus any extra raw lines."""
    with path.open("w", encoding="utf-8") as out:
        for params in requests:
            row: dict[str, object] = {"Name": params.name, "Cert": params.cert, "Key": params.key}
            if params.tags:
                row["Tags"] = [{"Key": t.key, "Value": t.value} for t in params.tags]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        for line in extra_lines:
            out.write(line + "\n")
    return path


def assert_no_secret(*texts: object) -> None:
    """None of the texts (str, bytes, or anything with a repr) holds any piece of the private key."""
    for text in texts:
        if isinstance(text, bytes):
            haystack = text.decode("utf-8", "replace")
        elif isinstance(text, str):
            haystack = text
        else:
            haystack = repr(text)
        lowered = haystack.lower()
        for needle in SECRET_NEEDLES:
            assert needle not in haystack and needle.lower() not in lowered, f"key material leaked: {needle[:12]}..."
        assert "PRIVATE KEY-----" not in haystack, "a PEM private key block leaked"
