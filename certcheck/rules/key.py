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

MISSING = declare(
    "key.missing",
    Severity.ERROR,
    "A private-key field holds no private key block.",
    RFC5958,
    trigger="A key field with no private-key block (empty, or only other blocks).",
    fix="Give the PEM private key (-----BEGIN PRIVATE KEY----- or RSA/EC PRIVATE KEY).",
    example="Key holds no private key block.",
)
MULTIPLE = declare(
    "key.multiple",
    Severity.ERROR,
    "A private-key field holds more than one key.",
    RFC5958,
    trigger="A key field holding more than one private key.",
    fix="Keep only the key that belongs to the leaf certificate.",
    example="Key holds 2 private keys; give exactly one, the key of the leaf certificate.",
)
UNREADABLE = declare(
    "key.unreadable",
    Severity.ERROR,
    "A private-key block cannot be read as a key.",
    RFC5958,
    trigger="A private-key block whose DER cannot be read as a key.",
    fix="Export the key again, e.g. `openssl pkey -in FILE -out key.pem`.",
    example="Key: the PRIVATE KEY block cannot be read as a key (malformed).",
)
ENCRYPTED = declare(
    "key.encrypted",
    Severity.ERROR,
    "The private key is encrypted and no passphrase was given; the API takes a plain key.",
    RFC5958,
    trigger="An encrypted private key (ENCRYPTED PRIVATE KEY, or Proc-Type: 4,ENCRYPTED) and no passphrase given.",
    fix=(
        "Give the passphrase through an environment variable (--key-password-env VAR); the normalized request then "
        "carries the decrypted key."
    ),
    example=(
        "Key is encrypted (PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)); the API takes a plain key. Give "
        "the passphrase (--key-password-env VAR) or decrypt a copy with `openssl pkey`."
    ),
)
WRONG_PASSWORD = declare(
    "key.wrong_password",
    Severity.ERROR,
    "The passphrase does not decrypt the private key.",
    RFC5958,
    trigger="An encrypted key that the given passphrase does not decrypt.",
    fix="Check the passphrase in the environment variable named by --key-password-env.",
    example=(
        "Key: cannot decrypt (PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)): wrong passphrase or "
        "corrupted data."
    ),
)
DECRYPT_UNSUPPORTED = declare(
    "key.decrypt_unsupported",
    Severity.ERROR,
    "The private key is encrypted with a scheme certcheck cannot decrypt.",
    RFC5958,
    trigger="An encrypted private key whose encryption scheme certcheck cannot decrypt (an unknown PRF or cipher).",
    fix="Decrypt a copy with the tool that made it (`openssl pkey`, `gmssl`) and give the plain key.",
    example=(
        "Key: cannot decrypt (PBES2 (PBKDF2 PRF 1.2.840.113549.2.127, 2048 iterations, AES-256-CBC)): unsupported PRF "
        "1.2.840.113549.2.127."
    ),
)
VENDOR = declare(
    "key.vendor_container",
    Severity.ERROR,
    "The field holds a vendor key container (PKCS#12, SM2EnvelopedKey, CFCA), not a PEM private key.",
    RFC5958,
    trigger="A vendor keystore given as the key: PKCS#12/PFX, SM2EnvelopedKey, CFCA .sm2, an SKF blob.",
    fix=(
        "Export the private key from the container with its vendor's tool (it needs the container's password) as "
        "PKCS#8 PEM."
    ),
    example=(
        "Key holds a PKCS#12 (PFX) keystore, not a PEM private key: export the key with the vendor's tool (it needs "
        "the container's password) as PKCS#8."
    ),
)
UNSUPPORTED = declare(
    "key.unsupported_algorithm",
    Severity.ERROR,
    "The private key's algorithm is not one the API takes.",
    RFC5958,
    trigger="A private key of an algorithm the API does not take (Ed25519, X25519, DSA, an unknown OID).",
    fix="Use the RSA, EC or SM2 key of the certificate.",
    example="Key: a private key of algorithm 1.3.101.114 (unknown); the API takes RSA, EC and SM2 keys.",
)
OUT_OF_RANGE = declare(
    "key.out_of_range",
    Severity.ERROR,
    "The SM2 private scalar d is outside [1, n-2].",
    GMT0003,
    trigger="An SM2 or EC private scalar that is 0 or not below the curve order.",
    fix="The key is not usable: generate a new key pair and certificate.",
    example="SignPrivateKey: the SM2 private scalar is outside [1, n-2]; this is not a usable SM2 key.",
)
NORMALIZED = declare(
    "key.normalized",
    Severity.INFO,
    "The private key was decrypted or relabelled for the normalized request.",
    RFC5958,
    trigger=(
        "A key that certcheck decrypted or relabelled (SM2 PRIVATE KEY, a wrong label, SM2 PARAMETERS dropped) for "
        "the normalized request."
    ),
    fix="Informational: the normalized request carries the key in the form the API takes.",
    example=(
        "Key: decrypted (PBES2 (PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC)); the normalized request carries "
        "the plain key."
    ),
)
INCONSISTENT = declare(
    "key.inconsistent",
    Severity.ERROR,
    "The RSA private key's numbers do not agree with each other (corrupted or hand-edited key).",
    RFC8017,
    trigger=(
        "An RSA private key whose numbers do not agree (n != p*q, a wrong CRT exponent or coefficient): corrupted or "
        "hand-edited."
    ),
    fix="Export the key again from its source; a key that fails this check cannot sign correctly.",
    example=(
        "Key: the RSA key is inconsistent: its first CRT exponent (dP) does not invert e modulo p-1. It cannot sign "
        "correctly; export the key again from its source."
    ),
)
EMBEDDED_POINT = declare(
    "key.embedded_point_mismatch",
    Severity.ERROR,
    "The public point stored inside the key file is not d*G: the file was altered or assembled from two keys.",
    RFC5915,
    trigger=(
        "An EC or SM2 key file whose stored public point is not the one its private scalar gives: the file was "
        "altered or assembled from two keys."
    ),
    fix="Export the key again from its source.",
    example=(
        "SignPrivateKey: the public key stored in the key file does not belong to its private scalar; the file was "
        "altered."
    ),
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
