"""HAZMAT, tests and fixture generation only: an SM2 *signer*.

certcheck validates; it never signs anything for real. This signer is neither constant-time nor
reviewed for side channels, and with a caller-chosen ``k`` it is trivially insecure (a repeated or
known k reveals the private key). Do not import it from library code.
"""

from __future__ import annotations

import secrets

from certcheck._crypto import der, sm2


def _der_int(value: int) -> bytes:
    # Non-negative only; the leading 0x00 keeps a high bit from reading as a sign.
    content = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + der.encode_length(len(content)) + content


def encode_signature(r: int, s: int) -> bytes:
    """DER ``SEQUENCE { r, s }`` for any non-negative r, s (out-of-range values too, for tests)."""
    body = _der_int(r) + _der_int(s)
    return b"\x30" + der.encode_length(len(body)) + body


def sign_for_tests(d: int, message: bytes, user_id: sm2.UserId, k: int | None = None) -> bytes:
    """SM2-with-SM3 signature of ``message`` by private scalar ``d``, DER-encoded. TESTS ONLY.

    Deterministic when ``k`` is given (ValueError if that k yields r = 0, r + k = N or s = 0);
    otherwise k is drawn from ``secrets`` until a valid signature comes out.
    """
    point = sm2.public_from_private(d)
    e = sm2._digest(user_id, message, point)
    while True:
        nonce = k if k is not None else 1 + secrets.randbelow(sm2.N - 1)
        if not 1 <= nonce < sm2.N:
            raise ValueError("k must satisfy 1 <= k <= N-1")
        kg = sm2._mul_g(nonce)
        assert kg is not None
        r = (e + kg[0]) % sm2.N
        s = pow(1 + d, -1, sm2.N) * (nonce - r * d) % sm2.N
        if r != 0 and r + nonce != sm2.N and s != 0:
            return encode_signature(r, s)
        if k is not None:
            raise ValueError("this k gives a degenerate signature; choose another")
