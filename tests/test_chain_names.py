"""Chain building matches names by DER first and falls back to Name equality (string types may differ)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

import certcheck
from certcheck import UploadParams
from tests.conftest import AT


def _name(cn: str, string_type: _ASN1Type) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn, _type=string_type)])


def _cert(
    subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey, signer: ec.EllipticCurvePrivateKey, ca: bool
) -> str:
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(7 if ca else 8)
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(signer, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_issuer_name_in_another_string_type_still_links() -> None:
    ca_key = ec.derive_private_key(11, ec.SECP256R1())
    leaf_key = ec.derive_private_key(12, ec.SECP256R1())
    ca = _cert(
        _name("Name Type CA", _ASN1Type.PrintableString),
        _name("Some Root", _ASN1Type.UTF8String),
        ca_key,
        ca_key,
        ca=True,
    )
    # the leaf names its issuer as a UTF8String, the CA's own subject is a PrintableString: bytes differ
    leaf = _cert(
        _name("leaf.example", _ASN1Type.UTF8String),
        _name("Name Type CA", _ASN1Type.UTF8String),
        leaf_key,
        ca_key,
        ca=False,
    )
    key = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    report = certcheck.validate(UploadParams(name="n", cert=ca + leaf, key=key), at=AT)
    codes = [f.code for f in report.findings]
    assert "chain.unrelated" not in codes and "chain.bad_signature" not in codes, [f.message for f in report.findings]
    assert "chain.out_of_order" in codes  # found as leaf <- CA through the fallback, and reordered
    assert report.ok
