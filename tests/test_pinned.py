"""Behaviours pinned exactly, each written against a one-line mutation of the code that the suite once let
through (issue 7): the SHA-1 exemption for self-signed roots, the guard in the SM "swapped" check, each RSA CRT
consistency check, and the validity boundaries. Every test here was seen to fail with its mutation applied.
(The constant-ClientToken mutation is killed by the known answers in test_request.py.)"""

from __future__ import annotations

import base64
import textwrap
from datetime import datetime, timedelta, timezone

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import certcheck
from certcheck import Report, UploadParams
from tests.conftest import AT, check, sm, std

LEAF_KEY = std("rsa-leaf.key")
FULLCHAIN = std("rsa-fullchain.pem")


def findings(report: Report) -> list[tuple[str, str, str | None]]:
    return sorted((f.code, f.severity.value, f.field) for f in report.findings)


def pem(label: str, der: bytes) -> str:
    body = "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"


# --- DER, written here by hand so these tests do not lean on the code they check --------------------------------


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    length = (
        bytes([n])
        if n < 0x80
        else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    )
    return bytes([tag]) + length + body


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def _seq(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _read_tlv(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the TLV at ``at``."""
    tag, first = data[at], data[at + 1]
    if first < 0x80:
        return tag, at + 2, at + 2 + first
    size = first & 0x7F
    length = int.from_bytes(data[at + 2 : at + 2 + size], "big")
    return tag, at + 2 + size, at + 2 + size + length


# --- 1. SHA-1 on a self-signed root is exempt -----------------------------------------------------------------

SHA1_RSA = "1.2.840.113549.1.1.5"


def resigned_with_sha1(cert_pem: str, key_pem: str) -> str:
    """``cert_pem`` re-signed by ``key_pem`` with sha1WithRSAEncryption (cryptography will not build one)."""
    der = x509.load_pem_x509_certificate(cert_pem.encode()).public_bytes(serialization.Encoding.DER)
    _, start, _ = _read_tlv(der, 0)
    _, tbs_start, tbs_end = _read_tlv(der, start)
    tbs = der[start:tbs_end]
    sha1_alg = _tlv(0x30, _tlv(0x06, bytes.fromhex("2a864886f70d010105")) + b"\x05\x00")
    # the TBS's own signature AlgorithmIdentifier: after [0] version and serialNumber
    at = tbs_start
    for _ in range(2):
        at = _read_tlv(der, at)[2]
    old_end = _read_tlv(der, at)[2]
    new_tbs_body = der[tbs_start:at] + sha1_alg + der[old_end:tbs_end]
    new_tbs = _tlv(0x30, new_tbs_body)
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = key.sign(new_tbs, padding.PKCS1v15(), hashes.SHA1())
    assert tbs  # (the old TBS is replaced whole)
    new = _seq(new_tbs, sha1_alg, _tlv(0x03, b"\x00" + signature))
    loaded = x509.load_der_x509_certificate(new)
    assert loaded.signature_algorithm_oid.dotted_string == SHA1_RSA
    return pem("CERTIFICATE", new)


@pytest.fixture(scope="module")
def sha1_root() -> str:
    return resigned_with_sha1(std("rsa-root.pem"), std("rsa-root.key"))


def test_sha1_self_signature_of_a_root_is_not_a_weak_hash(sha1_root: str) -> None:
    # Clients never check a root's self-signature, so its hash does not matter; the chain is otherwise good.
    report = check(name="demo_example_com", cert=FULLCHAIN + sha1_root, key=LEAF_KEY)
    assert findings(report) == []
    assert report.request is not None and report.request.get("Cert") == FULLCHAIN + sha1_root


def test_sha1_on_a_root_given_alone_is_not_a_weak_hash_either(sha1_root: str) -> None:
    report = check(name="demo_example_com", cert=sha1_root, key=std("rsa-root.key"))
    assert findings(report) == [("strength.ca_as_leaf", "warning", "Cert")]
    sha256 = check(name="demo_example_com", cert=std("rsa-root.pem"), key=std("rsa-root.key"))
    assert findings(report) == findings(sha256)


def test_sha1_on_a_certificate_below_the_root_is_a_weak_hash(sha1_root: str) -> None:
    chain = std("rsa-leaf-sha1.pem") + std("rsa-intermediate.pem") + sha1_root
    report = check(name="demo_example_com", cert=chain, key=LEAF_KEY)
    assert findings(report) == [("strength.weak_signature_hash", "warning", "Cert")]
    assert "certificate 1 (CN=demo.example.com) is signed with SHA-1" in report.findings[0].message


# --- 2. the "swapped" check needs the keys to be crossed, not merely shared -----------------------------------


def test_one_key_pair_in_both_sm_roles_is_same_key_not_swapped() -> None:
    report = check(
        name="demo_example_com",
        sign_cert=sm("sm2-sign-fullchain.pem"),
        sign_private_key=sm("sm2-sign.key"),
        encrypt_cert=sm("sm2-sign-fullchain.pem"),
        encrypt_private_key=sm("sm2-sign.key"),
    )
    assert findings(report) == [
        ("chain.sm2_user_id", "info", "EncryptCert"),
        ("chain.sm2_user_id", "info", "SignCert"),
        ("sm.encrypt_key_usage", "error", "EncryptCert"),
        ("sm.same_key", "error", "EncryptCert"),
    ]


def test_crossed_keys_are_swapped_and_not_two_mismatches() -> None:
    report = check(
        name="demo_example_com",
        sign_cert=sm("sm2-sign-fullchain.pem"),
        sign_private_key=sm("sm2-enc.key"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=sm("sm2-sign.key"),
    )
    assert findings(report) == [
        ("chain.sm2_user_id", "info", "EncryptCert"),
        ("chain.sm2_user_id", "info", "SignCert"),
        ("sm.swapped", "error", "SignPrivateKey"),
    ]


# --- 3. every RSA CRT value is checked ------------------------------------------------------------------------


def rsa_key_with(**changes: int) -> str:
    """rsa-leaf.key as PKCS#1 with some of its numbers replaced."""
    key = serialization.load_pem_private_key(LEAF_KEY.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    nums = key.private_numbers()
    values = {
        "n": nums.public_numbers.n,
        "e": nums.public_numbers.e,
        "d": nums.d,
        "p": nums.p,
        "q": nums.q,
        "dp": nums.dmp1,
        "dq": nums.dmq1,
        "qinv": nums.iqmp,
    }
    values.update(changes)
    order = ("n", "e", "d", "p", "q", "dp", "dq", "qinv")
    return pem("RSA PRIVATE KEY", _seq(_int(0), *(_int(values[k]) for k in order)))


def _numbers() -> rsa.RSAPrivateNumbers:
    key = serialization.load_pem_private_key(LEAF_KEY.encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key.private_numbers()


def test_the_handmade_key_is_the_real_key() -> None:
    assert findings(check(name="demo_example_com", cert=FULLCHAIN, key=rsa_key_with())) == []


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ("dq", "second CRT exponent (dQ)"),
        ("dq_range", "second CRT exponent (dQ)"),
        ("dp", "first CRT exponent (dP)"),
        ("dp_range", "first CRT exponent (dP)"),
        ("qinv", "CRT coefficient (qInv)"),
        ("d", "private exponent d"),
        ("p", "primes do not multiply"),
    ],
)
def test_each_inconsistent_rsa_number_is_named(change: str, why: str) -> None:
    nums = _numbers()
    p, q = nums.p, nums.q
    changes = {
        "dq": {"dq": nums.dmq1 + 2},
        "dq_range": {"dq": nums.dmq1 + (q - 1)},  # still inverts e modulo q-1, but out of range
        "dp": {"dp": nums.dmp1 + 2},
        "dp_range": {"dp": nums.dmp1 + (p - 1)},
        "qinv": {"qinv": nums.iqmp + 1},
        "d": {"d": nums.d + 2},
        "p": {"p": p + 2},
    }[change]
    report = check(name="demo_example_com", cert=FULLCHAIN, key=rsa_key_with(**changes))
    assert findings(report) == [("key.inconsistent", "error", "Key")]
    assert why in report.findings[0].message


# --- 4. validity boundaries, to the second --------------------------------------------------------------------

EXPIRING = std("rsa-leaf-expiring.pem") + std("rsa-intermediate.pem")  # notAfter 2026-06-15T00:00:00Z
NOT_YET = std("rsa-leaf-notyet.pem") + std("rsa-intermediate.pem")  # notBefore 2027-01-01T00:00:00Z
NOT_AFTER = datetime(2026, 6, 15, tzinfo=timezone.utc)
NOT_BEFORE = datetime(2027, 1, 1, tzinfo=timezone.utc)
SECOND = timedelta(seconds=1)


def validity(cert: str, at: datetime, days: float = 30) -> list[tuple[str, str, str | None]]:
    params = UploadParams(name="demo_example_com", cert=cert, key=LEAF_KEY)
    report = certcheck.validate(params, at=at, expiry_warning_days=days)
    return [f for f in findings(report) if f[0].startswith("validity.")]


def test_expired_only_after_not_after() -> None:
    assert validity(EXPIRING, NOT_AFTER) == [("validity.expiring_soon", "warning", "Cert")]  # notAfter is inclusive
    assert validity(EXPIRING, NOT_AFTER + SECOND) == [("validity.expired", "error", "Cert")]
    assert validity(EXPIRING, NOT_AFTER - timedelta(days=1)) == [("validity.expiring_soon", "warning", "Cert")]


def test_not_yet_valid_only_before_not_before() -> None:
    assert validity(NOT_YET, NOT_BEFORE - SECOND) == [("validity.not_yet_valid", "warning", "Cert")]
    assert validity(NOT_YET, NOT_BEFORE) == []
    assert validity(NOT_YET, NOT_BEFORE - timedelta(days=1)) == [("validity.not_yet_valid", "warning", "Cert")]


def test_warning_window_edge() -> None:
    window = timedelta(days=30)
    assert validity(EXPIRING, NOT_AFTER - window) == [("validity.expiring_soon", "warning", "Cert")]
    assert validity(EXPIRING, NOT_AFTER - window - SECOND) == []
    assert validity(EXPIRING, NOT_AFTER - window - timedelta(days=1)) == []


def test_warning_window_is_the_configured_number_of_days() -> None:
    # At AT the certificate has exactly 14 days left.
    assert validity(EXPIRING, AT, days=14) == [("validity.expiring_soon", "warning", "Cert")]
    assert validity(EXPIRING, AT, days=13) == []
    assert validity(EXPIRING, AT, days=13.99) == []
    assert validity(EXPIRING, AT, days=0) == []
    assert validity(EXPIRING, NOT_AFTER, days=0) == [("validity.expiring_soon", "warning", "Cert")]


def test_validity_messages() -> None:
    def messages(cert: str, at: datetime) -> list[str]:
        report = certcheck.validate(UploadParams(name="n", cert=cert, key=LEAF_KEY), at=at)
        return [f.message for f in report.findings if f.code.startswith("validity.")]

    assert messages(EXPIRING, AT) == [
        "Cert: certificate 1 (CN=demo.example.com) expires 2026-06-15 (14 days left) "
        "(checked at 2026-06-01 00:00 UTC): renew it before uploading."
    ]
    assert messages(EXPIRING, NOT_AFTER - timedelta(days=1)) == [  # exactly one day: "1 day", singular
        "Cert: certificate 1 (CN=demo.example.com) expires 2026-06-15 (1 day left) "
        "(checked at 2026-06-14 00:00 UTC): renew it before uploading."
    ]
    assert messages(EXPIRING, NOT_AFTER - timedelta(hours=3)) == [
        "Cert: certificate 1 (CN=demo.example.com) expires 2026-06-15 (less than a day left) "
        "(checked at 2026-06-14 21:00 UTC): renew it before uploading."
    ]
    assert messages(EXPIRING, NOT_AFTER + timedelta(days=3)) == [
        "Cert: certificate 1 (CN=demo.example.com) expired 2026-06-15 (3 days ago) (checked at 2026-06-18 00:00 UTC)."
    ]
    assert messages(EXPIRING, NOT_AFTER + timedelta(days=1)) == [
        "Cert: certificate 1 (CN=demo.example.com) expired 2026-06-15 (1 day ago) (checked at 2026-06-16 00:00 UTC)."
    ]
    assert messages(NOT_YET, NOT_BEFORE - timedelta(days=1))[0].startswith(
        "Cert: certificate 1 (CN=demo.example.com) is valid only from 2027-01-01 00:00 (1 day from now) "
    )
    assert messages(NOT_YET, NOT_BEFORE - timedelta(days=2)) == [
        "Cert: certificate 1 (CN=demo.example.com) is valid only from 2027-01-01 00:00 (2 days from now) "
        "(checked at 2026-12-30 00:00 UTC); clients will reject it until then (clock skew or a future renewal?)."
    ]


def test_every_certificate_of_the_chain_is_dated() -> None:
    # The intermediate runs to 2040-01-01: judged at a time past it, both certificates are expired.
    report = certcheck.validate(
        UploadParams(name="n", cert=FULLCHAIN, key=LEAF_KEY), at=datetime(2041, 1, 1, tzinfo=timezone.utc)
    )
    expired = [f.message for f in report.findings if f.code == "validity.expired"]
    assert len(expired) == 2
    assert "certificate 2 (CN=certcheck Test Intermediate R1) expired 2040-01-01" in expired[1]


def test_a_sha1_signature_is_still_verified(sha1_root: str) -> None:
    # Verified with the issuer's key like any other: a SHA-1 leaf under the forged intermediate (same name, other
    # key) is a bad signature; a root whose SHA-1 self-signature was altered is no longer self-signed, so exempt.
    forged = std("rsa-leaf-sha1.pem") + std("rsa-intermediate-forged.pem")
    report = check(name="demo_example_com", cert=forged, key=LEAF_KEY)
    assert findings(report) == [
        ("chain.bad_signature", "error", "Cert"),
        ("strength.weak_signature_hash", "warning", "Cert"),
    ]
    der = bytearray(base64.b64decode("".join(sha1_root.strip().split("\n")[1:-1])))
    der[-10] ^= 0x01  # inside the signature value
    broken_root = pem("CERTIFICATE", bytes(der))
    report = check(name="demo_example_com", cert=FULLCHAIN + broken_root, key=LEAF_KEY)
    assert findings(report) == [("strength.weak_signature_hash", "warning", "Cert")]
    assert "certificate 3 (CN=certcheck Test Root R1) is signed with SHA-1" in report.findings[0].message
