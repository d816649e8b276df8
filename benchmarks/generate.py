"""Distinct requests for the benchmarks: every request has its own leaf certificate (and, EC and SM2, its own key).

A benchmark that repeats one request measures caches and branch predictors, not certcheck; these generators give
each timed call a request it has never seen. RSA leaf keys come from a small pool (generating a 2048-bit key
takes ~100 ms); each RSA request still has its own certificate, serial and name.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certcheck import UploadParams
from certcheck._crypto import der, sm2

AT = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
SM2_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sm2"


@dataclass(frozen=True)
class Standard:
    """One RSA or EC request, with the pieces the cryptographic floor takes."""

    params: UploadParams
    leaf_pem: bytes
    issuer_pem: bytes
    key_pem: bytes


def _name(cn: str, org: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs = [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org),
            *attrs,
        ]
    return x509.Name(attrs)


def _ca(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    subject: x509.Name,
    issuer: x509.Name,
) -> x509.Certificate:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(AT - dt.timedelta(days=400))
        .not_valid_after(AT + dt.timedelta(days=1500))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def _leaf(
    i: int,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    ca_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
) -> x509.Certificate:
    host = f"www{i}.example{i % 97}.com"
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(AT - dt.timedelta(days=random.randint(1, 60)))
        .not_valid_after(AT + dt.timedelta(days=random.randint(45, 90)))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, isinstance(key, rsa.RSAPrivateKey), False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host), x509.DNSName(host.split(".", 1)[1])]), critical=False
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        x509.oid.AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier("http://r11.i.example.org/"),
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("2.23.140.1.2.1"), None)]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def standard_requests(
    count: int, algorithm: str, rsa_pool: int = 12, *, distinct_issuers: bool = False
) -> list[Standard]:
    """``count`` distinct requests: leaf + intermediate in Cert, the leaf's key (PKCS#1 RSA or SEC1 EC) in Key.

    The leaves share one intermediate, as an estate's certificates share their CA's, unless ``distinct_issuers``:
    then each request has an intermediate of its own (the worst case for certcheck's cache of intermediates).
    """
    random.seed(count)
    if algorithm == "RSA":
        keys: list[rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] = [
            rsa.generate_private_key(65537, 2048) for _ in range(rsa_pool)
        ]
        root_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(65537, 2048)
        ca_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = rsa.generate_private_key(65537, 2048)
        key_format = serialization.PrivateFormat.TraditionalOpenSSL
    else:
        keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(count)]
        root_key, ca_key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP256R1())
        key_format = serialization.PrivateFormat.TraditionalOpenSSL
    root = _name("Bench Root X1", "Bench CA")
    ca = _ca(ca_key, root_key, _name("Bench Intermediate R1", "Bench CA"), root)
    out = []
    for i in range(count):
        key = keys[i % len(keys)]
        if distinct_issuers:
            ca = _ca(ca_key, root_key, _name(f"Bench Intermediate {i}", "Bench CA"), root)
        leaf = _leaf(i, key, ca_key, ca)
        key_pem = key.private_bytes(serialization.Encoding.PEM, key_format, serialization.NoEncryption())
        params = UploadParams(
            name=f"bench_{algorithm.lower()}_{i}", cert=(_pem(leaf) + _pem(ca)).decode(), key=key_pem.decode()
        )
        out.append(Standard(params, _pem(leaf), _pem(ca), key_pem))
    return out


# --- SM2 -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sm:
    """One SM request, with the numbers gmssl takes for the same curve work."""

    params: UploadParams
    keys: tuple[int, int]  # sign d, enc d
    points: tuple[sm2.Point, sm2.Point]  # their certificates' public points
    signed: tuple[tuple[bytes, bytes], tuple[bytes, bytes]]  # (TBS, signature) of each leaf
    issuer: sm2.Point


def _pem_der(path: Path) -> list[bytes]:
    from certcheck import pem

    return [b.der for b in pem.read("x", path.read_text()).blocks]


def _sign(d: int, message: bytes) -> bytes:
    """SM2-with-SM3 signature (default user ID) for generated benchmark material only: not constant time."""
    e = sm2._digest(sm2.UserId.DEFAULT, message, sm2.public_from_private(d))
    while True:
        k = 1 + secrets.randbelow(sm2.N - 1)
        kg = sm2._mul_g(k)
        assert kg is not None
        r = (e + kg[0]) % sm2.N
        s = pow(1 + d, -1, sm2.N) * (k - r * d) % sm2.N
        if r and r + k != sm2.N and s:
            body = _int(r) + _int(s)
            return b"\x30" + der.encode_length(len(body)) + body


def _int(value: int) -> bytes:
    content = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return b"\x02" + der.encode_length(len(content)) + content


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + der.encode_length(len(body)) + body


def _reissue(template: bytes, old_point: bytes, new_point: bytes, issuer_d: int) -> tuple[bytes, bytes, bytes]:
    """The template certificate with a new public key and serial, signed by ``issuer_d``: (DER, TBS, signature)."""
    cert = der.sequence_of(template)
    tbs = cert[0].raw(template)
    assert tbs.count(old_point) == 1
    tbs = tbs.replace(old_point, new_point)
    fields = der.children(tbs, der.read_tlv(tbs))
    serial = fields[1] if fields[0].tag == 0xA0 else fields[0]
    fresh = bytes([secrets.randbelow(0x7F) + 1]) + secrets.token_bytes(serial.end - serial.content - 1)
    tbs = tbs[: serial.content] + fresh + tbs[serial.end :]
    signature = _sign(issuer_d, tbs)
    body = tbs + cert[1].raw(template) + _tlv(0x03, b"\x00" + signature)
    return _tlv(0x30, body), tbs, signature


def sm_requests(count: int) -> list[Sm]:
    """``count`` distinct SM requests: new sign and encryption keys and leaves, issued by the fixtures' sub CA."""
    from certcheck import pem

    sub_d = _scalar(SM2_FIXTURES / "keys-src" / "sub.key")
    sub_der = _pem_der(SM2_FIXTURES / "sm2-sub.pem")[0]
    issuer = sm2.public_from_private(sub_d)
    out = []
    for _ in range(count):
        fields: dict[str, str] = {}
        ds, points, signed = [], [], []
        for role, api_cert, api_key in (
            ("sign", "sign_cert", "sign_private_key"),
            ("enc", "encrypt_cert", "encrypt_private_key"),
        ):
            key_der = _pem_der(SM2_FIXTURES / f"sm2-{role}.key")[0]
            old_d = _scalar(SM2_FIXTURES / f"sm2-{role}.key")
            old_point = sm2.encode_point(sm2.public_from_private(old_d))
            d = 1 + secrets.randbelow(sm2.N - 2)
            point = sm2.public_from_private(d)
            new_point = sm2.encode_point(point)
            new_key = key_der.replace(old_d.to_bytes(32, "big"), d.to_bytes(32, "big")).replace(old_point, new_point)
            leaf, tbs, signature = _reissue(_pem_der(SM2_FIXTURES / f"sm2-{role}.pem")[0], old_point, new_point, sub_d)
            fields[api_cert] = pem.encode("CERTIFICATE", leaf) + pem.encode("CERTIFICATE", sub_der)
            fields[api_key] = pem.encode("PRIVATE KEY", new_key)
            ds.append(d)
            points.append(point)
            signed.append((tbs, signature))
        params = UploadParams(name="bench_sm2", **fields)
        out.append(Sm(params, (ds[0], ds[1]), (points[0], points[1]), (signed[0], signed[1]), issuer))
    return out


def _scalar(path: Path) -> int:
    """The private scalar of a PKCS#8 SM2 key file."""
    from certcheck._crypto import sm2key

    return sm2key.read_sm2_pkcs8(_pem_der(path)[0]).d
