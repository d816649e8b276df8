"""Cryptographic strength and certificate role: RSA size, signature hash, CA certificates used as leaves."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck._crypto.oids import WEAK_SIGNATURE_HASHES
from certcheck.codes import CABF, RFC5280, declare
from certcheck.documents import Algorithm
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

MIN_RSA_BITS = 2048
_WEAK_HASHES = WEAK_SIGNATURE_HASHES

RSA_TOO_SMALL = declare(
    "strength.rsa_too_small",
    Severity.ERROR,
    "An RSA key is shorter than 2048 bits.",
    CABF,
    trigger="An RSA key under 2048 bits in the chain.",
    fix="Re-issue the certificate with a 2048-bit (or larger) RSA key, or an EC key.",
    example="Cert: certificate 1 (CN=demo.example.com) has a 1024-bit RSA key; at least 2048 bits are required.",
)
WEAK_HASH = declare(
    "strength.weak_signature_hash",
    Severity.WARNING,
    "A certificate is signed with SHA-1 or MD5.",
    CABF,
    trigger="A certificate signed with SHA-1 or MD5.",
    fix="Have the certificate re-issued with SHA-256.",
    example=(
        "Cert: certificate 1 (CN=demo.example.com) is signed with SHA-1, which clients reject: have it re-issued with "
        "SHA-256."
    ),
)
CA_AS_LEAF = declare(
    "strength.ca_as_leaf",
    Severity.WARNING,
    "The leaf certificate is a CA certificate (basicConstraints CA:TRUE).",
    RFC5280,
    trigger="The leaf is a CA certificate (basicConstraints CA:TRUE).",
    fix="Give the server's end-entity certificate first; was the intermediate given instead of the leaf?",
    example=(
        "Cert: the leaf (CN=certcheck Test Intermediate R1) is a CA certificate; servers present end-entity "
        "certificates. Was the chain given in the wrong order, or the intermediate instead of the leaf?"
    ),
)


@rule(RSA_TOO_SMALL, WEAK_HASH, CA_AS_LEAF)
def strength(ctx: Context) -> Iterator[Finding]:
    """RSA keys have at least 2048 bits; no SHA-1/MD5 signatures; the leaf is not a CA."""
    for cert_field in ctx.docs.cert_fields:
        chain = ctx.docs.chain(cert_field)
        if chain is None:
            continue
        for cert in chain.ordered:
            if cert.algorithm is Algorithm.RSA and (cert.key_size or 0) < MIN_RSA_BITS:
                yield RSA_TOO_SMALL(
                    cert_field,
                    f"{cert_field}: {cert.label()} has a {cert.key_size}-bit RSA key; "
                    f"at least {MIN_RSA_BITS} bits are required.",
                )
            weak = _WEAK_HASHES.get(cert.signature_oid)
            if weak and not chain.self_signed(cert):  # a root's self-signature is never checked by clients
                yield WEAK_HASH(
                    cert_field,
                    f"{cert_field}: {cert.label()} is signed with {weak}, which clients "
                    "reject: have it re-issued with SHA-256.",
                )
        if chain.leaf.is_ca:
            yield CA_AS_LEAF(
                cert_field,
                f"{cert_field}: the leaf ({chain.leaf.subject}) is a CA certificate; "
                "servers present end-entity certificates. Was the chain given in the "
                "wrong order, or the intermediate instead of the leaf?",
            )
