"""The one strict DER reader (certcheck/_crypto/der.py), directly: known encodings, every refusal, and
``cryptography`` as the oracle for the certificate walks."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given, settings
from hypothesis import strategies as st

from certcheck._crypto import der
from tests.conftest import FIXTURES

CERT_FILES = sorted(p for p in (FIXTURES / "std").glob("*.pem") if p.read_text().count("BEGIN CERTIFICATE") == 1)
CERT_FILES += sorted(p for p in (FIXTURES / "sm2").glob("sm2-*.pem") if p.read_text().count("BEGIN CERTIFICATE") == 1)


def load(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


# --- read_tlv ---------------------------------------------------------------------------------------------------


def test_short_and_long_form_lengths() -> None:
    assert der.read_tlv(b"\x04\x02ab") == der.TLV(0x04, 0, 2, 4)
    long = b"\x04\x81\x80" + b"x" * 0x80
    assert der.read_tlv(long) == der.TLV(0x04, 0, 3, 3 + 0x80)
    big = b"\x30\x82\x01\x00" + b"y" * 256
    tlv = der.read_tlv(big)
    assert (tlv.content, tlv.end) == (4, 260)
    assert tlv.value(big) == b"y" * 256 and tlv.raw(big) == big


def test_offset_and_limit() -> None:
    data = b"\x05\x00\x04\x01z\x02\x01\x07"
    assert der.read_tlv(data, 2) == der.TLV(0x04, 2, 4, 5)
    assert der.read_tlv(data, 5) == der.TLV(0x02, 5, 7, 8)
    with pytest.raises(ValueError, match="past the end"):
        der.read_tlv(data, 2, limit=4)  # its content would run past the limit
    with pytest.raises(ValueError, match="truncated header"):
        der.read_tlv(data, 7)


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "truncated header"),
        (b"\x30", "truncated header"),
        (b"\x1f\x01\x00", "multi-byte tags"),
        (b"\x30\x80\x00\x00", "indefinite length"),
        (b"\x04\x81\x05hello", "non-minimal length"),  # 5 fits the short form
        (b"\x04\x82\x00\x80" + b"x" * 0x80, "non-minimal length"),  # a leading zero length octet
        (b"\x04\x85\x00\x00\x00\x00\x01x", "bad length"),  # more than 4 length octets
        (b"\x04\x82\x01", "bad length"),  # the length octets themselves are cut
        (b"\x04\x03ab", "past the end"),
    ],
)
def test_refusals(data: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        der.read_tlv(data)
    assert not der.is_single_structure(data, sequence=False)
    assert der.attempt(der.read_tlv, data) is None


def test_expect_checks_the_tag() -> None:
    assert der.expect(b"\x02\x01\x05", der.INTEGER).tag == der.INTEGER
    with pytest.raises(ValueError, match="expected tag 0x30, found 0x02"):
        der.expect(b"\x02\x01\x05", der.SEQUENCE)


def test_children_and_sequence_of() -> None:
    data = b"\x30\x05\x02\x01\x01\x05\x00"
    assert [c.tag for c in der.sequence_of(data)] == [0x02, 0x05]
    assert der.children(data, der.read_tlv(data)) == [der.TLV(0x02, 2, 4, 5), der.TLV(0x05, 5, 7, 7)]
    assert der.sequence_of(b"\x30\x00") == []
    with pytest.raises(ValueError, match="trailing bytes"):
        der.sequence_of(data + b"\x00")
    assert len(der.sequence_of(data + b"\x00", whole=False)) == 2
    assert [c.tag for c in der.sequence_of(b"\x05\x00" + data, offset=2)] == [0x02, 0x05]
    with pytest.raises(ValueError):  # a child claims more than its parent holds
        der.sequence_of(b"\x30\x03\x04\x05abc")
    with pytest.raises(ValueError, match="expected tag 0x30"):
        der.sequence_of(b"\x31\x00")


# --- primitive values -------------------------------------------------------------------------------------------

INTEGERS = [
    (b"\x02\x01\x00", 0),
    (b"\x02\x01\x7f", 127),
    (b"\x02\x02\x00\x80", 128),
    (b"\x02\x02\x01\x00", 256),
    (b"\x02\x09\x00\xff\xff\xff\xff\xff\xff\xff\xff", 2**64 - 1),
]


@pytest.mark.parametrize(("data", "value"), INTEGERS)
def test_integer_known_answers(data: bytes, value: int) -> None:
    assert der.integer(data, der.read_tlv(data)) == value
    assert der.integer(data, der.read_tlv(data), signed=True) == value


def test_signed_integers() -> None:
    for data, value in [(b"\x02\x01\xff", -1), (b"\x02\x01\x80", -128), (b"\x02\x02\xff\x7f", -129)]:
        assert der.integer(data, der.read_tlv(data), signed=True) == value
        with pytest.raises(ValueError, match="negative"):
            der.integer(data, der.read_tlv(data))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\x02\x00", "empty INTEGER"),
        (b"\x02\x02\x00\x01", "non-minimal"),
        (b"\x02\x02\xff\x80", "non-minimal"),
        (b"\x04\x01\x01", "expected an INTEGER"),
    ],
)
def test_integer_refusals(data: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        der.integer(data, der.read_tlv(data), signed=True)


@given(st.integers(min_value=-(2**200), max_value=2**200))
def test_integer_round_trip(value: int) -> None:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True)
    data = b"\x02" + der.encode_length(len(body)) + body
    assert der.integer(data, der.read_tlv(data), signed=True) == value


OIDS = [
    ("2a864886f70d01010b", "1.2.840.113549.1.1.11"),  # sha256WithRSAEncryption
    ("550403", "2.5.4.3"),  # commonName
    ("2a811ccf5501822d", "1.2.156.10197.1.301"),  # the SM2 curve
    ("883703", "2.999.3"),  # first arc 2 with a second arc above 39
    ("00", "0.0"),
    ("28", "1.0"),
]


@pytest.mark.parametrize(("body", "dotted"), OIDS)
def test_oid_known_answers(body: str, dotted: str) -> None:
    raw = bytes.fromhex(body)
    data = b"\x06" + der.encode_length(len(raw)) + raw
    assert der.oid(data, der.read_tlv(data)) == dotted
    assert x509.ObjectIdentifier(dotted).dotted_string == dotted  # a valid OID by cryptography's reckoning


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"\x06\x00", "truncated"),
        (b"\x06\x02\x2a\x86", "truncated"),  # the last arc never ends
        (b"\x06\x03\x2a\x80\x01", "non-minimal"),  # an arc padded with a leading 0x80
        (b"\x04\x01\x2a", "expected an OBJECT IDENTIFIER"),
    ],
)
def test_oid_refusals(data: bytes, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        der.oid(data, der.read_tlv(data))


def test_bit_string() -> None:
    data = b"\x03\x03\x00\xab\xcd"
    assert der.bit_string(data, der.read_tlv(data)) == b"\xab\xcd"
    assert der.bit_string(b"\x03\x01\x00", der.read_tlv(b"\x03\x01\x00")) == b""
    for bad, why in [(b"\x03\x02\x04\xf0", "whole number"), (b"\x03\x00", "whole number"), (b"\x04\x01\x00", "BIT")]:
        with pytest.raises(ValueError, match=why):
            der.bit_string(bad, der.read_tlv(bad))


@pytest.mark.parametrize(
    ("length", "octets"),
    [(0, "00"), (1, "01"), (127, "7f"), (128, "8180"), (255, "81ff"), (256, "820100"), (65536, "83010000")],
)
def test_encode_length_known_answers(length: int, octets: str) -> None:
    assert der.encode_length(length).hex() == octets


@given(st.integers(min_value=0, max_value=70000))
def test_encode_length_is_what_read_tlv_accepts(length: int) -> None:
    data = b"\x04" + der.encode_length(length) + b"\x00" * length
    tlv = der.read_tlv(data)
    assert (tlv.end - tlv.content, tlv.end) == (length, len(data))
    assert der.is_single_structure(data, sequence=False) and not der.is_single_structure(data)


# --- certificates, against cryptography -------------------------------------------------------------------------


@pytest.mark.parametrize("path", CERT_FILES, ids=[f"{p.parent.name}/{p.name}" for p in CERT_FILES])
def test_certificate_walks_agree_with_cryptography(path: Path) -> None:
    cert = load(path)
    data = cert.public_bytes(Encoding.DER)
    assert der.is_single_structure(data)
    assert not der.is_single_structure(data + b"\x00")
    assert not der.is_single_structure(data[:-1])
    issuer, subject = der.certificate_names(data)
    assert issuer == cert.issuer.public_bytes()
    assert subject == cert.subject.public_bytes()
    spki = der.spki_from_tbs(cert.tbs_certificate_bytes)
    if path.parent.name == "std":  # cryptography cannot load SM2 public keys
        assert spki == cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    assert der.sequence_of(spki)[0].tag == der.SEQUENCE  # AlgorithmIdentifier, then the BIT STRING
    assert der.bit_string(spki, der.sequence_of(spki)[1])


def test_spki_from_a_tbs_without_enough_fields() -> None:
    with pytest.raises(ValueError, match="too few fields"):
        der.spki_from_tbs(b"\x30\x06\x02\x01\x01\x02\x01\x02")


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_value_error(data: bytes) -> None:
    for read in (der.read_tlv, der.sequence_of, der.spki_from_tbs, der.certificate_names):
        with contextlib.suppress(ValueError):  # anything else (IndexError, TypeError...) fails the test
            read(data)
    assert isinstance(der.is_single_structure(data), bool)


@given(st.integers(min_value=0, max_value=3000), st.integers(min_value=0, max_value=255))
def test_one_flipped_byte_of_a_certificate_never_raises_otherwise(position: int, value: int) -> None:
    data = bytearray(load(CERT_FILES[0]).public_bytes(Encoding.DER))
    data[position % len(data)] = value
    with contextlib.suppress(ValueError):
        der.certificate_names(bytes(data))


def test_a_truncated_one_octet_length_and_a_limit_past_the_end_are_value_errors() -> None:
    with pytest.raises(ValueError, match="bad length"):
        der.read_tlv(b"\x04\x81")
    with pytest.raises(ValueError, match="bad length"):
        der.read_tlv(b"\x00\x82\x00", 0, 10)  # a limit beyond the data is the data's end
