"""Certificate chains in Cert (and SignCert/EncryptCert): leaf first, each issued by the next.

A root at the end is allowed. Out-of-order chains are fixed in the normalized request (a warning);
certificates that belong to no chain and signatures that do not verify are errors.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from certcheck.codes import ALIYUN_CDN_PEM, GMT0009, RFC5280, declare
from certcheck.documents import Algorithm, Certificate
from certcheck.documents.chain import unneeded_expired
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

OUT_OF_ORDER = declare(
    "chain.out_of_order",
    Severity.WARNING,
    "The chain is not leaf first, each certificate "
    "followed by its issuer; the normalized request carries the fixed order.",
    ALIYUN_CDN_PEM,
    trigger=(
        "The certificates in a field are not leaf first, each followed by its issuer (e.g. intermediate before leaf)."
    ),
    fix=(
        "Nothing to do for the upload (the normalized request is reordered); put the leaf first in the file to "
        "silence this."
    ),
    example=(
        "Cert: the leaf, certificate 2 (CN=demo.example.com), is not first; each certificate must be followed by its "
        "issuer. The normalized request uses the order 2, 1: CN=demo.example.com <- CN=certcheck Test Intermediate "
        "R1."
    ),
)
UNRELATED = declare(
    "chain.unrelated",
    Severity.ERROR,
    "A certificate in the field belongs to no chain with the leaf.",
    RFC5280,
    trigger=(
        "A certificate in a field neither issues nor is issued by any certificate of the leaf's chain (another site's "
        "certificate, a gap in the chain)."
    ),
    fix="Remove the unrelated certificate, or add the missing intermediate that links it.",
    example=(
        "Cert: certificate 3 (CN=certcheck Unrelated Self-Signed) is not part of the leaf's chain "
        "(CN=demo.example.com <- CN=certcheck Test Intermediate R1): it neither issues nor is issued by it. Remove "
        "it, or give the missing certificate that links it."
    ),
)
DUPLICATE = declare(
    "chain.duplicate",
    Severity.WARNING,
    "The same certificate appears twice; the copy is dropped from the normalized request.",
    ALIYUN_CDN_PEM,
    trigger="The same certificate appears twice in one field (an intermediate pasted twice).",
    fix="Nothing to do: the copy is dropped from the normalized request; remove it from the file to silence this.",
    example=(
        "Cert: certificate 3 (CN=certcheck Test Intermediate R1) is a copy of an earlier certificate; the copy is "
        "dropped."
    ),
)
BAD_SIGNATURE = declare(
    "chain.bad_signature",
    Severity.ERROR,
    "A certificate names the next one as its issuer, but the signature does not verify with that issuer's key.",
    RFC5280,
    trigger=(
        "A certificate names the next one as its issuer (same name) but the signature does not verify with that "
        "issuer's key: a re-issued intermediate, or a forged one."
    ),
    fix="Use the intermediate certificate the CA delivered with this leaf (the CA's current bundle).",
    example=(
        "Cert: certificate 1 (CN=demo.example.com) names certificate 2 (CN=certcheck Test Intermediate R1) as its "
        "issuer, but the signature does not verify with the issuer's key: the issuer certificate is not the one that "
        "signed it (a re-issued or wrong intermediate?)."
    ),
)
SELF_SIGNED_LEAF = declare(
    "chain.self_signed_leaf",
    Severity.WARNING,
    "The leaf certificate is self-signed: clients will not trust it.",
    RFC5280,
    trigger="The leaf certificate is signed by its own key (a self-signed certificate).",
    fix="Use a certificate issued by a CA that clients trust; self-signed certificates suit tests only.",
    example="Cert: the leaf (CN=certcheck Unrelated Self-Signed) is self-signed; clients will not trust it.",
)
LEAF_ONLY = declare(
    "chain.leaf_only",
    Severity.INFO,
    "Only the leaf was given; most clients also need the intermediate certificates.",
    ALIYUN_CDN_PEM,
    trigger="A certificate field holds only the leaf certificate, no intermediates.",
    fix=(
        "Give the full chain: certbot's fullchain.pem, acme.sh's fullchain.cer, or the leaf followed by the CA's "
        "intermediates."
    ),
    example=(
        "Cert holds only the leaf (CN=demo.example.com); append its intermediate certificate(s) (issuer: CN=certcheck "
        "Test Intermediate R1), e.g. certbot's fullchain.pem rather than cert.pem."
    ),
)
SM2_USER_ID = declare(
    "chain.sm2_user_id",
    Severity.INFO,
    "Which SM2 user ID an SM2-with-SM3 signature in the "
    "chain verified with (default 1234567812345678, empty, or no Z).",
    GMT0009,
    trigger="An SM2-with-SM3 signature in the chain verified; the finding says which signer user ID it used.",
    fix="Informational: nothing to fix. A non-default ID means the CA signed with OpenSSL's empty ID or without Z.",
    example=(
        "SignCert: certificate 1 (CN=demo.example.com) is signed by certificate 2 (CN=certcheck Test SM2 Sub CA) with "
        "the default user ID 1234567812345678."
    ),
)

_VARIANT_TEXT = {
    "default": "the default user ID 1234567812345678",
    "empty": "the empty user ID (OpenSSL's default)",
    "noZ": "no Z value (e = SM3(message))",
}


@rule(OUT_OF_ORDER, UNRELATED, DUPLICATE, BAD_SIGNATURE, SELF_SIGNED_LEAF, LEAF_ONLY, SM2_USER_ID)
def order_and_signatures(ctx: Context) -> Iterator[Finding]:
    """Leaf first, each certificate issued (names and signature) by the next; no strangers, no copies."""
    for cert_field in ctx.docs.cert_fields:
        chain = ctx.docs.chain(cert_field)
        if chain is None:
            continue
        leaf = chain.leaf
        for dup in chain.duplicates:
            yield DUPLICATE(
                cert_field,
                f"{cert_field}: {dup.label()} is a copy of an earlier certificate; the copy is dropped.",
            )
        for link in chain.links:
            if not link.signature.ok:
                yield BAD_SIGNATURE(
                    cert_field,
                    f"{cert_field}: {link.child.label()} names {link.issuer.label()} as "
                    f"its issuer, but {link.signature.detail}: the issuer certificate is "
                    "not the one that signed it (a re-issued or wrong intermediate?).",
                )
            elif link.issuer.algorithm is Algorithm.SM2:
                yield SM2_USER_ID(
                    cert_field,
                    f"{cert_field}: {link.child.label()} is signed by "
                    f"{link.issuer.label()} with "
                    f"{_VARIANT_TEXT.get(link.signature.detail, link.signature.detail)}.",
                )
        for stranger in chain.unrelated:
            yield UNRELATED(
                cert_field,
                f"{cert_field}: {stranger.label()} is not part of the leaf's chain "
                f"({_path(chain.ordered)}): it neither issues nor is issued by it. Remove "
                "it, or give the missing certificate that links it.",
            )
        if chain.reordered and not chain.unrelated:
            fixed = ", ".join(str(c.position) for c in chain.ordered)
            where = "is not first" if chain.given[0] is not leaf else "is first, but its issuers do not follow in order"
            yield OUT_OF_ORDER(
                cert_field,
                f"{cert_field}: the leaf, {leaf.label()}, {where}; each certificate must be followed by its "
                f"issuer. The normalized request uses the order {fixed}: {_path(chain.ordered)}.",
            )
        if chain.self_signed(leaf) and len(chain.ordered) == 1 and not leaf.is_ca:
            yield SELF_SIGNED_LEAF(
                cert_field,
                f"{cert_field}: the leaf ({leaf.subject}) is self-signed; clients will not trust it.",
            )
        elif len(chain.given) == 1 and not chain.self_signed(leaf):
            yield LEAF_ONLY(
                cert_field,
                f"{cert_field} holds only the leaf ({leaf.subject}); append its "
                f"intermediate certificate(s) (issuer: {leaf.issuer}), e.g. certbot's "
                "fullchain.pem rather than cert.pem.",
            )


def _path(certs: Sequence[Certificate]) -> str:
    return " <- ".join(c.subject for c in certs)


EXPIRED_UNNEEDED = declare(
    "chain.expired_unneeded",
    Severity.WARNING,
    "An expired certificate at the end of the chain that the path does not need (an expired cross-sign or root); "
    "it is left out of the normalized request.",
    "RFC 5280 section 6.1 (trust anchors are not part of the path); Let's Encrypt's expired DST Root CA X3 cross-sign",
    trigger=(
        "An expired certificate after the leaf's issuer that the path does not need, e.g. Let's Encrypt's ISRG Root "
        "X1 cross-signed by the expired DST Root CA X3 at the end of an old fullchain.pem."
    ),
    fix="Drop the expired certificate from the file (the normalized request already leaves it out).",
    example=(
        "Cert: certificate 3 (CN=ISRG Root X1), issued by CN=DST Root CA X3, at the end of the chain, expired "
        "2025-11-13 (checked at 2026-06-01 00:00 UTC). The path does not need it; drop it from the file."
    ),
)


@rule(EXPIRED_UNNEEDED)
def expired_unneeded(ctx: Context) -> Iterator[Finding]:
    """An expired cross-sign or root at the end of the chain is dropped, with a warning that says so."""
    for cert_field in ctx.docs.cert_fields:
        chain = ctx.docs.chain(cert_field)
        cert = unneeded_expired(chain, ctx.at) if chain else None
        if cert is not None:
            yield EXPIRED_UNNEEDED(
                cert_field,
                f"{cert_field}: {cert.label()}, issued by {cert.issuer}, at the end of the chain, expired "
                f"{cert.not_after:%Y-%m-%d} (checked at {ctx.at:%Y-%m-%d %H:%M} UTC). The path does not need it "
                "(an expired cross-sign or root: clients that trust its subject as a root stop before it); drop "
                "it from the file. The normalized request leaves it out.",
            )
