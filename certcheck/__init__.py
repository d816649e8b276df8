"""certcheck: check certificate uploads for Alibaba Cloud's UploadUserCertificate before they are sent.

>>> import certcheck
>>> report = certcheck.validate(certcheck.UploadParams(name="web", cert=fullchain, key=privkey))
>>> report.ok, [f.code for f in report.findings]
"""

from typing import TYPE_CHECKING, Any

from certcheck.model import Finding, Severity, Tag, UploadParams
from certcheck.report import Report
from certcheck.request import UploadRequest
from certcheck.validate import validate

__all__ = [
    "Finding",
    "Report",
    "Severity",
    "Tag",
    "UploadParams",
    "UploadRequest",
    "validate",
    "validate_many",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from certcheck.bulk import validate_many


def __getattr__(name: str) -> Any:
    # certcheck.bulk imports concurrent.futures, and with it threading and logging: ~10 ms that `certcheck check`
    # and every `import certcheck` would pay for a function they may never call (benchmarks/bench_startup.py).
    if name == "validate_many":
        from certcheck.bulk import validate_many

        return validate_many
    raise AttributeError(f"module 'certcheck' has no attribute {name!r}")
