"""Private keys on their own: internally consistent, scalar in range, embedded public point honest."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import RFC5915, RFC8017, declare
from certcheck.documents import KEY_OUT_OF_RANGE as OUT_OF_RANGE
from certcheck.documents import Algorithm
from certcheck.documents.keys import check_rsa_consistency
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

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


@rule(INCONSISTENT, OUT_OF_RANGE, EMBEDDED_POINT)
def consistency(ctx: Context) -> Iterator[Finding]:
    """Each private key is internally consistent (RSA CRT values; SM2 d range and embedded point)."""
    from certcheck import sm2

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
        elif key.algorithm is Algorithm.SM2 and key.sm2_d is not None:
            if not 1 <= key.sm2_d <= sm2.N - 2:
                yield OUT_OF_RANGE(
                    key_field,
                    f"{key_field}: the SM2 private scalar is outside [1, n-2]; this is not a usable SM2 key.",
                )
                continue
            embedded = key.sm2_embedded_point
            if embedded is not None:
                computed = key.public_point()
                try:
                    same = computed is not None and sm2.decode_point(embedded) == sm2.decode_point(computed)
                except ValueError:
                    same = False
                if not same:
                    yield EMBEDDED_POINT(
                        key_field,
                        f"{key_field}: the public key stored in the key file does not "
                        "belong to its private scalar; the file was altered.",
                    )
