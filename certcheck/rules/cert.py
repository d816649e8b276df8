"""Certificates that cannot be used at all: unreadable, too many in one field, an SM2 key off the curve.

Found by the parse stage (``certcheck/documents``); declared and reported here.
"""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import GMT0003, RFC5280, declare
from certcheck.documents import MAX_CERTIFICATES
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, reporter, rule

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

MALFORMED_EXTENSION = declare(
    "cert.malformed_extension",
    Severity.ERROR,
    "A certificate has an extension that cannot be decoded, or the same extension twice; clients refuse it. "
    "The rest of the certificate (subject, key, dates, signature) is still checked.",
    "RFC 5280 section 4.2 (each extension at most once, DER per its ASN.1 definition)",
)


@rule(MALFORMED_EXTENSION)
def extensions(ctx: Context) -> Iterator[Finding]:
    """Every extension of every certificate decodes, and none appears twice."""
    for cert_field in ctx.docs.cert_fields:
        chain = ctx.docs.chain(cert_field)
        for cert in chain.given if chain else ():
            malformed = cert.extension_facts.malformed
            if malformed:
                yield MALFORMED_EXTENSION(
                    cert_field,
                    f"{cert_field}: {cert.label()} has malformed extensions: {'; '.join(malformed[:5])}. TLS "
                    "clients refuse such a certificate; have it re-issued by the CA.",
                )
