"""Certificates: parsed once with ``cryptography``, classified by their public key (never by signature).

What every request needs is read at parse from one walk of the certificate's DER (``_crypto.der``): the issuer
and subject names as bytes, the serial, the span of the signed TBSCertificate, and the SubjectPublicKeyInfo of
RSA and NIST-curve keys (modulus and exponent, or the point), where ``cryptography`` would build Python objects
(``benchmarks/bench_parts.py``). Anything rarer (other curves, compressed points, Ed25519, DSA, SM2) goes
through ``cryptography``'s objects or ``_crypto.sm2key``. Extensions are decoded by ``cryptography``, once, when
a rule first asks; every extension view reads that one decoding.

Intermediates come from a bounded cache of parsed certificates (``load_certificate``): estates share them.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import warnings
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from certcheck._crypto import der
from certcheck._crypto.der import CertificateParts
from certcheck._record import Record, lazy
from certcheck.documents.extensions import ExtensionFacts, extension_facts
from certcheck.documents.names import Comparable, comparable

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509 import BasicConstraints, Extension, ExtensionType, KeyUsage, Name, ObjectIdentifier
    from cryptography.x509 import Certificate as X509Certificate

__all__ = ["SUPPORTED_CURVES", "Algorithm", "Certificate", "load_certificate", "same_name"]


class Algorithm(str, enum.Enum):
    """Public-key algorithm of a certificate or private key."""

    RSA = "RSA"
    EC = "EC"
    SM2 = "SM2"
    ED25519 = "Ed25519"
    ED448 = "Ed448"
    DSA = "DSA"
    OTHER = "other"

    @property
    def accepted(self) -> bool:
        """Algorithms UploadUserCertificate takes at all (RSA/EC in Cert, SM2 in the SM fields)."""
        return self in (Algorithm.RSA, Algorithm.EC, Algorithm.SM2)

    def __str__(self) -> str:
        return self.value


# The curves the API documents for non-SM certificates; anything else (secp256k1, brainpool) is refused.
SUPPORTED_CURVES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}

SM2_SIGNATURE_OID = "1.2.156.10197.1.501"

# The SubjectPublicKeyInfo AlgorithmIdentifiers read without cryptography, as DER: rsaEncryption with NULL
# parameters, and ecPublicKey with each supported named curve -> (curve name, coordinate bytes).
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")
_EC_ALGORITHMS = {
    bytes.fromhex("301306072a8648ce3d020106082a8648ce3d030107"): ("secp256r1", 32),
    bytes.fromhex("301006072a8648ce3d020106052b81040022"): ("secp384r1", 48),
    bytes.fromhex("301006072a8648ce3d020106052b81040023"): ("secp521r1", 66),
}
# SM2 keys in the two SubjectPublicKeyInfo forms seen in practice: ecPublicKey + the SM2 curve, SM2 + the curve.
SM2_ALGORITHMS = {
    bytes.fromhex("301306072a8648ce3d020106082a811ccf5501822d"),
    bytes.fromhex("301406082a811ccf5501822d06082a811ccf5501822d"),
}
_BASIC_CONSTRAINTS = bytes.fromhex("0603551d13")  # the extension's OID as DER
_BASIC_CONSTRAINTS_OID = x509.ObjectIdentifier("2.5.29.19")
_KEY_USAGE_OID = x509.ObjectIdentifier("2.5.29.15")


class Certificate(Record):
    """One certificate of a field, as given (``position`` is 1-based within the field).

    Immutable once built by the parse stage. The ``lazy`` members are views of that immutable
    data (names as text, extensions, cryptography's key object), computed at most once, and only when a rule or
    a message needs them: most requests never look at an intermediate's extensions.
    """

    field: str
    position: int
    der: bytes
    x509: X509Certificate
    canonical: str | None  # the PEM as given, when it already is the canonical form
    issuer_der: bytes  # the issuer name's DER: byte equality is the fast first test when building chains
    subject_der: bytes
    algorithm: Algorithm
    curve: str | None  # "secp256r1", "sm2p256v1", ... for EC and SM2
    point: bytes | None  # public point, EC and SM2: uncompressed (04||X||Y) whenever it is a valid point
    rsa_public: tuple[int, int] | None  # (n, e) of an RSA key
    key_size: int | None
    detail: str  # why the algorithm is "other"
    point_valid: bool  # False: an SM2 public key that is not a point of the curve (cert.bad_public_key)
    not_before: datetime
    not_after: datetime
    signature_oid: str
    _serial: bytes  # the serialNumber's content octets
    _tbs: tuple[int, int]  # the TBSCertificate's span in ``der``

    def __init__(
        self,
        field: str,
        position: int,
        data: bytes,
        cert: X509Certificate,
        canonical: str | None,
        parts: CertificateParts | None = None,
    ) -> None:
        parts = parts or der.certificate_parts(data)
        algorithm, curve, point, rsa_public, size, detail, valid = _classify(cert, parts.spki)
        init = object.__setattr__
        init(self, "field", field)
        init(self, "position", position)
        init(self, "der", data)
        init(self, "x509", cert)
        init(self, "canonical", canonical)
        init(self, "issuer_der", parts.issuer)
        init(self, "subject_der", parts.subject)
        init(self, "algorithm", algorithm)
        init(self, "curve", curve)
        init(self, "point", point)
        init(self, "rsa_public", rsa_public)
        init(self, "key_size", size)
        init(self, "detail", detail)
        init(self, "point_valid", valid)
        # cryptography decodes these lazily: read here, so a corrupt field is a parse problem and not an
        # exception inside a rule.
        init(self, "not_before", cert.not_valid_before_utc)
        init(self, "not_after", cert.not_valid_after_utc)
        init(self, "signature_oid", cert.signature_algorithm_oid.dotted_string)
        init(self, "_extensions", parts.extensions)
        init(self, "_serial", parts.serial)
        init(self, "_tbs", parts.tbs)

    @lazy
    def public_key(self) -> rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None:
        """cryptography's key object (RSA and EC only), to verify the certificates this one issued."""
        if self.algorithm not in (Algorithm.RSA, Algorithm.EC):
            return None
        key = self.x509.public_key()
        return key  # type: ignore[return-value]

    @property
    def tbs(self) -> bytes:
        """The signed part, as given: cryptography's ``tbs_certificate_bytes`` encodes it again (~6 us)."""
        start, end = self._tbs
        return self.der[start:end]

    @lazy
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @lazy
    def subject(self) -> str:
        """ "CN=..." when the subject has a common name, else the whole subject (RFC 4514): for messages."""
        try:
            common_name = self.common_name
        except Exception:  # a name cryptography cannot read: _name_text says so
            common_name = None
        return f"CN={common_name}" if common_name is not None else _name_text(lambda: self.x509.subject)

    @lazy
    def issuer(self) -> str:
        common_name = der.simple_common_name(self.issuer_der)
        return f"CN={common_name}" if common_name is not None else _name_text(lambda: self.x509.issuer)

    @lazy
    def common_name(self) -> str | None:
        """The subject's first commonName; None when it has none. Raises what cryptography raises on a name it
        cannot read."""
        from cryptography.x509.oid import NameOID

        simple = der.simple_common_name(self.subject_der)
        if simple is not None:
            return simple
        names = self.x509.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        return names[0].value if names and isinstance(names[0].value, str) else None

    @lazy
    def serial(self) -> int:
        """The serial number (negative ones exist: some SM2 CAs issue them). Raises on an unreadable one."""
        try:
            return der.integer(self._serial, der.TLV(der.INTEGER, 0, 0, len(self._serial)), signed=True)
        except ValueError:  # not minimally encoded: cryptography's reading, without its warning
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self.x509.serial_number

    @lazy
    def subject_full(self) -> str:
        """The whole subject (RFC 4514), for messages where the common name alone would hide a difference."""
        return _name_text(lambda: self.x509.subject, full=True)

    @lazy
    def issuer_full(self) -> str:
        return _name_text(lambda: self.x509.issuer, full=True)

    @property
    def self_issued(self) -> bool:
        return self.subject_der == self.issuer_der

    @lazy
    def _names(self) -> tuple[Name, Name] | None:
        try:
            return self.x509.issuer, self.x509.subject
        except Exception:  # decoded lazily by cryptography; a bad name matches nothing
            return None

    @lazy
    def _comparable(self) -> tuple[Comparable, Comparable] | None:
        names = self._names
        return (comparable(names[0]), comparable(names[1])) if names is not None else None

    @lazy
    def _decoded_extensions(self) -> dict[ObjectIdentifier, Extension[ExtensionType]] | None:
        """cryptography's decoding of every extension, by OID; None when it refuses them (one malformed or
        duplicated extension refuses the list). Decoded once (~8 us a leaf) when a rule first asks, and every
        extension view below reads it rather than walking the DER again."""
        try:
            return {ext.oid: ext for ext in self.x509.extensions}
        except Exception:  # a malformed or duplicated extension: the rest of the certificate is still read
            return None

    @property
    def extensions_readable(self) -> bool:
        """False: cryptography cannot decode the extensions (cert.malformed_extension)."""
        return self._decoded_extensions is not None

    @lazy
    def basic_constraints(self) -> BasicConstraints | None:
        decoded = self._decoded_extensions  # None: malformed or duplicated extensions (cert.malformed_extension)
        ext = decoded.get(_BASIC_CONSTRAINTS_OID) if decoded is not None else None
        return ext.value if ext is not None else None  # type: ignore[return-value]

    @lazy
    def extension_facts(self) -> ExtensionFacts:
        """Malformed or duplicated extensions, and critical ones clients do not process (computed when asked)."""
        decoded = self._decoded_extensions
        return extension_facts(self.der, None if decoded is None else decoded.values())

    @lazy
    def is_ca(self) -> bool:
        """basicConstraints cA; malformed counts as not a CA (judged elsewhere)."""
        if self._decoded_extensions is not None:
            constraints = self.basic_constraints
            return constraints is not None and constraints.ca
        # cryptography refused the list: the DER alone, which still tells a CA whose other extension is broken.
        extensions: bytes | None = self.__dict__["_extensions"]
        try:
            return _basic_constraints_ca(extensions) if extensions is not None else False
        except ValueError:
            return False

    @lazy
    def key_usage(self) -> KeyUsage | None:
        decoded = self._decoded_extensions
        ext = decoded.get(_KEY_USAGE_OID) if decoded is not None else None
        return ext.value if ext is not None else None  # type: ignore[return-value]

    def _warm(self) -> None:
        """Compute every lazy view now: for a certificate shared by many requests (see ``load_certificate``)."""
        for view in _LAZY_VIEWS:
            # A view that fails is left lazy: the rule that asks for it meets the failure, as it would uncached.
            with contextlib.suppress(Exception):
                getattr(self, view)

    def _placed(self, field: str, position: int, canonical: str | None) -> Certificate:
        """This certificate as given at another place: a copy sharing the parsed data and the lazy views."""
        copy = object.__new__(Certificate)
        copy.__dict__.update(self.__dict__)
        copy.__dict__.update(field=field, position=position, canonical=canonical)
        return copy

    def __repr__(self) -> str:
        return f"Certificate({self.field} #{self.position}, {self.algorithm.value}, sha256:{self.fingerprint[:12]})"

    def label(self) -> str:
        """How messages name this certificate: its place in the field and its subject."""
        return f"certificate {self.position} ({self.subject})"


def _basic_constraints_ca(extensions: bytes) -> bool:
    """Whether the Extensions DER holds basicConstraints with cA TRUE (RFC 5280 4.2.1.9)."""
    for ext in der.sequence_of(extensions):
        # Each Extension starts with its OID: compare bytes in place rather than decoding every extension.
        if extensions.startswith(_BASIC_CONSTRAINTS, ext.content):
            value = der.children(extensions, ext)[-1]  # extnValue OCTET STRING, after the optional critical
            inner = value.value(extensions)
            fields = der.sequence_of(inner)
            return bool(fields) and fields[0].raw(inner) == b"\x01\x01\xff"
    return False


def same_name(first: Certificate, first_role: str, second: Certificate, second_role: str) -> bool:
    """Whether two names (role "issuer" or "subject") are the same: DER bytes first (microseconds), then
    cryptography's Name equality, which also matches names that differ only in string type."""
    index = {"issuer": 0, "subject": 1}
    raw = {"issuer": "issuer_der", "subject": "subject_der"}
    if getattr(first, raw[first_role]) == getattr(second, raw[second_role]):
        return True
    a, b = first._names, second._names
    if a is None or b is None:
        return False
    if a[index[first_role]] == b[index[second_role]]:
        return True
    # RFC 5280 7.1: values equal after RFC 4518 preparation (case, insignificant spaces) are one name.
    c, d = first._comparable, second._comparable
    return c is not None and d is not None and c[index[first_role]] == d[index[second_role]]


def _name_text(get_name: Callable[[], Name], full: bool = False) -> str:
    from cryptography.x509.oid import NameOID

    try:
        name = get_name()
        cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        if cns and isinstance(cns[0].value, str) and not full:
            return f"CN={cns[0].value}"
        text = name.rfc4514_string()
    except Exception:  # only for messages: an odd name must not crash a rule
        text = "unreadable name"
    return text or "empty name"


# The lazy views a shared certificate computes once, before it enters the cache.
_LAZY_VIEWS = (
    "public_key",
    "fingerprint",
    "subject",
    "_decoded_extensions",
    "basic_constraints",
    "key_usage",
    "extension_facts",
    "is_ca",
)

# Intermediates repeat across an estate's requests (a CA issues thousands of leaves, and a handful of CAs issue
# most certificates), leaves do not. Parsing one and computing its lazy views costs ~40 us
# (benchmarks/bench_standard.py, the "shared intermediate" and "distinct intermediates" rows); a hit costs a copy
# (~1 us). Bounded: at most this many certificates are kept, whatever the number of requests.
ISSUER_CACHE_SIZE = 64


def load_certificate(field: str, position: int, data: bytes, canonical: str | None = None) -> Certificate:
    """Parse DER; raise ValueError (with a safe message) when it is not a certificate.

    Certificates after the first of a field (the chain) come from a bounded cache of parsed certificates.
    """
    if position > 1:
        return _shared(bytes(data))._placed(field, position, canonical)
    return _load(field, position, data, canonical)


@lru_cache(maxsize=ISSUER_CACHE_SIZE)  # thread-safe; an exception (unreadable DER) is not cached
def _shared(data: bytes) -> Certificate:
    # Views computed here serve every later request: not under the first caller's warning filters (an "error"
    # filter would pin a cryptography warning as an unreadable view), and without printing what would only be
    # printed if a rule asked.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cert = _load("", 0, data, None)
        cert._warm()
    return cert


def _load(field: str, position: int, data: bytes, canonical: str | None) -> Certificate:
    parts = der.attempt(der.certificate_parts, data)
    try:
        if parts is not None and _quiet(parts):
            # Nothing cryptography warns about at load: no catch_warnings, which copies the filter list (~2 us a
            # certificate).
            return Certificate(field, position, data, x509.load_der_x509_certificate(data), canonical, parts)
        with warnings.catch_warnings():
            # cryptography warns about non-positive serials or odd name lengths, which some SM2 CAs issue.
            warnings.simplefilter("ignore")
            return Certificate(field, position, data, x509.load_der_x509_certificate(data), canonical)
    except ValueError:
        raise
    except Exception as exc:  # InvalidVersion, DuplicateExtension, ...: cryptography's own exception types
        raise ValueError(type(exc).__name__) from None


# Signature algorithms as the common CAs encode them (RSA with its NULL parameters, ECDSA without parameters).
# cryptography warns at load about a serial that is not positive and (42 to 45) about ECDSA or DSA algorithm
# identifiers with NULL parameters: a certificate with any other algorithm encoding, or such a serial, is loaded
# with warnings silenced.
_QUIET_SIGNATURE_ALGORITHMS = frozenset(
    bytes.fromhex(h)
    for h in (
        "300d06092a864886f70d01010b0500",  # sha256WithRSAEncryption
        "300d06092a864886f70d01010c0500",  # sha384WithRSAEncryption
        "300d06092a864886f70d01010d0500",  # sha512WithRSAEncryption
        "300a06082a8648ce3d040302",  # ecdsa-with-SHA256
        "300a06082a8648ce3d040303",  # ecdsa-with-SHA384
        "300a06082a8648ce3d040304",  # ecdsa-with-SHA512
    )
)


def _quiet(parts: CertificateParts) -> bool:
    serial = parts.serial
    positive = bool(serial) and not serial[0] & 0x80 and bool(serial.strip(b"\0"))
    return positive and parts.signature_algorithm in _QUIET_SIGNATURE_ALGORITHMS


_Classified = tuple[Algorithm, "str | None", "bytes | None", "tuple[int, int] | None", "int | None", str, bool]


def _classify(cert: x509.Certificate, spki: bytes) -> _Classified:
    """(algorithm, curve, point, RSA (n, e), key size, detail, point valid) of the certificate's public key."""
    fast = der.attempt(_classify_common, spki)
    return fast if fast is not None else _classify_with_cryptography(cert)


def _classify_common(spki: bytes) -> _Classified:
    """RSA and uncompressed P-256/384/521 points straight from the DER; ValueError for anything else."""
    outer = der.expect(spki, der.SEQUENCE)
    algorithm = der.expect(spki, der.SEQUENCE, outer.content, outer.end)
    bits = der.expect(spki, der.BIT_STRING, algorithm.end, outer.end)
    if bits.end != outer.end or outer.end != len(spki):
        raise ValueError("trailing data")
    key = der.bit_string(spki, bits)
    identifier = algorithm.raw(spki)
    if identifier == _RSA_ALGORITHM:
        fields = der.sequence_of(key)
        if len(fields) != 2:
            raise ValueError("RSAPublicKey")
        n, e = der.integer(key, fields[0]), der.integer(key, fields[1])
        if n < 3 or e < 1:
            raise ValueError("RSAPublicKey")  # cryptography refuses it: let it say how
        return Algorithm.RSA, None, None, (n, e), n.bit_length(), "", True
    if identifier in SM2_ALGORITHMS:  # cryptography cannot load SM2 keys: no need to ask it first
        from certcheck._crypto import sm2

        try:
            return Algorithm.SM2, "sm2p256v1", sm2.encode_point(sm2.decode_point(key)), None, 256, "", True
        except ValueError:
            return Algorithm.SM2, "sm2p256v1", key, None, 256, "", False
    curve = _EC_ALGORITHMS.get(identifier)
    if curve is None or len(key) != 1 + 2 * curve[1] or key[0] != 4:
        raise ValueError("not a common key")
    name, size = curve
    return Algorithm.EC, name, key, None, {32: 256, 48: 384, 66: 521}[size], "", True


def _classify_with_cryptography(cert: x509.Certificate) -> _Classified:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return _classify_spki(cert)
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return Algorithm.RSA, None, None, (numbers.n, numbers.e), key.key_size, "", True
    if isinstance(key, ec.EllipticCurvePublicKey):
        point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return Algorithm.EC, key.curve.name, point, None, key.curve.key_size, "", True
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Algorithm.ED25519, None, None, None, 256, "", True
    if isinstance(key, ed448.Ed448PublicKey):
        return Algorithm.ED448, None, None, None, 456, "", True
    if isinstance(key, dsa.DSAPublicKey):
        return Algorithm.DSA, None, None, None, key.key_size, "", True
    return Algorithm.OTHER, None, None, None, None, type(key).__name__, True


def _classify_spki(cert: x509.Certificate) -> _Classified:
    """Keys ``cryptography`` cannot load: SM2 in either SubjectPublicKeyInfo form, explicit curves, others."""
    from certcheck._crypto import sm2, sm2key  # only when a certificate needs it

    try:
        info = sm2key.read_spki(der.spki_from_tbs(cert.tbs_certificate_bytes))
    except ValueError as exc:
        return Algorithm.OTHER, None, None, None, None, f"unreadable public key ({exc})", True
    if not info.is_sm2:
        return Algorithm.OTHER, None, None, None, None, f"public key algorithm {info.describe()}", True
    try:
        point = sm2.encode_point(sm2.decode_point(info.public_key))
    except ValueError:
        return Algorithm.SM2, "sm2p256v1", info.public_key, None, 256, "", False
    return Algorithm.SM2, "sm2p256v1", point, None, 256, "", True
