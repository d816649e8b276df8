"""PEM armor: what a field held that is not a readable PEM block, and what was repaired.

The parse stage (``certcheck/pem.py``, ``certcheck/documents``) finds these; this module declares the codes and
reports them, in the order they were found.
"""

from __future__ import annotations

from certcheck.codes import RFC7468, declare
from certcheck.model import Severity
from certcheck.rules.engine import reporter

TOO_LARGE = declare("pem.too_large", Severity.ERROR, "The field is larger than any real certificate or key.", RFC7468)
BINARY = declare("pem.binary", Severity.ERROR, "The field holds binary data, not PEM text.", RFC7468)
DER_GIVEN = declare("pem.der", Severity.ERROR, "The field holds DER (binary ASN.1); the API takes PEM.", RFC7468)
NO_ARMOR = declare(
    "pem.no_armor", Severity.ERROR, "Base64 without -----BEGIN/END----- lines: the armor is missing.", RFC7468
)
NOT_PEM = declare("pem.not_pem", Severity.ERROR, "No PEM block was found in the field.", RFC7468)
TRUNCATED = declare("pem.truncated", Severity.ERROR, "A PEM block has no matching END line.", RFC7468)
BAD_BASE64 = declare("pem.bad_base64", Severity.ERROR, "A PEM block's body is not valid base64.", RFC7468)
CORRUPT = declare("pem.corrupt", Severity.ERROR, "A PEM block decodes, but not to one complete DER structure.", RFC7468)
REPAIRED = declare(
    "pem.repaired",
    Severity.INFO,
    "The PEM was reformatted (line endings, one-line paste, wrapping, surrounding text); the normalized request "
    "carries canonical PEM.",
    RFC7468,
)
KEY_IN_CERT_FIELD = declare(
    "pem.key_in_cert_field", Severity.ERROR, "A private key was given in a certificate field.", RFC7468
)
CERT_IN_KEY_FIELD = declare(
    "pem.cert_in_key_field",
    Severity.ERROR,
    "A certificate was given in a private-key field (the API pages' own Key example makes this mistake).",
    RFC7468,
)
UNEXPECTED_BLOCK = declare(
    "pem.unexpected_block",
    Severity.ERROR,
    "A PEM block of a kind the field does not take (CSR, public key, CRL, PKCS#7...).",
    RFC7468,
)

armor = reporter(
    "pem.armor",
    "Every field is readable PEM with blocks of the kinds it takes; repairs are noted.",
    TOO_LARGE,
    BINARY,
    DER_GIVEN,
    NO_ARMOR,
    NOT_PEM,
    TRUNCATED,
    BAD_BASE64,
    CORRUPT,
    REPAIRED,
    KEY_IN_CERT_FIELD,
    CERT_IN_KEY_FIELD,
    UNEXPECTED_BLOCK,
)
