"""Certificate extensions as TLS clients judge them: the ones that cannot be read, and critical ones nobody knows.

``cryptography`` decodes a certificate's extensions all at once and refuses the whole list when one is malformed
(a bad subjectAltName, a broken SCT list, an extension given twice): real CAs issued such certificates, and
certcheck still reads everything else of them (subject, key, dates, signature) and reports the extension itself.
To name it, each extension is tried alone: a copy of the certificate with only that extension (its signature no
longer matches, which does not matter for reading) is handed to ``cryptography``. That costs one parse per
extension, and only for certificates whose extensions failed.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.x509 import Extension, ExtensionType

from certcheck._crypto import der
from certcheck._record import Record

__all__ = ["KNOWN_CRITICAL", "ExtensionFacts", "RawExtension", "extension_facts", "raw_extensions"]

# Extensions a path validator processes, so may be critical (OpenSSL's X509_supported_extension list; RFC 5280
# section 4.2: "A certificate-using system MUST reject the certificate if it encounters a critical extension it
# does not recognize"). Any other critical extension makes clients refuse the certificate.
KNOWN_CRITICAL = {
    "2.5.29.15": "keyUsage",
    "2.5.29.17": "subjectAltName",
    "2.5.29.19": "basicConstraints",
    "2.5.29.30": "nameConstraints",
    "2.5.29.31": "cRLDistributionPoints",
    "2.5.29.32": "certificatePolicies",
    "2.5.29.33": "policyMappings",
    "2.5.29.36": "policyConstraints",
    "2.5.29.37": "extKeyUsage",
    "2.5.29.54": "inhibitAnyPolicy",
    "1.3.6.1.5.5.7.1.7": "sbgp-ipAddrBlock",
    "1.3.6.1.5.5.7.1.8": "sbgp-autonomousSysNum",
    "1.3.6.1.5.5.7.1.14": "proxyCertInfo",
    "2.16.840.1.113730.1.1": "netscape-cert-type",
}
NAMES = {
    **KNOWN_CRITICAL,
    "2.5.29.14": "subjectKeyIdentifier",
    "2.5.29.35": "authorityKeyIdentifier",
    "2.5.29.18": "issuerAltName",
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
    "1.3.6.1.4.1.11129.2.4.2": "signedCertificateTimestampList",
    "1.3.6.1.4.1.11129.2.4.3": "CT precertificate poison",
    "1.3.6.1.5.5.7.1.24": "TLS feature (must-staple)",
}

_EXPLICIT_3, _BOOLEAN = 0xA3, 0x01


class RawExtension(Record):
    __slots__ = ("critical", "der", "oid")
    oid: str
    critical: bool
    der: bytes  # the whole Extension SEQUENCE

    def __init__(self, oid: str, critical: bool, der: bytes) -> None:
        init = object.__setattr__
        init(self, "oid", oid)
        init(self, "critical", critical)
        init(self, "der", der)

    @property
    def name(self) -> str:
        known = NAMES.get(self.oid)
        return f"{known} ({self.oid})" if known else self.oid


class ExtensionFacts(Record):
    """What a certificate's extensions look like to a client."""

    __slots__ = ("malformed", "unknown_critical")
    malformed: tuple[str, ...]  # "subjectAltName (2.5.29.17): ...", "authorityKeyIdentifier given twice"
    unknown_critical: tuple[str, ...]  # names of critical extensions clients do not process

    def __init__(self, malformed: tuple[str, ...] = (), unknown_critical: tuple[str, ...] = ()) -> None:
        init = object.__setattr__
        init(self, "malformed", malformed)
        init(self, "unknown_critical", unknown_critical)


def raw_extensions(cert_der: bytes) -> list[RawExtension]:
    """The extensions of a certificate, read with certcheck's own DER reader; ValueError when unreadable."""
    tbs_tlv = der.children(cert_der, der.read_tlv(cert_der))[0]
    fields = der.children(cert_der, tbs_tlv)
    found = [f for f in fields if f.tag == _EXPLICIT_3]
    if not found:
        return []
    inner = der.children(cert_der, found[0])
    if len(inner) != 1 or inner[0].tag != der.SEQUENCE:
        raise ValueError("extensions are not a SEQUENCE")
    out = []
    for ext in der.children(cert_der, inner[0]):
        parts = der.children(cert_der, ext)
        if not 2 <= len(parts) <= 3 or parts[0].tag != der.OID:
            raise ValueError("an extension is not { OID, critical, value }")
        critical = len(parts) == 3 and parts[1].tag == _BOOLEAN and parts[1].value(cert_der) != b"\x00"
        out.append(RawExtension(der.oid(cert_der, parts[0]), critical, ext.raw(cert_der)))
    return out


def extension_facts(cert_der: bytes, parsed: Iterable[Extension[ExtensionType]] | None) -> ExtensionFacts:
    """Malformed, duplicated and unknown critical extensions. ``parsed``: the extensions as cryptography read them
    (it refuses duplicates and malformed ones), or None when it could not; only then is the DER walked here."""
    if parsed is not None:  # the common case: microseconds
        return ExtensionFacts(
            unknown_critical=tuple(
                _name(ext.oid.dotted_string)
                for ext in parsed
                if ext.critical and ext.oid.dotted_string not in KNOWN_CRITICAL
            )
        )
    try:
        raw = raw_extensions(cert_der)
    except ValueError as exc:
        return ExtensionFacts(malformed=(f"the extensions list itself is not valid DER ({exc})",))
    malformed: list[str] = []
    seen: dict[str, int] = {}
    for ext in raw:
        seen[ext.oid] = seen.get(ext.oid, 0) + 1
    malformed += [f"{_name(oid)} appears {n} times" for oid, n in seen.items() if n > 1]
    # cryptography refused the list: find the extension it could not read, each tried alone.
    for ext in raw:
        if seen[ext.oid] == 1 and not _readable_alone(cert_der, ext):
            malformed.append(f"{ext.name} cannot be decoded")
    if not malformed:
        malformed.append("the extensions cannot be decoded")
    unknown = tuple(ext.name for ext in raw if ext.critical and ext.oid not in KNOWN_CRITICAL)
    return ExtensionFacts(tuple(malformed), unknown)


def _name(oid: str) -> str:
    known = NAMES.get(oid)
    return f"{known} ({oid})" if known else oid


def _readable_alone(cert_der: bytes, ext: RawExtension) -> bool:
    from cryptography import x509

    try:
        copy = _with_extensions(cert_der, [ext.der])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x509.load_der_x509_certificate(copy).extensions  # noqa: B018
    except Exception:  # cryptography's own error types: this extension is the one it cannot read
        return False
    return True


def _with_extensions(cert_der: bytes, extensions: list[bytes]) -> bytes:
    """The certificate's DER with its extensions replaced (signature kept: only for reading, never verifying)."""
    top = der.read_tlv(cert_der)
    tbs_tlv, *rest = der.children(cert_der, top)
    fields = der.children(cert_der, tbs_tlv)
    body = b"".join(f.raw(cert_der) for f in fields if f.tag != _EXPLICIT_3)
    seq = b"".join(extensions)
    seq = b"\x30" + der.encode_length(len(seq)) + seq
    body += bytes([_EXPLICIT_3]) + der.encode_length(len(seq)) + seq
    tbs = b"\x30" + der.encode_length(len(body)) + body
    whole = tbs + b"".join(r.raw(cert_der) for r in rest)
    return b"\x30" + der.encode_length(len(whole)) + whole
