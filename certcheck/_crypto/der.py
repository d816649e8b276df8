"""The one DER reader: strict (definite, minimal lengths; single-byte tags), tag-length-value at a time.

Written by hand on purpose: certcheck steps over a handful of fields (the SubjectPublicKeyInfo inside a
TBSCertificate ``cryptography`` cannot read, an SM2 key, the parameters of an encrypted key) and checks whether
some bytes form one DER structure. pyasn1 decodes an SM2 key ~7x slower and its modules cost 60-100 ms to
import, paid by every `certcheck check` when keys were read with it (``benchmarks/bench_parts.py`` times both).

Every function raises ``ValueError`` with a short reason on malformed input, never anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

T = TypeVar("T")

__all__ = [
    "BIT_STRING",
    "INTEGER",
    "NULL",
    "OCTET_STRING",
    "OID",
    "SEQUENCE",
    "TLV",
    "CertificateParts",
    "attempt",
    "bit_string",
    "certificate_names",
    "certificate_parts",
    "children",
    "encode_length",
    "expect",
    "integer",
    "is_single_structure",
    "oid",
    "read_tlv",
    "sequence_of",
    "simple_common_name",
    "spki_from_tbs",
]

INTEGER, BIT_STRING, OCTET_STRING, NULL, OID, SEQUENCE = 0x02, 0x03, 0x04, 0x05, 0x06, 0x30


class TLV(NamedTuple):
    tag: int
    start: int  # offset of the tag byte
    content: int  # offset of the first content byte
    end: int  # offset just past the content

    def raw(self, data: bytes) -> bytes:
        return data[self.start : self.end]

    def value(self, data: bytes) -> bytes:
        return data[self.content : self.end]


def attempt(read: Callable[[bytes], T], data: bytes) -> T | None:
    """``read(data)``, or None when it raises ValueError.

    Callers raise their own error after this returns, outside any ``except`` block, so that no exception is
    chained to it (``__context__``): a chained message could quote the input, which may be key material.
    """
    try:
        return read(data)
    except ValueError:
        return None


_new_tlv = tuple.__new__  # TLV(...) goes through a generated Python __new__: ~0.1 us of each of ~50 reads a request


def read_tlv(data: bytes, offset: int = 0, limit: int | None = None) -> TLV:
    """Read one TLV at ``offset``; raise ValueError if it is malformed, not DER, or runs past ``limit``."""
    if limit is None or limit > len(data):
        limit = len(data)
    if offset + 2 > limit:
        raise ValueError("DER: truncated header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError("DER: multi-byte tags are not used by these structures")
    first = data[offset + 1]
    # Short form, then the one- and two-octet long forms: every TLV of a certificate or key, spelled out
    # (benchmarks/bench_parts.py, der_read_tlv_*: ~0.25 us a read, against 0.31-0.55 us for the general form).
    if first < 0x80:
        content = offset + 2
        end = content + first
    elif first == 0x82:
        if offset + 4 > limit:
            raise ValueError("DER: bad length")
        length = data[offset + 2] << 8 | data[offset + 3]
        if length < 0x100:
            raise ValueError("DER: non-minimal length")
        content = offset + 4
        end = content + length
    elif first == 0x81:
        if offset + 3 > limit:
            raise ValueError("DER: bad length")
        length = data[offset + 2]
        if length < 0x80:
            raise ValueError("DER: non-minimal length")
        content = offset + 3
        end = content + length
    else:
        count = first & 0x7F
        content = offset + 2
        if count == 0:
            raise ValueError("DER: indefinite length")
        if count > 4 or content + count > limit:
            raise ValueError("DER: bad length")
        if data[content] == 0:
            raise ValueError("DER: non-minimal length")
        length = int.from_bytes(data[content : content + count], "big")
        if length < 0x80:
            raise ValueError("DER: non-minimal length")
        content += count
        end = content + length
    if end > limit:
        raise ValueError("DER: content runs past the end")
    return _new_tlv(TLV, (tag, offset, content, end))


def expect(data: bytes, tag: int, offset: int = 0, limit: int | None = None) -> TLV:
    """``read_tlv`` that also insists on the tag."""
    tlv = read_tlv(data, offset, limit)
    if tlv.tag != tag:
        raise ValueError(f"DER: expected tag 0x{tag:02x}, found 0x{tlv.tag:02x}")
    return tlv


def children(data: bytes, parent: TLV) -> list[TLV]:
    """The TLVs directly inside a constructed TLV."""
    out = []
    pos = parent.content
    while pos < parent.end:
        tlv = read_tlv(data, pos, parent.end)
        out.append(tlv)
        pos = tlv.end
    return out


def sequence_of(data: bytes, *, offset: int = 0, whole: bool = True) -> list[TLV]:
    """The children of the SEQUENCE at ``offset``; with ``whole``, nothing may follow it."""
    outer = expect(data, SEQUENCE, offset)
    if whole and outer.end != len(data):
        raise ValueError("DER: trailing bytes after the structure")
    return children(data, outer)


def integer(data: bytes, tlv: TLV, *, signed: bool = False) -> int:
    """An INTEGER's value; minimal encoding required. Negative values only with ``signed``."""
    if tlv.tag != INTEGER:
        raise ValueError("DER: expected an INTEGER")
    content = data[tlv.content : tlv.end]
    if not content:
        raise ValueError("DER: empty INTEGER")
    if len(content) > 1 and ((content[0] == 0 and not content[1] & 0x80) or (content[0] == 0xFF and content[1] & 0x80)):
        raise ValueError("DER: non-minimal INTEGER")
    if content[0] & 0x80 and not signed:
        raise ValueError("DER: negative INTEGER")
    return int.from_bytes(content, "big", signed=True)


def oid(data: bytes, tlv: TLV) -> str:
    """An OBJECT IDENTIFIER in dotted form."""
    if tlv.tag != OID:
        raise ValueError("DER: expected an OBJECT IDENTIFIER")
    content = data[tlv.content : tlv.end]
    if not content or content[-1] & 0x80:
        raise ValueError("DER: truncated OBJECT IDENTIFIER")
    arcs: list[int] = []
    value = 0
    fresh = True
    for byte in content:
        if fresh and byte == 0x80:
            raise ValueError("DER: non-minimal OBJECT IDENTIFIER arc")
        value = (value << 7) | (byte & 0x7F)
        fresh = not byte & 0x80
        if fresh:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in (first, arcs[0] - 40 * first, *arcs[1:]))


def bit_string(data: bytes, tlv: TLV) -> bytes:
    """A BIT STRING of whole bytes (keys and signatures are), without its unused-bits octet."""
    if tlv.tag != BIT_STRING:
        raise ValueError("DER: expected a BIT STRING")
    if tlv.end == tlv.content or data[tlv.content] != 0:
        raise ValueError("DER: BIT STRING is not a whole number of bytes")
    return data[tlv.content + 1 : tlv.end]


def is_single_structure(data: bytes, *, sequence: bool = True) -> bool:
    """True when ``data`` is exactly one DER TLV (a SEQUENCE unless ``sequence`` is False), nothing after it."""
    try:
        tlv = read_tlv(data)
    except ValueError:
        return False
    return (tlv.tag == SEQUENCE or not sequence) and tlv.end == len(data)


def spki_from_tbs(tbs: bytes) -> bytes:
    """The SubjectPublicKeyInfo DER inside a TBSCertificate (RFC 5280 4.1)."""
    fields = children(tbs, read_tlv(tbs))
    index = 1 if fields and fields[0].tag == 0xA0 else 0  # skip the optional [0] version
    # serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo
    if len(fields) <= index + 5:
        raise ValueError("DER: TBSCertificate has too few fields")
    return fields[index + 5].raw(tbs)


def encode_length(length: int) -> bytes:
    """The DER length octets for ``length`` content bytes."""
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


class CertificateParts(NamedTuple):
    issuer: bytes
    subject: bytes
    spki: bytes
    extensions: bytes | None  # the Extensions SEQUENCE inside [3], when there is one
    serial: bytes  # the serialNumber INTEGER's content octets
    tbs: tuple[int, int]  # where the TBSCertificate (tag to end) lies in the certificate's DER: what is signed
    signature_algorithm: bytes  # the AlgorithmIdentifier DER, when the TBS and the certificate give the same one


def certificate_parts(cert_der: bytes) -> CertificateParts:
    """The DER of a certificate's issuer, subject, SubjectPublicKeyInfo, extensions and serial, in one walk."""
    tbs, serial, signature, issuer, subject = _tbs_to_subject(cert_der)
    spki = read_tlv(cert_der, subject.end, tbs.end)
    extensions = None
    pos = spki.end
    while pos < tbs.end:  # issuerUniqueID [1], subjectUniqueID [2], extensions [3]
        field = read_tlv(cert_der, pos, tbs.end)
        if field.tag == 0xA3:
            extensions = read_tlv(cert_der, field.content, field.end).raw(cert_der)
        pos = field.end
    return CertificateParts(
        issuer.raw(cert_der),
        subject.raw(cert_der),
        spki.raw(cert_der),
        extensions,
        serial.value(cert_der),
        (tbs.start, tbs.end),
        _same_algorithm(cert_der, tbs, signature),
    )


def _same_algorithm(cert_der: bytes, tbs: TLV, signature: TLV) -> bytes:
    """The TBS's signature AlgorithmIdentifier when the certificate's own (after the TBS) is byte-identical."""
    algorithm = signature.raw(cert_der)
    return algorithm if read_tlv(cert_der, tbs.end).raw(cert_der) == algorithm else b""


def certificate_names(cert_der: bytes) -> tuple[bytes, bytes]:
    """The DER of (issuer, subject) of a certificate, without building Python Name objects: cryptography
    builds a fresh Name on every access (~17 us each), and chain building compares names often."""
    _, _, _, issuer, subject = _tbs_to_subject(cert_der)
    return issuer.raw(cert_der), subject.raw(cert_der)


def _tbs_to_subject(cert_der: bytes) -> tuple[TLV, TLV, TLV, TLV, TLV]:
    """The TBSCertificate, its serialNumber, signature, issuer and subject: the walk both readers above share."""
    tbs = read_tlv(cert_der, read_tlv(cert_der).content)
    serial = read_tlv(cert_der, tbs.content, tbs.end)
    if serial.tag == 0xA0:  # optional [0] version
        serial = read_tlv(cert_der, serial.end, tbs.end)
    if serial.tag != INTEGER:
        raise ValueError("DER: expected the serialNumber INTEGER")
    signature = read_tlv(cert_der, serial.end, tbs.end)
    issuer = read_tlv(cert_der, signature.end, tbs.end)
    validity = read_tlv(cert_der, issuer.end, tbs.end)
    subject = read_tlv(cert_der, validity.end, tbs.end)
    return tbs, serial, signature, issuer, subject


_COMMON_NAME = bytes.fromhex("0603550403")  # id-at-commonName (2.5.4.3) as DER
# The string types real certificates put a commonName in, and how they decode; anything rarer (BMPString,
# T61String, a multi-valued RDN) is left to cryptography's Name.
_NAME_STRINGS = {0x0C: "utf-8", 0x13: "ascii", 0x16: "ascii"}
_PRINTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")


def simple_common_name(name: bytes) -> str | None:
    """The first commonName of a Name's DER when the Name is plain (one attribute per RDN, every value a
    UTF8String, PrintableString or IA5String that decodes); None otherwise, and the caller asks cryptography, which
    may refuse the whole Name for one odd value elsewhere in it. Building cryptography's Name to read one
    attribute costs ~4 us a certificate; this walk ~1 us (benchmarks/bench_parts.py)."""
    found: str | None = None
    try:
        outer = read_tlv(name)
        pos = outer.content
        while pos < outer.end:
            rdn = read_tlv(name, pos, outer.end)
            attribute = read_tlv(name, rdn.content, rdn.end)
            if attribute.end != rdn.end:
                return None  # a multi-valued RDN: cryptography's order rules
            kind = read_tlv(name, attribute.content, attribute.end)
            value = read_tlv(name, kind.end, attribute.end)
            encoding = _NAME_STRINGS.get(value.tag)
            if encoding is None or value.end != attribute.end:
                return None
            text = name[value.content : value.end].decode(encoding)
            if value.tag == 0x13 and not _PRINTABLE.issuperset(text):
                return None  # cryptography's reading of a PrintableString outside its alphabet
            if found is None and kind.raw(name) == _COMMON_NAME:
                found = text
            pos = rdn.end
    except (ValueError, UnicodeDecodeError):
        return None
    return found
