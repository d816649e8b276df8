"""Private keys: readable, unencrypted (or decrypted), of a taken algorithm; internally consistent.

Whether a key could be read, and why not, is decided by the parse stage (``certcheck/documents/keys.py``,
including the SM2 scalar range, decided there once); ``readable`` reports it. ``consistency`` checks what a
readable key could still get wrong.
"""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import GMT0003, RFC5915, RFC5958, RFC8017, declare
from certcheck.documents import Algorithm
from certcheck.documents.keys import check_rsa_consistency
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, reporter, rule

MISSING = declare("key.missing", Severity.ERROR, "A private-key field holds no private key block.", RFC5958)
MULTIPLE = declare("key.multiple", Severity.ERROR, "A private-key field holds more than one key.", RFC5958)
UNREADABLE = declare("key.unreadable", Severity.ERROR, "A private-key block cannot be read as a key.", RFC5958)
ENCRYPTED = declare(
    "key.encrypted",
    Severity.ERROR,
    "The private key is encrypted and no passphrase was given; the API takes a plain key.",
    RFC5958,
)
WRONG_PASSWORD = declare(
    "key.wrong_password", Severity.ERROR, "The passphrase does not decrypt the private key.", RFC5958
)
DECRYPT_UNSUPPORTED = declare(
    "key.decrypt_unsupported",
    Severity.ERROR,
    "The private key is encrypted with a scheme certcheck cannot decrypt.",
    RFC5958,
)
VENDOR = declare(
    "key.vendor_container",
    Severity.ERROR,
    "The field holds a vendor key container (PKCS#12, SM2EnvelopedKey, CFCA), not a PEM private key.",
    RFC5958,
)
UNSUPPORTED = declare(
    "key.unsupported_algorithm",
    Severity.ERROR,
    "The private key's algorithm is not one the API takes.",
    RFC5958,
)
OUT_OF_RANGE = declare("key.out_of_range", Severity.ERROR, "The SM2 private scalar d is outside [1, n-2].", GMT0003)
NORMALIZED = declare(
    "key.normalized",
    Severity.INFO,
    "The private key was decrypted or relabelled for the normalized request.",
    RFC5958,
)
INCONSISTENT = declare(
    "key.inconsistent",
    Severity.ERROR,
    "The RSA private key's numbers do not agree with each other (corrupted or hand-edited key).",
    RFC8017,
)
EMBEDDED_POINT = declare(
    "key.embedded_point_mismatch",
    Severity.ERROR,
    "The public point stored inside the key file is not d*G: the file was altered or assembled from two keys.",
    RFC5915,
)

readable = reporter(
    "key.readable",
    "Every private-key field holds exactly one readable, usable, unencrypted (or decrypted) key.",
    MISSING,
    MULTIPLE,
    UNREADABLE,
    ENCRYPTED,
    WRONG_PASSWORD,
    DECRYPT_UNSUPPORTED,
    VENDOR,
    UNSUPPORTED,
    OUT_OF_RANGE,
    NORMALIZED,
)


@rule(INCONSISTENT, EMBEDDED_POINT)
def consistency(ctx: Context) -> Iterator[Finding]:
    """Each private key is internally consistent (RSA CRT values; the public point an SM2 key file carries)."""
    for _, key_field in ctx.docs.pairs:
        key = ctx.docs.keys.get(key_field)
        if key is None:
            continue
        if key.algorithm is Algorithm.RSA and key.rsa_numbers is not None:
            problem = check_rsa_consistency(key.rsa_numbers)
            if problem:
                yield INCONSISTENT(
                    key_field,
                    f"{key_field}: the RSA key is inconsistent: {problem}. It cannot "
                    "sign correctly; export the key again from its source.",
                )
        elif (
            key.algorithm is Algorithm.SM2
            and key.sm2_embedded_point is not None
            and not _same_point(key.sm2_embedded_point, key.public_point)
        ):
            yield EMBEDDED_POINT(
                key_field,
                f"{key_field}: the public key stored in the key file does not "
                "belong to its private scalar; the file was altered.",
            )


def _same_point(embedded: bytes, computed: bytes | None) -> bool:
    from certcheck._crypto import sm2  # SM2 keys only: a standard request never loads it

    try:
        return computed is not None and sm2.decode_point(embedded) == sm2.decode_point(computed)
    except ValueError:
        return False
