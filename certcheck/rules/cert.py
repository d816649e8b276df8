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
    trigger="A certificate field holding more than 10 certificates, usually a whole CA bundle pasted after the chain.",
    fix="Keep the leaf and its intermediates only; drop the CA bundle.",
    example=(
        "Cert holds 12 certificates; a chain is the leaf and its intermediates. Only the first 10 were read: remove "
        "the extra certificates (a CA bundle was pasted?)."
    ),
)
BAD_PUBLIC_KEY = declare(
    "cert.bad_public_key",
    Severity.ERROR,
    "A certificate's SM2 public key is not a point on the SM2 curve.",
    GMT0003,
    trigger="An SM2 certificate whose public key bytes are not a point on the SM2 curve.",
    fix="The certificate file is corrupt: download it again from the CA.",
    example=(
        "SignCert: certificate 1 (CN=demo.example.com) carries an SM2 public key that is not a point on the SM2 "
        "curve: the certificate is corrupt, and nothing can match or verify against it."
    ),
)
UNREADABLE = declare(
    "cert.unreadable",
    Severity.ERROR,
    "A CERTIFICATE block is not a readable X.509 certificate.",
    RFC5280,
    trigger="A CERTIFICATE block whose DER is not a valid X.509 certificate (cut, edited, or not a certificate).",
    fix="Export the certificate again from its source; check it with `openssl x509 -in FILE -noout -text`.",
    example=(
        "Cert: block 1 is not a readable X.509 certificate (error parsing asn1 value: ParseError { kind: "
        "UnexpectedTag { actual: Tag { value: 2, constructed: false, class: Universal } }, location: "
        '["Certificate::tbs_cert).'
    ),
)

readable = reporter(
    "cert.readable", "Every CERTIFICATE block is a readable certificate.", TOO_MANY, BAD_PUBLIC_KEY, UNREADABLE
)
