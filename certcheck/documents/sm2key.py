"""SM2 private keys (PKCS#8, SEC1) and SubjectPublicKeyInfo in DER, plus vendor key containers.

`cryptography` loads no SM2 key, so these are read with pyasn1. An AlgorithmIdentifier's parameters are
passed around as `Param`: the named-curve OID as a str, the DER of any other parameters (explicit curve, ...)
as bytes, None when absent or NULL.

Errors are ValueError with a short reason; they are raised outside `except` blocks so that no pyasn1 exception
(whose text can quote the input, i.e. key bytes) is chained to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pyasn1.codec.der import encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import namedtype, tag, univ
from pyasn1_modules import rfc3279, rfc5280, rfc5958

from certcheck.containers import decode_exact as _decode
from certcheck.sm2 import GX, GY, A, B, N, P

SM2_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
# sm2sign / sm2exchange / sm2encrypt: not seen in keys in practice, but they can only mean an SM2 key
_SM2_ALGORITHMS = {SM2_OID, SM2_OID + ".1", SM2_OID + ".2", SM2_OID + ".3"}
_PRIME_FIELD = "1.2.840.10045.1.1"
_NULL = b"\x05\x00"

Param = str | bytes | None
ParamForm = Literal["absent", "null", "named", "explicit", "other"]

_NAMES = {
    EC_PUBLIC_KEY_OID: "ecPublicKey",
    SM2_OID: "SM2",
    "1.2.840.113549.1.1.1": "rsaEncryption",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.10040.4.1": "DSA",
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10045.3.1.7": "P-256",
    "1.3.132.0.34": "P-384",
    "1.3.132.0.35": "P-521",
    "1.3.132.0.10": "secp256k1",
}


class ScalarOutOfRange(ValueError):
    """The private scalar is 0 or not below the group order: not an SM2 key (reported as key.out_of_range)."""


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
        text = _name(self.algorithm)
        if self.param_form == "named" and isinstance(self.parameters, str):
            return f"{text}, named curve {_name(self.parameters)}"
        if self.param_form in ("explicit", "other"):
            return f"{text}, {self.param_form} parameters" + (" (the SM2 curve)" if self.is_sm2 else "")
        return text


def _name(oid: str) -> str:
    return f"{_NAMES[oid]} ({oid})" if oid in _NAMES else oid


# RFC 5915 with [0] as X9.62 EcpkParameters: pyasn1-modules' version only takes a named curve.
# (Specs are template instances, not subclasses: pyasn1 is untyped and mypy --strict forbids subclassing Any.)
_EC_PRIVATE_KEY = univ.Sequence(
    componentType=namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("privateKey", univ.OctetString()),
        namedtype.OptionalNamedType(
            "parameters",  # not a tagged Any: pyasn1 would let that match the [1] that follows
            rfc3279.EcpkParameters().subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)),
        ),
        namedtype.OptionalNamedType(
            "publicKey",
            univ.BitString().subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)),
        ),
    )
)


def _require(data: bytes, spec: Any, what: str) -> Any:
    value = _decode(data, spec)
    if value is None:
        raise ValueError(f"not a valid {what}")
    return value


def _classify(raw: bytes | None) -> tuple[ParamForm, Param]:
    if raw is None:
        return "absent", None
    if raw == _NULL:
        return "null", None
    oid = _decode(raw, univ.ObjectIdentifier())
    if oid is not None:
        return "named", str(oid)
    return ("explicit" if _decode(raw, rfc3279.ECParameters()) is not None else "other"), raw


def _alg_param(alg: Any) -> tuple[ParamForm, Param]:
    return _classify(bytes(alg["parameters"]) if alg["parameters"].isValue else None)


def _reencode(choice: Any) -> bytes:
    """DER of a decoded Choice's alternative; b"" (matches nothing) if pyasn1 cannot re-encode it."""
    try:
        return bytes(encoder.encode(choice.getComponent()))
    except (PyAsn1Error, ValueError, TypeError):
        return b""


def _bits(value: Any, what: str) -> bytes:
    if len(value) % 8:
        raise ValueError(f"{what} is not a whole number of bytes")
    return bytes(value.asOctets())


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
    ecp = _decode(param, rfc3279.ECParameters())
    if ecp is None or str(ecp["fieldID"]["fieldType"]) != _PRIME_FIELD:
        return False
    prime = _decode(bytes(ecp["fieldID"]["parameters"]), univ.Integer())
    curve = ecp["curve"]
    if prime is None or int(prime) != P or int(ecp["order"]) != N:
        return False
    if int.from_bytes(bytes(curve["a"]), "big") != A or int.from_bytes(bytes(curve["b"]), "big") != B:
        return False
    if ecp["cofactor"].isValue and int(ecp["cofactor"]) != 1:
        return False
    base = bytes(ecp["base"])
    gx = GX.to_bytes(32, "big")
    if base[:1] == b"\x04":
        return base == b"\x04" + gx + GY.to_bytes(32, "big")
    return base == bytes([2 + (GY & 1)]) + gx  # compressed form


def pkcs8_algorithm(der: bytes) -> tuple[str, Param]:
    """(algorithm OID, `Param`) of a PrivateKeyInfo / OneAsymmetricKey, to route SM2 keys here."""
    info = _require(der, rfc5958.OneAsymmetricKey(), "PrivateKeyInfo")
    alg = info["privateKeyAlgorithm"]
    return str(alg["algorithm"]), _alg_param(alg)[1]


def read_sm2_pkcs8(der: bytes) -> Sm2PrivateKey:
    """A PrivateKeyInfo / OneAsymmetricKey whose algorithm is SM2 (any form), wrapping an ECPrivateKey."""
    info = _require(der, rfc5958.OneAsymmetricKey(), "PrivateKeyInfo")
    if int(info["version"]) not in (0, 1):
        raise ValueError(f"unsupported PrivateKeyInfo version {int(info['version'])}")
    alg = info["privateKeyAlgorithm"]
    if not is_sm2_algorithm(str(alg["algorithm"]), _alg_param(alg)[1]):
        raise ValueError(f"not an SM2 key (algorithm {alg['algorithm']})")
    key = read_sm2_sec1(bytes(info["privateKey"]))
    if key.embedded_point is None and info["publicKey"].isValue:  # OneAsymmetricKey v2 may carry it outside
        return Sm2PrivateKey(key.d, _bits(info["publicKey"], "public key"))
    return key


def read_sm2_sec1(der: bytes) -> Sm2PrivateKey:
    """An RFC 5915 ECPrivateKey; [0] parameters, when present, must name or spell out the SM2 curve."""
    ecpk = _require(der, _EC_PRIVATE_KEY, "ECPrivateKey")
    if int(ecpk["version"]) != 1:
        raise ValueError(f"unsupported ECPrivateKey version {int(ecpk['version'])}")
    if ecpk["parameters"].isValue and not is_sm2_algorithm(EC_PUBLIC_KEY_OID, _reencode(ecpk["parameters"])):
        raise ValueError("the key's curve parameters are not SM2")
    d = int.from_bytes(bytes(ecpk["privateKey"]), "big")
    if not 1 <= d < N:
        raise ScalarOutOfRange("private scalar is out of range for SM2")
    point = _bits(ecpk["publicKey"], "public key") if ecpk["publicKey"].isValue else None
    return Sm2PrivateKey(d, point)


def read_spki(der: bytes) -> SpkiInfo:
    """A SubjectPublicKeyInfo: algorithm OID, parameters and the raw subjectPublicKey bytes."""
    spki = _require(der, rfc5280.SubjectPublicKeyInfo(), "SubjectPublicKeyInfo")
    form, param = _alg_param(spki["algorithm"])
    key = _bits(spki["subjectPublicKey"], "subjectPublicKey")
    return SpkiInfo(str(spki["algorithm"]["algorithm"]), form, param, key)
