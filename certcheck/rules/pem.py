"""PEM armor: what a field held that is not a readable PEM block, and what was repaired.

The parse stage (``certcheck/pem.py``, ``certcheck/documents``) finds these; this module declares the codes and
reports them, in the order they were found.
"""

from __future__ import annotations

from certcheck.codes import RFC7468, declare
from certcheck.model import Severity
from certcheck.rules.engine import reporter

TOO_LARGE = declare(
    "pem.too_large",
    Severity.ERROR,
    "The field is larger than any real certificate or key.",
    RFC7468,
    trigger="A PEM field over 256 KiB.",
    fix="Give the certificate chain or key file (a few KB), not a bundle or the wrong file.",
    example=(
        "Cert is 262,154 bytes, over the 262,144-byte limit: a certificate chain or key is a few KB. Was the wrong "
        "file given?"
    ),
)
BINARY = declare(
    "pem.binary",
    Severity.ERROR,
    "The field holds binary data, not PEM text.",
    RFC7468,
    trigger="A field holding binary data that is neither PEM nor DER (an archive, an image, a NUL-padded file).",
    fix="Give the PEM file; check the path.",
    example="Cert holds binary data (4,096 bytes with NUL bytes), not PEM text.",
)
DER_GIVEN = declare(
    "pem.der",
    Severity.ERROR,
    "The field holds DER (binary ASN.1); the API takes PEM.",
    RFC7468,
    trigger="A field holding DER (binary ASN.1) rather than PEM text.",
    fix=(
        "Convert it: `openssl x509 -inform der -in FILE -out FILE.pem` (certificate) or `openssl pkey -inform der -in "
        "FILE -out FILE.pem` (key)."
    ),
    example=(
        "Cert holds DER (binary ASN.1): a certificate, not PEM. Convert it, e.g. `openssl x509 -inform der -in FILE "
        "-out FILE.pem` for a certificate or `openssl pkey -inform der -in FILE -out FILE.pem` for a key."
    ),
)
NO_ARMOR = declare(
    "pem.no_armor",
    Severity.ERROR,
    "Base64 without -----BEGIN/END----- lines: the armor is missing.",
    RFC7468,
    trigger="Base64 without the -----BEGIN ...----- and -----END ...----- lines.",
    fix="Add the armor lines, or export the file again as PEM.",
    example=(
        "Cert holds base64: a certificate without the -----BEGIN ...----- and -----END ...----- lines. Add the armor "
        "lines (or export the file again as PEM)."
    ),
)
NOT_PEM = declare(
    "pem.not_pem",
    Severity.ERROR,
    "No PEM block was found in the field.",
    RFC7468,
    trigger="A field with text but no PEM block.",
    fix="Give the PEM file (text starting with -----BEGIN CERTIFICATE----- or -----BEGIN PRIVATE KEY-----).",
    example=(
        "Cert has no PEM block: expected text starting with '-----BEGIN CERTIFICATE-----' or '-----BEGIN PRIVATE "
        "KEY-----'."
    ),
)
TRUNCATED = declare(
    "pem.truncated",
    Severity.ERROR,
    "A PEM block has no matching END line.",
    RFC7468,
    trigger="A PEM block without its -----END ...----- line.",
    fix="The paste was cut short: copy the whole file.",
    example=(
        "Cert: block 1 (-----BEGIN CERTIFICATE-----) has no '-----END CERTIFICATE-----' line: the paste was cut short."
    ),
)
BAD_BASE64 = declare(
    "pem.bad_base64",
    Severity.ERROR,
    "A PEM block's body is not valid base64.",
    RFC7468,
    trigger="A PEM block whose body has characters that are not base64.",
    fix="Export the file again; do not edit PEM in a word processor.",
    example=(
        "Cert: block 1 (CERTIFICATE) contains '*', which is not base64: the content was altered or mangled by an "
        "editor."
    ),
)
CORRUPT = declare(
    "pem.corrupt",
    Severity.ERROR,
    "A PEM block decodes, but not to one complete DER structure.",
    RFC7468,
    trigger="A PEM block whose base64 decodes to something that is not one complete DER structure (cut or corrupted).",
    fix="Export the file again from its source.",
    example=(
        "Cert: block 1 (CERTIFICATE) decodes to 480 bytes that are not one complete DER structure: the block was cut "
        "or corrupted."
    ),
)
REPAIRED = declare(
    "pem.repaired",
    Severity.INFO,
    "The PEM was reformatted (line endings, one-line paste, wrapping, surrounding text); the normalized request "
    "carries canonical PEM.",
    RFC7468,
    trigger=(
        "PEM that certcheck repaired: CRLF line endings, a one-line paste, blank lines, text around the blocks, "
        "re-wrapped base64, a BOM."
    ),
    fix="Informational: the normalized request carries canonical PEM; fix the file to silence this.",
    example="Cert: repaired Windows (CRLF) line endings; the normalized request carries canonical PEM.",
)
KEY_IN_CERT_FIELD = declare(
    "pem.key_in_cert_field",
    Severity.ERROR,
    "A private key was given in a certificate field.",
    RFC7468,
    trigger="A private key given in a certificate field.",
    fix="Move the key to its key field; check that the certificate file was not replaced by the key.",
    example="Cert: block 1 is a private key (RSA PRIVATE KEY); it belongs in the key field, not here.",
)
CERT_IN_KEY_FIELD = declare(
    "pem.cert_in_key_field",
    Severity.ERROR,
    "A certificate was given in a private-key field (the API pages' own Key example makes this mistake).",
    RFC7468,
    trigger="A certificate given in a key field.",
    fix="Give the private key there, the certificate in its certificate field.",
    example=(
        "Key: block 1 is a certificate; this field takes the private key (-----BEGIN PRIVATE KEY----- or RSA/EC "
        "PRIVATE KEY)."
    ),
)
UNEXPECTED_BLOCK = declare(
    "pem.unexpected_block",
    Severity.ERROR,
    "A PEM block of a kind the field does not take (CSR, public key, CRL, PKCS#7...).",
    RFC7468,
    trigger="A PEM block that is neither a certificate nor a private key (a CSR, a public key, parameters, a CRL).",
    fix="Give the certificate the CA issued, not the CSR or the public key.",
    example="Cert: block 1 is a certificate signing request (CSR), not a certificate.",
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
