"""Report: the findings about one request, and the normalized request when one could be built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from certcheck.model import Finding, Severity
from certcheck.request import UploadRequest

__all__ = ["Report"]


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    kind: str | None  # "standard", "sm", or None
    algorithm: str | None  # "RSA", "EC", "SM2", or None
    request: UploadRequest | None
    source: str | None = None  # where the request came from (a file name), for bulk output

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
