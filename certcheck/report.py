"""Report: the findings about one request, and the normalized request when one could be built."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from certcheck.model import Finding, Severity
from certcheck.redaction import withhold
from certcheck.request import UploadRequest

if TYPE_CHECKING:
    from certcheck.documents import Documents

__all__ = [
    "MAX_FINDINGS_PER_CODE",
    "MAX_MESSAGE_CHARS",
    "CertificateFacts",
    "Location",
    "Report",
    "bound_findings",
    "certificate_facts",
]


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
class Location:
    """Where (part of) a request came from: a file, and the line its first PEM block starts on when known.

    ``field`` is the API field whose content the file holds (``"Cert"``), or None for the whole request (a
    request JSON file, a manifest line). Renderers that point at files (sarif, github) use it; ``as_dict``
    does not show it, so the JSON contract is unchanged.
    """

    field: str | None
    path: str
    line: int | None = None

    @classmethod
    def of_file(cls, field: str | None, path: str, data: bytes | str) -> Location:
        """The location of a file's content: the line of its first ``-----BEGIN`` (None when there is none)."""
        raw = data.encode("latin-1", "replace") if isinstance(data, str) else data
        at = raw.find(b"-----BEGIN")
        return cls(field, path, raw.count(b"\n", 0, at) + 1 if at >= 0 else None)


# However hostile the input (thousands of tags, blocks or certificates in one field), a report stays readable
# and its output small: at most this many findings of one code for one field, then one that counts the rest.
MAX_FINDINGS_PER_CODE = 10
# A message quotes user text (subjects, tag keys) only in part; this is the backstop for any that does not.
MAX_MESSAGE_CHARS = 1000


def bound_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The findings as a report carries them: per field and code at most MAX_FINDINGS_PER_CODE (the rest
    summarized, "and 4,390 more"), each message at most MAX_MESSAGE_CHARS, none quoting key material."""
    kept: list[Finding] = []
    counts: dict[tuple[str | None, str], int] = {}
    summaries: dict[tuple[str | None, str], int] = {}
    for finding in findings:
        group = (finding.field, finding.code)
        seen = counts.get(group, 0)
        counts[group] = seen + 1
        if seen >= MAX_FINDINGS_PER_CODE:
            continue
        message = withhold(finding.message)
        if len(message) > MAX_MESSAGE_CHARS:
            message = message[: MAX_MESSAGE_CHARS - 20] + "... (message cut)"
        kept.append(finding if message is finding.message else replace(finding, message=message))
        if seen + 1 == MAX_FINDINGS_PER_CODE:
            summaries[group] = len(kept)  # the summary goes right after the last one shown
    for group, index in sorted(summaries.items(), key=lambda item: -item[1]):
        extra = counts[group] - MAX_FINDINGS_PER_CODE
        if extra > 0:
            first = kept[index - 1]
            where = f"{group[0]}: " if group[0] else ""
            plural = "s" if extra != 1 else ""
            note = f"{where}and {extra:,} more {group[1]} finding{plural} like the above, not listed."
            kept.insert(index, replace(first, message=note))
    return tuple(kept)


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    kind: str | None  # "standard", "sm", or None
    algorithm: str | None  # "RSA", "EC", "SM2", or None
    request: UploadRequest | None
    source: str | None = None  # where the request came from (a file name), for bulk output
    locations: tuple[Location, ...] = ()  # the files the request's fields came from (see Location)
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

    def location(self, field: str | None) -> Location | None:
        """Where ``field`` came from: its own file, else the request's file, else the first file known."""
        for candidate in (field, None):
            for loc in self.locations:
                if loc.field == candidate:
                    return loc
        return self.locations[0] if self.locations else None

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
