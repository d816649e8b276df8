"""A minimal DER tag-length-value walker.

Written by hand on purpose: certcheck only needs to step over a handful of fields (to find the
SubjectPublicKeyInfo inside a TBSCertificate that ``cryptography`` cannot read, or to see whether some bytes form
one DER structure). A full pyasn1 decode of a certificate costs about a millisecond; this costs microseconds.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["TLV", "certificate_names", "children", "encode_length", "is_single_structure", "read_tlv", "spki_from_tbs"]

SEQUENCE = 0x30


class TLV(NamedTuple):
    tag: int
    start: int  # offset of the tag byte
    content: int  # offset of the first content byte
    end: int  # offset just past the content

    def raw(self, data: bytes) -> bytes:
        return data[self.start : self.end]

    def value(self, data: bytes) -> bytes:
        return data[self.content : self.end]


def read_tlv(data: bytes, offset: int = 0, limit: int | None = None) -> TLV:
    """Read one TLV at ``offset``; raise ValueError if it is malformed or runs past ``limit``."""
    limit = len(data) if limit is None else limit
    if offset + 2 > limit:
        raise ValueError("DER: truncated header")
    tag = data[offset]
    if tag & 0x1F == 0x1F:
        raise ValueError("DER: multi-byte tags are not used by these structures")
    first = data[offset + 1]
    pos = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > limit:
            raise ValueError("DER: bad length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > limit:
        raise ValueError("DER: content runs past the end")
    return TLV(tag, offset, pos, pos + length)


def children(data: bytes, parent: TLV) -> list[TLV]:
    """The TLVs directly inside a constructed TLV."""
    out = []
    pos = parent.content
    while pos < parent.end:
        tlv = read_tlv(data, pos, parent.end)
        out.append(tlv)
        pos = tlv.end
    return out


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
    return fields[index + 5].raw(tbs)


def encode_length(length: int) -> bytes:
    """The DER length octets for ``length`` content bytes."""
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def certificate_names(cert_der: bytes) -> tuple[bytes, bytes]:
    """The DER of (issuer, subject) of a certificate, without building Python Name objects: cryptography
    builds a fresh Name on every access (~17 us each), and chain building compares names often."""
    tbs = read_tlv(cert_der, read_tlv(cert_der).content)
    pos = tbs.content
    first = read_tlv(cert_der, pos, tbs.end)
    if first.tag == 0xA0:  # optional [0] version
        pos = first.end
    for _ in range(2):  # serialNumber, signature
        pos = read_tlv(cert_der, pos, tbs.end).end
    issuer = read_tlv(cert_der, pos, tbs.end)
    validity = read_tlv(cert_der, issuer.end, tbs.end)
    subject = read_tlv(cert_der, validity.end, tbs.end)
    return issuer.raw(cert_der), subject.raw(cert_der)
