"""The private key belongs to the leaf certificate (RSA: modulus and exponent; EC/SM2: the public point)."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import RFC5280, declare
from certcheck.documents import Algorithm
from certcheck.documents.pairs import key_fits
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

KEY_MISMATCH = declare(
    "pair.key_mismatch",
    Severity.ERROR,
    "The private key does not belong to the leaf certificate.",
    RFC5280,
    trigger="The private key is not the key of the leaf certificate (another key pair, or a key of another algorithm).",
    fix=(
        "Give the key generated with this certificate's CSR; `openssl x509 -noout -pubkey` and `openssl pkey -pubout` "
        "must print the same public key."
    ),
    example=(
        "Key does not belong to the leaf certificate in Cert (CN=demo.example.com): they are different key pairs. "
        "Give the key that was generated with the CSR for CN=demo.example.com."
    ),
)


@rule(KEY_MISMATCH)
def key_belongs_to_leaf(ctx: Context) -> Iterator[Finding]:
    """Each private key matches its field's leaf certificate."""
    if ctx.docs.swapped:
        return  # one "swapped" error from the SM rule says it better than two mismatches
    for cert_field, key_field in ctx.docs.pairs:
        leaf, key = ctx.docs.leaf(cert_field), ctx.docs.keys.get(key_field)
        if leaf is None or key is None or ctx.docs.matches.get(key_field, False):
            continue
        if not (leaf.algorithm.accepted and key.algorithm.accepted):
            continue  # algorithm.unsupported already refuses it; whether the pair matches is moot
        if key.algorithm is not leaf.algorithm:
            why = (
                f"the key is {_describe(key.algorithm, key.curve)}, the certificate's is "
                f"{_describe(leaf.algorithm, leaf.curve)}"
            )
        else:
            why = "they are different key pairs"
        chain = ctx.docs.chain(cert_field)
        other = next((c for c in chain.ordered[1:] if key_fits(key, c)), None) if chain else None
        hint = (
            f" The key belongs to {other.label()} in {cert_field}: is the chain in the right order?"
            if other
            else f" Give the key that was generated with the CSR for {leaf.subject}."
        )
        yield KEY_MISMATCH(
            key_field,
            f"{key_field} does not belong to the leaf certificate in {cert_field} ({leaf.subject}): {why}.{hint}",
        )


def _describe(algorithm: Algorithm, curve: str | None) -> str:
    return f"{algorithm.value} ({curve})" if algorithm is Algorithm.EC and curve else algorithm.value
