"""SM2 private keys (PKCS#8, SEC1) and SubjectPublicKeyInfo in DER.

``cryptography`` loads no SM2 key (its OpenSSL bindings refuse the curve), so these few structures are read here
with the strict reader of ``der``: pyasn1 did the same ~7x slower and cost 60-100 ms of start-up
(``benchmarks/bench_parts.py``). An AlgorithmIdentifier's parameters travel as ``Param``: the named-curve OID as
a str, the DER of any other parameters (explicit curve, ...) as bytes, None when absent or NULL.

Errors are ValueError with a short reason that never quotes the input (it is key material).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from certcheck._crypto import der, oids, pkix
from certcheck._crypto.sm2 import GX, GY, A, B, N, P, private_scalar_ok

__all__ = [
    "EC_PUBLIC_KEY_OID",
    "SM2_OID",
    "Param",
    "ScalarOutOfRange",
    "Sm2PrivateKey",
    "SpkiInfo",
    "is_sm2_algorithm",
    "pkcs8_algorithm",
    "read_sm2_pkcs8",
    "read_sm2_sec1",
    "read_spki",
]

SM2_OID = oids.SM2
EC_PUBLIC_KEY_OID = oids.EC_PUBLIC_KEY
# sm2sign / sm2exchange / sm2encrypt: not seen in keys in practice, but they can only mean an SM2 key
_SM2_ALGORITHMS = {oids.SM2, oids.SM2_SIGN, oids.SM2_EXCHANGE, oids.SM2_ENCRYPT}
_NULL = b"\x05\x00"
_CONTEXT_0, _CONTEXT_1 = 0xA0, 0xA1

Param = str | bytes | None
ParamForm = Literal["absent", "null", "named", "explicit", "other"]


class ScalarOutOfRange(ValueError):
    """The private scalar is outside [1, n-2]: not a usable SM2 key (reported as key.out_of_range)."""


@dataclass(frozen=True, repr=False)
class Sm2PrivateKey:
    d: int
    embedded_point: bytes | None  # the public point a key may carry: compare it, never trust it

    def __repr__(self) -> str:  # d must never reach a log or an error message
        return "<Sm2PrivateKey redacted>"

    __str__ = __repr__


@dataclass(frozen=True)
class SpkiInfo:
    algorithm: str
    param_form: ParamForm
    parameters: Param  # see module docstring
    public_key: bytes  # subjectPublicKey contents, e.g. 04||X||Y

    @property
    def is_sm2(self) -> bool:
        return is_sm2_algorithm(self.algorithm, self.parameters)

    def describe(self) -> str:
        """E.g. "ecPublicKey (1.2.840.10045.2.1), named curve P-256 (1.2.840.10045.3.1.7)"."""
        text = oids.describe(self.algorithm)
        if self.param_form == "named" and isinstance(self.parameters, str):
            return f"{text}, named curve {oids.describe(self.parameters)}"
        if self.param_form in ("explicit", "other"):
            return f"{text}, {self.param_form} parameters" + (" (the SM2 curve)" if self.is_sm2 else "")
        return text


def _algorithm(data: bytes, tlv: der.TLV) -> tuple[str, ParamForm, Param]:
    """An AlgorithmIdentifier: (OID, parameter form, ``Param``)."""
    algorithm, raw = pkix.algorithm_identifier(data, tlv)
    form, param = _classify(raw)
    return algorithm, form, param


def _classify(raw: bytes | None) -> tuple[ParamForm, Param]:
    if raw is None:
        return "absent", None
    if raw == _NULL:
        return "null", None
    try:
        tlv = der.read_tlv(raw)
        if tlv.tag == der.OID and tlv.end == len(raw):
            return "named", der.oid(raw, tlv)
    except ValueError:
        return "other", raw
    return ("explicit" if _ec_parameters(raw) is not None else "other"), raw


@dataclass(frozen=True)
class _Curve:
    field_type: str
    prime: int | None
    a: int
    b: int
    base: bytes
    order: int
    cofactor: int | None


def _ec_parameters(raw: bytes) -> _Curve | None:
    """X9.62 ECParameters (an explicit curve), or None when ``raw`` is not one."""
    try:
        parts = der.sequence_of(raw)
        if not 5 <= len(parts) <= 6:
            return None
        der.integer(raw, parts[0])  # version
        field = der.children(raw, der.expect(raw, der.SEQUENCE, parts[1].start))
        curve = der.children(raw, der.expect(raw, der.SEQUENCE, parts[2].start))
        if len(field) != 2 or not 2 <= len(curve) <= 3 or parts[3].tag != der.OCTET_STRING:
            return None
        field_type = der.oid(raw, field[0])
        prime = der.integer(raw, field[1]) if field[1].tag == der.INTEGER else None
        if curve[0].tag != der.OCTET_STRING or curve[1].tag != der.OCTET_STRING:
            return None
        a = int.from_bytes(curve[0].value(raw), "big")
        b = int.from_bytes(curve[1].value(raw), "big")
        order = der.integer(raw, parts[4])
        cofactor = der.integer(raw, parts[5]) if len(parts) == 6 else None
    except ValueError:
        return None
    return _Curve(field_type, prime, a, b, parts[3].value(raw), order, cofactor)


def is_sm2_algorithm(alg_oid: str, param: Param) -> bool:
    """ecPublicKey + the SM2 curve (by OID or explicit constants), or an SM2 algorithm OID itself.

    `param` is a `Param`; bytes that encode an OID or NULL are accepted too.
    """
    if isinstance(param, bytes):
        param = _classify(param)[1]
    if alg_oid in _SM2_ALGORITHMS:
        return param is None or _param_is_sm2(param)
    return alg_oid == EC_PUBLIC_KEY_OID and param is not None and _param_is_sm2(param)


def _param_is_sm2(param: str | bytes) -> bool:
    if isinstance(param, str):
        return param == SM2_OID
    curve = _ec_parameters(param)
    if curve is None or curve.field_type != oids.PRIME_FIELD:
        return False
    if (curve.prime, curve.order, curve.a, curve.b) != (P, N, A, B):
        return False
    if curve.cofactor is not None and curve.cofactor != 1:
        return False
    gx = GX.to_bytes(32, "big")
    if curve.base[:1] == b"\x04":
        return curve.base == b"\x04" + gx + GY.to_bytes(32, "big")
    return curve.base == bytes([2 + (GY & 1)]) + gx  # compressed form


def pkcs8_algorithm(data: bytes) -> tuple[str, Param]:
    """(algorithm OID, `Param`) of a PrivateKeyInfo / OneAsymmetricKey, to route SM2 keys here."""
    info = pkix.private_key_info(data)
    return info.algorithm, _classify(info.parameters)[1]


def read_sm2_pkcs8(data: bytes) -> Sm2PrivateKey:
    """A PrivateKeyInfo / OneAsymmetricKey whose algorithm is SM2 (any form), wrapping an ECPrivateKey."""
    info = pkix.private_key_info(data)
    if info.version not in (0, 1):
        raise ValueError(f"unsupported PrivateKeyInfo version {info.version}")
    if not is_sm2_algorithm(info.algorithm, info.parameters):
        raise ValueError(f"not an SM2 key (algorithm {info.algorithm})")
    key = read_sm2_sec1(info.private_key)
    if key.embedded_point is None and info.public_key is not None:  # OneAsymmetricKey v2 may carry it outside
        return Sm2PrivateKey(key.d, info.public_key)
    return key


@dataclass(frozen=True)
class _Sec1:
    version: int
    scalar: bytes
    params: bytes | None  # the DER [0] wraps
    point: bytes | None


def _sec1(data: bytes) -> _Sec1:
    parts = der.sequence_of(data)
    if not 2 <= len(parts) <= 4 or parts[1].tag != der.OCTET_STRING:
        raise ValueError("shape")
    version = der.integer(data, parts[0], signed=True)
    params = point = None
    rest = parts[2:]
    if rest and rest[0].tag == _CONTEXT_0:
        params = _explicit(data, rest[0], (der.OID, der.NULL, der.SEQUENCE)).raw(data)
        rest = rest[1:]
    if rest and rest[0].tag == _CONTEXT_1:
        point = der.bit_string(data, _explicit(data, rest[0], (der.BIT_STRING,)))
        rest = rest[1:]
    if rest:
        raise ValueError("shape")
    return _Sec1(version, parts[1].value(data), params, point)


def read_sm2_sec1(data: bytes) -> Sm2PrivateKey:
    """An RFC 5915 ECPrivateKey; [0] parameters, when present, must name or spell out the SM2 curve."""
    key = der.attempt(_sec1, data)
    if key is None:  # raised outside any handler: nothing chained can quote the key
        raise ValueError("not a valid ECPrivateKey")
    if key.version != 1:
        raise ValueError(f"unsupported ECPrivateKey version {key.version}")
    if key.params is not None and not is_sm2_algorithm(EC_PUBLIC_KEY_OID, key.params):
        raise ValueError("the key's curve parameters are not SM2")
    d = int.from_bytes(key.scalar, "big")
    if not private_scalar_ok(d):
        raise ScalarOutOfRange("private scalar is out of range for SM2")
    return Sm2PrivateKey(d, key.point)


def _explicit(data: bytes, wrapper: der.TLV, tags: tuple[int, ...]) -> der.TLV:
    """The single TLV an EXPLICIT tag wraps, which must carry one of ``tags``."""
    inner = der.children(data, wrapper)
    if len(inner) != 1 or inner[0].tag not in tags:
        raise ValueError("shape")
    return inner[0]


def _spki(data: bytes) -> SpkiInfo:
    parts = der.sequence_of(data)
    if len(parts) != 2 or parts[1].tag != der.BIT_STRING:
        raise ValueError("shape")
    algorithm, form, param = _algorithm(data, parts[0])
    return SpkiInfo(algorithm, form, param, parts[1].value(data))  # unused-bits octet checked by read_spki


def read_spki(data: bytes) -> SpkiInfo:
    """A SubjectPublicKeyInfo: algorithm OID, parameters and the raw subjectPublicKey bytes."""
    info = der.attempt(_spki, data)
    if info is None:
        raise ValueError("not a valid SubjectPublicKeyInfo")
    if info.public_key[:1] != b"\x00":
        raise ValueError("subjectPublicKey is not a whole number of bytes")
    return SpkiInfo(info.algorithm, info.param_form, info.parameters, info.public_key[1:])
