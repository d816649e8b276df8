"""certcheck: check certificate uploads for Alibaba Cloud's UploadUserCertificate before they are sent.

>>> import certcheck
>>> report = certcheck.validate(certcheck.UploadParams(name="web", cert=fullchain, key=privkey))
>>> report.ok, [f.code for f in report.findings]
"""

from certcheck.bulk import validate_many
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
