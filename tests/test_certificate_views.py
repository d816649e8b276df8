"""The fast views of a certificate (common name, serial, shared intermediates) agree with cryptography's reading."""

from __future__ import annotations

import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID

from certcheck._crypto import der
from certcheck.documents import certs
from certcheck.documents.certs import load_certificate
from tests import pki

CN, ORG = NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME


def _attr(oid: x509.ObjectIdentifier, value: str, kind: _ASN1Type = _ASN1Type.UTF8String) -> x509.NameAttribute:
    # _validate=False: a CN over 64 characters, which cryptography refuses to build but CAs have issued
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x509.NameAttribute(oid, value, _type=kind, _validate=False)


def _der(name: x509.Name) -> bytes:
    return pki.cert(name, pki.key(1), NAMES["utf8"], pki.key(2)).public_bytes(Encoding.DER)


NAMES = {
    "utf8": x509.Name([_attr(CN, "häst.example")]),
    "printable": x509.Name([_attr(ORG, "Org"), _attr(CN, "www.example.com", _ASN1Type.PrintableString)]),
    "ia5": x509.Name([_attr(CN, "ia5.example", _ASN1Type.IA5String)]),
    "bmp": x509.Name([_attr(CN, "bmp.example", _ASN1Type.BMPString)]),
    "no-cn": x509.Name([_attr(ORG, "Only An Org")]),
    "two-cns": x509.Name([_attr(CN, "first"), _attr(CN, "second")]),
    "multi-valued": x509.Name([x509.RelativeDistinguishedName([_attr(ORG, "Org"), _attr(CN, "multi.example")])]),
    "long": x509.Name([_attr(CN, "x" * 100)]),
}


@pytest.mark.parametrize("label", sorted(NAMES))
def test_common_name_and_subject_match_cryptography(label: str) -> None:
    loaded = load_certificate("Cert", 1, _der(NAMES[label]))
    with warnings.catch_warnings():  # a CN over 64 characters
        warnings.simplefilter("ignore")
        name = loaded.x509.subject  # cryptography's reading of the same DER
    cns = name.get_attributes_for_oid(CN)
    expected = cns[0].value if cns and isinstance(cns[0].value, str) else None
    assert loaded.common_name == expected
    assert loaded.subject == (f"CN={expected}" if expected is not None else name.rfc4514_string())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert loaded.subject == certs._name_text(lambda: loaded.x509.subject)  # the slow path it replaces
    assert loaded.issuer == "CN=häst.example"


def test_simple_common_name_declines_what_it_does_not_read() -> None:
    for label in ("bmp", "no-cn", "multi-valued"):
        assert der.simple_common_name(NAMES[label].public_bytes()) is None, label
    # A PrintableString outside its alphabet (a wildcard), which cryptography refuses: not read here either
    star = NAMES["utf8"].public_bytes().replace(b"\x0c\rh\xc3\xa4st.example", b"\x13\r*.xxxxexample")
    assert der.simple_common_name(star.replace(b"*", b"w")) == "w.xxxxexample"  # the same name, printable
    assert der.simple_common_name(star) is None
    assert der.simple_common_name(NAMES["two-cns"].public_bytes()) == "first"
    assert der.simple_common_name(b"\x30\x05\x31\x03\x30") is None  # truncated: no exception


@pytest.mark.parametrize("serial", [1, 127, 128, 2**159 - 1, 0xFF00])
def test_serial_matches_cryptography(serial: int) -> None:
    made = pki.cert("s", pki.key(1), "i", pki.key(2), serial=serial)
    assert load_certificate("Cert", 1, made.public_bytes(Encoding.DER)).serial == made.serial_number == serial


def test_negative_serial_read_without_a_warning() -> None:
    made = pki.cert("s", pki.key(1), "i", pki.key(2), serial=5)
    data = made.public_bytes(Encoding.DER)
    # Re-encode serial 5 (02 01 05) as -5 (02 01 fb): the signature no longer matters for reading.
    edited = data.replace(b"\x02\x01\x05", b"\x02\x01\xfb", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_certificate("Cert", 1, edited)
        assert loaded.serial == -5


def _chain() -> tuple[bytes, bytes]:
    ca_key, leaf_key = pki.key(3), pki.key(4)
    ca = pki.cert("Shared CA", ca_key, "Shared CA", ca_key)
    leaf = pki.cert("leaf.example", leaf_key, "Shared CA", ca_key, ca=False)
    return leaf.public_bytes(Encoding.DER), ca.public_bytes(Encoding.DER)


def test_an_intermediate_shared_by_requests_is_parsed_once_and_placed_per_request() -> None:
    _, ca = _chain()
    certs._shared.cache_clear()
    first = load_certificate("Cert", 2, ca, "canonical text")
    second = load_certificate("SignCert", 3, ca)
    assert certs._shared.cache_info().misses == 1 and certs._shared.cache_info().hits == 1
    assert (first.field, first.position, first.canonical) == ("Cert", 2, "canonical text")
    assert (second.field, second.position, second.canonical) == ("SignCert", 3, None)
    assert first is not second and first.x509 is second.x509  # one parse, two places
    assert first.is_ca and first.subject == "CN=Shared CA" and first.extensions_readable


def test_leaves_are_not_cached_and_the_cache_is_bounded() -> None:
    certs._shared.cache_clear()
    leaf, _ = _chain()
    load_certificate("Cert", 1, leaf)
    assert certs._shared.cache_info().currsize == 0
    issuer_key = pki.key(5)
    for n in range(certs.ISSUER_CACHE_SIZE + 10):
        ca = pki.cert(f"CA {n}", issuer_key, "Root", issuer_key).public_bytes(Encoding.DER)
        load_certificate("Cert", 2, ca)
    assert certs._shared.cache_info().currsize == certs.ISSUER_CACHE_SIZE


def test_an_unreadable_chain_certificate_is_refused_every_time() -> None:
    certs._shared.cache_clear()
    for _ in range(2):
        with pytest.raises(ValueError):
            load_certificate("Cert", 2, b"\x30\x03\x02\x01\x01")
    assert certs._shared.cache_info().currsize == 0
