"""Public-key algorithms the API takes: RSA, EC on P-256/P-384/P-521 (Cert/Key), SM2 (SM fields)."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import API_2025, declare
from certcheck.documents import Algorithm
from certcheck.documents.certs import SUPPORTED_CURVES
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

UNSUPPORTED = declare(
    "algorithm.unsupported",
    Severity.ERROR,
    "The certificate's or key's algorithm (Ed25519, Ed448, DSA, ...) is not one the API takes.",
    API_2025,
    trigger=(
        "The leaf certificate or the private key uses Ed25519, Ed448, DSA or another algorithm the API does not take."
    ),
    fix=(
        "Have the certificate issued for an RSA (2048 bits or more) or ECDSA P-256/P-384 key; SM2 goes in the SM "
        "fields."
    ),
    example=(
        "Cert: the leaf certificate uses Ed25519; UploadUserCertificate takes RSA and ECDSA (P-256/P-384/P-521) "
        "certificates, and SM2 in the SM fields."
    ),
)
UNSUPPORTED_CURVE = declare(
    "algorithm.unsupported_curve",
    Severity.ERROR,
    "An EC key on a curve other than P-256, P-384 or P-521.",
    API_2025,
    trigger="An EC certificate or key on a curve other than P-256, P-384 or P-521 (secp256k1, brainpool, ...).",
    fix="Re-issue the certificate for a P-256 or P-384 key.",
    example="Cert: the leaf certificate uses the EC curve secp256k1; the API takes P-256, P-384 and P-521.",
)


@rule(UNSUPPORTED, UNSUPPORTED_CURVE)
def supported(ctx: Context) -> Iterator[Finding]:
    """Leaf certificates and keys use RSA, EC on a supported curve, or SM2."""
    for cert_field, key_field in ctx.docs.pairs:
        leaf = ctx.docs.leaf(cert_field)
        key = ctx.docs.keys.get(key_field)
        items = [(cert_field, "the leaf certificate", leaf.algorithm, leaf.curve, leaf.detail)] if leaf else []
        if key is not None:
            items.append((key_field, "the private key", key.algorithm, key.curve, ""))
        for field_name, what, algorithm, curve, detail in items:
            if not algorithm.accepted:
                extra = f" ({detail})" if detail else ""
                yield UNSUPPORTED(
                    field_name,
                    f"{field_name}: {what} uses {algorithm.value}{extra}; "
                    "UploadUserCertificate takes RSA and ECDSA (P-256/P-384/P-521) "
                    "certificates, and SM2 in the SM fields.",
                )
            elif algorithm is Algorithm.EC and curve not in SUPPORTED_CURVES:
                yield UNSUPPORTED_CURVE(
                    field_name,
                    f"{field_name}: {what} uses the EC curve {curve}; the API takes P-256, P-384 and P-521.",
                )
