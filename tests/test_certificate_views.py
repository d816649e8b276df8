"""The fast views of a certificate (common name, serial, shared intermediates) agree with cryptography's reading."""

from __future__ import annotations

import warnings

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
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


def _ca_with_policy_text() -> bytes:
    """A CA whose certificatePolicies explicitText is UTF-8 inside a VisibleString: cryptography warns reading it."""
    notice = x509.UserNotice(None, "Policyä")
    policies = x509.CertificatePolicies([x509.PolicyInformation(x509.ObjectIdentifier("1.2.3.4"), [notice])])
    data = pki.cert("Policy CA", pki.key(6), "Root", pki.key(7), extra=[(policies, False)]).public_bytes(Encoding.DER)
    edited = data.replace(b"\x0c\x08Policy\xc3\xa4", b"\x1a\x08Policy\xc3\xa4")
    assert edited != data
    return edited


def test_a_shared_certificate_is_not_pinned_by_the_first_callers_warning_filters() -> None:
    data = _ca_with_policy_text()
    certs._shared.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the first request runs under -W error
        first = load_certificate("Cert", 2, data)
    later = load_certificate("Cert", 2, data)
    alone = load_certificate("Cert", 1, data)  # never cached
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cryptography warns when the leaf's extensions are first asked for
        assert alone.extensions_readable and alone.extension_facts.malformed == ()
    for cert in (first, later):
        assert cert.extensions_readable and cert.extension_facts.malformed == ()


def test_quiet_load_only_for_a_positive_serial_and_a_common_algorithm_encoding() -> None:
    data = pki.cert("s", pki.key(1), "i", pki.key(2), serial=5).public_bytes(Encoding.DER)
    assert certs._quiet(der.certificate_parts(data))
    negative = data.replace(b"\x02\x01\x05", b"\x02\x01\xfb", 1)
    assert not certs._quiet(der.certificate_parts(negative))
    with_null = bytes.fromhex("300c06082a8648ce3d0403020500")  # ecdsa-with-SHA256 with the NULL old Java wrote
    assert not certs._quiet(der.certificate_parts(data)._replace(signature_algorithm=with_null))
    assert not certs._quiet(der.certificate_parts(data)._replace(signature_algorithm=b""))  # TBS and outer differ


def test_simple_common_name_declines_a_name_cryptography_cannot_read() -> None:
    name = x509.Name([_attr(CN, "good"), _attr(ORG, "xxx", _ASN1Type.T61String)])
    raw = name.public_bytes().replace(b"\x14\x03xxx", b"\x14\x03\xe9t\xe9")
    assert der.simple_common_name(raw) is None  # cryptography then decides (it refuses the T61String)
    trailing = bytes.fromhex("300f310d300b0603550403") + b"\x0c\x01a\x0c\x01b"  # a third element in the attribute
    assert der.simple_common_name(trailing) is None


def test_a_ca_whose_extensions_cryptography_refuses_is_still_a_ca() -> None:
    from pyasn1.type import univ

    def bad_san(tbs: object) -> None:
        for ext in tbs["extensions"]:  # type: ignore[index]
            if str(ext["extnID"]) == "2.5.29.17":
                ext["extnValue"] = univ.OctetString(b"\x30\x05\x82\x07abc")

    ca = pki.cert("Broken CA", pki.key(8), "Root", pki.key(9), san="ca.example")
    loaded = load_certificate("Cert", 1, pki.resign(ca, pki.key(9), bad_san))
    assert not loaded.extensions_readable and loaded.basic_constraints is None
    assert loaded.is_ca  # read from the DER when cryptography refuses the list


def test_certificate_parts_wants_an_integer_serial() -> None:
    data = pki.cert("s", pki.key(1), "i", pki.key(2), serial=5).public_bytes(Encoding.DER)
    with pytest.raises(ValueError, match="serialNumber"):
        der.certificate_parts(data.replace(b"\x02\x01\x05", b"\x04\x01\x05", 1))


def test_a_signature_under_another_key_type_says_so() -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from certcheck.documents.chain import check_issued_by

    rsa_key = rsa.generate_private_key(65537, 2048)
    issuer = x509.CertificateBuilder().subject_name(pki.name("Mixed CA")).issuer_name(pki.name("Mixed CA"))
    issuer = issuer.public_key(rsa_key.public_key()).serial_number(9)
    issuer = issuer.not_valid_before(pki.GOOD[0]).not_valid_after(pki.GOOD[1])
    issuer_cert = issuer.sign(rsa_key, hashes.SHA256())
    child = pki.cert("child", pki.key(1), "Mixed CA", pki.key(2), ca=False)  # ECDSA, under an RSA-keyed name
    check = check_issued_by(
        load_certificate("Cert", 1, child.public_bytes(Encoding.DER)),
        load_certificate("Cert", 2, issuer_cert.public_bytes(Encoding.DER)),
    )
    assert not check.ok and "does not match issuer key type" in check.detail
