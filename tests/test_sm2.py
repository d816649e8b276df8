"""Tests for certcheck._crypto.sm2: GB/T vectors, rejection paths, the real SM2 corpus, and openssl as an oracle."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import inspect
import itertools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from hypothesis import given, settings
from hypothesis import strategies as st
from pyasn1.codec.der import decoder, encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5208, rfc5280, rfc5915

from certcheck._crypto import sm2
from tests.sm2_signing import encode_signature, sign_for_tests

N = sm2.N
G = (sm2.GX, sm2.GY)
SM2_CURVE_OID = "1.2.156.10197.1.301"
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "sm2"

# GB/T 32918.5 Annex A (default ID, message "message digest").
VECTOR_D = 0x3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8
VECTOR_Z = bytes.fromhex("B2E14C5C79C6DF5B85F4FE7ED8DB7A262B9DA7E07CCB0EA9F4747B8CCDA8A4F3")
VECTOR_R = 0xF5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3
VECTOR_S = 0xB1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA
VECTOR_MSG = b"message digest"


# --- helpers: DER reading stays here; the library's key parser is another module's job ---------------

_PEM_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


def _pem_blocks(data: bytes) -> list[tuple[str, bytes]]:
    return [(m.group(1).decode(), base64.b64decode(m.group(2))) for m in _PEM_RE.finditer(data)]


def _pem(label: str, der: bytes) -> bytes:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n".encode()


def _read_private_key(pem: bytes) -> tuple[int, sm2.Point | None]:
    """(d, embedded public point or None) from a plain PKCS#8 or SEC1 PEM SM2 key."""
    for label, der in _pem_blocks(pem):
        if label == "PRIVATE KEY":
            info, rest = decoder.decode(der, asn1Spec=rfc5208.PrivateKeyInfo())
            assert not rest
            der = info["privateKey"].asOctets()
        elif label not in ("EC PRIVATE KEY", "SM2 PRIVATE KEY"):
            continue  # e.g. the "SM2 PARAMETERS" block OpenSSL may put first
        ec_key, rest = decoder.decode(der, asn1Spec=rfc5915.ECPrivateKey())
        assert not rest
        embedded = ec_key["publicKey"]
        point = sm2.decode_point(embedded.asOctets()) if embedded.isValue else None
        return int.from_bytes(ec_key["privateKey"].asOctets(), "big"), point
    raise AssertionError("no plain private key block")


def _load_certs(path: Path) -> list[x509.Certificate]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tongsuo's root ca has serial 0, which cryptography warns about
        return x509.load_pem_x509_certificates(path.read_bytes())


def _spki_point(cert: x509.Certificate) -> sm2.Point:
    # cryptography refuses SM2 public keys, so read SubjectPublicKeyInfo with pyasn1.
    decoded, _ = decoder.decode(cert.public_bytes(Encoding.DER), asn1Spec=rfc5280.Certificate())
    return sm2.decode_point(decoded["tbsCertificate"]["subjectPublicKeyInfo"]["subjectPublicKey"].asOctets())


def _cert_verify(cert: x509.Certificate, issuer_point: sm2.Point) -> sm2.UserId | None:
    return sm2.verify(cert.tbs_certificate_bytes, cert.signature, issuer_point)


def _neg(point: sm2.Point) -> sm2.Point:
    return point[0], (-point[1]) % sm2.P


# --- constants, SM3 ------------------------------------------------------------------------------------


def test_generator_is_on_curve_and_has_order_n() -> None:
    assert sm2.is_on_curve(G)
    assert sm2._mul_g(N) is None  # N*G is the point at infinity
    assert sm2.public_from_private(1) == G
    assert sm2.public_from_private(N - 2) == _neg(sm2.public_from_private(2))


SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    (b"", "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"),
]


def _sm3_gmssl(data: bytes) -> bytes:
    """gmssl's SM3: an independent implementation, the oracle for certcheck's own fallback."""
    from gmssl import sm3 as gmssl_sm3

    return bytes.fromhex(gmssl_sm3.sm3_hash(list(data)))


SM3_IMPLS: dict[str, Callable[[bytes], bytes]] = {
    "hashlib": sm2._sm3_hashlib,
    "python": sm2._sm3_python,
    "gmssl": _sm3_gmssl,
}


@pytest.fixture(params=sorted(SM3_IMPLS))
def sm3_impl(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once with each SM3 backend behind sm2.sm3."""
    name: str = request.param
    if name == "hashlib" and "sm3" not in hashlib.algorithms_available:
        pytest.skip("this Python's OpenSSL has no SM3")
    monkeypatch.setattr(sm2, "_sm3_impl", SM3_IMPLS[name])
    return name


@pytest.mark.parametrize(("message", "digest"), SM3_VECTORS)
def test_sm3_known_answers(sm3_impl: str, message: bytes, digest: str) -> None:
    assert sm2.sm3(message).hex() == digest


def test_sm3_falls_back_to_pure_python_without_hashlib_sm3(monkeypatch: pytest.MonkeyPatch) -> None:
    real_new = hashlib.new

    def no_sm3(name: str, *args: bytes) -> object:
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args)

    monkeypatch.setattr(hashlib, "new", no_sm3)
    assert sm2._pick_sm3() is sm2._sm3_python


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000])
def test_pure_python_sm3_agrees_with_gmssl_at_every_padding_boundary(size: int) -> None:
    message = bytes(range(256)) * 4
    assert sm2._sm3_python(message[:size]) == _sm3_gmssl(message[:size])


def test_sm3_uses_hashlib_when_available() -> None:
    if "sm3" not in hashlib.algorithms_available:
        pytest.skip("this Python's OpenSSL has no SM3")
    assert sm2._pick_sm3() is sm2._sm3_hashlib


# --- GB/T 32918 test vector ---------------------------------------------------------------------------


def test_gbt32918_vector(sm3_impl: str) -> None:
    point = sm2.public_from_private(VECTOR_D)
    assert sm2.z_value(sm2.DEFAULT_USER_ID, point) == VECTOR_Z
    signature = encode_signature(VECTOR_R, VECTOR_S)
    assert sm2.decode_signature(signature) == (VECTOR_R, VECTOR_S)
    assert sm2.verify(VECTOR_MSG, signature, point) is sm2.UserId.DEFAULT
    assert sm2.verify(VECTOR_MSG, signature, point, (sm2.UserId.EMPTY, sm2.UserId.NO_Z)) is None
    e = int.from_bytes(sm2.sm3(VECTOR_Z + VECTOR_MSG), "big")
    assert sm2.verify_digest(e, VECTOR_R, VECTOR_S, point)
    assert not sm2.verify_digest(e + 1, VECTOR_R, VECTOR_S, point)


def test_vector_rejected_when_tampered() -> None:
    point = sm2.public_from_private(VECTOR_D)
    signature = encode_signature(VECTOR_R, VECTOR_S)
    assert sm2.verify(b"message digesT", signature, point) is None
    assert sm2.verify(VECTOR_MSG, signature, sm2.public_from_private(VECTOR_D + 1)) is None
    # Flip bits of the DER (every header bit, then every 5th): whatever it turns into, no variant
    # verifies and nothing raises.
    for index in [*range(32), *range(32, len(signature) * 8, 5)]:
        flipped = bytearray(signature)
        flipped[index // 8] ^= 0x80 >> (index % 8)
        assert sm2.verify(VECTOR_MSG, bytes(flipped), point) is None, index


# --- points -------------------------------------------------------------------------------------------


def test_point_encoding_round_trip() -> None:
    for d in (1, 2, 3, VECTOR_D, N - 2):
        point = sm2.public_from_private(d)
        encoded = sm2.encode_point(point)
        assert len(encoded) == 65 and encoded[0] == 4
        assert sm2.decode_point(encoded) == point
        compressed = bytes([2 + (point[1] & 1)]) + point[0].to_bytes(32, "big")
        assert sm2.decode_point(compressed) == point
        assert sm2.decode_point(bytes([compressed[0] ^ 1]) + compressed[1:]) == _neg(point)


def test_encode_point_pads_small_coordinates() -> None:
    encoded = sm2.encode_point((1, 2))
    assert encoded == b"\x04" + (1).to_bytes(32, "big") + (2).to_bytes(32, "big")


def _x_without_curve_point() -> int:
    x = 0
    while True:
        rhs = (x**3 + sm2.A * x + sm2.B) % sm2.P
        if pow(rhs, (sm2.P - 1) // 2, sm2.P) == sm2.P - 1:  # Euler: rhs is a non-residue
            return x
        x += 1


def _bad_points() -> Iterator[tuple[str, bytes]]:
    x_raw, y_raw = G[0].to_bytes(32, "big"), G[1].to_bytes(32, "big")
    big = sm2.P.to_bytes(32, "big")
    yield "empty", b""
    yield "infinity", b"\x00"
    yield "infinity padded", b"\x00" * 65
    yield "short uncompressed", b"\x04" + x_raw + y_raw[:-1]
    yield "long uncompressed", b"\x04" + x_raw + y_raw + b"\x00"
    yield "raw without 04", x_raw + y_raw
    yield "off curve", b"\x04" + x_raw + (G[1] + 1).to_bytes(32, "big")
    yield "x >= p", b"\x04" + big + y_raw
    yield "y >= p", b"\x04" + x_raw + (G[1] + sm2.P).to_bytes(33, "big")[1:]
    yield "hybrid", b"\x07" + x_raw + y_raw
    yield "short compressed", b"\x02" + x_raw[:-1]
    yield "long compressed", b"\x03" + x_raw + b"\x00"
    yield "compressed x >= p", b"\x02" + big
    yield "compressed no root", b"\x02" + _x_without_curve_point().to_bytes(32, "big")
    yield "zero point", b"\x04" + bytes(64)


@pytest.mark.parametrize(("label", "octets"), list(_bad_points()))
def test_decode_point_rejects(label: str, octets: bytes) -> None:
    with pytest.raises(ValueError):
        sm2.decode_point(octets)


def test_is_on_curve_range_checks() -> None:
    assert not sm2.is_on_curve((0, 0))
    assert not sm2.is_on_curve((G[0] + sm2.P, G[1]))
    assert not sm2.is_on_curve((G[0], G[1] + sm2.P))
    assert not sm2.is_on_curve((G[0] - sm2.P, G[1]))
    assert not sm2.is_on_curve((G[0], G[1] - sm2.P))
    assert sm2.is_on_curve(_neg(G))


# --- private keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [0, -1, N - 1, N, N + 1, 2**256])
def test_public_from_private_range(d: int) -> None:
    with pytest.raises(ValueError):
        sm2.public_from_private(d)


def test_key_matches() -> None:
    point = sm2.public_from_private(VECTOR_D)
    assert sm2.key_matches(VECTOR_D, point)
    assert not sm2.key_matches(VECTOR_D + 1, point)
    assert not sm2.key_matches(VECTOR_D, _neg(point))
    assert sm2.key_matches(1, G)
    assert sm2.key_matches(N - 2, sm2.public_from_private(N - 2))
    for d in (0, -1, -VECTOR_D, N, N + VECTOR_D):
        assert not sm2.key_matches(d, point)
    # (N-1)*G really is -G, yet N-1 is no SM2 private key (1+d has no inverse mod N).
    assert not sm2.key_matches(N - 1, _neg(G))
    # d = N + VECTOR_D also multiplies to the same point; only the canonical scalar counts.
    assert not sm2.key_matches(N + VECTOR_D, point)


# --- Z value ------------------------------------------------------------------------------------------


def test_z_value_layout() -> None:
    point = sm2.public_from_private(VECTOR_D)
    curve_and_key = b"".join(v.to_bytes(32, "big") for v in (sm2.A, sm2.B, *G, *point))
    assert sm2.z_value(b"", point) == sm2.sm3(b"\x00\x00" + curve_and_key)
    assert sm2.z_value(b"ab", point) == sm2.sm3(b"\x00\x10ab" + curve_and_key)
    assert sm2.z_value(b"x" * 8191, point) == sm2.sm3(b"\xff\xf8" + b"x" * 8191 + curve_and_key)
    with pytest.raises(ValueError):
        sm2.z_value(b"x" * 8192, point)
    with pytest.raises(ValueError):
        sm2.z_value(b"", (1, 1))


# --- DER signatures and rejection paths ---------------------------------------------------------------

MALFORMED_SIGNATURES = {
    "empty": b"",
    "not a sequence": b"\x31\x06\x02\x01\x01\x02\x01\x01",
    "trailing byte": b"\x30\x06\x02\x01\x01\x02\x01\x01\x00",
    "sequence too long": b"\x30\x07\x02\x01\x01\x02\x01\x01",
    "sequence too short": b"\x30\x05\x02\x01\x01\x02\x01\x01",
    "extra element": b"\x30\x09\x02\x01\x01\x02\x01\x01\x02\x01\x01",
    "missing s": b"\x30\x03\x02\x01\x01",
    "negative r": b"\x30\x06\x02\x01\x81\x02\x01\x01",
    "negative s": b"\x30\x06\x02\x01\x01\x02\x01\xff",
    "non-minimal integer": b"\x30\x07\x02\x02\x00\x01\x02\x01\x01",
    "empty integer": b"\x30\x05\x02\x00\x02\x01\x01",
    "wrong integer tag": b"\x30\x06\x04\x01\x01\x02\x01\x01",
    "non-minimal length": b"\x30\x81\x06\x02\x01\x01\x02\x01\x01",
    "non-minimal 2-byte length": b"\x30\x82\x00\x06\x02\x01\x01\x02\x01\x01",
    "indefinite length": b"\x30\x80\x02\x01\x01\x02\x01\x01\x00\x00",
    "huge length": b"\x30\x84\x00\x00\x00\x06\x02\x01\x01\x02\x01\x01",
    "truncated integer": b"\x30\x06\x02\x05\x01\x02\x01\x01",
    "raw r||s": (1).to_bytes(32, "big") + (1).to_bytes(32, "big"),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_SIGNATURES))
def test_malformed_signatures(name: str) -> None:
    der = MALFORMED_SIGNATURES[name]
    with pytest.raises(ValueError):
        sm2.decode_signature(der)
    assert sm2.verify(VECTOR_MSG, der, sm2.public_from_private(VECTOR_D)) is None


def test_decode_signature_long_form_length() -> None:
    der = encode_signature(2**1000, 1)
    assert der[1] == 0x81
    assert sm2.decode_signature(der) == (2**1000, 1)


@pytest.mark.parametrize(
    ("r", "s"),
    [(0, VECTOR_S), (VECTOR_R, 0), (N, VECTOR_S), (VECTOR_R, N), (N + 1, VECTOR_S), (VECTOR_R, 2**256)],
    ids=["r=0", "s=0", "r=N", "s=N", "r>N", "s>N"],
)
def test_out_of_range_r_s_rejected(r: int, s: int) -> None:
    point = sm2.public_from_private(VECTOR_D)
    assert sm2.verify(VECTOR_MSG, encode_signature(r, s), point) is None
    assert not sm2.verify_digest(0, r, s, point)


def test_r_plus_s_equal_n_rejected() -> None:
    point = sm2.public_from_private(VECTOR_D)
    # t = 0 makes s*G + t*P = s*G whatever the key: reject, or any message would "verify".
    s = 12345
    r = N - s
    e = (r - sm2.public_from_private(s)[0]) % N  # the digest that would satisfy (e + x1) = r
    assert not sm2.verify_digest(e, r, s, point)
    assert sm2.verify(VECTOR_MSG, encode_signature(r, s), point) is None


def test_sum_at_infinity_rejected() -> None:
    # s*G + t*P = O when s + t*d = 0 (mod N): s = -r*d/(1+d).
    d, r = VECTOR_D, 7
    s = (-r * d * pow(1 + d, -1, N)) % N
    point = sm2.public_from_private(d)
    assert sm2._sum_x(r, s, point) is None
    assert not sm2.verify_digest(0, r, s, point)
    assert sm2.verify(VECTOR_MSG, encode_signature(r, s), point) is None


def test_bad_public_points_rejected() -> None:
    signature = encode_signature(VECTOR_R, VECTOR_S)
    x, y = sm2.public_from_private(VECTOR_D)
    for bad in [(x, y + 1), (x + sm2.P, y), (x, y - sm2.P), (0, 0), (-1, -1), (2**300, y)]:
        assert sm2.verify(VECTOR_MSG, signature, bad) is None
        assert not sm2.verify_digest(1, VECTOR_R, VECTOR_S, bad)


@pytest.mark.parametrize("point", [G, _neg(G)], ids=["P=G", "P=-G"])
def test_joint_multiplication_special_points(point: sm2.Point) -> None:
    # P = +-G hits the doubling / cancellation branches of the joint multiplication.
    d = 1 if point == G else N - 1
    for r, s in [(5, 9), (VECTOR_R, VECTOR_S), (N - 1, N - 1)]:
        scalar = (s + (r + s) * d) % N
        expected = sm2._mul_g(scalar)
        assert sm2._sum_x(r, s, point) == (None if expected is None else expected[0])
    signature = sign_for_tests(1, b"x", sm2.UserId.EMPTY)
    assert sm2.verify(b"x", signature, G) is sm2.UserId.EMPTY


# --- the hand-written arithmetic ----------------------------------------------------------------------


def _jacobian(k: int) -> tuple[int, int, int]:
    """k*G in Jacobian form with a non-trivial Z, so that the formulas see Z != 1."""
    point = sm2._mul_g(k)
    assert point is not None
    z = 0x1234567 + k
    return point[0] * z * z % sm2.P, point[1] * z * z * z % sm2.P, z


def _affine_of(point: tuple[int, int, int]) -> sm2.Point | None:
    return sm2._to_affine(point)


def test_addition_special_cases() -> None:
    p = sm2._engine()[0]
    g3 = sm2._mul_g(3)
    assert g3 is not None
    assert _affine_of(sm2._add_affine(*_jacobian(3), *g3, p)) == sm2._mul_g(6)  # doubling branch
    assert _affine_of(sm2._add_affine(*_jacobian(3), *_neg(g3), p)) is None  # P + (-P)
    assert _affine_of(sm2._add_affine(*sm2._INFINITY, *g3, p)) == g3  # O + P
    assert _affine_of(sm2._add_affine(*_jacobian(5), *g3, p)) == sm2._mul_g(8)
    assert _affine_of(sm2._double(*sm2._INFINITY, p)) is None
    assert _affine_of(sm2._double(*_jacobian(7), p)) == sm2._mul_g(14)


@pytest.mark.parametrize("k", [0, 1, 8, 9, 15, 16, 17, 2**255, N - 1, 0x8888_8888 * 2**200])
def test_digit_recodings(k: int) -> None:
    digits = sm2._signed_digits(k, 16)
    assert sum(digit * 16**i for i, digit in enumerate(digits)) == k
    assert all(-8 < digit <= 8 for digit in digits) and len(digits) <= 65
    naf = sm2._wnaf(k, 5)
    assert sum(digit * 2**i for i, digit in enumerate(naf)) == k
    assert all(digit == 0 or (digit % 2 == 1 and -16 < digit < 16) for digit in naf)
    nonzero = [i for i, digit in enumerate(naf) if digit]
    assert all(b - a >= 5 for a, b in itertools.pairwise(nonzero))


@settings(max_examples=30, deadline=None)
@given(
    d=st.integers(min_value=1, max_value=N - 2),
    r=st.integers(min_value=1, max_value=N - 1),
    s=st.integers(min_value=1, max_value=N - 1),
)
def test_joint_multiplication_matches_scalar_arithmetic(d: int, r: int, s: int) -> None:
    # s*G + t*(d*G) = (s + t*d)*G: the NAF path for P checked against the fixed-base path for G.
    expected = sm2._mul_g((s + (r + s) * d) % N)
    x1 = sm2._sum_x(r, s, sm2.public_from_private(d))
    if (r + s) % N == 0:
        assert x1 is None  # t = 0 is refused before any arithmetic
    else:
        assert x1 == (None if expected is None else expected[0])


@pytest.fixture
def without_gmpy2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rebuild the arithmetic with plain ints, as on an interpreter without gmpy2."""
    monkeypatch.setitem(sys.modules, "gmpy2", None)  # makes `import gmpy2` raise ImportError
    sm2._engine.cache_clear()
    yield
    sm2._engine.cache_clear()


def test_plain_int_fallback(without_gmpy2: None) -> None:
    assert sm2._engine()[1] is int
    point = sm2.public_from_private(VECTOR_D)
    assert type(point[0]) is int
    assert sm2.z_value(sm2.DEFAULT_USER_ID, point) == VECTOR_Z
    assert sm2.verify(VECTOR_MSG, encode_signature(VECTOR_R, VECTOR_S), point) is sm2.UserId.DEFAULT
    assert sm2.key_matches(VECTOR_D, point) and not sm2.key_matches(VECTOR_D - 1, point)


# --- variants and the test signer ---------------------------------------------------------------------


def test_variant_order_and_selection() -> None:
    d = VECTOR_D + 99
    point = sm2.public_from_private(d)
    message = b"tbs bytes"
    for variant in sm2.UserId:
        signature = sign_for_tests(d, message, variant)
        assert sm2.verify(message, signature, point) is variant
        assert sm2.verify(message, signature, point, (variant,)) is variant
        others = tuple(v for v in sm2.UserId if v is not variant)
        assert sm2.verify(message, signature, point, others) is None
        assert sm2.verify(message, signature, point, ()) is None
    assert [v.value for v in sm2.UserId] == ["default", "empty", "noZ"]


def test_sign_for_tests_deterministic_with_k() -> None:
    first = sign_for_tests(VECTOR_D, VECTOR_MSG, sm2.UserId.DEFAULT, k=123456789)
    assert first == sign_for_tests(VECTOR_D, VECTOR_MSG, sm2.UserId.DEFAULT, k=123456789)
    assert sm2.verify(VECTOR_MSG, first, sm2.public_from_private(VECTOR_D)) is sm2.UserId.DEFAULT
    for bad_k in (0, N):
        with pytest.raises(ValueError):
            sign_for_tests(VECTOR_D, VECTOR_MSG, sm2.UserId.DEFAULT, k=bad_k)


@settings(max_examples=40, deadline=None)
@given(
    d=st.integers(min_value=1, max_value=N - 2),
    message=st.binary(max_size=300),
    variant=st.sampled_from(list(sm2.UserId)),
    k=st.integers(min_value=1, max_value=N - 1),
)
def test_sign_verify_round_trip(d: int, message: bytes, variant: sm2.UserId, k: int) -> None:
    try:
        signature = sign_for_tests(d, message, variant, k=k)
    except ValueError:
        return  # a degenerate k (probability ~2^-255)
    point = sm2.public_from_private(d)
    assert sm2.verify(message, signature, point) is variant
    assert sm2.verify(message + b"!", signature, point) is None
    assert sm2.verify(message, signature, sm2.public_from_private(d % (N - 2) + 1)) is None


def test_import_is_light() -> None:
    # `certcheck check` must start fast: importing certcheck._crypto.sm2 must not pull in ecdsa/gmpy2.
    modules = "('ecdsa', 'gmpy2', 'gmssl')"
    code = f"import sys, certcheck._crypto.sm2; print(sorted(m for m in {modules} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"


# --- the real corpus (README.md in the corpus states the verdicts) ------------------------------------

CORPUS_LINKS = [
    # (certificate, index in file, issuer certificate, index in file, user ID the README states)
    ("gmssl-demo-roots/ROOTCA.pem", 0, "gmssl-demo-roots/ROOTCA.pem", 0, "default"),
    ("gmssl-demo-roots/Taier_CA.pem", 0, "gmssl-demo-roots/ROOTCA.pem", 0, "default"),
    (
        "gmssl-demo-roots/Ant_Financial_Certification_Authority_S1.pem",
        0,
        "gmssl-demo-roots/ROOTCA.pem",
        0,
        "default",
    ),
    ("gmssl-demo-roots/Civil_Servant_ROOT.pem", 0, "gmssl-demo-roots/Civil_Servant_ROOT.pem", 0, "default"),
    ("gmssl-demo-roots/Device_ROOT.pem", 0, "gmssl-demo-roots/Device_ROOT.pem", 0, "default"),
    ("gmssl-demo-roots/TJCA.pem", 0, "gmssl-demo-roots/Civil_Servant_ROOT.pem", 0, "default"),
    ("gmssl-generated/cacert.pem", 0, "gmssl-generated/cacert.pem", 0, "default"),
    ("gmssl-generated/signcert.pem", 0, "gmssl-generated/cacert.pem", 0, "default"),
    ("gmssl-generated/enccert.pem", 0, "gmssl-generated/cacert.pem", 0, "default"),
    ("tongsuo/chain-ca.crt", 0, "tongsuo/chain-ca.crt", 0, "default"),
    ("tongsuo/chain-ca.crt", 1, "tongsuo/chain-ca.crt", 0, "default"),
    ("tongsuo/server_sign.crt", 0, "tongsuo/chain-ca.crt", 1, "default"),
    ("tongsuo/server_enc.crt", 0, "tongsuo/chain-ca.crt", 1, "default"),
    ("tongsuo/client_sign.crt", 0, "tongsuo/chain-ca.crt", 1, "default"),
    ("tongsuo/client_enc.crt", 0, "tongsuo/chain-ca.crt", 1, "default"),
    # The README states only the leaf's issuer; by name the pair is middle <- root (self-signed).
    ("tongsuo/sm2-leaf.crt", 0, "tongsuo/sm2-chain-ca.crt", 0, "default"),
    ("tongsuo/sm2-chain-ca.crt", 0, "tongsuo/sm2-chain-ca.crt", 1, "default"),
    ("tongsuo/sm2-chain-ca.crt", 1, "tongsuo/sm2-chain-ca.crt", 1, "default"),
    ("tongsuo/sm2-root-cert.pem", 0, "tongsuo/sm2-root-cert.pem", 0, "default"),
    ("tongsuo/sm2-cert.pem", 0, "tongsuo/sm2-root-cert.pem", 0, "default"),
    ("tongsuo/sm2-noza-root-cert.pem", 0, "tongsuo/sm2-noza-root-cert.pem", 0, "noZ"),
    ("tongsuo/sm2-noza-cert.pem", 0, "tongsuo/sm2-noza-root-cert.pem", 0, "noZ"),
]

# Encrypted gmssl-generated/*key.pem (PBES2, HMAC-SM3, SM4-CBC) are left out here: decrypting
# them is the key-parser module's job and is tested there.
CORPUS_KEYS = [
    ("tongsuo/server_sign.key", ["tongsuo/server_sign.crt"]),
    ("tongsuo/server_enc.key", ["tongsuo/server_enc.crt"]),
    ("tongsuo/sm2.key", ["tongsuo/sm2-cert.pem", "tongsuo/sm2-noza-cert.pem"]),
    ("tongsuo/sm2_begin_ec.key", ["tongsuo/sm2-cert.pem", "tongsuo/sm2-noza-cert.pem"]),
    ("tongsuo/sm2_begin_sm2.key", []),
    ("tongsuo/sm2-root.key", ["tongsuo/sm2-root-cert.pem", "tongsuo/sm2-noza-root-cert.pem"]),
]
ALL_CORPUS_CERTS = sorted({(c, i) for c, i, *_ in CORPUS_LINKS} | {(c, i) for _, _, c, i, _ in CORPUS_LINKS})

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"SM2 corpus not found at {CORPUS}")


@needs_corpus
@pytest.mark.parametrize(("cert", "index", "issuer", "issuer_index", "expected"), CORPUS_LINKS)
def test_corpus_signatures(cert: str, index: int, issuer: str, issuer_index: int, expected: str) -> None:
    subject = _load_certs(CORPUS / cert)[index]
    issuer_point = _spki_point(_load_certs(CORPUS / issuer)[issuer_index])
    assert subject.signature_algorithm_oid.dotted_string == "1.2.156.10197.1.501"
    assert _cert_verify(subject, issuer_point) is sm2.UserId(expected)
    # And not under some other key: the subject's own key differs from the issuer's for non-roots.
    wrong = sm2.public_from_private(VECTOR_D)
    assert _cert_verify(subject, wrong) is None


@needs_corpus
def test_corpus_covers_every_certificate_file() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.suffix in (".pem", ".crt")}
    cert_files = {f for f in files if b"CERTIFICATE" in (CORPUS / f).read_bytes()}
    assert cert_files == {c for c, _ in ALL_CORPUS_CERTS}
    for name, index in ALL_CORPUS_CERTS:
        assert index < len(_load_certs(CORPUS / name))


@needs_corpus
@pytest.mark.parametrize(("key", "matching"), CORPUS_KEYS)
def test_corpus_keys(key: str, matching: list[str]) -> None:
    d, embedded = _read_private_key((CORPUS / key).read_bytes())
    if embedded is not None:  # never trusted instead of d*G, but it must agree
        assert sm2.key_matches(d, embedded)
    for cert, index in ALL_CORPUS_CERTS:
        point = _spki_point(_load_certs(CORPUS / cert)[index])
        assert sm2.key_matches(d, point) == (cert in matching), cert


# --- openssl 3 command line as an independent oracle --------------------------------------------------

DISTID = "distid:1234567812345678"
OPENSSL_CNF = """\
[req]
distinguished_name = dn
x509_extensions = v3
prompt = no
[dn]
CN = unused
[v3]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""
PROPERTY_KEYS = 200
OPENSSL_GENERATED_KEYS = 12  # made by `openssl genpkey`; the others are scalars chosen here
# Keys crafted with chosen d (openssl derives their public points itself) so that coordinates with
# leading zero bytes / hex digits are always covered; the lstrip('04')-style bugs live there.
CRAFTED_QUOTAS = {"x00": 6, "y00": 3, "x0": 3, "x4": 3}


def _craft_category(point: sm2.Point) -> str | None:
    x, y = point
    if x >> 248 == 0:
        return "x00"
    if y >> 248 == 0:
        return "y00"
    if x >> 252 == 0:
        return "x0"
    if x >> 252 == 4:
        return "x4"
    return None


def _sec1_pem_without_public_key(d: int) -> bytes:
    key = rfc5915.ECPrivateKey()
    key["version"] = 1
    key["privateKey"] = univ.OctetString(d.to_bytes(32, "big"))
    key["parameters"]["namedCurve"] = univ.ObjectIdentifier(SM2_CURVE_OID)
    return _pem("EC PRIVATE KEY", encoder.encode(key))


@dataclasses.dataclass
class OpensslItem:
    index: int
    d: int
    crafted: str | None
    self_signed: x509.Certificate  # key i, CA, signed by itself
    self_signed_default: bool  # made with -sigopt distid:1234567812345678
    issued: x509.Certificate  # key i, signed by key `issuer`
    issued_default: bool
    tampered: x509.Certificate  # `issued` with one byte of the subject CN changed
    issuer: int
    # openssl verify exit status 0?  keys: (which cert, with -vfyopt distid?)
    openssl_ok: dict[tuple[str, bool], bool]


@dataclasses.dataclass
class OpensslMaterial:
    items: list[OpensslItem]
    seconds: float


def _openssl_version() -> str | None:
    exe = shutil.which("openssl")
    if exe is None:
        return None
    return subprocess.run([exe, "version"], capture_output=True, text=True, check=False).stdout


def _defaults(i: int) -> tuple[bool, bool, int]:
    """(self-signed with the default ID?, issued with the default ID?, index of the issuer) of key ``i``."""
    return i % 3 != 0, i % 2 == 0, (i + 1) % PROPERTY_KEYS


def _make_openssl_files(tmp: Path) -> None:
    """Write keys k*.pem, roots s*.pem, issued l*.pem, tampered t*.pem and openssl's verdicts.json into ``tmp``."""
    (tmp / "openssl.cnf").write_text(OPENSSL_CNF)
    env = {**os.environ, "OPENSSL_CONF": str(tmp / "openssl.cnf")}

    def run(args: list[str]) -> None:
        done = subprocess.run(["openssl", *args], cwd=tmp, env=env, capture_output=True, check=False)
        if done.returncode:
            raise AssertionError(f"openssl {' '.join(args)} failed: {done.stderr.decode()}")

    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))

    def run_all(commands: list[list[str]]) -> None:
        list(pool.map(run, commands))

    # 1. keys: crafted ones first, written as SEC1 without the public point, then openssl's own.
    rng = random.Random(20240601)
    quotas = dict(CRAFTED_QUOTAS)
    crafted: list[tuple[int, str]] = []
    while any(quotas.values()):
        d = rng.randrange(1, N - 1)
        category = _craft_category(sm2.public_from_private(d))
        if category and quotas[category]:
            quotas[category] -= 1
            crafted.append((d, category))
    # The rest: a few generated by openssl itself, the others random scalars written here (openssl still derives
    # every public point itself, when it signs each certificate): one process per key would cost seconds.
    generated = range(len(crafted), len(crafted) + OPENSSL_GENERATED_KEYS)
    for i, (d, _) in enumerate(crafted):
        (tmp / f"k{i}.pem").write_bytes(_sec1_pem_without_public_key(d))
    for i in range(generated.stop, PROPERTY_KEYS):
        (tmp / f"k{i}.pem").write_bytes(_sec1_pem_without_public_key(rng.randrange(1, N - 1)))
    run_all(
        [["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", f"k{i}.pem"] for i in generated]
    )

    # 2. a self-signed CA per key, then a certificate for key i issued by key i+1.
    def sigopt(default: bool) -> list[str]:
        return ["-sigopt", DISTID] if default else []

    req = ["req", "-new", "-x509", "-sm3", "-days", "1"]
    roots, leaves = [], []
    for i in range(PROPERTY_KEYS):
        s_default, l_default, j = _defaults(i)
        roots.append([*req, "-key", f"k{i}.pem", *sigopt(s_default), "-subj", f"/CN=root-{i:03d}", "-out", f"s{i}.pem"])
        leaves.append(
            [
                *req,
                *("-key", f"k{i}.pem", "-CA", f"s{j}.pem", "-CAkey", f"k{j}.pem"),
                *sigopt(l_default),
                *("-subj", f"/CN=leaf-{i:03d}", "-out", f"l{i}.pem"),
            ]
        )
    run_all(roots)
    run_all(leaves)
    pool.shutdown()

    # 3. tampered copies: one byte of the subject CN changes, so the TBS no longer matches the signature.
    for i in range(PROPERTY_KEYS):
        der = _load_certs(tmp / f"l{i}.pem")[0].public_bytes(Encoding.DER)
        cn = f"leaf-{i:03d}".encode()
        assert der.count(cn) == 1
        (tmp / f"t{i}.pem").write_bytes(_pem("CERTIFICATE", der.replace(cn, b"L" + cn[1:])))

    # 4. openssl verify, each certificate against its issuer (found by name among all the roots: every root's name
    # is unique), with and without the default distid: one process per (kind, distid) verifies 200 files.
    (tmp / "roots.pem").write_bytes(b"".join((tmp / f"s{i}.pem").read_bytes() for i in range(PROPERTY_KEYS)))
    ok: dict[str, dict[str, bool]] = {str(i): {} for i in range(PROPERTY_KEYS)}
    for kind in ("l", "t"):
        for default in (True, False):
            files = [f"{kind}{i}.pem" for i in range(PROPERTY_KEYS)]
            distid = ["-vfyopt", DISTID] if default else []
            done = subprocess.run(
                ["openssl", "verify", "-partial_chain", *distid, "-CAfile", "roots.pem", *files],
                cwd=tmp,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            passed = set(re.findall(r"^(\S+): OK$", done.stdout, re.M))
            failed = set(re.findall(r"^error (\S+): verification failed$", done.stderr, re.M))
            assert passed | failed == set(files) and not passed & failed, (done.stdout, done.stderr)
            for i, name in enumerate(files):
                ok[str(i)][f"{kind}{int(default)}"] = name in passed
    verdicts = {"crafted": [c for _, c in crafted], "ok": ok}
    (tmp / "verdicts.tmp").write_text(json.dumps(verdicts))
    (tmp / "verdicts.tmp").rename(tmp / "verdicts.json")  # last: a half-made directory is never taken as done


@pytest.fixture(scope="session")
def openssl_material(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> OpensslMaterial:
    """200 SM2 keys, certificates and openssl's verdicts on them. Made once (~5 s of openssl processes) and kept in
    pytest's cache, under a name that changes with the openssl version and with the code that makes them."""
    version = _openssl_version()
    if not version or not version.startswith("OpenSSL 3."):
        pytest.skip(f"needs the OpenSSL 3 command line, found {version!r}")
    started = time.perf_counter()
    recipe = f"{version}{PROPERTY_KEYS}{OPENSSL_GENERATED_KEYS}{CRAFTED_QUOTAS}{OPENSSL_CNF}"
    recipe += inspect.getsource(_make_openssl_files) + inspect.getsource(_defaults)
    key = hashlib.sha256(recipe.encode()).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    tmp = Path(cache.mkdir(f"sm2-openssl-{key}")) if cache is not None else tmp_path_factory.mktemp("sm2-openssl")
    if not (tmp / "verdicts.json").exists():
        _make_openssl_files(tmp)
    verdicts = json.loads((tmp / "verdicts.json").read_text())
    crafted: list[str] = verdicts["crafted"]
    items = []
    for i in range(PROPERTY_KEYS):
        s_default, l_default, issuer = _defaults(i)
        ok = verdicts["ok"][str(i)]
        items.append(
            OpensslItem(
                index=i,
                d=_read_private_key((tmp / f"k{i}.pem").read_bytes())[0],
                crafted=crafted[i] if i < len(crafted) else None,
                self_signed=_load_certs(tmp / f"s{i}.pem")[0],
                self_signed_default=s_default,
                issued=_load_certs(tmp / f"l{i}.pem")[0],
                issued_default=l_default,
                tampered=_load_certs(tmp / f"t{i}.pem")[0],
                issuer=issuer,
                openssl_ok={(kind, default): ok[f"{kind}{int(default)}"] for kind in "lt" for default in (True, False)},
            )
        )
    return OpensslMaterial(items, time.perf_counter() - started)


def _expected(default: bool) -> sm2.UserId:
    return sm2.UserId.DEFAULT if default else sm2.UserId.EMPTY


@pytest.mark.slow
def test_openssl_key_match(openssl_material: OpensslMaterial) -> None:
    items = openssl_material.items
    for item in items:
        point = _spki_point(item.issued)  # computed by openssl from the key file
        assert _spki_point(item.self_signed) == point
        assert sm2.key_matches(item.d, point), item.index
        assert sm2.public_from_private(item.d) == point
        wrong = items[(item.index + 1) % len(items)].d
        assert not sm2.key_matches(wrong, point), item.index
        # Coordinates with leading zero bytes must round-trip to openssl's exact SPKI bytes.
        assert sm2.encode_point(point) == _spki_octets(item.issued)


def _spki_octets(cert: x509.Certificate) -> bytes:
    decoded, _ = decoder.decode(cert.public_bytes(Encoding.DER), asn1Spec=rfc5280.Certificate())
    octets: bytes = decoded["tbsCertificate"]["subjectPublicKeyInfo"]["subjectPublicKey"].asOctets()
    return octets


@pytest.mark.slow
def test_openssl_verify_agrees(openssl_material: OpensslMaterial) -> None:
    items = openssl_material.items
    points = [_spki_point(item.self_signed) for item in items]
    disagreements: list[str] = []
    for item in items:
        issuer_point = points[item.issuer]
        for kind, cert in (("l", item.issued), ("t", item.tampered)):
            for default in (True, False):
                variant = _expected(default)
                ours = sm2.verify(cert.tbs_certificate_bytes, cert.signature, issuer_point, (variant,))
                if (ours is variant) != item.openssl_ok[(kind, default)]:
                    disagreements.append(f"{kind}{item.index} default={default} ours={ours}")
        # Against the truth by construction: which ID openssl was asked to sign with.
        assert _cert_verify(item.issued, issuer_point) is _expected(item.issued_default), item.index
        assert _cert_verify(item.tampered, issuer_point) is None, item.index
        assert item.openssl_ok[("l", item.issued_default)], item.index
    assert not disagreements


@pytest.mark.slow
def test_openssl_self_signed(openssl_material: OpensslMaterial) -> None:
    # `openssl verify -check_ss_sig` ignores -vfyopt distid in 3.0 (checks the empty ID only),
    # so self-signed certificates are checked against how openssl was asked to sign them.
    for item in openssl_material.items:
        point = _spki_point(item.self_signed)
        assert _cert_verify(item.self_signed, point) is _expected(item.self_signed_default), item.index


@pytest.mark.slow
def test_openssl_material_coverage(openssl_material: OpensslMaterial) -> None:
    items = openssl_material.items
    assert len(items) >= 200
    xs = [_spki_point(item.issued)[0] for item in items]
    ys = [_spki_point(item.issued)[1] for item in items]
    assert sum(x >> 248 == 0 for x in xs) >= CRAFTED_QUOTAS["x00"]
    assert sum(y >> 248 == 0 for y in ys) >= CRAFTED_QUOTAS["y00"]
    assert sum(x >> 252 == 0 for x in xs) >= 6
    assert sum(x >> 252 == 4 for x in xs) >= 3
    assert sum(item.issued_default for item in items) >= 50
    assert sum(not item.issued_default for item in items) >= 50
    print(f"openssl material for {len(items)} keys made in {openssl_material.seconds:.1f} s")


def _pkcs8_pem(d: int) -> str:
    """The key as PKCS#8 with the SM2 curve, as OpenSSL 3 writes it (no embedded point: d*G is computed)."""
    from certcheck import pem

    inner = _sec1_pem_without_public_key(d).decode()
    sec1 = pem.read("k", inner).blocks[0].der
    alg = bytes.fromhex("301306072a8648ce3d020106082a811ccf5501822d")  # ecPublicKey + SM2 curve
    body = b"\x02\x01\x00" + alg + b"\x04" + bytes([len(sec1)]) + sec1
    return pem.encode("PRIVATE KEY", b"\x30" + bytes([len(body)]) + body)


@pytest.mark.slow
def test_openssl_material_through_the_whole_pipeline(openssl_material: OpensslMaterial) -> None:
    """certcheck's own parsing (SPKI from the certificate, the key file) agrees with openssl's verdicts."""
    from certcheck.documents.certs import Algorithm, load_certificate
    from certcheck.documents.chain import check_issued_by
    from certcheck.documents.keys import load_private_key
    from certcheck.documents.pairs import key_fits as pipeline_key_matches
    from certcheck.pem import read as read_pem

    items = openssl_material.items
    loaded = [load_certificate("SignCert", 1, it.self_signed.public_bytes(Encoding.DER)) for it in items]
    for item in items:
        issued = load_certificate("SignCert", 1, item.issued.public_bytes(Encoding.DER))
        tampered = load_certificate("SignCert", 1, item.tampered.public_bytes(Encoding.DER))
        assert issued.algorithm is Algorithm.SM2
        verdict = check_issued_by(issued, loaded[item.issuer])
        assert verdict.ok is item.openssl_ok[("l", item.issued_default)], item.index
        assert verdict.detail == _expected(item.issued_default).value
        assert not check_issued_by(tampered, loaded[item.issuer]).ok
        key = load_private_key(read_pem("k", _pkcs8_pem(item.d)).blocks[0], "SignPrivateKey", None)
        assert pipeline_key_matches(key, issued), item.index
        assert not pipeline_key_matches(key, loaded[item.issuer]) or item.issuer == item.index
