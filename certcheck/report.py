"""Report: the findings about one request, and the normalized request when one could be built."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from certcheck.model import Finding, Severity
from certcheck.request import UploadRequest

if TYPE_CHECKING:
    from certcheck.documents import Documents

__all__ = ["CertificateFacts", "Report", "certificate_facts"]


@dataclass(frozen=True)
class CertificateFacts:
    """What an estate report needs to know about one certificate of a request: small, picklable, no key."""

    field: str  # "Cert", "SignCert" or "EncryptCert"
    leaf: bool  # the request's leaf, or a certificate of its chain
    subject: str  # the common name (CN=...) or the whole subject
    not_after: datetime  # UTC
    algorithm: str  # "RSA", "EC", "SM2", "Ed25519", ...
    key_size: int | None  # bits: 2048 for RSA-2048, 256 for P-256 and SM2
    fingerprint: str  # SHA-256 of the DER, hex: the same intermediate shared by many requests is one certificate


def certificate_facts(docs: Documents) -> tuple[CertificateFacts, ...]:
    """The facts of every readable certificate of the request's kind, leaf first in each field."""
    facts = []
    for name in docs.cert_fields:
        leaf = docs.leaf(name)
        for cert in docs.certs.get(name, ()):
            facts.append(
                CertificateFacts(
                    name,
                    cert is leaf,
                    cert.subject,
                    cert.not_after,
                    cert.algorithm.value,
                    cert.key_size,
                    cert.fingerprint,
                )
            )
    facts.sort(key=lambda f: not f.leaf)  # stable: leaves first, then the chain, field order kept
    return tuple(facts)


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    kind: str | None  # "standard", "sm", or None
    algorithm: str | None  # "RSA", "EC", "SM2", or None
    request: UploadRequest | None
    source: str | None = None  # where the request came from (a file name), for bulk output
    # The request's certificates (expiry, algorithm, size) for estate reports; not part of the JSON output.
    certificates: tuple[CertificateFacts, ...] = ()

    @property
    def ok(self) -> bool:
        """True when nothing at error severity was found: the request can be sent."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def fails(self, threshold: Severity | None) -> bool:
        """True when a finding is at or above ``threshold`` (None: never)."""
        if threshold is None:
            return False
        return any(f.severity.rank >= threshold.rank for f in self.findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON object (README, "JSON output"); private keys are redacted."""
        data: dict[str, Any] = {
            "ok": self.ok,
            "kind": self.kind,
            "algorithm": self.algorithm,
            "findings": [f.as_dict() for f in self.findings],
            "request": self.request.redacted() if self.request is not None else None,
        }
        if self.source is not None:
            data["source"] = self.source
        return data
