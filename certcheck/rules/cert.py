"""Certificates that cannot be used at all: unreadable, too many in one field, an SM2 key off the curve.

Found by the parse stage (``certcheck/documents``); declared and reported here.
"""

from __future__ import annotations

from certcheck.codes import GMT0003, RFC5280, declare
from certcheck.documents import MAX_CERTIFICATES
from certcheck.model import Severity
from certcheck.rules.engine import reporter

TOO_MANY = declare(
    "cert.too_many",
    Severity.ERROR,
    f"A certificate field holds more than {MAX_CERTIFICATES} certificates; only the first {MAX_CERTIFICATES} are read.",
    RFC5280,
)
BAD_PUBLIC_KEY = declare(
    "cert.bad_public_key", Severity.ERROR, "A certificate's SM2 public key is not a point on the SM2 curve.", GMT0003
)
UNREADABLE = declare(
    "cert.unreadable", Severity.ERROR, "A CERTIFICATE block is not a readable X.509 certificate.", RFC5280
)

readable = reporter(
    "cert.readable", "Every CERTIFICATE block is a readable certificate.", TOO_MANY, BAD_PUBLIC_KEY, UNREADABLE
)
