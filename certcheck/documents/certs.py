"""Certificates: parsed once with ``cryptography``, classified by their public key (never by signature)."""

from __future__ import annotations

import enum
import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509 import BasicConstraints, ExtensionNotFound, KeyUsage, Name
from cryptography.x509.oid import ExtensionOID, NameOID

from certcheck._crypto import der
from certcheck.documents.extensions import ExtensionFacts, extension_facts
from certcheck.documents.names import Comparable, comparable

__all__ = ["SUPPORTED_CURVES", "Algorithm", "Certificate", "load_certificate"]


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


@dataclass(frozen=True, eq=False)
class Certificate:
    """One certificate of a field, as given (``position`` is 1-based within the field).

    Frozen: the parse stage builds it whole. The ``cached_property`` members are lazy views of that immutable
    data (names as text, extensions), computed at most once and only when a rule or a message needs them:
    most requests never look at an intermediate's extensions.
    """

    field: str
    position: int
    der: bytes
    x509: x509.Certificate
    algorithm: Algorithm
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None  # None for SM2 and unsupported keys
    curve: str | None = None  # "secp256r1", "sm2p256v1", ... for EC and SM2
    point: bytes | None = None  # public point, EC and SM2: uncompressed (04||X||Y) whenever it is a valid point
    key_size: int | None = None
    detail: str = ""  # why the algorithm is "other"
    point_valid: bool = True  # False: an SM2 public key that is not a point of the curve (cert.bad_public_key)
    canonical: str | None = None  # the PEM as given, when it already is the canonical form
    extensions_readable: bool = True  # False: cryptography cannot decode the extensions (cert.malformed_extension)

    @cached_property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @cached_property
    def subject(self) -> str:
        return _name_text(lambda: self.x509.subject)

    @cached_property
    def issuer(self) -> str:
        return _name_text(lambda: self.x509.issuer)

    @cached_property
    def subject_full(self) -> str:
        """The whole subject (RFC 4514), for messages where the common name alone would hide a difference."""
        return _name_text(lambda: self.x509.subject, full=True)

    @cached_property
    def issuer_full(self) -> str:
        return _name_text(lambda: self.x509.issuer, full=True)

    @cached_property
    def _raw_names(self) -> tuple[bytes, bytes]:
        return der.certificate_names(self.der)

    @property
    def issuer_der(self) -> bytes:
        """The issuer name's DER: byte equality is the fast first test when building chains."""
        return self._raw_names[0]

    @property
    def subject_der(self) -> bytes:
        return self._raw_names[1]

    @cached_property
    def self_issued(self) -> bool:
        return self.subject_der == self.issuer_der

    @cached_property
    def _names(self) -> tuple[Name, Name] | None:
        try:
            return self.x509.issuer, self.x509.subject
        except Exception:  # decoded lazily by cryptography; a bad name matches nothing
            return None

    @cached_property
    def _comparable(self) -> tuple[Comparable, Comparable] | None:
        names = self._names
        return (comparable(names[0]), comparable(names[1])) if names is not None else None

    @cached_property
    def basic_constraints(self) -> BasicConstraints | None:
        try:
            return self.x509.extensions.get_extension_for_class(BasicConstraints).value
        except (ExtensionNotFound, ValueError):
            return None

    @cached_property
    def extension_facts(self) -> ExtensionFacts:
        """Malformed or duplicated extensions, and critical ones clients do not process (computed when asked)."""
        return extension_facts(self.der, self.x509.extensions if self.extensions_readable else None)

    @cached_property
    def is_ca(self) -> bool:
        try:
            ext = self.x509.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
        except x509.ExtensionNotFound:
            return False
        except ValueError:  # a malformed extension: judged elsewhere, not a CA for our purposes
            return False
        return bool(ext.value.ca)  # type: ignore[attr-defined]

    @cached_property
    def key_usage(self) -> KeyUsage | None:
        try:
            return self.x509.extensions.get_extension_for_class(KeyUsage).value
        except (x509.ExtensionNotFound, ValueError):
            return None

    @cached_property
    def not_before(self) -> datetime:
        return self.x509.not_valid_before_utc

    @cached_property
    def not_after(self) -> datetime:
        return self.x509.not_valid_after_utc

    @property
    def signature_oid(self) -> str:
        return self.x509.signature_algorithm_oid.dotted_string

    def label(self) -> str:
        """How messages name this certificate: its place in the field and its subject."""
        return f"certificate {self.position} ({self.subject})"


def same_name(first: Certificate, first_role: str, second: Certificate, second_role: str) -> bool:
    """Whether two names (role "issuer" or "subject") are the same: DER bytes first (microseconds), then
    cryptography's Name equality, which also matches names that differ only in string type."""
    index = {"issuer": 0, "subject": 1}
    if first._raw_names[index[first_role]] == second._raw_names[index[second_role]]:
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
    try:
        name = get_name()
        cns = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        if cns and isinstance(cns[0].value, str) and not full:
            return f"CN={cns[0].value}"
        text = name.rfc4514_string()
    except Exception:  # only for messages: an odd name must not crash a rule
        text = "unreadable name"
    return text or "empty name"


def load_certificate(field: str, position: int, data: bytes, canonical: str | None = None) -> Certificate:
    """Parse DER; raise ValueError (with a safe message) when it is not a certificate."""
    try:
        with warnings.catch_warnings():
            # cryptography warns about non-positive serials or odd name lengths, which some SM2 CAs issue.
            warnings.simplefilter("ignore")
            return _load(field, position, data, canonical)
    except ValueError:
        raise
    except Exception as exc:  # InvalidVersion, DuplicateExtension, ...: cryptography's own exception types
        raise ValueError(type(exc).__name__) from None


def _load(field: str, position: int, data: bytes, canonical: str | None) -> Certificate:
    cert = x509.load_der_x509_certificate(data)
    algorithm, public_key, curve, point, size, detail = _classify(cert)
    valid = True
    if algorithm is Algorithm.SM2:
        point, valid = _sm2_point(point)
    try:
        cert.extensions  # noqa: B018
        readable = True
    except Exception:  # a malformed or duplicated extension: the rest of the certificate is still read
        readable = False
    loaded = Certificate(
        field, position, data, cert, algorithm, public_key, curve, point, size, detail, valid, canonical, readable
    )
    # cryptography decodes fields lazily: touch what the rules read, so a corrupt field is a parse finding
    # here and not an exception inside a rule.
    loaded.issuer_der, loaded.not_before, loaded.not_after, loaded.signature_oid  # noqa: B018
    return loaded


_Classified = tuple[
    Algorithm,
    "rsa.RSAPublicKey | ec.EllipticCurvePublicKey | None",
    "str | None",
    "bytes | None",
    "int | None",
    str,
]


def _classify(cert: x509.Certificate) -> _Classified:
    try:
        key = cert.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return _classify_spki(cert)
    if isinstance(key, rsa.RSAPublicKey):
        return Algorithm.RSA, key, None, None, key.key_size, ""
    if isinstance(key, ec.EllipticCurvePublicKey):
        point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return Algorithm.EC, key, key.curve.name, point, key.curve.key_size, ""
    if isinstance(key, ed25519.Ed25519PublicKey):
        return Algorithm.ED25519, None, None, None, 256, ""
    if isinstance(key, ed448.Ed448PublicKey):
        return Algorithm.ED448, None, None, None, 456, ""
    if isinstance(key, dsa.DSAPublicKey):
        return Algorithm.DSA, None, None, None, key.key_size, ""
    return Algorithm.OTHER, None, None, None, None, type(key).__name__


def _sm2_point(point: bytes | None) -> tuple[bytes | None, bool]:
    """The SM2 point in uncompressed form, and whether it is a point of the curve at all."""
    from certcheck._crypto import sm2

    try:
        return sm2.encode_point(sm2.decode_point(point or b"")), True
    except ValueError:
        return point, False


def _classify_spki(cert: x509.Certificate) -> _Classified:
    """Keys ``cryptography`` cannot load: SM2 in either SubjectPublicKeyInfo form, explicit curves, others."""
    from certcheck._crypto import sm2key  # only when a certificate needs it

    try:
        info = sm2key.read_spki(der.spki_from_tbs(cert.tbs_certificate_bytes))
    except (ValueError, IndexError) as exc:
        return Algorithm.OTHER, None, None, None, None, f"unreadable public key ({exc})"
    if info.is_sm2:
        return Algorithm.SM2, None, "sm2p256v1", info.public_key, 256, ""
    return Algorithm.OTHER, None, None, None, None, f"public key algorithm {info.describe()}"
