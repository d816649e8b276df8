"""Small certificate factory for tests that need a shape no committed fixture has (EC P-256, fixed keys)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

UTC = dt.timezone.utc
GOOD = (dt.datetime(2025, 1, 1, tzinfo=UTC), dt.datetime(2035, 1, 1, tzinfo=UTC))
EXPIRED = (dt.datetime(2020, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1, tzinfo=UTC))


def key(n: int) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(1000 + n, ec.SECP256R1())


def name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(
    subject: x509.Name | str,
    subject_key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | str,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool | None = True,
    path_length: int | None = None,
    validity: tuple[dt.datetime, dt.datetime] = GOOD,
    serial: int = 1,
    key_usage: Sequence[str] | None = None,
    extra: Sequence[tuple[x509.ExtensionType, bool]] = (),
    san: str | None = None,
) -> x509.Certificate:
    subject = name(subject) if isinstance(subject, str) else subject
    issuer = name(issuer) if isinstance(issuer, str) else issuer
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(serial)
        .not_valid_before(validity[0])
        .not_valid_after(validity[1])
    )
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None), True)
    if key_usage is not None:
        flags = {k: k in key_usage for k in _KU}
        builder = builder.add_extension(x509.KeyUsage(**flags), True)  # type: ignore[arg-type]
    if san:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), False)
    for ext, critical in extra:
        builder = builder.add_extension(ext, critical)
    return builder.sign(issuer_key, hashes.SHA256())


_KU = (
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
    "encipher_only",
    "decipher_only",
)


def pem(*certs: x509.Certificate) -> str:
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in certs)


def key_pem(k: ec.EllipticCurvePrivateKey) -> str:
    return k.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def leaf(issuer: x509.Name | str, issuer_key: ec.EllipticCurvePrivateKey, **kw: object) -> x509.Certificate:
    """An end-entity certificate for example.com with key(0)."""
    kw.setdefault("ca", False)
    kw.setdefault("san", "example.com")
    return cert("example.com", key(0), issuer, issuer_key, serial=100, **kw)  # type: ignore[arg-type]


def resign(certificate: x509.Certificate, issuer_key: ec.EllipticCurvePrivateKey, edit: object) -> bytes:
    """DER of ``certificate`` with its TBSCertificate changed by ``edit(tbs)`` (a pyasn1 rfc5280 TBSCertificate)
    and signed again by ``issuer_key``: shapes cryptography's builder refuses to make."""
    from pyasn1.codec.der import decoder, encoder
    from pyasn1.type import univ
    from pyasn1_modules import rfc5280

    decoded, _ = decoder.decode(certificate.public_bytes(serialization.Encoding.DER), asn1Spec=rfc5280.Certificate())
    tbs = decoded["tbsCertificate"]
    edit(tbs)  # type: ignore[operator]
    tbs_der = encoder.encode(tbs)
    signature = issuer_key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    decoded["tbsCertificate"] = tbs
    decoded["signature"] = univ.BitString.fromOctetString(signature)
    return encoder.encode(decoded)


def der_to_pem(der: bytes) -> str:
    return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()


def raw_pem(der: bytes) -> str:
    """PEM armor around DER that cryptography may refuse to load."""
    import base64

    b64 = base64.b64encode(der).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
