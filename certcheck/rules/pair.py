"""The private key belongs to the leaf certificate (RSA: modulus and exponent; EC/SM2: the public point)."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import RFC5280, declare
from certcheck.documents import Algorithm, Certificate, Kind, PrivateKey
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

KEY_MISMATCH = declare(
    "pair.key_mismatch", Severity.ERROR, "The private key does not belong to the leaf certificate.", RFC5280
)


def key_matches(key: PrivateKey, cert: Certificate) -> bool:
    """True when ``key`` is the private half of ``cert``'s public key."""
    if key.algorithm is not cert.algorithm:
        return False
    if key.algorithm is Algorithm.RSA:
        if key.rsa_numbers is None or cert.public_key is None:
            return False
        public = cert.public_key.public_numbers()
        mine = key.rsa_numbers.public_numbers
        return (mine.n, mine.e) == (public.n, public.e)  # type: ignore[union-attr]
    if key.algorithm is Algorithm.EC:
        return key.curve == cert.curve and key.ec_point is not None and key.ec_point == cert.point
    if key.algorithm is Algorithm.SM2:
        from certcheck import sm2

        if cert.point is None or key.sm2_d is None:
            return False
        try:
            return sm2.key_matches(key.sm2_d, sm2.decode_point(cert.point))
        except ValueError:
            return False
    return False


def looks_swapped(ctx: Context) -> bool:
    """An SM request whose signing key fits the encryption certificate and vice versa (reported by sm.py)."""
    docs = ctx.docs
    if docs.kind is not Kind.SM:
        return False
    sign_leaf, enc_leaf = docs.leaf("SignCert"), docs.leaf("EncryptCert")
    sign_key, enc_key = docs.keys.get("SignPrivateKey"), docs.keys.get("EncryptPrivateKey")
    if not (sign_leaf and enc_leaf and sign_key and enc_key):
        return False
    return key_matches(sign_key, enc_leaf) and key_matches(enc_key, sign_leaf) and not key_matches(sign_key, sign_leaf)


@rule(KEY_MISMATCH)
def key_belongs_to_leaf(ctx: Context) -> Iterator[Finding]:
    """Each private key matches its field's leaf certificate."""
    if looks_swapped(ctx):
        return  # one "swapped" error from the SM rule says it better than two mismatches
    for cert_field, key_field in ctx.docs.pairs:
        leaf, key = ctx.docs.leaf(cert_field), ctx.docs.keys.get(key_field)
        if leaf is None or key is None or key_matches(key, leaf):
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
        other = next((c for c in chain.ordered[1:] if key_matches(key, c)), None) if chain else None
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
