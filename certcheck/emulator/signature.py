"""ACS3-HMAC-SHA256: how the official SDK signs a request, verified on the server side.

The rules (reference: sdk-wire.md, checked against alibabacloud-tea-openapi 0.4.6):

    canonical_query   = '&'.join(quote(k, safe='~') + '=' + quote(v, safe='~')
                                 for k, v in sorted(parse_qsl(query, keep_blank_values=True)))
    canonical_headers = ''.join(name + ':' + value.strip() + '\\n' for name in signed_header_names)
    canonical_request = '\\n'.join([METHOD, PATH, canonical_query, canonical_headers,
                                   ';'.join(signed_header_names), sha256_hex(body)])
    string_to_sign    = 'ACS3-HMAC-SHA256\\n' + sha256_hex(canonical_request)
    signature         = hex(hmac_sha256(secret, string_to_sign))

``sign()`` is the same computation from the client's side: the tests use it to send raw requests (a reused nonce,
a stale date) that the SDK would never send. The SDK's own requests verifying is the independent check.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qsl, quote, unquote

from certcheck.emulator.constants import (
    CONTENT_SHA256_MISMATCH,
    DATE_INVALID,
    INCOMPLETE_SIGNATURE,
    INVALID_ACCESS_KEY,
    NONCE_USED,
    SIGNATURE_ALGORITHM,
    SIGNATURE_MISMATCH,
    TIME_WINDOW_SECONDS,
    TIMESTAMP_EXPIRED,
)
from certcheck.emulator.errors import ApiError

__all__ = [
    "NonceCache",
    "Verified",
    "canonical_query",
    "canonical_request",
    "sign",
    "string_to_sign",
    "verify",
]

DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_AUTH = re.compile(
    r"^ACS3-HMAC-SHA256\s+Credential=(?P<key>[^,\s]+)\s*,\s*SignedHeaders=(?P<headers>[^,\s]*)\s*,"
    r"\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_query(raw_query: str) -> str:
    """The query as signed: decoded (``+`` is a space), sorted, re-encoded with only ``A-Za-z0-9-_.~`` literal."""
    pairs = parse_qsl(raw_query, keep_blank_values=True, encoding="utf-8", errors="surrogateescape")
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in sorted(pairs))


def _quote(text: str) -> str:
    return quote(text, safe="~", encoding="utf-8", errors="surrogateescape")


def canonical_request(
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    body_sha256: str,
) -> str:
    """``headers`` maps lower-case names to every value the request carried under that name."""
    lines = []
    for name in signed_headers:
        values = sorted(v.strip() for v in headers.get(name, ()))
        lines.append(f"{name}:{','.join(values)}\n")
    uri = quote(unquote(path or "/"), safe="/~") or "/"
    return "\n".join(
        [method.upper(), uri, canonical_query(raw_query), "".join(lines), ";".join(signed_headers), body_sha256]
    )


def string_to_sign(canonical: str) -> str:
    return f"{SIGNATURE_ALGORITHM}\n{sha256_hex(canonical.encode('utf-8', 'surrogateescape'))}"


def _signature(secret: str, canonical: str) -> str:
    return hmac.new(secret.encode("utf-8"), string_to_sign(canonical).encode("utf-8"), hashlib.sha256).hexdigest()


class NonceCache:
    """Nonces seen within the time window, per access key. Thread-safe."""

    def __init__(self, window: float = TIME_WINDOW_SECONDS) -> None:
        self._window = window
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._next_purge = 0.0

    def use(self, access_key_id: str, nonce: str, now: float) -> bool:
        """Record the nonce; False when it was already used."""
        with self._lock:
            if now >= self._next_purge:
                # a nonce older than twice the window belongs to a request whose date is now stale anyway
                cutoff = now - 2 * self._window
                self._seen = {k: t for k, t in self._seen.items() if t >= cutoff}
                self._next_purge = now + 60
            key = (access_key_id, nonce)
            if key in self._seen:
                return False
            self._seen[key] = now
            return True


@dataclass(frozen=True)
class Verified:
    access_key_id: str
    nonce: str


def verify(
    *,
    method: str,
    path: str,
    raw_query: str,
    headers: Mapping[str, Sequence[str]],
    body: bytes,
    secrets: Mapping[str, str],
    nonces: NonceCache,
    now: float | None = None,
) -> Verified:
    """Check one request's ACS3 signature; raise ApiError in the order a gateway would refuse it."""
    moment = time.time() if now is None else now
    auth = _one(headers, "authorization")
    match = _AUTH.match(auth or "")
    if match is None:
        raise ApiError(
            INCOMPLETE_SIGNATURE,
            f"Expected 'Authorization: {SIGNATURE_ALGORITHM} Credential=...,SignedHeaders=...,Signature=...'.",
        )
    key_id = match["key"]
    secret = secrets.get(key_id)
    if secret is None:
        raise ApiError(INVALID_ACCESS_KEY, "Check the AccessKey ID the client uses.")
    signed = match["headers"].split(";") if match["headers"] else []
    if signed != sorted(signed) or any(n != n.lower() for n in signed):
        raise ApiError(INCOMPLETE_SIGNATURE, "SignedHeaders must be lower-case names in sorted order.")
    required = {"host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-action", "x-acs-version"}
    required |= {name for name in headers if name.startswith("x-acs-")}
    unsigned = sorted(required - set(signed))
    if unsigned:
        raise ApiError(INCOMPLETE_SIGNATURE, f"These headers must be signed: {', '.join(unsigned)}.")
    date = _one(headers, "x-acs-date") or ""
    try:
        stamp = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=timezone.utc).timestamp()
    except ValueError:
        raise ApiError(DATE_INVALID, f"x-acs-date must be UTC in the form {DATE_FORMAT}.") from None
    if abs(moment - stamp) > TIME_WINDOW_SECONDS:
        raise ApiError(TIMESTAMP_EXPIRED, f"x-acs-date {date} is more than 15 minutes from the server's clock.")
    body_hash = sha256_hex(body)
    if (_one(headers, "x-acs-content-sha256") or "").lower() != body_hash:
        raise ApiError(CONTENT_SHA256_MISMATCH, "x-acs-content-sha256 must be the hex SHA-256 of the body.")
    expected = _signature(secret, canonical_request(method, path, raw_query, headers, signed, body_hash))
    if not hmac.compare_digest(expected, match["sig"].lower()):
        raise ApiError(SIGNATURE_MISMATCH, "Check the AccessKey secret and the canonical request.")
    nonce = _one(headers, "x-acs-signature-nonce") or ""
    if not nonce:
        raise ApiError(INCOMPLETE_SIGNATURE, "x-acs-signature-nonce is required.")
    if not nonces.use(key_id, nonce, moment):
        raise ApiError(NONCE_USED, "Every request needs a fresh x-acs-signature-nonce.")
    return Verified(key_id, nonce)


def _one(headers: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = headers.get(name)
    return values[0] if values else None


def sign(
    *,
    access_key_id: str,
    secret: str,
    host: str,
    action: str,
    raw_query: str,
    body: bytes = b"",
    method: str = "POST",
    path: str = "/",
    nonce: str,
    date: str | None = None,
    version: str = "2020-04-07",
) -> dict[str, str]:
    """The headers of a signed request, as the SDK would build them (for raw test requests)."""
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-version": version,
        "x-acs-date": date or datetime.now(timezone.utc).strftime(DATE_FORMAT),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": sha256_hex(body),
        "accept": "application/json",
    }
    names = sorted(headers)
    canonical = canonical_request(
        method, path, raw_query, {k: [v] for k, v in headers.items()}, names, headers["x-acs-content-sha256"]
    )
    headers["authorization"] = (
        f"{SIGNATURE_ALGORITHM} Credential={access_key_id},SignedHeaders={';'.join(names)},"
        f"Signature={_signature(secret, canonical)}"
    )
    return headers
