"""Two PKIX structures several readers share, read with ``der``: AlgorithmIdentifier and OneAsymmetricKey."""

from __future__ import annotations

from dataclasses import dataclass

from certcheck._crypto import der

__all__ = ["PrivateKeyInfo", "algorithm_identifier", "private_key_info"]

_CONTEXT_0, _IMPLICIT_1 = 0xA0, 0x81


def algorithm_identifier(data: bytes, tlv: der.TLV) -> tuple[str, bytes | None]:
    """(algorithm OID, the parameters' DER or None when absent)."""
    if tlv.tag != der.SEQUENCE:
        raise ValueError("expected an AlgorithmIdentifier")
    parts = der.children(data, tlv)
    if not 1 <= len(parts) <= 2:
        raise ValueError("malformed AlgorithmIdentifier")
    return der.oid(data, parts[0]), (parts[1].raw(data) if len(parts) == 2 else None)


@dataclass(frozen=True, repr=False)
class PrivateKeyInfo:
    version: int
    algorithm: str
    parameters: bytes | None  # DER, as given
    private_key: bytes  # a secret: no repr
    public_key: bytes | None


def private_key_info(data: bytes) -> PrivateKeyInfo:
    """RFC 5958 OneAsymmetricKey (RFC 5208 PrivateKeyInfo is its version 0); ValueError when it is not one."""
    info = der.attempt(_private_key_info, data)
    if info is None:  # raised here, outside the handler: no chained exception can carry the input
        raise ValueError("not a valid PrivateKeyInfo")
    return info


def _private_key_info(data: bytes) -> PrivateKeyInfo:
    parts = der.sequence_of(data)
    if len(parts) < 3 or parts[2].tag != der.OCTET_STRING:
        raise ValueError("shape")
    version = der.integer(data, parts[0], signed=True)
    algorithm, parameters = algorithm_identifier(data, parts[1])
    rest = parts[3:]
    if rest and rest[0].tag == _CONTEXT_0:  # attributes: not needed here
        rest = rest[1:]
    public = None
    if rest and rest[0].tag == _IMPLICIT_1:
        public = whole_bytes(data, rest[0])
        rest = rest[1:]
    if rest:
        raise ValueError("shape")
    return PrivateKeyInfo(version, algorithm, parameters, parts[2].value(data), public)


def whole_bytes(data: bytes, tlv: der.TLV) -> bytes:
    """The contents of a BIT STRING (possibly implicitly tagged) that must hold whole bytes."""
    if tlv.end == tlv.content or data[tlv.content] != 0:
        raise ValueError("a public key is not a whole number of bytes")
    return data[tlv.content + 1 : tlv.end]
